import datetime as dt

import pytest
from django.utils import timezone

from apps.grids.models import Pairing, Problem, ResponsibilityGroup, Visit

pytestmark = pytest.mark.django_db


def test_leader_logs_visit_with_problem_then_escalates_and_secretary_resolves(
    world, api, group, households
):
    client = api.as_user(world.user("group_leader"))
    r = client.post(
        "/api/visits/",
        {
            "household": households[0].pk,
            "notes": "走访",
            "problems": [{"category": "safety", "title": "消防通道堵塞"}],
        },
        format="json",
    )
    assert r.status_code == 201, r.json()
    problem = Problem.objects.get()
    r = client.post(f"/api/problems/{problem.pk}/escalate/", {"reason": "需协调"}, format="json")
    assert r.status_code == 200 and r.json()["level"] == 2
    r = client.post(f"/api/problems/{problem.pk}/resolve/", {"resolution": "x"}, format="json")
    assert r.status_code == 403 and r.json()["code"] == "not_handler_at_level"
    client = api.as_user(world.user("secretary"))
    r = client.post(f"/api/problems/{problem.pk}/resolve/", {"resolution": "已清理"}, format="json")
    assert r.status_code == 200 and r.json()["resolved_level"] == 2


def test_visit_in_future_is_400_with_code(world, api, group, households):
    client = api.as_user(world.user("group_leader"))
    future = (timezone.now() + dt.timedelta(days=1)).isoformat()
    r = client.post(
        "/api/visits/", {"household": households[0].pk, "visited_at": future}, format="json"
    )
    assert r.status_code == 400 and r.json()["code"] == "visit_in_future"
    assert not Visit.objects.exists()


def test_escalation_past_top_is_409(world, api, households):
    problem = Problem.objects.create(
        area=world.building_a,
        category="other",
        title="t",
        level=Problem.Level.STREET,
        status=Problem.Status.ESCALATED,
        due_at=timezone.now(),
    )
    client = api.as_user(world.user("administrator"))
    r = client.post(f"/api/problems/{problem.pk}/escalate/", {"reason": "r"}, format="json")
    assert r.status_code == 409 and r.json()["code"] == "escalation_past_top"


def test_group_of_two_via_api_is_400(world, api, households, leader_member, make_member):
    client = api.as_user(world.user("secretary"))
    r = client.post(
        "/api/groups/",
        {
            "grid": world.grid_a.pk,
            "leader": leader_member.pk,
            "members": [make_member().pk],
            "households": [households[0].pk],
        },
        format="json",
    )
    assert r.status_code == 400 and r.json()["code"] == "group_size"
    assert not ResponsibilityGroup.objects.exists()


def test_household_in_two_groups_via_api_is_409(world, api, group, households, make_member):
    client = api.as_user(world.user("secretary"))
    r = client.post(
        "/api/groups/",
        {
            "grid": world.grid_a.pk,
            "leader": make_member().pk,
            "members": [make_member().pk, make_member().pk],
            "households": [households[0].pk],
        },
        format="json",
    )
    assert r.status_code == 409 and r.json()["code"] == "household_in_other_group"


def test_group_proposal_and_accept(world, api, households, make_member):
    for year in (1980, 2022, 1990, 2021):
        make_member(joined=year)
    client = api.as_user(world.user("secretary"))
    r = client.get(f"/api/groups/propose/?grid={world.grid_a.pk}")
    assert r.status_code == 200
    groups = r.json()["groups"]
    assert len(groups) == 1
    r = client.post(
        "/api/groups/accept/", {"grid": world.grid_a.pk, "groups": groups}, format="json"
    )
    assert r.status_code == 201, r.json()
    assert ResponsibilityGroup.objects.count() == 1


def test_groups_are_scoped(world, api, group):
    assert api.as_user(world.user("outsider")).get("/api/groups/").json()["count"] == 0
    assert api.as_user(world.user("group_leader")).get("/api/groups/").json()["count"] == 1
    r = api.as_user(world.user("outsider")).get(f"/api/groups/{group.pk}/")
    assert r.status_code == 404


def test_second_helper_and_sixth_pairing_via_api(world, api, vulnerable, make_member):
    client = api.as_user(world.user("grid_worker"))
    helper = make_member()
    residents = [vulnerable() for _ in range(6)]
    for resident in residents[:5]:
        r = client.post(
            "/api/pairings/", {"helper": helper.pk, "resident": resident.pk}, format="json"
        )
        assert r.status_code == 201, r.json()
    r = client.post(
        "/api/pairings/", {"helper": helper.pk, "resident": residents[5].pk}, format="json"
    )
    assert r.status_code == 409 and r.json()["code"] == "helper_limit_reached"
    r = client.post(
        "/api/pairings/", {"helper": make_member().pk, "resident": residents[0].pk}, format="json"
    )
    assert r.status_code == 409 and r.json()["code"] == "resident_already_paired"
    assert Pairing.objects.count() == 5
    r = client.get("/api/pairings/unvisited/")
    assert r.json()["count"] == 5


