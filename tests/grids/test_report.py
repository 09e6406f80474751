import datetime as dt
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from apps.core.errors import Forbidden, InvalidInput
from apps.grids import reports, services
from apps.grids.models import Problem
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def activity(world, group, households, vulnerable, leader_member):
    """Two visits, three problems (one solved at building, one at community, one open),
    one paired and one unpaired vulnerable resident, one household in community B."""
    leader = world.user("group_leader")
    now = timezone.now()
    services.visit_log(actor=leader, household=households[0], visited_at=now)
    services.visit_log(
        actor=leader,
        household=households[0],
        visited_at=now - dt.timedelta(minutes=5),
        problems=[{"category": "facility", "title": "灯"}, {"category": "dispute", "title": "吵"}],
    )
    p1, p2 = Problem.objects.order_by("pk")
    services.problem_resolve(actor=leader, problem=p1, resolution="修好了")
    p2 = services.problem_escalate(actor=leader, problem=p2, reason="r")
    p2 = services.problem_escalate(actor=world.user("grid_worker"), problem=p2, reason="r")
    services.problem_resolve(actor=world.user("secretary"), problem=p2, resolution="调解")
    services.problem_report(actor=leader, household=households[1], category="other", title="开")
    services.pairing_create(
        actor=world.user("grid_worker"), helper=leader_member, resident=vulnerable()
    )
    vulnerable()
    f.HouseholdFactory(area=world.building_b)
    return now


def _report(world, node=None):
    today = timezone.localdate()
    period = reports.parse_period((today - dt.timedelta(days=30)).isoformat(), today.isoformat())
    return reports.grid_report(node=node or world.street, period=period)


def test_street_report_headline_figures(world, activity):
    report = _report(world)
    t = report["totals"]
    # 1 world household + 6 + 2 vulnerable residents' households in A, 1 in B
    assert t["households"] == 10 and t["covered"] == 4
    assert t["visits"] == 2 and t["households_reached"] == 1
    assert t["problems_found"] == 3 and t["problems_resolved"] == 2
    assert t["problems_escalated"] == 1 and t["resolved_grassroots"] == 1
    assert t["grassroots_share"] == 0.5
    # the world's resident is elderly (vulnerable) too
    assert t["vulnerable"] == 3 and t["paired"] == 1
    assert t["pairings"] == 1 and t["pairings_visited"] == 0
    names = [c["name"] for c in report["children"]]
    assert names == ["海城社区", "榭南社区"]
    assert report["children"][1]["households"] == 1
    levels = {row["level"]: row for row in report["levels"]}
    assert levels[1]["resolved"] == 1 and levels[1]["escalated"] == 1
    assert levels[2]["reached"] == 1 and levels[2]["escalated"] == 1
    assert levels[3]["resolved"] == 1
    assert sum(s["members"] for s in report["stars"]) == 3 + 2  # world members + group's two
    assert report["trend"][-1]["visits"] == 2


def test_grid_report_breaks_down_by_building(world, activity):
    report = _report(world, world.grid_a)
    assert [c["name"] for c in report["children"]] == ["1幢"]
    assert report["totals"]["visits"] == 2


def test_report_out_of_scope_is_forbidden_with_code(world):
    with pytest.raises(Forbidden) as exc:
        reports.report_node(user=world.user("outsider"), node_id=world.community_a.pk)
    assert exc.value.code == "report_out_of_scope"
    with pytest.raises(Forbidden):
        reports.report_node(user=world.user("group_leader"), node_id=world.grid_a.pk)
    assert reports.report_node(user=world.user("secretary"), node_id=world.grid_a.pk)


def test_report_rejects_a_building_and_bad_dates(world):
    with pytest.raises(InvalidInput) as exc:
        reports.report_node(user=world.user("administrator"), node_id=world.building_a.pk)
    assert exc.value.code == "report_node_kind"
    with pytest.raises(InvalidInput) as exc:
        reports.parse_period("2026-13-01", None)
    assert exc.value.code == "invalid_date"


def test_xlsx_has_one_sheet_per_table(world, activity):
    data = reports.report_xlsx(_report(world))
    wb = load_workbook(io.BytesIO(data), read_only=True)
    assert wb.sheetnames == ["汇总", "分层级问题", "下级区域", "月度趋势", "党员星级"]
    rows = list(wb["下级区域"].iter_rows(values_only=True))
    assert rows[1][0] == "海城社区"


def test_report_query_count_does_not_grow_with_rows(world, activity, django_assert_max_num_queries):
    with django_assert_max_num_queries(14):
        _report(world)
