"""API behaviour of the register: tree rules, validation, masking, filters, bad input."""

import pytest
from rest_framework.test import APIClient

from apps.accounts.models import Role
from apps.register.models import Area, Household, Member, PartyOrg, Resident
from tests import factories as f


@pytest.fixture
def admin_api(world, api):
    return api.as_user(world.user("administrator"))


# Areas ---------------------------------------------------------------------------------


def test_administrator_creates_a_grid_under_a_community(world, admin_api):
    response = admin_api.post(
        "/api/areas/", {"name": "海城第2网格", "kind": "grid", "parent": world.community_a.pk}
    )
    assert response.status_code == 201, response.json()
    assert response.json()["parent"] == world.community_a.pk
    grid = Area.objects.get(name="海城第2网格")
    assert Area.objects.get_parent(grid) == world.community_a
    assert not any(Area.objects.find_problems())


@pytest.mark.parametrize("kind", ["building", "community", "district"])
def test_area_kind_must_be_one_level_below_the_parent(world, admin_api, kind):
    count = Area.objects.count()
    response = admin_api.post(
        "/api/areas/", {"name": "错层", "kind": kind, "parent": world.community_a.pk}
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_kind"
    assert Area.objects.count() == count


def test_nothing_goes_under_a_building(world, admin_api):
    response = admin_api.post(
        "/api/areas/", {"name": "x", "kind": "building", "parent": world.building_a.pk}
    )
    assert response.json()["code"] == "invalid_kind"


def test_area_under_a_parent_outside_scope_is_like_a_missing_parent(world, api):
    other_admin = f.UserFactory()
    f.grant(other_admin, Role.ADMINISTRATOR, area=world.community_b)
    response = api.as_user(other_admin).post(
        "/api/areas/", {"name": "x", "kind": "building", "parent": world.grid_a.pk}
    )
    assert response.status_code == 400  # issue 13, finding 5: not a 403 that confirms it
    assert list(response.json()["errors"]) == ["parent"]


def test_only_superuser_creates_a_root(world, admin_api):
    response = admin_api.post("/api/areas/", {"name": "鄞州区", "kind": "district"})
    assert response.status_code == 403
    client = APIClient()
    client.force_authenticate(f.UserFactory(is_superuser=True))
    response = client.post("/api/areas/", {"name": "鄞州区", "kind": "district"})
    assert response.status_code == 201
    assert response.json()["parent"] is None


@pytest.mark.parametrize("parent", [999999, "abc", [1]])
def test_bad_parent_ids_are_400(world, admin_api, parent):
    response = admin_api.post(
        "/api/areas/", {"name": "x", "kind": "grid", "parent": parent}, format="json"
    )
    assert response.status_code == 400
    assert "parent" in response.json()["errors"]


def test_area_with_children_or_households_cannot_be_deleted(world, admin_api):
    response = admin_api.delete(f"/api/areas/{world.grid_a.pk}/")
    assert response.status_code == 409
    assert response.json()["code"] == "area_in_use"
    response = admin_api.delete(f"/api/areas/{world.building_a.pk}/")  # has a household
    assert response.status_code == 409
    empty = f.area("空楼", Area.Kind.BUILDING, world.grid_a)
    assert admin_api.delete(f"/api/areas/{empty.pk}/").status_code == 204
    assert not any(Area.objects.find_problems())


def test_area_holding_role_assignments_cannot_be_deleted(world, admin_api):
    empty = f.area("空楼", Area.Kind.BUILDING, world.grid_a)
    f.grant(f.UserFactory(), Role.GRID_WORKER, area=empty)
    assert admin_api.delete(f"/api/areas/{empty.pk}/").json()["code"] == "area_in_use"


def test_building_moves_to_another_grid_with_its_households(world, admin_api):
    response = admin_api.patch(f"/api/areas/{world.building_a.pk}/", {"parent": world.grid_b.pk})
    assert response.status_code == 200, response.json()
    assert response.json()["parent"] == world.grid_b.pk
    household = Household.objects.get(area=world.building_a)
    assert household in Household.objects.filter(area__path__startswith=world.grid_b.path)
    assert not any(Area.objects.find_problems())


def test_building_cannot_move_under_a_community(world, admin_api):
    response = admin_api.patch(
        f"/api/areas/{world.building_a.pk}/", {"parent": world.community_b.pk}
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_kind"


def test_area_kind_cannot_change(world, admin_api):
    response = admin_api.patch(f"/api/areas/{world.grid_a.pk}/", {"kind": "building"})
    assert response.json()["code"] == "kind_immutable"


def test_area_filters(world, admin_api):
    rows = admin_api.get("/api/areas/", {"parent": world.street.pk}).json()["results"]
    assert {r["name"] for r in rows} == {"海城社区", "榭南社区"}
    rows = admin_api.get("/api/areas/", {"within": world.community_b.pk}).json()["results"]
    assert {r["name"] for r in rows} == {"榭南社区", "榭南第1网格", "8幢"}
    rows = admin_api.get("/api/areas/", {"kind": "building", "search": "8"}).json()["results"]
    assert [r["name"] for r in rows] == ["8幢"]
    assert admin_api.get("/api/areas/", {"within": "abc"}).status_code == 400


# Households and residents ------------------------------------------------------------------


def test_household_must_be_in_a_building(world, api):
    client = api.as_user(world.user("grid_worker"))
    response = client.post("/api/households/", {"area": world.grid_a.pk, "room": "101"})
    assert response.status_code == 400
    assert response.json()["code"] == "not_a_building"


def test_household_gets_a_default_address(world, api):
    client = api.as_user(world.user("grid_worker"))
    response = client.post(
        "/api/households/", {"area": world.building_a.pk, "unit": "2", "room": "302"}
    )
    assert response.status_code == 201
    assert response.json()["address"] == "大榭街道海城社区海城第1网格1幢2单元302室"


def test_duplicate_room_is_400_and_writes_nothing(world, api):
    client = api.as_user(world.user("grid_worker"))
    count = Household.objects.count()
    payload = {"area": world.building_a.pk, "unit": "1", "room": "101"}
    response = client.post("/api/households/", payload)
    assert response.status_code == 400
    assert Household.objects.count() == count


def test_household_with_residents_cannot_be_deleted(world, api):
    household = world.user("resident").resident.household
    response = api.as_user(world.user("grid_worker")).delete(f"/api/households/{household.pk}/")
    assert response.status_code == 409
    assert response.json()["code"] == "household_not_empty"


def test_household_cannot_move_to_a_building_out_of_scope(world, api):
    household = f.HouseholdFactory(area=world.building_a, room="909")
    client = api.as_user(world.user("grid_worker"))
    response = client.patch(f"/api/households/{household.pk}/", {"area": world.building_b.pk})
    assert response.status_code == 400 and list(response.json()["errors"]) == ["area"]
    household.refresh_from_db()
    assert household.area == world.building_a


@pytest.mark.parametrize(
    "field,value",
    [
        ("phone", "2391234567"),
        ("phone", "1391234567"),
        ("phone", "139123456789"),
        ("id_number", "330206199001011234"),  # bad check digit
        ("id_number", "33020619901301123X"),  # month 13
        ("id_number", "12345"),
        ("gender", "other"),
        ("household", "nope"),
    ],
)
def test_malformed_resident_fields_are_400_and_write_nothing(world, api, field, value):
    household = world.user("resident").resident.household
    payload = {"household": household.pk, "name": "钱多多", field: value}
    count = Resident.objects.count()
    response = api.as_user(world.user("grid_worker")).post("/api/residents/", payload)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and field in body["errors"]
    assert Resident.objects.count() == count


def test_id_number_is_normalised_and_unique(world, api):
    household = world.user("resident").resident.household
    client = api.as_user(world.user("grid_worker"))
    payload = {"household": household.pk, "name": "钱多多", "id_number": "11010519491231002x"}
    response = client.post("/api/residents/", payload)
    assert response.status_code == 201, response.json()
    assert response.json()["id_number"] == "11010519491231002X"
    response = client.post("/api/residents/", {**payload, "name": "钱少少"})
    assert response.status_code == 400
    assert Resident.objects.filter(id_number="11010519491231002X").count() == 1


def test_resident_personal_data_is_masked_for_group_leader(world, api):
    resident = world.user("resident").resident
    f.cover(resident.household, world.user("group_leader"))
    resident.phone, resident.id_number = "13912345678", "11010519491231002X"
    resident.hardship_note = "独居"
    resident.save()
    url = f"/api/residents/{resident.pk}/"
    masked = api.as_user(world.user("group_leader")).get(url).json()
    assert masked["name"] == "王*梅"
    assert masked["phone"] == "139****5678"
    assert masked["id_number"] == "110***********002X"
    assert masked["hardship_note"] is None and masked["elderly"] is None
    full = api.as_user(world.user("grid_worker")).get(url).json()
    assert full["name"] == "王秀梅" and full["phone"] == "13912345678"
    assert full["elderly"] is True
    own = api.as_user(world.user("resident")).get(url).json()
    assert own["phone"] == "13912345678"


def test_household_address_is_hidden_for_group_leader(world, api):
    household = world.user("resident").resident.household
    f.cover(household, world.user("group_leader"))
    household.address = "海城社区1幢1单元101室"
    household.save()
    data = api.as_user(world.user("group_leader")).get(f"/api/households/{household.pk}/").json()
    assert data["address"] is None and data["room"] is None
    assert data["area_name"] == "1幢"


def test_resident_filters(world, api):
    household = world.user("resident").resident.household
    f.ResidentFactory(household=household, name="钱多多")
    client = api.as_user(world.user("grid_worker"))
    rows = client.get("/api/residents/", {"vulnerable": "true"}).json()["results"]
    assert [r["name"] for r in rows] == ["王秀梅"]
    rows = client.get("/api/residents/", {"search": "多多"}).json()["results"]
    assert [r["name"] for r in rows] == ["钱多多"]
    rows = client.get("/api/residents/", {"ordering": "-name"}).json()["results"]
    assert len(rows) == 2
    assert client.get("/api/residents/", {"page": 99}).json()["code"] == "not_found"


def test_bad_ids_in_urls_are_json_404(world, admin_api):
    for url in ("/api/households/abc/", "/api/households/99999/", "/api/nothing/"):
        response = admin_api.get(url)
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"


@pytest.mark.parametrize(
    "url",
    [
        "/api/residents/?search=a%00b",
        "/api/areas/?kind=nope",
        "/api/households/?area=x",
        "/api/members/?within=99999999",
    ],
)
def test_bad_query_parameters_are_400(world, admin_api, url):
    response = admin_api.get(url)
    assert response.status_code == 400
    # A control character (the NUL) has its own code since issue 13.
    assert response.json()["code"] == ("control_characters" if "%00" in url else "invalid")


def test_a_list_body_is_400(world, admin_api):
    response = admin_api.post("/api/areas/", [1, 2], format="json")
    assert response.status_code == 400


def test_malformed_json_body_is_400(world, admin_api):
    response = admin_api.post("/api/households/", "{oops", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


# Party organisations, members, organisations ---------------------------------------------------


def test_party_org_child_must_rank_below_its_parent(world, api):
    client = api.as_user(world.user("secretary"))
    response = client.post(
        "/api/party-orgs/", {"name": "x", "kind": "committee", "parent": world.branch_a.pk}
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_kind"
    response = client.post(
        "/api/party-orgs/", {"name": "第一党小组", "kind": "group", "parent": world.branch_a.pk}
    )
    assert response.status_code == 201
    assert response.json()["parent"] == world.branch_a.pk
    assert not any(PartyOrg.objects.find_problems())


def test_party_org_with_members_cannot_be_deleted(world, api):
    response = api.as_user(world.user("secretary")).delete(f"/api/party-orgs/{world.branch_a.pk}/")
    assert response.status_code == 409
    assert response.json()["code"] == "party_org_in_use"


def test_member_nodes_are_checked(world, api):
    client = api.as_user(world.user("administrator"))  # sees every node named below
    base = {"name": "冯党员", "kind": "retired", "branch": world.branch_a.pk}
    response = client.post("/api/members/", {**base, "community": world.grid_a.pk})
    assert response.json()["code"] == "not_a_community"
    response = client.post(
        "/api/members/",
        {**base, "community": world.community_a.pk, "branch": world.committee.pk},
    )
    assert response.json()["code"] == "not_a_branch"
    response = client.post(
        "/api/members/",
        {**base, "community": world.community_a.pk, "residence": world.building_b.pk},
    )
    assert response.json()["code"] == "residence_outside_community"
    response = client.post(
        "/api/members/",
        {**base, "community": world.community_a.pk, "residence": world.building_a.pk},
    )
    assert response.status_code == 201
    assert Member.objects.filter(name="冯党员").count() == 1


def test_member_kind_filter_and_masking(world, api):
    f.MemberFactory(
        branch=world.branch_a, community=world.community_a, kind=Member.Kind.RETIRED, name="老党员"
    )
    client = api.as_user(world.user("secretary"))
    rows = client.get("/api/members/", {"kind": "retired"}).json()["results"]
    assert [r["name"] for r in rows] == ["老党员"]
    own = api.as_user(world.user("member")).get("/api/members/").json()["results"]
    assert [r["name"] for r in own] == ["李建国"]


def test_organisation_contact_is_masked_for_members(world, api):
    org = f.OrganisationFactory(
        area=world.community_a, contact_name="林经理", contact_phone="13612345678"
    )
    data = api.as_user(world.user("member")).get(f"/api/organisations/{org.pk}/").json()
    assert data["contact_name"] == "林*理"
    assert data["contact_phone"] == "136****5678"
    data = api.as_user(world.user("secretary")).get(f"/api/organisations/{org.pk}/").json()
    assert data["contact_phone"] == "13612345678"


def test_organisation_representatives_are_set(world, api):
    client = api.as_user(world.user("secretary"))
    rep = world.user("member")
    response = client.post(
        "/api/organisations/",
        {
            "name": "港务公司",
            "kind": "enterprise",
            "area": world.community_a.pk,
            "representatives": [rep.pk],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["representatives"] == [rep.pk]


def test_organisation_contact_phone_is_validated(world, api):
    response = api.as_user(world.user("secretary")).post(
        "/api/organisations/",
        {
            "name": "港务公司",
            "kind": "enterprise",
            "area": world.community_a.pk,
            "contact_phone": "12345",
        },
    )
    assert response.status_code == 400
    assert "contact_phone" in response.json()["errors"]


def test_search_never_matches_masked_data(world, api):
    resident = world.user("resident").resident
    f.cover(resident.household, world.user("group_leader"))
    leader = api.as_user(world.user("group_leader"))
    assert leader.get("/api/residents/").json()["count"] == 1  # sees the row, masked
    assert leader.get("/api/residents/", {"search": "秀"}).json()["count"] == 0
    assert leader.get("/api/households/", {"search": "1幢"}).json()["count"] == 0
    worker = api.as_user(world.user("grid_worker"))
    rows = worker.get("/api/residents/", {"search": "秀"}).json()["results"]
    assert [r["id"] for r in rows] == [resident.pk]
    own = api.as_user(world.user("resident"))
    assert own.get("/api/residents/", {"search": "秀"}).json()["count"] == 1


def _list_queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("role", ["group_leader", "grid_worker", "resident"])
@pytest.mark.parametrize("url", ["/api/households/", "/api/residents/", "/api/members/"])
def test_list_queries_do_not_grow_with_rows(world, api, role, url):
    client = api.as_user(world.user(role))
    few = _list_queries(client, url)
    for i in range(15):
        household = f.HouseholdFactory(area=world.building_a, room=f"7{i:02d}")
        f.ResidentFactory(household=household)
        f.MemberFactory(branch=world.branch_a, community=world.community_a)
    assert _list_queries(client, url) == few


def test_area_cannot_move_under_a_node_out_of_scope(world, api):
    admin_b = f.UserFactory()
    f.grant(admin_b, Role.ADMINISTRATOR, area=world.community_b)
    client = api.as_user(admin_b)
    response = client.patch(f"/api/areas/{world.building_b.pk}/", {"parent": world.grid_a.pk})
    assert response.status_code == 400 and list(response.json()["errors"]) == ["parent"]
    assert Area.objects.get_parent(Area.objects.get(pk=world.building_b.pk)) == world.grid_b


def test_resident_cannot_move_to_a_household_out_of_scope(world, api):
    resident = world.user("resident").resident
    elsewhere = f.HouseholdFactory(area=world.building_b)
    client = api.as_user(world.user("grid_worker"))
    response = client.patch(f"/api/residents/{resident.pk}/", {"household": elsewhere.pk})
    assert response.status_code == 400 and list(response.json()["errors"]) == ["household"]
    resident.refresh_from_db()
    assert resident.household.area == world.building_a


def test_a_member_login_holds_the_member_role_at_the_home_community(world, api):
    from apps.accounts.models import RoleAssignment

    login = f.UserFactory(username="newmember")
    client = api.as_user(world.user("administrator"))
    response = client.post(
        "/api/members/",
        {
            "name": "新党员",
            "kind": "employed",
            "branch": world.branch_a.pk,
            "community": world.community_a.pk,
            "user": login.pk,
        },
    )
    assert response.status_code == 201, response.json()
    roles = RoleAssignment.objects.filter(user=login, role=Role.MEMBER)
    assert [r.area for r in roles] == [world.community_a]

    member_id = response.json()["id"]
    response = client.patch(f"/api/members/{member_id}/", {"community": world.community_b.pk})
    assert response.status_code == 200
    assert [r.area for r in roles.all()] == [world.community_b]

    assert client.delete(f"/api/members/{member_id}/").status_code == 204
    assert not roles.all().exists()
