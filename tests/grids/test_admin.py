"""The field-work admin writes through apps.grids.services: group sizes, the pairing limit and
the vulnerable-only rule, points for visits and problem history hold there too."""

import datetime as dt

import pytest
from django.utils import timezone

from apps.accounts.models import Role
from apps.grids import services
from apps.grids.models import Pairing, Problem, ProblemEvent, ResponsibilityGroup, Visit
from apps.points.models import PointsEntry
from apps.register.models import Member
from tests import factories as f

pytestmark = pytest.mark.django_db

NO_INLINES = {
    f"{prefix}-{name}": "0"
    for prefix in ("memberships", "coverage")
    for name in ("TOTAL_FORMS", "INITIAL_FORMS")
}


def _superuser_client(client):
    client.force_login(f.UserFactory(is_staff=True, is_superuser=True))
    return client


# --- responsibility groups ---------------------------------------------------------------


def _group_post(world, leader, members, households, name="新组"):
    return {
        "name": name,
        "grid": world.grid_a.pk,
        "leader": leader.pk,
        "members": [m.pk for m in members],
        "households": [h.pk for h in households],
        **NO_INLINES,
    }


def test_group_added_in_the_admin_obeys_the_size_rule(
    world, staff_client, make_member, leader_member, households
):
    client = staff_client("secretary")
    data = _group_post(world, leader_member, [make_member()], households[:2])
    response = client.post("/admin/grids/responsibilitygroup/add/", data)
    assert response.status_code == 200
    assert "责任组需由3至5名党员组成" in response.content.decode()
    assert not ResponsibilityGroup.objects.exists()

    data = _group_post(world, leader_member, [make_member(), make_member()], households[:2])
    response = client.post("/admin/grids/responsibilitygroup/add/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    group = ResponsibilityGroup.objects.get()
    assert group.members.count() == 3
    assert set(group.coverage.values_list("household", flat=True)) == {h.pk for h in households[:2]}


def test_group_changed_in_the_admin_obeys_the_size_rule(world, staff_client, group, households):
    client = staff_client("secretary")
    before = set(group.members.values_list("pk", flat=True))
    data = _group_post(world, group.leader, [], households[:4], name=group.name)
    data.pop("grid")  # read-only on change
    response = client.post(f"/admin/grids/responsibilitygroup/{group.pk}/change/", data)
    assert response.status_code == 200
    assert "责任组需由3至5名党员组成" in response.content.decode()
    assert set(group.members.values_list("pk", flat=True)) == before

    data["households"] = [h.pk for h in households[:5]]
    data["members"] = list(before)
    response = client.post(f"/admin/grids/responsibilitygroup/{group.pk}/change/", data)
    assert response.status_code == 302
    assert group.coverage.count() == 5


def test_group_inlines_are_read_only(world, staff_client, group):
    page = staff_client("secretary").get(f"/admin/grids/responsibilitygroup/{group.pk}/change/")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'name="memberships-0-member"' not in html and 'name="coverage-0-household"' not in html


# --- visits --------------------------------------------------------------------------------


def test_visit_added_in_the_admin_awards_points(world, staff_client):
    member_user = world.user("member")
    f.grant(member_user, Role.GRID_WORKER, area=world.grid_a)
    client = staff_client("member")
    household = world.building_a.households.get(room="101")
    now = timezone.localtime()
    response = client.post(
        "/admin/grids/visit/add/",
        {
            "household": household.pk,
            "visited_at_0": now.date().isoformat(),
            "visited_at_1": (now - dt.timedelta(minutes=5)).strftime("%H:%M:%S"),
            "notes": "入户走访",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    visit = Visit.objects.get()
    member = Member.objects.get(user=member_user)
    assert visit.member == member and visit.created_by == member_user
    entry = PointsEntry.objects.get(member=member)
    assert entry.rule.code == "visit_logged" and entry.source_id == visit.pk


def test_visit_by_staff_who_is_no_member_is_refused_on_the_form(world, staff_client):
    client = staff_client("grid_worker")
    household = world.building_a.households.get(room="101")
    now = timezone.localtime() - dt.timedelta(minutes=5)
    response = client.post(
        "/admin/grids/visit/add/",
        {
            "household": household.pk,
            "visited_at_0": now.date().isoformat(),
            "visited_at_1": now.strftime("%H:%M:%S"),
        },
    )
    assert response.status_code == 200
    assert "只有党员或责任组可以登记走访" in response.content.decode()
    assert not Visit.objects.exists()


def test_logged_visit_is_read_only(world, staff_client, group, households):
    visit = services.visit_log(
        actor=world.user("group_leader"),
        household=households[0],
        visited_at=timezone.now(),
    )
    client = staff_client("secretary")
    url = f"/admin/grids/visit/{visit.pk}/change/"
    response = client.post(url, {"notes": "改过", "household": visit.household_id})
    assert response.status_code == 403
    visit.refresh_from_db()
    assert visit.notes == ""
    assert client.post(f"/admin/grids/visit/{visit.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Visit.objects.filter(pk=visit.pk).exists()


# --- pairings --------------------------------------------------------------------------------


def _pair(client, helper, resident):
    return client.post(
        "/admin/grids/pairing/add/",
        {"helper": helper.pk, "resident": resident.pk, "started_on": "2026-11-01"},
    )


def test_sixth_pairing_in_the_admin_is_refused_on_the_form(world, client, vulnerable, make_member):
    client = _superuser_client(client)  # superusers go through the service too
    helper = make_member()
    for _i in range(5):
        assert _pair(client, helper, vulnerable()).status_code == 302
    assert Pairing.objects.filter(helper=helper, active=True).count() == 5
    sixth = vulnerable()
    response = _pair(client, helper, sixth)
    assert response.status_code == 200
    assert "每名服务员最多结对5人" in response.content.decode()
    assert not Pairing.objects.filter(resident=sixth).exists()


def test_pairing_a_resident_who_is_not_vulnerable_is_refused(
    world, staff_client, vulnerable, make_member
):
    client = staff_client("grid_worker")
    resident = vulnerable(lives_alone=False, low_income=False)
    assert not resident.vulnerable
    response = _pair(client, make_member(), resident)
    assert response.status_code == 200
    assert "只有困难群众需要结对" in response.content.decode()
    assert not Pairing.objects.exists()


def test_pairing_is_ended_by_the_admin_action_and_is_otherwise_read_only(
    world, staff_client, vulnerable, make_member
):
    pairing = services.pairing_create(
        actor=world.user("grid_worker"), helper=make_member(), resident=vulnerable()
    )
    client = staff_client("grid_worker")
    response = client.post(
        f"/admin/grids/pairing/{pairing.pk}/change/",
        {"helper": pairing.helper_id, "resident": pairing.resident_id, "started_on": "2020-01-01"},
    )
    assert response.status_code == 403
    response = client.post(
        "/admin/grids/pairing/", {"action": "end", "_selected_action": [pairing.pk]}
    )
    assert response.status_code == 302
    pairing.refresh_from_db()
    assert not pairing.active and pairing.ended_on == timezone.localdate()
    assert pairing.started_on != dt.date(2020, 1, 1)


# --- problems --------------------------------------------------------------------------------


def test_problem_added_in_the_admin_is_reported_through_the_service(world, staff_client):
    client = staff_client("grid_worker")
    household = world.building_a.households.get(room="101")
    response = client.post(
        "/admin/grids/problem/add/",
        {
            "household": household.pk,
            "category": Problem.Category.values[0],
            "title": "楼道灯坏了",
            "events-TOTAL_FORMS": "0",
            "events-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    problem = Problem.objects.get()
    assert problem.area == world.building_a and problem.reporter == world.user("grid_worker")
    assert problem.events.count() == 1  # the history row the service writes


def test_problem_status_moves_only_through_the_start_action(world, staff_client):
    problem = services.problem_report(
        actor=world.user("grid_worker"),
        area=world.building_a,
        category=Problem.Category.values[0],
        title="漏水",
    )
    client = staff_client("grid_worker")
    response = client.post(
        f"/admin/grids/problem/{problem.pk}/change/", {"title": "改", "status": "resolved"}
    )
    assert response.status_code == 403
    response = client.post(
        "/admin/grids/problem/", {"action": "start", "_selected_action": [problem.pk]}
    )
    assert response.status_code == 302
    problem.refresh_from_db()
    assert problem.status == Problem.Status.IN_PROGRESS and problem.title == "漏水"
    assert ProblemEvent.objects.filter(problem=problem, to_status="in_progress").exists()
