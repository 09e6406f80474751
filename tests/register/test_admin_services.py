"""The register's admin writes through apps.register.services: a member's login gets the
member role, deletes obey the in-use rules, and a service's refusal shows on the page."""

import pytest

from apps.accounts.models import Role, RoleAssignment
from apps.register.models import Area, Household, Member, Organisation, PartyOrg, Resident
from tests import factories as f

pytestmark = pytest.mark.django_db


def _member_post(world, **extra):
    return {
        "name": "新党员",
        "gender": "",
        "phone": "",
        "id_number": "",
        "user": "",
        "branch": world.branch_a.pk,
        "community": world.community_a.pk,
        "residence": world.building_a.pk,
        "kind": Member.Kind.EMPLOYED,
        "joined_on": "2020-07-01",
        **extra,
    }


def _member_roles(user):
    return set(
        RoleAssignment.objects.filter(user=user, role=Role.MEMBER).values_list("area", flat=True)
    )


def test_member_added_with_a_login_gets_the_member_role(world, staff_client):
    login = f.UserFactory(username="new-member")
    response = staff_client("administrator").post(
        "/admin/register/member/add/", _member_post(world, user=login.pk)
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Member.objects.get(user=login).community == world.community_a
    assert _member_roles(login) == {world.community_a.pk}


def test_member_given_a_login_in_the_admin_gets_the_role_and_the_old_login_loses_it(
    world, staff_client, make_member
):
    first, second = f.UserFactory(username="first"), f.UserFactory(username="second")
    member = make_member(user=first)
    f.grant(first, Role.MEMBER, area=world.community_a)
    response = staff_client("administrator").post(
        f"/admin/register/member/{member.pk}/change/",
        _member_post(world, name=member.name, user=second.pk),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert _member_roles(second) == {world.community_a.pk}
    assert _member_roles(first) == set()


def test_member_deleted_in_the_admin_loses_the_role(world, staff_client, make_member):
    login = f.UserFactory(username="leaving")
    member = make_member(user=login)
    f.grant(login, Role.MEMBER, area=world.community_a)
    client = staff_client("administrator")
    response = client.post(f"/admin/register/member/{member.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Member.objects.filter(pk=member.pk).exists()
    assert _member_roles(login) == set()


def test_household_with_residents_cannot_be_deleted(world, staff_client):
    household = Household.objects.get(area=world.building_a, room="101")
    client = staff_client("grid_worker")
    response = client.post(
        f"/admin/register/household/{household.pk}/delete/", {"post": "yes"}, follow=True
    )
    assert response.status_code == 200  # Django's "cannot delete" page (protected rows)
    assert Household.objects.filter(pk=household.pk).exists()


def test_service_refusing_a_delete_shows_its_message(world, staff_client, monkeypatch):
    from apps.core.errors import Conflict
    from apps.register.admin import HouseholdAdmin

    def refuse(*, actor, household):
        raise Conflict("不能删除：测试", code="test_refused")

    monkeypatch.setattr(HouseholdAdmin, "delete_service", staticmethod(refuse))
    household = f.HouseholdFactory(area=world.building_a, room="404")
    response = staff_client("grid_worker").post(
        f"/admin/register/household/{household.pk}/delete/", {"post": "yes"}, follow=True
    )
    assert response.status_code == 200
    assert "不能删除：测试" in response.content.decode()
    assert Household.objects.filter(pk=household.pk).exists()


def test_household_added_in_the_admin_gets_the_services_address(world, staff_client):
    response = staff_client("grid_worker").post(
        "/admin/register/household/add/",
        {
            "area": world.building_a.pk,
            "unit": "2",
            "room": "303",
            "address": "",
            "residents-TOTAL_FORMS": "0",
            "residents-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    household = Household.objects.get(room="303")
    assert household.address == "大榭街道海城社区海城第1网格1幢2单元303室"


def test_household_inline_does_not_write_residents(world, staff_client):
    household = Household.objects.get(area=world.building_a, room="101")
    page = staff_client("grid_worker").get(f"/admin/register/household/{household.pk}/change/")
    assert 'name="residents-0-name"' not in page.content.decode()


def test_resident_changed_in_the_admin_goes_through_the_service(world, staff_client):
    resident = Resident.objects.get(name="王秀梅")
    other = f.HouseholdFactory(area=world.building_b, room="909")
    client = staff_client("administrator")  # the street: both buildings are in scope
    page = client.get(f"/admin/register/resident/{resident.pk}/change/")
    assert page.status_code == 200
    data = {
        "name": "王秀梅",
        "gender": "",
        "phone": "",
        "id_number": "",
        "household": other.pk,
        "user": resident.user_id,
        "elderly": "on",
        "hardship_note": "",
    }
    response = client.post(f"/admin/register/resident/{resident.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    resident.refresh_from_db()
    assert resident.household == other
    # a grid worker cannot move a resident out of their grid (not a choice for them)
    client = staff_client("grid_worker")
    resident.household = Household.objects.get(room="101")
    resident.save()
    response = client.post(f"/admin/register/resident/{resident.pk}/change/", data)
    assert response.status_code == 200
    resident.refresh_from_db()
    assert resident.household.room == "101"


def test_area_in_use_is_refused_by_the_service_even_when_asked_directly(world, staff_client):
    client = staff_client("administrator")
    empty = f.area("空楼", Area.Kind.BUILDING, world.grid_a)
    assert (
        client.post(f"/admin/register/area/{empty.pk}/delete/", {"post": "yes"}).status_code == 302
    )
    assert not Area.objects.filter(pk=empty.pk).exists()
    # the admin's delete goes through area_delete, which refuses a node in use
    from apps.core.errors import Conflict
    from apps.register.admin import AreaAdmin

    assert AreaAdmin.delete_service.__name__ == "area_delete"
    with pytest.raises(Conflict):
        AreaAdmin.delete_service(actor=world.user("administrator"), area=world.grid_a)
    assert Area.objects.filter(pk=world.grid_a.pk).exists()


def test_area_changed_in_the_admin_keeps_its_kind_and_moves_through_the_service(
    world, staff_client
):
    client = staff_client("administrator")
    grid_b2 = f.area("榭南第2网格", Area.Kind.GRID, world.community_b)
    response = client.post(
        f"/admin/register/area/{world.building_b.pk}/change/",
        {
            "name": "8幢",
            "code": "B8",
            "treebeard_position": "first-child",
            "treebeard_ref_node": grid_b2.pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    building = Area.objects.get(pk=world.building_b.pk)
    assert building.code == "B8" and Area.objects.get_parent(building) == grid_b2
    # moving a building under a community breaks the tree rule: refused on the form
    response = client.post(
        f"/admin/register/area/{world.building_b.pk}/change/",
        {
            "name": "8幢",
            "code": "B8",
            "treebeard_position": "first-child",
            "treebeard_ref_node": world.community_a.pk,
        },
    )
    assert response.status_code == 200
    assert Area.objects.get_parent(Area.objects.get(pk=world.building_b.pk)) == grid_b2
    assert not any(Area.objects.find_problems())


def test_party_org_added_in_the_admin_obeys_the_kind_order(world, staff_client):
    client = staff_client("administrator")
    data = {
        "name": "海城第一党小组",
        "kind": PartyOrg.Kind.GROUP,
        "area": world.community_a.pk,
        "treebeard_position": "first-child",
        "treebeard_ref_node": world.branch_a.pk,
    }
    response = client.post("/admin/register/partyorg/add/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    group = PartyOrg.objects.get(name="海城第一党小组")
    assert PartyOrg.objects.get_parent(group) == world.branch_a
    data.update(name="错级", kind=PartyOrg.Kind.WORKING_COMMITTEE)
    response = client.post("/admin/register/partyorg/add/", data)
    assert response.status_code == 200
    assert not PartyOrg.objects.filter(name="错级").exists()
    assert not any(PartyOrg.objects.find_problems())


def test_organisation_added_and_changed_through_the_services(world, staff_client):
    client = staff_client("administrator")
    rep = f.UserFactory(username="rep")
    data = {
        "name": "海城物业",
        "kind": Organisation.Kind.values[0],
        "area": world.community_a.pk,
        "credit_code": "",
        "contact_name": "",
        "contact_phone": "",
        "representatives": [rep.pk],
    }
    response = client.post("/admin/register/organisation/add/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    organisation = Organisation.objects.get(name="海城物业")
    assert list(organisation.representatives.all()) == [rep]
    data.update(contact_name="张经理", representatives=[])
    response = client.post(f"/admin/register/organisation/{organisation.pk}/change/", data)
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.contact_name == "张经理" and not organisation.representatives.exists()


def test_bulk_delete_is_not_offered(world, staff_client):
    page = staff_client("administrator").get("/admin/register/household/")
    assert page.status_code == 200
    assert 'value="delete_selected"' not in page.content.decode()
