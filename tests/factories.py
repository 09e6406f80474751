"""factory_boy factories for the shared model. Tree nodes are made with treebeard's
add_root/add_child, so factories for them are plain functions."""

import itertools

import factory

from apps.accounts.models import RoleAssignment, User
from apps.register.models import Area, Household, Member, Organisation, PartyOrg, Resident

_seq = itertools.count(1)


def area(name: str, kind: str, parent: Area | None = None) -> Area:
    fields = {"name": name, "kind": kind}
    if parent is None:
        return Area.objects.add_root(fields)
    return Area.objects.add_child(parent, fields)


def party_org(name: str, kind: str, parent: PartyOrg | None = None, area=None) -> PartyOrg:
    fields = {"name": name, "kind": kind, "area": area}
    if parent is None:
        return PartyOrg.objects.add_root(fields)
    return PartyOrg.objects.add_child(parent, fields)


def phone() -> str:
    return f"139{next(_seq):08d}"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    name = factory.Faker("name", locale="zh_CN")
    password = factory.PostGenerationMethodCall("set_password", "pass-1234")

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        if create:
            instance.save()


class HouseholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Household

    room = factory.Sequence(lambda n: f"{100 + n}")
    unit = "1"


class ResidentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Resident

    name = factory.Faker("name", locale="zh_CN")
    gender = "female"
    phone = factory.LazyFunction(phone)
    household = factory.SubFactory(HouseholdFactory)


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member

    name = factory.Faker("name", locale="zh_CN")
    gender = "male"
    phone = factory.LazyFunction(phone)
    kind = Member.Kind.EMPLOYED


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"企业{n}")
    kind = Organisation.Kind.ENTERPRISE


def grant(user: User, role: str, *, area=None, party_org=None) -> RoleAssignment:
    return RoleAssignment.objects.create(user=user, role=role, area=area, party_org=party_org)


def cover(household: Household, leader: User):
    """Put `household` in a responsibility group that `leader` (a user with a member row)
    leads in its grid (made on first use): a group leader's scope is their group's
    households. Nothing happens when the household is already covered."""
    from apps.grids.models import GroupHousehold, GroupMembership, ResponsibilityGroup

    if GroupHousehold.objects.filter(household=household).exists():
        return
    grid = Area.objects.get_parent(household.area)
    group = ResponsibilityGroup.objects.filter(grid=grid, leader__user=leader).first()
    if group is None:
        group = ResponsibilityGroup.objects.create(name="测试组", grid=grid, leader=leader.member)
        GroupMembership.objects.create(group=group, member=leader.member)
    GroupHousehold.objects.create(group=group, household=household)
