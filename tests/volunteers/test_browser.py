"""The whole path in a real browser (Playwright + system Chromium, a 360×740 phone): a
member registers and picks a post → the secretary approves → the member signs up for an
occurrence → checks in with the QR link → the organiser confirms the hours → the points and
the certificate show the hours."""

import datetime as dt
from pathlib import Path

import pytest

from apps.points.models import PointsEntry
from apps.volunteers.models import ServiceRecord
from tests.conftest import login

from .conftest import shift

pytestmark = pytest.mark.browser
SHOTS = Path("/tmp/vol-shots")


def _shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"volunteers-{name}.png"), full_page=True)


def test_volunteer_path_in_the_browser(world, browser_page, live_server, make_post, make_activity):
    page, url = browser_page, live_server.url
    page.set_viewport_size({"width": 360, "height": 740})
    make_post("护河志愿者", capacity=3)
    make_post("交通劝导员", capacity=3)
    occ = make_activity(capacity=5).occurrences.get()

    login(page, live_server, "member")
    page.click("text=志愿服务")
    page.wait_for_url(url + "/volunteers/")
    page.select_option("#id_choice_1", label="护河志愿者（0/3）")
    page.select_option("#id_choice_2", label="交通劝导员（0/3）")
    page.fill("#id_skills", "法律，医疗")
    _shot(page, "member-register")
    page.click("#register-form button.primary")
    assert "已提交报到" in page.locator(".messages").inner_text()

    page.context.clear_cookies()
    login(page, live_server, "secretary")
    page.goto(url + "/volunteers/manage/")
    _shot(page, "secretary-manage")
    page.click("text=通过并安排岗位")
    assert "已通过" in page.locator(".messages").inner_text()

    page.context.clear_cookies()
    login(page, live_server, "member")
    page.goto(url + "/volunteers/")
    assert "护河志愿者" in page.locator("#my-post").inner_text()
    page.click(f"#occ-{occ.pk} a")
    page.click("#signup")
    assert "报名成功" in page.locator(".messages").inner_text()

    # The activity starts: the organiser's page shows the QR code and its link.
    occ = shift(occ, by=-dt.timedelta(days=2, minutes=5))
    page.context.clear_cookies()
    login(page, live_server, "secretary")
    page.goto(url + f"/volunteers/occurrences/{occ.pk}/")
    _shot(page, "organiser-qr")
    checkin_url = page.locator("#checkin-link").get_attribute("href")

    page.context.clear_cookies()
    login(page, live_server, "member")
    page.goto(checkin_url)
    _shot(page, "member-checkin")
    page.click("#checkin")
    assert "签到成功" in page.locator(".messages").inner_text()

    page.context.clear_cookies()
    login(page, live_server, "secretary")
    page.goto(url + "/volunteers/manage/")
    page.click("text=确认时长")
    assert "已确认" in page.locator(".messages").inner_text()
    assert ServiceRecord.objects.get().status == "confirmed"
    assert PointsEntry.objects.filter(rule__code="volunteer_hours").count() == 1

    page.context.clear_cookies()
    login(page, live_server, "member")
    page.goto(url + "/volunteers/")
    assert page.locator("#hours-total").inner_text() == "2"
    _shot(page, "member-hours")
    page.click("#issue-certificate")
    assert page.locator("#total-hours").inner_text() == "2"
    _shot(page, "certificate")
    page.goto(page.locator("#verify-link").get_attribute("href"))
    assert "李*国" in page.locator("#verified").inner_text()
    page.goto(url + "/grids/ranking/")
    _shot(page, "points")
