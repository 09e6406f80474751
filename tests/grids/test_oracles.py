"""Finding 5 (issue 13): an id outside the caller's scope is answered exactly like an id that
does not exist, and no error names what the caller may not see."""

import pytest

from apps.register.models import Member
from tests import factories as f

pytestmark = pytest.mark.django_db

MISSING = 987654


def _same_answer(r_out, out_pk, r_missing):
    assert r_out.status_code == r_missing.status_code
    a, b = r_out.json(), r_missing.json()
    assert a["code"] == b["code"]
    assert a["detail"].replace(str(out_pk), "<pk>") == b["detail"].replace(str(MISSING), "<pk>")
    assert a.get("errors", {}).keys() == b.get("errors", {}).keys()


def test_group_with_member_of_another_community_does_not_reveal_the_member(
    world, api, make_member, leader_member, households
):
    stranger = f.MemberFactory(
        branch=world.branch_b,
        community=world.community_b,
        residence=world.building_b,
        name="钱外社",
    )
    client = api.as_user(world.user("secretary"))

    def create(member_pk):
        body = {
            "grid": world.grid_a.pk,
            "leader": leader_member.pk,
            "members": [make_member().pk, member_pk],
        }
        return client.post("/api/groups/", body, format="json")

    r_out, r_missing = create(stranger.pk), create(MISSING)
    assert r_out.status_code == 400
    assert "钱外社" not in r_out.content.decode()
    _same_answer(r_out, stranger.pk, r_missing)


def test_pairing_with_out_of_scope_resident_looks_like_a_missing_one(world, api, make_member):
    helper = make_member()
    household = f.HouseholdFactory(area=world.building_b, room="909")
    resident = f.ResidentFactory(household=household, name="钱外居")
    client = api.as_user(world.user("secretary"))

    def create(resident_pk):
        body = {"helper": helper.pk, "resident": resident_pk}
        return client.post("/api/pairings/", body, format="json")

    r_out, r_missing = create(resident.pk), create(MISSING)
    assert "钱外居" not in r_out.content.decode()
    _same_answer(r_out, resident.pk, r_missing)


def test_accepting_a_proposal_with_an_out_of_scope_leader_looks_like_a_missing_one(
    world, api, make_member
):
    stranger = Member.objects.get(user=world.user("outsider"))
    client = api.as_user(world.user("secretary"))

    def accept(leader_pk):
        body = {"grid": world.grid_a.pk, "groups": [{"leader": leader_pk, "members": []}]}
        return client.post("/api/groups/accept/", body, format="json")

    r_out, r_missing = accept(stranger.pk), accept(MISSING)
    assert "孙外人" not in r_out.content.decode()
    _same_answer(r_out, stranger.pk, r_missing)
