from django.contrib.auth import authenticate

from apps.accounts.scoping import CHANGE, can, scoped, sees_personal
from apps.register.models import Area, Household, Member, Resident
from tests import factories as f


def test_grid_worker_sees_households_in_grid_only(world):
    mine = Household.objects.get(area=world.building_a)
    other = f.HouseholdFactory(area=world.building_b)
    visible = set(scoped(world.user("grid_worker"), Household))
    assert mine in visible
    assert other not in visible


def test_street_administrator_sees_both_communities(world):
    f.HouseholdFactory(area=world.building_b)
    assert scoped(world.user("administrator"), Household).count() == 2


def test_resident_sees_only_own_resident_row_and_household(world):
    f.ResidentFactory(household=Household.objects.get(area=world.building_a))
    resident = world.user("resident")
    assert list(scoped(resident, Resident)) == [resident.resident]
    assert list(scoped(resident, Household)) == [resident.resident.household]
    assert not scoped(resident, Area).exists()


def test_member_cannot_change_members_but_secretary_can(world):
    member = world.user("member")
    assert list(scoped(member, Member)) == [member.member]
    assert not scoped(member, Member, CHANGE).exists()
    secretary_sees = set(scoped(world.user("secretary"), Member, CHANGE))
    assert member.member in secretary_sees
    assert world.user("outsider").member not in secretary_sees


def test_can_creates_only_under_own_node(world):
    worker = world.user("grid_worker")
    assert can(worker, CHANGE, Household, area=world.building_a)
    assert not can(worker, CHANGE, Household, area=world.building_b)
    assert not can(world.user("member"), CHANGE, Household, area=world.building_a)


def test_personal_data_visible_to_staff_and_self_only(world):
    resident = world.user("resident").resident
    assert sees_personal(world.user("grid_worker"), resident)
    assert sees_personal(world.user("resident"), resident)
    assert not sees_personal(world.user("outsider"), resident)
    assert not sees_personal(world.user("member"), resident)


def test_superuser_sees_everything(world):
    root = f.UserFactory(is_superuser=True)
    f.HouseholdFactory(area=world.building_b)
    assert scoped(root, Household).count() == 2


def test_login_by_username_or_phone(world):
    user = world.user("member")
    user.phone = "13800138000"
    user.save()
    assert authenticate(username="member", password="pass-1234") == user
    assert authenticate(username="13800138000", password="pass-1234") == user
    assert authenticate(username="13800138000", password="wrong") is None
    assert authenticate(username="13900000000", password="pass-1234") is None
