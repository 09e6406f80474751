"""Helpers for the grids tests: members and households in the fixed world."""

import itertools

import pytest

from apps.accounts.models import Role
from apps.register.models import Member
from tests import factories as f


@pytest.fixture
def households(world):
    return [f.HouseholdFactory(area=world.building_a, room=str(200 + i)) for i in range(6)]


@pytest.fixture
def group(world, make_member, households, leader_member):
    from apps.grids import services

    others = [make_member(), make_member(kind=Member.Kind.RETIRED, joined=1990)]
    return services.group_create(
        actor=world.user("secretary"),
        grid=world.grid_a,
        name="一组",
        leader=leader_member,
        members=others,
        households=households[:4],
    )


@pytest.fixture
def vulnerable(world):
    rooms = itertools.count(1)

    def make(building=None, **flags):
        flags = flags or {"lives_alone": True}
        household = f.HouseholdFactory(area=building or world.building_a, room=f"V{next(rooms)}")
        return f.ResidentFactory(household=household, **flags)

    return make


def helper_user(world, member):
    user = f.UserFactory()
    member.user = user
    member.save()
    f.grant(user, Role.MEMBER, area=world.community_a)
    return user
