"""The Content-Security-Policy (issue 13) breaks no page: Chromium reports no violation on
the pages with charts, nonced styles and scripts, and the select that submits its form on
change (static/js/app.js instead of an inline handler) still does."""

import pytest

from apps.points.services import points_award
from tests import factories as f
from tests.conftest import login

pytestmark = pytest.mark.browser

PAGES = ["/", "/grids/report/", "/grids/ranking/", "/grids/worker/", "/wishes/", "/roles/"]
PAGES += ["/projects/board/", "/volunteers/", "/rosters/"]


def test_pages_raise_no_policy_violation(world, browser_page, live_server):
    member = f.MemberFactory(
        branch=world.branch_a, community=world.community_a, residence=world.building_a
    )
    points_award(member=member, rule="volunteer_hours")
    violations = []
    browser_page.on(
        "console",
        lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    login(browser_page, live_server, "secretary")
    for url in PAGES:
        response = browser_page.goto(live_server.url + url)
        assert response.status < 400, url
        assert "script-src 'self'" in response.headers["content-security-policy"], url
    assert violations == []
    # The community select submits its form on change (data-autosubmit).
    browser_page.goto(live_server.url + "/grids/ranking/")
    with browser_page.expect_navigation():
        browser_page.select_option("select[name=community]", str(world.grid_a.pk))
    assert f"community={world.grid_a.pk}" in browser_page.url
    assert violations == []
