"""Finding 11 (issue 13): schemathesis fuzzes every operation of the OpenAPI schema in-process
(Django's WSGI application) as a member and as an administrator, each with an API token, and
checks that nothing is a server error and every response matches the schema. Bounded by
`TONGXIN_FUZZ_EXAMPLES` examples per operation (default 5) so it stays a few minutes."""

import json
import os

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, Phase
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from apps.accounts.models import DeviceToken

RAW = json.loads(
    OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True))
)
schema = schemathesis.openapi.from_dict(RAW)
APP = get_wsgi_application()
EXAMPLES = int(os.environ.get("TONGXIN_FUZZ_EXAMPLES", "5"))


@pytest.fixture
def in_process(db):
    """The WSGI handler closes "old" connections after each request, which would close the
    test's transaction; Django's own test client switches that off the same way."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def tokens(world):
    return {
        role: DeviceToken.objects.create(world.user(role), name="fuzz")[1]
        for role in ("member", "administrator")
    }


@pytest.mark.parametrize("role", ["member", "administrator"])
@schema.parametrize()
@hypothesis_settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    phases=[Phase.explicit, Phase.generate],
    database=None,
)
def test_api_fuzz(case, role, tokens, in_process):
    case.call_and_validate(
        app=APP,
        headers={"Authorization": f"Token {tokens[role]}"},
        checks=[not_a_server_error, response_schema_conformance],
    )
