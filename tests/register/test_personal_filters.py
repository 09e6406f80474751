"""Issue 13, finding 4: filtering, searching and ordering on a personal field (the model's
`Scope.personal_fields`) need the right to see it: the API refuses with
`400 filter_not_allowed`, the pages ignore the parameter."""

import pytest

from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def neighbour(world):
    household = f.HouseholdFactory(area=world.building_a, unit="3", room="501")
    # The group leader sees (masked) the households of their group.
    for h in (household, world.user("resident").resident.household):
        f.cover(h, world.user("group_leader"))
    # ...and the members of their group.
    group = world.user("group_leader").member.led_groups.get()
    group.memberships.create(member=world.user("member").member)
    return f.ResidentFactory(household=household, name="钱多多", lives_alone=False)


@pytest.mark.parametrize(
    "url",
    [
        "/api/residents/?vulnerable=true",
        "/api/residents/?lives_alone=true",
        "/api/residents/?low_income=false",
        "/api/residents/?ordering=name",
        "/api/households/?unit=1",
        "/api/households/?ordering=-room",
        "/api/households/?ordering=area__path,unit",
        "/api/members/?ordering=-name",
    ],
)
def test_personal_filter_or_ordering_is_refused_to_who_sees_masked_data(api, world, neighbour, url):
    response = api.as_user(world.user("group_leader")).get(url)
    assert response.status_code == 400, response.json()
    assert response.json()["code"] == "filter_not_allowed"
    assert response.json()["detail"]


@pytest.mark.parametrize(
    "url",
    [
        "/api/residents/?vulnerable=true",
        "/api/residents/?ordering=name",
        "/api/households/?unit=1",
        "/api/households/?ordering=-room",
    ],
)
def test_personal_filter_and_ordering_work_for_who_sees_personal_data(api, world, neighbour, url):
    assert api.as_user(world.user("secretary")).get(url).status_code == 200


def test_secretary_filter_on_vulnerable_gives_the_vulnerable(api, world, neighbour):
    client = api.as_user(world.user("secretary"))
    rows = client.get("/api/residents/?vulnerable=true").json()["results"]
    assert [r["name"] for r in rows] == ["王秀梅"]


def test_non_personal_filters_and_orderings_stay_open_to_every_viewer(api, world, neighbour):
    client = api.as_user(world.user("group_leader"))
    for url in ("/api/residents/?gender=female&ordering=-id", "/api/households/?ordering=id"):
        assert client.get(url).status_code == 200, url
    assert client.get("/api/organisations/?search=企业").status_code == 200


def test_resident_page_ignores_the_vulnerable_filter_for_who_sees_masked_data(
    client, world, neighbour
):
    client.force_login(world.user("group_leader"))
    rows = client.get("/grids/residents/?vulnerable=1").context["rows"]
    assert len(rows) == 2 and {r["vulnerable"] for r in rows} == {None}
    client.force_login(world.user("secretary"))
    rows = client.get("/grids/residents/?vulnerable=1").context["rows"]
    assert [r["name"] for r in rows] == ["王秀梅"]
