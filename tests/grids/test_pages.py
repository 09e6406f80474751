import pytest
from django.urls import reverse

from apps.grids.models import Pairing, Problem, ResponsibilityGroup, Visit

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_user(client, world):
    def login(role):
        client.force_login(world.user(role))
        return client

    return login


def test_leader_page_lists_households_and_logs_visit(as_user, group, households):
    client = as_user("group_leader")
    r = client.get(reverse("grids:leader"))
    assert r.status_code == 200 and str(households[0]) in r.content.decode()
    r = client.post(
        reverse("grids:visit-new"),
        {
            "household": households[0].pk,
            "notes": "x",
            "problem_title": "漏水",
            "problem_category": "facility",
        },
    )
    assert r.status_code == 302
    assert Visit.objects.count() == 1 and Problem.objects.get().title == "漏水"


def test_future_visit_on_page_shows_chinese_error(as_user, group, households):
    client = as_user("group_leader")
    r = client.post(
        reverse("grids:visit-new"),
        {"household": households[0].pk, "visited_at": "2999-01-01T10:00"},
    )
    assert r.status_code == 200 and "走访时间不能晚于现在" in r.content.decode()
    assert not Visit.objects.exists()


def test_worker_page_and_pairing(as_user, vulnerable, make_member):
    resident = vulnerable()
    helper = make_member()
    client = as_user("grid_worker")
    r = client.get(reverse("grids:worker"))
    assert r.status_code == 200 and resident.name in r.content.decode()
    r = client.post(reverse("grids:pairing-new"), {"resident": resident.pk, "helper": helper.pk})
    assert r.status_code == 302 and Pairing.objects.filter(resident=resident).exists()


def test_secretary_proposal_page_accepts(as_user, world, households, make_member):
    for year in (1980, 2022, 1990, 2021):
        make_member(joined=year)
    client = as_user("secretary")
    r = client.get(reverse("grids:secretary") + f"?grid={world.grid_a.pk}")
    assert r.status_code == 200 and "proposal-form" in r.content.decode()
    form = r.context["proposal"][0]
    data = {
        "grid": world.grid_a.pk,
        "count": 1,
        "name_0": "一组",
        "leader_0": form.leader.pk,
        "members_0": [m.pk for m in form.members],
        "households_0": [h.pk for h in form.households],
    }
    r = client.post(reverse("grids:secretary"), data)
    assert r.status_code == 302 and ResponsibilityGroup.objects.get().name == "一组"


def test_report_page_renders_svg_and_drills_down(as_user, world):
    client = as_user("administrator")
    r = client.get(reverse("grids:report") + f"?node={world.street.pk}")
    body = r.content.decode()
    assert r.status_code == 200 and "<svg" in body and f"?node={world.community_a.pk}" in body
    r = client.get(reverse("grids:report-xlsx") + f"?node={world.street.pk}")
    assert r.status_code == 200
    assert reverse("grids:report-csv") in body and "table=stars" in body
    r = client.get(reverse("grids:report-csv") + f"?node={world.street.pk}&table=stars")
    assert r.status_code == 200 and r.content.decode("utf-8-sig").startswith("星级,人数")
    r = client.get(reverse("grids:report-csv") + f"?node={world.street.pk}&table=nope")
    assert r.status_code == 400 and "未知的报表" in r.content.decode()


def test_report_page_out_of_scope_is_403(as_user, world):
    r = as_user("outsider").get(reverse("grids:report") + f"?node={world.community_a.pk}")
    assert r.status_code == 403 and "无权" in r.content.decode()


def test_problem_page_escalate_past_top_shows_error(as_user, world):
    from django.utils import timezone

    problem = Problem.objects.create(
        area=world.building_a,
        category="other",
        title="t",
        level=Problem.Level.STREET,
        status=Problem.Status.ESCALATED,
        due_at=timezone.now(),
    )
    client = as_user("administrator")
    r = client.post(
        reverse("grids:problem", args=[problem.pk]),
        {"action": "escalate", "reason": "r"},
        follow=True,
    )
    assert "不能再上报" in r.content.decode()


def test_ranking_page_masks_names(as_user, world):
    r = as_user("member").get(reverse("points:ranking"))
    assert r.status_code == 200 and "李*国" in r.content.decode()


