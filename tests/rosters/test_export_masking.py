"""Issue 13, finding 3: an export masks exactly what the API masks for the same user (the
one declaration is each model's `Scope.personal_fields`), and nothing that is not personal."""

import csv
import io

import pytest

from apps.register.models import Household, Resident
from tests import factories as f

pytestmark = pytest.mark.django_db


def _rows(client, kind: str) -> list[dict]:
    response = client.get(f"/rosters/export/{kind}.csv")
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


@pytest.fixture
def data(world):
    household = f.HouseholdFactory(area=world.building_a, unit="2", room="302", address="海城路9号")
    f.ResidentFactory(household=household, name="钱多多", low_income=True, hardship_note="欠费")
    f.cover(household, world.user("group_leader"))  # in the leader's group: their scope
    contact = {"contact_name": "孙经理", "contact_phone": "13811112222"}
    f.OrganisationFactory(area=world.community_a, name="海城科技公司", **contact)
    return household


def test_group_leader_export_hides_addresses_and_hardship_as_the_api_does(client, api, world, data):
    leader = world.user("group_leader")
    client.force_login(leader)
    api_households = api.as_user(leader).get("/api/households/").json()["results"]
    assert {h["address"] for h in api_households} == {None}
    households = _rows(client, "households")
    assert households and not any("海城路9号" in str(row) for row in households)
    assert {(row["单元"], row["室"], row["地址"]) for row in households} == {("", "", "")}

    residents = _rows(client, "residents")
    mine = next(row for row in residents if row["姓名"] == "钱*多")
    assert mine["低收入"] == "" and mine["困难情况说明"] == "" and mine["室"] == ""


def test_secretary_export_is_unmasked(client, world, data):
    client.force_login(world.user("secretary"))
    residents = _rows(client, "residents")
    mine = next(row for row in residents if row["姓名"] == "钱多多")
    assert mine["低收入"] == "是" and mine["困难情况说明"] == "欠费" and mine["室"] == "302"
    assert "海城路9号" in str(_rows(client, "households"))


def test_organisation_names_are_not_masked_but_contacts_are(client, api, world, data):
    client.force_login(world.user("member"))
    rows = _rows(client, "organisations")
    assert [row["名称"] for row in rows] == ["海城科技公司"]
    assert rows[0]["联系人"] == "孙*理" and rows[0]["联系电话"] == "138****2222"
    api_row = api.as_user(world.user("member")).get("/api/organisations/").json()["results"][0]
    assert (api_row["name"], api_row["contact_name"]) == ("海城科技公司", "孙*理")


def test_household_and_resident_declare_their_personal_fields_once():
    assert {"address", "unit", "room"} <= set(Household.scope.personal_fields)
    assert {"name", "vulnerable", *Resident.HARDSHIP_FLAGS} <= set(Resident.scope.personal_fields)
