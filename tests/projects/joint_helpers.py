"""Builders for joint-request tests: residents of a community, a request driven through the
services to a status."""

import datetime as dt
import itertools

from apps.projects import services
from apps.register.models import Resident
from tests import factories as f

_n = itertools.count(1)


def resident(world, *, building=None, household=None, login=True, name=None) -> Resident:
    """A resident with their own household (unless given) in building A (or `building`),
    with a login `jr<n>` (password pass-1234) unless `login=False`."""
    n = next(_n)
    household = household or f.HouseholdFactory(area=building or world.building_a, room=f"J{n:04d}")
    user = f.UserFactory(username=f"jr{n}", name=name or f"居民{n}") if login else None
    return f.ResidentFactory(household=household, user=user, name=name or f"居民{n}")


def residents(world, count: int, **kw) -> list[Resident]:
    return [resident(world, **kw) for _ in range(count)]


def open_request(world, *, opener=None, threshold=None, **kw):
    """A request opened by a fresh resident of community A (threshold from the world's
    defaults unless given, through the community's working group settings)."""
    if threshold is not None:
        from apps.projects.models import WorkingGroup

        WorkingGroup.objects.update_or_create(
            community=world.community_a, defaults={"threshold": threshold}
        )
    opener = opener or resident(world)
    fields = {"topic": "小区停车难", "level": "community", "description": "晚上无处停车", **kw}
    return services.joint_open(actor=opener.user, **fields)


def make_request(world, status: str = "collecting", *, threshold: int = 3):
    """A request of community A moved to `status` by the services; returns (request,
    signers). The world's secretary is the working group; the grid worker the assignee."""
    request = open_request(world, threshold=threshold)
    signers = [request.opener]
    if status == "collecting":
        return request, signers
    for r in residents(world, threshold - 1):
        services.joint_sign(actor=r.user, request=request, resident=r)
        signers.append(r)
    request.refresh_from_db()
    if status == "under_review":
        return request, signers
    secretary = world.user("secretary")
    if status == "declined":
        services.joint_decline(actor=secretary, request=request, reason="不属于社区职责")
        return request, signers
    services.joint_accept(
        actor=secretary,
        request=request,
        assignee=world.user("grid_worker"),
        reply_due=dt.date.today() + dt.timedelta(days=7),
    )
    if status == "accepted":
        return request, signers
    services.joint_reply(actor=world.user("grid_worker"), request=request, text="已协调车位")
    if status == "replied":
        return request, signers
    services.joint_close(actor=secretary, request=request)
    return request, signers
