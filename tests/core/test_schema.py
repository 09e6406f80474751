from django.core.management import call_command


def test_openapi_schema_generates_without_warnings(tmp_path):
    # --fail-on-warn turns every drf-spectacular warning (an un-annotated field, a filter
    # whose type it cannot guess) into a failure.
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    text = out.read_text()
    for path in (
        "/api/auth/token/",
        "/api/me/",
        "/api/areas/",
        "/api/households/{id}/",
        "/api/residents/",
        "/api/party-orgs/",
        "/api/members/",
        "/api/organisations/",
    ):
        assert f"  {path}:" in text, path


def test_docs_and_schema_are_served(db, client):
    assert client.get("/api/docs/").status_code == 200
    assert client.get("/api/schema/").status_code == 200
