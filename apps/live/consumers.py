"""The live socket (`/ws/live/`): an authenticated page or API client joins the groups its
scope reaches (`selectors.groups_for`) and receives each event as one JSON text frame,
`{"type": "wish", "id", "state", "at"}` or `{"type": "badge", "unread", "at"}`. It sends
nothing back but a ping. Anonymous sockets are refused at the handshake."""

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from apps.core.live import now_ms

from . import selectors


class LiveConsumer(AsyncJsonWebsocketConsumer):
    groups_joined: tuple[str, ...] = ()

    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated or not user.is_active:
            await self.close()  # before accept: the handshake fails with 403
            return
        self.groups_joined = tuple(await database_sync_to_async(selectors.groups_for)(user))
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()
        await self.send_json({"type": "hello", "now": now_ms()})

    async def disconnect(self, code):
        for group in self.groups_joined:
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive_json(self, content, **kwargs):
        if isinstance(content, dict) and content.get("type") == "ping":
            await self.send_json({"type": "pong", "now": now_ms()})

    async def dispatch(self, message):
        # Channels runs `close_old_connections` in the one thread for sync code before every
        # message it dispatches: for an event fanned out to thousands of sockets that is
        # thousands of hops queued behind the requests' own sync work. An event touches no
        # database, so it goes straight to its handler.
        if message["type"] == "live.event":
            await self.live_event(message)
            return
        await super().dispatch(message)

    async def live_event(self, message):
        # Already JSON (apps.core.live serialises each event once for all its sockets).
        await self.send(text_data=message["text"])
