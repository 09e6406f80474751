"""Finding 10 (issue 13): malformed input is a 400 (or 404) in the one error shape, never a
500 — request bodies that are not JSON objects, fields of the wrong type, ids that are not
numbers, NUL bytes."""

import json

import pytest

from apps.grids import services as grid_services

pytestmark = pytest.mark.django_db

BAD_BODIES = [
    [],
    "x",
    None,
    {"reason": ["a"], "resolution": ["a"]},
    {"reason": {"a": 1}, "resolution": {"a": 1}},
]


@pytest.fixture
def problem(world):
    return grid_services.problem_report(
        actor=world.user("secretary"), area=world.building_a, category="safety", title="消防通道"
    )


@pytest.mark.parametrize("action", ["escalate", "resolve"])
@pytest.mark.parametrize("body", BAD_BODIES)
def test_problem_action_with_malformed_body_is_400(world, api, problem, action, body):
    client = api.as_user(world.user("secretary"))
    r = client.post(
        f"/api/problems/{problem.pk}/{action}/",
        json.dumps(body),
        content_type="application/json",
    )
    assert r.status_code == 400, r.content
    assert r.json()["code"] == "invalid"


@pytest.mark.parametrize("pk", ["abc", "1e9", "-1"])
def test_wish_action_with_non_numeric_id_is_404(world, api, pk):
    r = api.as_user(world.user("member")).post(f"/api/wishes/{pk}/claim/", {}, format="json")
    assert r.status_code == 404
    assert r.json()["code"] == "not_found"


@pytest.mark.parametrize(
    "body",
    [
        {"wechat_openid": "a\x00b"},
        {"language": "en\x00"},
        {"muted": {"\x00": ["sms"]}},
        [],
        "x",
    ],
)
def test_preferences_with_nul_byte_or_non_object_is_400(world, api, body):
    r = api.as_user(world.user("member")).put(
        "/api/notifications/preferences/", body, format="json"
    )
    assert r.status_code == 400, r.content


@pytest.mark.parametrize("organisation", ["abc", "1e9", "99999999999"])
def test_claim_page_with_bad_organisation_shows_an_error(world, client, organisation):
    from apps.wishes import services as wish_services
    from apps.wishes.models import Wish, WishCategory

    category = WishCategory.objects.get_or_create(name="助老", defaults={"order": 40})[0]
    wish = wish_services.wish_submit(
        actor=world.user("resident"), title="助听器", category=category
    )
    wish_services.wish_publish(wish=wish, actor=world.user("grid_worker"))
    client.force_login(world.user("member"))
    r = client.post(f"/wishes/{wish.pk}/claim/", {"organisation": organisation}, follow=True)
    assert r.status_code == 200
    assert [m.extra_tags for m in r.context["messages"]] == ["unknown_organisation"]
    assert Wish.objects.get(pk=wish.pk).status == "published"


def test_parse_accepts_only_a_json_object():
    from rest_framework import serializers

    from apps.core.api import parse
    from apps.core.errors import InvalidInput

    class Input(serializers.Serializer):
        note = serializers.CharField(required=False, default="")

    for data in ([], "x", None, 3):
        with pytest.raises(InvalidInput) as exc:
            parse(Input, data)
        assert exc.value.code == "invalid"
    assert parse(Input, {}) == {"note": ""}
