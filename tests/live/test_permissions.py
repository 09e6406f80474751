"""The live socket's permission table: every role of the `world` opens /ws/live/, a wish is
published in community A and one in community B, and each socket hears exactly the wishes
its role may see in the hall (tests/test_permission_matrix.py `LIVE_SEES`, less the
resident, whose own wish is not in any hall: a subset, never more). Anonymous is refused."""

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.utils import timezone

from apps.register.models import Resident
from apps.wishes import services as wishes
from apps.wishes.models import Wish
from tests import factories as f
from tests.live.test_consumers import ORIGIN, _cookie, _socket
from tests.permission_matrix import ALL

pytestmark = pytest.mark.services

HEARS = {
    "A": {"member", "group_leader", "grid_worker", "secretary", "administrator"},
    "B": {"outsider", "administrator"},
}


def _submitted(world, category, where):
    if where == "A":
        resident = Resident.objects.get(user=world.user("resident"))
        area = world.building_a
    else:
        area = world.building_b
        resident = f.ResidentFactory(household=f.HouseholdFactory(area=area))
    return Wish.objects.create(
        resident=resident,
        area=area,
        title=f"心愿{where}",
        category=category,
        created_at=timezone.now(),
    )


def test_socket_matrix(services, live_layer, world, category):
    submitted = {where: _submitted(world, category, where) for where in ("A", "B")}
    vetter = {"A": world.user("grid_worker"), "B": world.user("outsider")}
    cookies = {role: _cookie(world.user(role)) for role in sorted(ALL)}

    async def scenario():
        anonymous = _socket(ORIGIN)
        assert (await anonymous.connect())[0] is False
        sockets = {}
        for role, cookie in cookies.items():
            comm = _socket(ORIGIN, cookie)
            assert (await comm.connect())[0], role
            assert (await comm.receive_json_from(timeout=3))["type"] == "hello"
            sockets[role] = comm
        for where, wish in submitted.items():
            await sync_to_async(wishes.wish_publish)(wish=wish, actor=vetter[where])
        heard = {role: set() for role in sockets}
        for role, comm in sockets.items():
            while not await comm.receive_nothing(timeout=0.4):
                event = await comm.receive_json_from()
                if event["type"] == "wish":
                    heard[role].add(event["id"])
        for role, comm in sockets.items():
            expected = {w.pk for where, w in submitted.items() if role in HEARS[where]}
            assert heard[role] == expected, role
            await comm.disconnect()

    async_to_sync(scenario)()
