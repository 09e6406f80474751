"""The admin is scoped: non-superuser staff see and change only their subtree."""

import pytest

from apps.accounts.models import Role
from apps.register.models import Area, Household
from tests import factories as f


def _names(response) -> str:
    return response.content.decode()


def test_area_tree_starts_at_the_secretarys_community(world, staff_client):
    page = _names(staff_client("secretary").get("/admin/register/area/"))
    assert "海城社区" in page
    assert "榭南社区" not in page and "北仑区" not in page


def test_area_tree_starts_at_the_street_for_its_administrator(world, staff_client):
    page = _names(staff_client("administrator").get("/admin/register/area/"))
    assert "大榭街道" in page and "北仑区" not in page


def test_household_list_and_change_page_are_scoped(world, staff_client):
    other = f.HouseholdFactory(area=world.building_b, room="808", address="榭南8幢808室")
    client = staff_client("grid_worker")
    page = _names(client.get("/admin/register/household/"))
    assert "1幢" in page and "808" not in page
    response = client.get(f"/admin/register/household/{other.pk}/change/")
    assert response.status_code == 302  # "does not exist" for rows outside the subtree
    mine = Household.objects.get(area=world.building_a)
    assert client.get(f"/admin/register/household/{mine.pk}/change/").status_code == 200


def test_household_must_be_added_to_a_building_in_scope(world, staff_client):
    client = staff_client("grid_worker")
    count = Household.objects.count()
    response = client.post(
        "/admin/register/household/add/",
        {
            "area": world.grid_a.pk,
            "unit": "1",
            "room": "999",
            "residents-TOTAL_FORMS": "0",
            "residents-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200  # the form again, with the error
    assert "住户必须属于某一楼幢" in _names(response)
    response = client.post(
        "/admin/register/household/add/",
        {
            "area": world.building_b.pk,
            "unit": "1",
            "room": "999",
            "residents-TOTAL_FORMS": "0",
            "residents-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200  # building_b is not even a choice
    assert Household.objects.count() == count


def _add_area(client, name, kind, ref):
    return client.post(
        "/admin/register/area/add/",
        {
            "name": name,
            "kind": kind,
            "code": "",
            "treebeard_position": "first-child",
            "treebeard_ref_node": ref.pk if ref else "",
        },
    )


def test_admin_adds_a_building_under_a_grid_and_the_tree_stays_sound(world, staff_client):
    client = staff_client("administrator")
    response = _add_area(client, "2幢", "building", world.grid_a)
    assert response.status_code == 302, response.content.decode()[:2000]
    building = Area.objects.get(name="2幢")
    assert Area.objects.get_parent(building) == world.grid_a
    assert not any(Area.objects.find_problems())


def test_admin_tree_rules_apply(world, staff_client):
    client = staff_client("administrator")
    response = _add_area(client, "错层", "building", world.community_a)
    assert response.status_code == 200
    assert "的下级只能是网格" in _names(response)
    response = _add_area(client, "新区", "district", None)  # a root: superusers only
    assert response.status_code == 200
    assert not Area.objects.filter(name__in=["错层", "新区"]).exists()


def test_secretary_cannot_change_areas(world, staff_client):
    client = staff_client("secretary")
    page = client.get(f"/admin/register/area/{world.grid_a.pk}/change/")
    assert page.status_code == 200 and 'name="_save"' not in _names(page)  # read-only
    response = _add_area(client, "2幢", "building", world.grid_a)
    assert response.status_code == 403
    assert not Area.objects.filter(name="2幢").exists()


def test_node_in_use_cannot_be_deleted(world, staff_client):
    client = staff_client("administrator")
    response = client.post(f"/admin/register/area/{world.grid_a.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert Area.objects.filter(pk=world.grid_a.pk).exists()


def test_users_and_roles_are_for_superusers(world, staff_client, client):
    staff = staff_client("administrator")
    assert staff.get("/admin/accounts/user/").status_code == 403
    root = f.UserFactory(is_staff=True, is_superuser=True)
    client.force_login(root)
    page = client.get(f"/admin/accounts/user/{world.user('grid_worker').pk}/change/")
    assert page.status_code == 200
    assert "海城第1网格" in _names(page)  # the role assignment inline


@pytest.mark.parametrize("role", ["grid_worker", "secretary", "administrator"])
@pytest.mark.parametrize(
    "model", ["area", "household", "resident", "partyorg", "member", "organisation"]
)
def test_every_admin_page_renders_for_staff(world, staff_client, role, model):
    client = staff_client(role)
    f.OrganisationFactory(area=world.community_a)
    assert client.get("/admin/").status_code == 200
    listing = client.get(f"/admin/register/{model}/")
    assert listing.status_code in (200, 403)
    assert client.get(f"/admin/register/{model}/add/").status_code in (200, 403)
    assert client.get(f"/admin/register/{model}/?q=海城").status_code == listing.status_code


def test_superuser_admin_pages_render(world, client):
    client.force_login(f.UserFactory(is_staff=True, is_superuser=True))
    for model in ("area", "household", "resident", "partyorg", "member", "organisation"):
        assert client.get(f"/admin/register/{model}/").status_code == 200
        assert client.get(f"/admin/register/{model}/add/").status_code == 200
    for model in ("user", "roleassignment"):
        assert client.get(f"/admin/accounts/{model}/").status_code == 200
        assert client.get(f"/admin/accounts/{model}/add/").status_code == 200


def _drag(client, node, target, relation="child"):
    return client.post(
        "/admin/register/area/move/",
        {"node": node.pk, "target": target.pk, "relation": relation},
    )


def test_drag_and_drop_moves_obey_scope_and_tree_rules(world, staff_client, client):
    other_admin = f.UserFactory(username="admin-b", is_staff=True)
    f.grant(other_admin, Role.ADMINISTRATOR, area=world.community_b)
    client.force_login(other_admin)
    # a target outside the subtree
    assert _drag(client, world.building_b, world.grid_a).status_code == 400
    # a target of the wrong kind
    client = staff_client("administrator")
    assert _drag(client, world.building_b, world.community_a).status_code == 400
    assert Area.objects.get_parent(Area.objects.get(pk=world.building_b.pk)) == world.grid_b
    # a good move
    assert _drag(client, world.building_b, world.grid_a).status_code == 200
    assert Area.objects.get_parent(Area.objects.get(pk=world.building_b.pk)) == world.grid_a
    assert not any(Area.objects.find_problems())


def test_admin_bookmarks_from_before_the_move_redirect(client):
    response = client.get("/admin/grids/area/7/change/?_changelist_filters=q%3D1")
    assert response.status_code == 301 or response.status_code == 302
    assert response["Location"] == "/admin/register/area/7/change/?_changelist_filters=q%3D1"
    response = client.get("/admin/grids/pointsrule/")
    assert response["Location"] == "/admin/points/pointsrule/"
    assert client.get("/admin/grids/visit/").status_code != 301  # field work stayed in grids
