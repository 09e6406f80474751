"""Live events for open pages (the live wish hall, the message badge): the publishing half.

An app that changes something a page shows calls `publish()` inside its transaction; the
event leaves only after commit (`transaction.on_commit`), so a rolled-back change never
shows. Events go to *groups* of the channel layer (Django Channels): one per area node
(`area_groups`: every ancestor of the row's area, so a socket subscribed at any node above
sees it), one per user, and one for superusers. `apps.live.consumers` subscribes each socket
to the groups its user's scope reaches. Payloads are minimal and carry nothing personal: the
page fetches whatever else it shows through its own scoped URL.

Publishing never fails the caller: with the channel layer down the event is dropped (logged)
and open pages catch up through `apps.live`'s sync endpoint (reconnect or polling).
"""

import json
import logging
import time

from django.db import transaction

log = logging.getLogger(__name__)

ALL_GROUP = "live.all"  # superusers: every event


def area_groups(path: str, steplen: int = 4) -> list[str]:
    """The groups of a node and each of its ancestors (treebeard paths: `steplen` per level)."""
    return [f"live.area.{path[:end]}" for end in range(steplen, len(path) + 1, steplen)]


def area_group(path: str) -> str:
    return f"live.area.{path}"


def user_group(user_id: int) -> str:
    return f"live.user.{user_id}"


def now_ms() -> int:
    """The clock events and the sync endpoint share (pages resume from it)."""
    return int(time.time() * 1000)


def publish(groups, payload: dict) -> None:
    """Send `payload` to `groups` once the current transaction commits (at once outside one)."""
    groups = list(dict.fromkeys(groups))
    if groups:
        transaction.on_commit(lambda: send_now(groups, payload))


def publish_many(events: list[tuple[list[str], dict]]) -> None:
    """Several (groups, payload) events after commit, sent together (e.g. one badge count
    per recipient of a message)."""
    if events:
        transaction.on_commit(lambda: _send_all(events))


def send_now(groups: list[str], payload: dict) -> None:
    _send_all([(groups, payload)])


def _send_all(events: list[tuple[list[str], dict]]) -> None:
    """Send from sync code. A thread that runs an event loop itself (sync code called from
    async code) cannot block on it: the send then runs in a thread of its own."""
    import asyncio
    import threading

    from asgiref.sync import async_to_sync

    def run():
        try:
            async_to_sync(send_async)(events)
        except Exception:  # never fail the caller's request or task
            log.warning("live: could not publish %d events", len(events), exc_info=True)

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        run()
        return
    worker = threading.Thread(target=run, name="live-publish")
    worker.start()
    worker.join(timeout=5)


async def send_async(events: list[tuple[list[str], dict]]) -> None:
    from channels.layers import get_channel_layer

    layer = get_channel_layer()
    if layer is None:
        return
    at = now_ms()
    try:
        for groups, payload in events:
            # Serialised once here, not once per socket: a group may hold thousands.
            text = json.dumps({**payload, "at": at}, separators=(",", ":"))
            message = {"type": "live.event", "text": text}
            for group in groups:
                await layer.group_send(group, message)
    except Exception:  # any layer/Redis error: the pages catch up through sync
        log.warning("live: could not publish %d events", len(events))
