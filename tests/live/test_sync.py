"""`GET /api/live/sync/` (apps.live): what a page that reconnects or polls learns. Runs on
SQLite too (no channel layer needed)."""

import pytest
from django.test import Client

from apps.core.live import now_ms
from apps.wishes import services as wishes
from apps.wishes.selectors import wish_for_claim


@pytest.fixture
def as_member(world):
    client = Client()
    client.force_login(world.user("group_leader"))
    return client


def test_states_of_the_cards_and_wishes_published_since(as_member, world, make_wish):
    open_wish = make_wish("published", title="一")
    taken = make_wish("claimed", title="二")
    before = now_ms()
    body = as_member.get(
        "/api/live/sync/", {"ids": f"{open_wish.pk},{taken.pk}", "since": before}
    ).json()
    assert body["wishes"] == {str(open_wish.pk): "published", str(taken.pk): "claimed"}
    assert body["published"] == []
    assert body["now"] >= before

    # Released meanwhile: published again, so a page that was away must add it back.
    wishes.wish_release(wish=wish_for_claim(pk=taken.pk), actor=world.user("member"))
    fresh = make_wish("published", title="三")
    body = as_member.get("/api/live/sync/", {"since": before}).json()
    assert set(body["published"]) == {taken.pk, fresh.pk}


def test_withdrawn_and_unknown_wishes_are_gone(as_member, world, make_wish):
    wish = make_wish("published")
    wishes.wish_withdraw(wish=wish, actor=world.user("resident"))
    body = as_member.get("/api/live/sync/", {"ids": f"{wish.pk},999999"}).json()
    assert body["wishes"] == {str(wish.pk): "gone", "999999": "gone"}


@pytest.mark.parametrize(
    "params, code",
    [
        ({"ids": "1,abc"}, "invalid_ids"),
        ({"ids": "１"}, "invalid_ids"),  # a full-width digit is not an id
        ({"ids": ",".join(str(i) for i in range(1, 300))}, "invalid_ids"),
        ({"since": "yesterday"}, "invalid_since"),
        ({"since": "-5"}, "invalid_since"),
    ],
)
def test_bad_input_is_a_clear_400(as_member, world, params, code):
    response = as_member.get("/api/live/sync/", params)
    assert response.status_code == 400
    assert response.json()["code"] == code


def test_a_far_future_or_ancient_since_is_clamped(as_member, world):
    for since in ("999999999999999999", "0", "1"):
        response = as_member.get("/api/live/sync/", {"since": since})
        assert response.status_code == 200, since
