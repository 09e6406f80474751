import pytest

from apps.grids.models import Problem
from tests.conftest import login

pytestmark = pytest.mark.browser


def _report_figures(page, live_server, node_id) -> dict:
    page.goto(f"{live_server.url}/grids/report/?node={node_id}")
    keys = ("problems_found", "problems_resolved", "problems_escalated", "visits")
    return {k: page.locator(f"#totals [data-key={k}]").inner_text() for k in keys}


def test_leader_visit_problem_escalated_and_resolved_by_community_shows_in_report(
    world, group, households, browser_page, live_server
):
    page = browser_page
    login(page, live_server, "secretary")
    before = _report_figures(page, live_server, world.community_a.pk)
    assert before == {
        "problems_found": "0",
        "problems_resolved": "0",
        "problems_escalated": "0",
        "visits": "0",
    }
    page.context.clear_cookies()

    # The group leader logs a visit with a problem in a few taps, then escalates it.
    login(page, live_server, "leader")
    page.click("text=我的责任片")
    page.locator("a.visit-link", has_text="登记走访").first.click()
    page.fill("#id_notes", "入户了解情况")
    page.click("summary")
    page.select_option("#id_problem_category", "facility")
    page.fill("#id_problem_title", "楼道照明损坏")
    page.click("#visit-form button[type=submit]")
    # Saved on the phone first, then sent at once (static/js/visits.js).
    page.locator(".outbox-entry[data-state=synced]").wait_for()
    page.reload()
    page.click("#my-problems >> text=楼道照明损坏")
    page.fill("#id_reason", "需要物业更换线路")
    page.click("#escalate-form button[type=submit]")
    assert page.locator("#problem-level").get_attribute("data-level") == "2"
    assert page.locator("#problem-status").inner_text() == "已上报"
    problem_url = page.url
    page.context.clear_cookies()

    # The community secretary resolves it.
    login(page, live_server, "secretary")
    page.goto(problem_url)
    page.fill("#id_resolution", "已联系物业更换")
    page.click("#resolve-form button[type=submit]")
    assert page.locator("#problem-status").inner_text() == "已解决"
    assert Problem.objects.get().resolved_level == Problem.Level.GRID

    after = _report_figures(page, live_server, world.community_a.pk)
    assert after == {
        "problems_found": "1",
        "problems_resolved": "1",
        "problems_escalated": "1",
        "visits": "1",
    }
    grassroots = page.locator("#totals [data-key=grassroots_share]").inner_text()
    assert grassroots == "100%"