def test_home_shows_grids_tiles(as_user):
    r = as_user("group_leader").get("/")
    assert "我的责任片" in r.content.decode()


def test_impossible_visit_date_and_bad_group_count_are_errors_not_500(
    as_user, world, group, households
):
    client = as_user("group_leader")
    r = client.post(
        reverse("grids:visit-new"),
        {"household": households[0].pk, "visited_at": "2026-13-01T10:00"},
    )
    assert r.status_code == 200 and "走访时间格式无效" in r.content.decode()
    r = as_user("secretary").post(
        reverse("grids:secretary"), {"grid": world.grid_a.pk, "count": "x"}
    )
    assert r.status_code == 302


# --- the leader page at scale (issue 14, finding 9) -------------------------------------


def test_leader_page_shows_the_visit_state_with_the_year_and_filters(
    as_user, world, group, households
):
    from django.utils import timezone

    from apps.grids import services

    services.visit_log(
        actor=world.user("group_leader"),
        household=households[0],
        visited_at=timezone.now(),
        notes="",
        five_clears={},
        problems=[],
    )
    client = as_user("group_leader")
    body = client.get(reverse("grids:leader")).content.decode()
    assert 'data-state="done"' in body and body.count('data-state="never"') == 3
    year = timezone.localdate().strftime("%Y-")
    assert f"上次 {year}" in body  # dates carry the year
    assert "本月未访 3" in body and "从未走访 3" in body  # the chips count

    due = client.get(reverse("grids:leader"), {"show": "due"}).content.decode()
    assert f'data-household="{households[0].pk}"' not in due
    assert due.count('<li class="hh') == 3
    found = client.get(reverse("grids:leader"), {"q": households[2].room}).content.decode()
    assert found.count('<li class="hh') == 1 and f'data-household="{households[2].pk}"' in found
    odd = client.get(reverse("grids:leader"), {"show": "x" * 99})  # unknown: all of them
    assert odd.status_code == 200 and odd.content.decode().count('<li class="hh') == 4


def test_leader_search_never_matches_the_real_names(as_user, group, households):
    from tests import factories as f

    f.ResidentFactory(household=households[1], name="欧阳秀英")
    client = as_user("group_leader")
    body = client.get(reverse("grids:leader"), {"q": "秀"}).content.decode()
    assert '<li class="hh' not in body  # the page shows 欧**英: 秀 is not on it
    body = client.get(reverse("grids:leader"), {"q": "欧"}).content.decode()
    assert body.count('<li class="hh') == 1


# --- the grid report on a phone (issue 14, finding 8) -----------------------------------


def test_report_breadcrumb_links_only_where_the_user_may_go(as_user, world):
    body = as_user("secretary").get(reverse("grids:report")).content.decode()
    crumbs = body[body.index('id="crumbs"') : body.index("</nav>", body.index('id="crumbs"'))]
    assert f'data-node="{world.street.pk}"' in crumbs  # the street: text, not a link
    assert f"?node={world.street.pk}" not in crumbs
    assert as_user("secretary").get(f"/grids/report/?node={world.street.pk}").status_code == 403

    client = as_user("administrator")
    body = client.get(reverse("grids:report"), {"node": world.community_a.pk}).content.decode()
    crumbs = body[body.index('id="crumbs"') : body.index("</nav>", body.index('id="crumbs"'))]
    assert f"?node={world.street.pk}" in crumbs


def test_report_loads_echarts_only_when_installed_and_keeps_its_tables(as_user, monkeypatch):
    from apps.grids import views

    client = as_user("secretary")
    monkeypatch.setattr(views, "vendored", lambda name: None)
    body = client.get(reverse("grids:report")).content.decode()
    assert "echarts" not in body.replace("report-data", "")
    assert 'id="trend"' in body and 'id="levels"' in body and 'id="stars"' in body
    assert 'id="report-data"' in body  # the figures for the charts, as JSON
    assert "Excel" not in body and "CSV" not in body

    monkeypatch.setattr(views, "vendored", lambda name: "/static/" + name)
    body = client.get(reverse("grids:report")).content.decode()
    assert '<script src="/static/vendor/echarts/echarts.min.js"></script>' in body