def test_points_and_stars(world, api, group, households):
    client = api.as_user(world.user("group_leader"))
    client.post("/api/visits/", {"household": households[0].pk}, format="json")
    r = client.get("/api/points/")
    assert r.json()["count"] == 1 and r.json()["results"][0]["rule"] == "visit_logged"
    r = client.get(f"/api/points/stars/?community={world.community_a.pk}")
    top = r.json()[0]
    assert top["points"] == 2 and top["star"] == 5


def test_report_api_json_xlsx_and_scope(world, api):
    client = api.as_user(world.user("administrator"))
    r = client.get(f"/api/reports/grid/?node={world.street.pk}&from=2026-01-01&to=2026-12-31")
    assert r.status_code == 200
    assert set(r.json()) >= {"totals", "levels", "children", "trend", "stars"}
    r = client.get(f"/api/reports/grid/?node={world.street.pk}&export=xlsx")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxml")
    r = api.as_user(world.user("outsider")).get(f"/api/reports/grid/?node={world.grid_a.pk}")
    assert r.status_code == 403 and r.json()["code"] == "report_out_of_scope"
    r = api.as_user(world.user("outsider")).get(
        f"/api/reports/grid/?node={world.grid_a.pk}&export=csv&table=children"
    )
    assert r.status_code == 403 and r.json()["code"] == "report_out_of_scope"
    r = client.get("/api/reports/grid/?node=999999")
    assert r.status_code == 404 and r.json()["code"] == "node_not_found"


def test_resident_reports_a_problem_at_home_but_not_elsewhere(world, api, households):
    from apps.register.models import Household

    home = Household.objects.get(residents__user=world.user("resident"))
    client = api.as_user(world.user("resident"))
    r = client.post(
        "/api/problems/",
        {"household": home.pk, "category": "environment", "title": "垃圾未清运"},
        format="json",
    )
    assert r.status_code == 201 and r.json()["level"] == 1
    assert client.get("/api/problems/").json()["count"] == 1
    r = client.post(
        "/api/problems/",
        {"household": households[0].pk, "category": "environment", "title": "x"},
        format="json",
    )
    # A neighbour's household is not the resident's to see: answered like a missing id.
    assert r.status_code == 400 and set(r.json()["errors"]) == {"household"}
    assert Problem.objects.count() == 1


def test_problem_with_bad_category_is_400_and_nothing_written(world, api, households):
    r = api.as_user(world.user("grid_worker")).post(
        "/api/problems/",
        {"household": households[0].pk, "category": "nope", "title": "x"},
        format="json",
    )
    assert r.status_code == 400 and r.json()["code"] == "invalid_category"
    assert not Problem.objects.exists()


@pytest.mark.parametrize(
    "groups", [[{"leader": "x"}], [{"members": [1]}], ["nope"], [{"leader": 1, "members": "ab"}]]
)
def test_malformed_proposal_is_400_with_code(world, api, groups):
    client = api.as_user(world.user("secretary"))
    r = client.post(
        "/api/groups/accept/", {"grid": world.grid_a.pk, "groups": groups}, format="json"
    )
    assert r.status_code == 400 and r.json()["code"] in {"invalid_proposal", "invalid"}
    assert not ResponsibilityGroup.objects.exists()


def test_report_tables_export_as_csv_one_table_each(world, api):
    import csv
    import io

    client = api.as_user(world.user("administrator"))
    url = f"/api/reports/grid/?node={world.street.pk}&from=2026-01-01&to=2026-12-31&export=csv"
    r = client.get(url + "&table=children")
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    assert 'children.csv"' in r["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0][0] == "名称"
    assert sorted(row[0] for row in rows[1:]) == sorted(["海城社区", "榭南社区"])
    levels = client.get(url + "&table=levels")
    assert [row[0] for row in csv.reader(io.StringIO(levels.content.decode("utf-8-sig")))][1:] == [
        "楼幢",
        "网格",
        "社区",
        "街道",
    ]
    r = client.get(url + "&table=secrets")
    assert r.status_code == 400 and r.json()["code"] == "unknown_report_table"
