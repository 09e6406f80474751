"""Finding 5 (issue 13) for the register API: a related id the caller may not see (a parent
area or Party organisation, a household, a community, a branch, a residence) answers
exactly like an id that does not exist, on create and on update, and nothing is written."""

import pytest

from apps.register.models import Area, Household, Member, Organisation, PartyOrg, Resident
from tests import factories as f

pytestmark = pytest.mark.django_db

MISSING = 99_999_999


def _answer(response):
    body = response.json()
    return response.status_code, body.get("code"), sorted(body.get("errors", {}))


def _cases(world):
    """(who, method, url, payload with the id under test as {id}, model) for every write with
    a related id. Each is tried with an id out of the caller's scope and with one that does
    not exist."""
    resident_b = f.ResidentFactory(household=f.HouseholdFactory(area=world.building_b))
    member_a = f.MemberFactory(
        branch=world.branch_a, community=world.community_a, residence=world.building_a
    )
    household_a = f.HouseholdFactory(area=world.building_a, room="77")
    resident_a = f.ResidentFactory(household=household_a)
    area_a = f.area("新楼", Area.Kind.BUILDING, world.grid_a)
    org_a = f.party_org("党小组", PartyOrg.Kind.GROUP, world.branch_a, area=world.grid_a)
    organisation_a = f.OrganisationFactory(area=world.community_a)
    b = {  # ids in community B, out of the secretary of A's scope
        "area": world.grid_b.pk,
        "building": world.building_b.pk,
        "community": world.community_b.pk,
        "branch": world.branch_b.pk,
        "household": resident_b.household_id,
    }
    member = {"name": "冯党员", "gender": "female", "kind": "retired"}
    return [
        ("POST", "/api/areas/", {"name": "楼", "kind": "building", "parent": "{id}"}, b["area"]),
        ("PATCH", f"/api/areas/{area_a.pk}/", {"parent": "{id}"}, b["area"]),
        ("POST", "/api/households/", {"area": "{id}", "room": "1"}, b["building"]),
        ("PATCH", f"/api/households/{household_a.pk}/", {"area": "{id}"}, b["building"]),
        (
            "POST",
            "/api/residents/",
            {"household": "{id}", "name": "钱", "gender": "male"},
            b["household"],
        ),
        ("PATCH", f"/api/residents/{resident_a.pk}/", {"household": "{id}"}, b["household"]),
        (
            "POST",
            "/api/party-orgs/",
            {"name": "组", "kind": "group", "parent": "{id}"},
            b["branch"],
        ),
        ("PATCH", f"/api/party-orgs/{org_a.pk}/", {"area": "{id}"}, b["community"]),
        (
            "POST",
            "/api/members/",
            {**member, "branch": "{id}", "community": world.community_a.pk},
            b["branch"],
        ),
        (
            "POST",
            "/api/members/",
            {**member, "branch": world.branch_a.pk, "community": "{id}"},
            b["community"],
        ),
        ("PATCH", f"/api/members/{member_a.pk}/", {"residence": "{id}"}, b["building"]),
        (
            "POST",
            "/api/organisations/",
            {"name": "企业", "kind": "enterprise", "area": "{id}"},
            b["community"],
        ),
        ("PATCH", f"/api/organisations/{organisation_a.pk}/", {"area": "{id}"}, b["community"]),
    ]


def _fill(payload, value):
    return {k: (value if v == "{id}" else v) for k, v in payload.items()}


MODELS = (Area, Household, Resident, PartyOrg, Member, Organisation)


@pytest.mark.parametrize("role", ["secretary", "grid_worker"])
def test_out_of_scope_id_answers_like_a_missing_one(api, world, role):
    client = api.as_user(world.user(role))
    for method, url, payload, out_of_scope in _cases(world):
        before = [m.objects.count() for m in MODELS]
        send = client.post if method == "POST" else client.patch
        hidden = send(url, _fill(payload, out_of_scope), format="json")
        missing = send(url, _fill(payload, MISSING), format="json")
        assert _answer(hidden) == _answer(missing), (method, url, hidden.json(), missing.json())
        assert hidden.status_code in (400, 404), (method, url, hidden.json())
        # Byte for byte the same, but for the id the caller sent (echoed in both).
        same = hidden.content.decode().replace(f"“{out_of_scope}”", "“#”")
        assert same == missing.content.decode().replace(f"“{MISSING}”", "“#”"), (method, url)
        assert [m.objects.count() for m in MODELS] == before, (method, url)
