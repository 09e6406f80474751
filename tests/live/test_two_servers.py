"""Horizontal scale: two ASGI server processes (uvicorn) behind one Redis each deliver an
event published elsewhere (here: by this process, after the claim's commit) to their own
clients, and only to the clients whose scope sees the wish."""

import asyncio
import json

import pytest
import websockets
from asgiref.sync import async_to_sync, sync_to_async

from apps.accounts.models import DeviceToken
from apps.wishes import services as wishes

pytestmark = pytest.mark.services


async def _connect(base: str, token: str):
    url = base.replace("http://", "ws://") + "/ws/live/"
    ws = await websockets.connect(
        url, origin=base, additional_headers={"Authorization": f"Token {token}"}
    )
    assert json.loads(await asyncio.wait_for(ws.recv(), 5))["type"] == "hello"
    return ws


async def _next_wish(ws, timeout: float = 5) -> dict:
    while True:
        event = json.loads(await asyncio.wait_for(ws.recv(), timeout))
        if event["type"] == "wish":
            return event


def test_two_server_processes_each_deliver_to_their_own_clients(
    services, world, make_wish, asgi_servers
):
    first, second = asgi_servers(2)
    wish = make_wish("published")
    token = {
        role: DeviceToken.objects.create(world.user(role), name="live")[1]
        for role in ("member", "group_leader", "outsider")
    }

    async def scenario():
        on_first = await _connect(first, token["member"])
        on_second = await _connect(second, token["group_leader"])
        outsider = await _connect(second, token["outsider"])
        await sync_to_async(wishes.wish_claim)(wish=wish, actor=world.user("member"))
        for ws in (on_first, on_second):
            event = await _next_wish(ws)
            assert (event["id"], event["state"]) == (wish.pk, "claimed")
        with pytest.raises(TimeoutError):
            await _next_wish(outsider, timeout=0.7)
        # Without an allowed Origin, or without credentials, no socket.
        for origin, headers in (
            ("https://evil.example", {"Authorization": f"Token {token['member']}"}),
            (first, {}),
        ):
            with pytest.raises(websockets.InvalidStatus):
                await websockets.connect(
                    first.replace("http://", "ws://") + "/ws/live/",
                    origin=origin,
                    additional_headers=headers,
                )
        for ws in (on_first, on_second, outsider):
            await ws.close()

    async_to_sync(scenario)()
