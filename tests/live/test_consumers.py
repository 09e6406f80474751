"""The live socket (apps.live) through channels' WebsocketCommunicator on PostgreSQL and the
pub/sub channel layer on Redis: who may connect, who hears which wish, after commit only."""

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.db import transaction
from django.test import Client

from apps.accounts.models import DeviceToken
from apps.notifications import audiences
from apps.notifications.services import notify
from apps.wishes import services as wishes
from apps.wishes.selectors import wish_for_claim
from config.asgi import application

pytestmark = pytest.mark.services

ORIGIN = (b"origin", b"http://127.0.0.1")


def _cookie(user) -> tuple[bytes, bytes]:
    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    return (b"cookie", f"{settings.SESSION_COOKIE_NAME}={session}".encode())


def _socket(*headers) -> WebsocketCommunicator:
    return WebsocketCommunicator(application, "/ws/live/", headers=list(headers))


async def _open(user_headers) -> WebsocketCommunicator:
    comm = _socket(ORIGIN, *user_headers)
    connected, _ = await comm.connect()
    assert connected
    hello = await comm.receive_json_from(timeout=3)
    assert hello["type"] == "hello"
    return comm


async def _events(comm, kind: str = "wish") -> list[dict]:
    """The next event of `kind` (a published wish also brings members a message: badges)."""
    while True:
        event = await comm.receive_json_from(timeout=3)
        if event["type"] == kind:
            return [event]


def test_anonymous_and_foreign_origin_are_refused(services, live_layer, world):
    cookie = _cookie(world.user("member"))

    async def scenario():
        anonymous = _socket(ORIGIN)
        assert (await anonymous.connect())[0] is False
        foreign = _socket((b"origin", b"https://evil.example"), cookie)
        assert (await foreign.connect())[0] is False
        bad_token = _socket(ORIGIN, (b"authorization", b"Token not-a-token"))
        assert (await bad_token.connect())[0] is False

    async_to_sync(scenario)()


def test_events_reach_only_the_sockets_whose_scope_sees_the_wish(
    services, live_layer, world, make_wish
):
    wish = make_wish("submitted")
    member, outsider = world.user("member"), world.user("outsider")
    cookies = _cookie(member), _cookie(outsider)
    _instance, token = DeviceToken.objects.create(member, name="app")

    async def scenario():
        mine = await _open([cookies[0]])
        theirs = await _open([cookies[1]])
        app = await _open([(b"authorization", f"Token {token}".encode())])

        await sync_to_async(wishes.wish_publish)(wish=wish, actor=world.user("grid_worker"))
        for comm in (mine, app):
            [event] = await _events(comm)
            # Nothing personal: the id and the state, and the server's clock.
            assert set(event) == {"type", "id", "state", "at"}
            assert (event["type"], event["id"], event["state"]) == ("wish", wish.pk, "published")
        assert await theirs.receive_nothing(timeout=0.5)

        await sync_to_async(wishes.wish_claim)(wish=wish, actor=member)
        [event] = await _events(mine)
        assert (event["id"], event["state"]) == (wish.pk, "claimed")
        assert await theirs.receive_nothing(timeout=0.5)
        for comm in (mine, theirs, app):
            await comm.disconnect()

    async_to_sync(scenario)()


def test_a_submitted_wish_does_not_travel_to_members(services, live_layer, world, make_wish):
    cookie = _cookie(world.user("member"))

    async def scenario():
        comm = await _open([cookie])
        await sync_to_async(make_wish)("submitted")
        await sync_to_async(make_wish)("rejected", title="另一个心愿")
        assert await comm.receive_nothing(timeout=0.5)
        await comm.disconnect()

    async_to_sync(scenario)()


def test_the_event_leaves_after_commit_and_a_rolled_back_claim_never_shows(
    services, live_layer, world, make_wish
):
    wish = make_wish("published")
    member = world.user("member")
    cookie = _cookie(world.user("group_leader"))

    async def scenario():
        comm = await _open([cookie])

        def rolled_back():
            with pytest.raises(RuntimeError), transaction.atomic():
                wishes.wish_claim(wish=wish, actor=member)
                raise RuntimeError("the request failed after the claim")

        await sync_to_async(rolled_back)()
        assert await comm.receive_nothing(timeout=0.7)

        def committed_later():
            fresh = wish_for_claim(pk=wish.pk)  # the rolled-back one still says "claimed"
            assert fresh.status == "published"
            with transaction.atomic():
                wishes.wish_claim(wish=fresh, actor=member)
                # Inside the transaction: nothing has left yet.
                assert async_to_sync(comm.receive_nothing)(timeout=0.5)

        await sync_to_async(committed_later)()
        [event] = await _events(comm)
        assert (event["id"], event["state"]) == (wish.pk, "claimed")
        await comm.disconnect()

    async_to_sync(scenario)()


def test_a_claim_over_the_limit_rolls_back_and_does_not_show(
    services, live_layer, world, make_wish, settings
):
    settings.TONGXIN = {**settings.TONGXIN, "WISH_MAX_OPEN_CLAIMS": 0}
    wish = make_wish("published")
    cookie = _cookie(world.user("group_leader"))

    async def scenario():
        comm = await _open([cookie])
        with pytest.raises(wishes.TooManyClaims):
            await sync_to_async(wishes.wish_claim)(wish=wish, actor=world.user("member"))
        assert await comm.receive_nothing(timeout=0.7)
        await comm.disconnect()

    async_to_sync(scenario)()


def test_the_badge_counts_up_for_the_recipient_only(services, live_layer, world):
    member, leader = world.user("member"), world.user("group_leader")
    cookies = _cookie(member), _cookie(leader)

    async def scenario():
        mine = await _open([cookies[0]])
        other = await _open([cookies[1]])

        def message():
            with transaction.atomic():
                notify(
                    "notice.broadcast",
                    audience=audiences.users(member.pk),
                    context={"area": "海城社区", "title": "停水通知", "body": "明天停水"},
                )

        await sync_to_async(message)()
        [event] = await _events(mine, "badge")
        assert event["unread"] == 1
        assert set(event) == {"type", "unread", "at"}
        assert await other.receive_nothing(timeout=0.5)
        for comm in (mine, other):
            await comm.disconnect()

    async_to_sync(scenario)()
