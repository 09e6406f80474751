"""Finding 13 (issue 13): a responsibility group's leader holds the `group_leader` role at
its grid while they lead a group there, granted and revoked by the group services."""

import pytest

from apps.accounts.models import Role, RoleAssignment
from apps.grids import services
from tests import factories as f

pytestmark = pytest.mark.django_db


def _leads(user, grid) -> bool:
    return RoleAssignment.objects.filter(user=user, role=Role.GROUP_LEADER, area=grid).exists()


def _member_with_user(make_member):
    member = make_member()
    member.user = f.UserFactory()
    member.save()
    return member


def test_new_group_leader_gets_the_role_and_loses_it_when_replaced(world, make_member):
    first, second = _member_with_user(make_member), _member_with_user(make_member)
    others = [make_member(), make_member()]
    group = services.group_create(
        actor=world.user("secretary"),
        grid=world.grid_a,
        name="新组",
        leader=first,
        members=others,
        households=[],
    )
    assert _leads(first.user, world.grid_a)
    services.group_update(actor=world.user("secretary"), group=group, leader=second)
    assert _leads(second.user, world.grid_a)
    assert not _leads(first.user, world.grid_a)


def test_role_stays_while_the_leader_still_leads_another_group_there(world, make_member):
    leader = _member_with_user(make_member)
    replacement = _member_with_user(make_member)
    groups = [
        services.group_create(
            actor=world.user("secretary"),
            grid=world.grid_a,
            name=name,
            leader=leader,
            members=[make_member(), make_member()],
            households=[],
        )
        for name in ("甲组", "乙组")
    ]
    services.group_update(actor=world.user("secretary"), group=groups[0], leader=replacement)
    assert _leads(leader.user, world.grid_a)
    assert RoleAssignment.objects.filter(user=leader.user, role=Role.GROUP_LEADER).count() == 1
