"""Finding 11 (issue 13): the schema says what the endpoints answer."""

import pytest
from drf_spectacular.generators import SchemaGenerator


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def _body(schema, path, method, code="200"):
    content = schema["paths"][path][method]["responses"][code]["content"]
    ref = content["application/json"]["schema"]
    if "$ref" in ref:
        return schema["components"]["schemas"][ref["$ref"].split("/")[-1]]
    return ref


def test_counts_are_documented_as_counts(schema):
    unread = _body(schema, "/api/notifications/unread-count/", "get")
    assert set(unread["properties"]) == {"unread"}
    read_all = _body(schema, "/api/notifications/read-all/", "post")
    assert set(read_all["properties"]) == {"marked", "unread"}


def test_unvisited_pairings_are_a_page(schema):
    page = _body(schema, "/api/pairings/unvisited/", "get")
    assert {"count", "results"} <= set(page["properties"])


def test_event_actor_may_be_null(schema):
    actor = schema["components"]["schemas"]["Event"]["properties"]["actor"]
    assert actor.get("nullable") is True


@pytest.mark.parametrize(
    "path,method,codes",
    [
        ("/api/problems/{id}/escalate/", "post", {"400", "401", "403", "404", "409"}),
        ("/api/wishes/{id}/claim/", "post", {"400", "401", "403", "404", "409"}),
        ("/api/households/", "get", {"401", "403"}),
        ("/api/households/{id}/", "get", {"401", "404"}),
    ],
)
def test_error_statuses_are_documented_in_the_error_shape(schema, path, method, codes):
    responses = schema["paths"][path][method]["responses"]
    assert codes <= set(responses)
    for code in codes:
        error = _body(schema, path, method, code)
        assert {"code", "detail"} <= set(error["properties"])
