"""A sign-up's request path stays short: a fixed, small number of queries from the token
to the response, and one statement, alone in its transaction, under the occurrence's lock."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from apps.accounts.models import DeviceToken
from apps.volunteers import services as vol
from apps.volunteers.models import SignUp

pytestmark = [pytest.mark.django_db, pytest.mark.services]


def _token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {DeviceToken.objects.create(user)[1]}")
    return client


def test_a_signup_request_is_a_handful_of_queries(services, world, make_activity):
    occ = make_activity(capacity=1).occurrences.get()
    client = _token_client(world.user("member"))
    with CaptureQueriesContext(connection) as queries:
        r = client.post(f"/api/volunteer-occurrences/{occ.pk}/signup/")
    assert r.status_code == 201 and r.json()["status"] == "signed_up", r.json()
    sql = [q["sql"] for q in queries.captured_queries]
    # The token, the user's grants, the occurrence (scoped), and one statement that finds
    # the member, takes the place and inserts the rows, in autocommit (no BEGIN, no COMMIT:
    # the occurrence's row is locked for that statement only).
    assert len(sql) == 4, "\n".join(q[:120] for q in sql)
    assert "UPDATE volunteers_occurrence" in sql[-1] and "INSERT INTO volunteers_signup" in sql[-1]
    assert SignUp.objects.get().status == "signed_up"

    # Full: the next member is waitlisted by the same statement, number 2 in line.
    # It does not even try for a place (it would queue on the occurrence's row).
    client = _token_client(world.user("group_leader"))
    with CaptureQueriesContext(connection) as queries:
        r = client.post(f"/api/volunteer-occurrences/{occ.pk}/signup/")
    sql = [q["sql"] for q in queries.captured_queries]
    assert not any("UPDATE volunteers_occurrence" in q for q in sql)
    assert any("FOR KEY SHARE" in q for q in sql)
    assert r.status_code == 201, r.json()
    second = SignUp.objects.get(pk=r.json()["id"])
    assert second.status == "waitlisted" and second.arrival > SignUp.objects.first().arrival
    assert vol.waitlist_position(second) == 1
