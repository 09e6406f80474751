"""The whole path in a real browser (Playwright + system Chromium): resident submits →
worker publishes → member claims → a second member sees "already claimed" → member fulfils →
resident confirms and rates."""

import pytest
from playwright.sync_api import expect

from apps.wishes.models import Claim, Wish
from tests.conftest import login

pytestmark = pytest.mark.browser


def logout(page) -> None:
    page.context.clear_cookies()


def test_wish_lifecycle_in_the_browser(world, category, browser_page, live_server):
    page, url = browser_page, live_server.url

    login(page, live_server, "resident")
    page.click("text=提交心愿")
    page.fill("#id_title", "想请人帮忙修理收音机")
    page.select_option("#id_category", label="助老")
    page.fill("#id_description", "收音机没有声音了")
    page.click("button.primary")
    page.wait_for_url(url + "/wishes/mine/")
    assert "心愿已提交" in page.locator(".messages").inner_text()
    assert "待审核" in page.locator(".wish-card").inner_text()

    logout(page)
    login(page, live_server, "gridworker")
    page.goto(url + "/wishes/vetting/")
    page.click("button.publish")
    assert "心愿已发布" in page.locator(".messages").inner_text()

    # A second member opens the hall before anyone has claimed.
    other = page.context.browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    late = other.new_page()
    login(late, live_server, "leader")
    late.goto(url + "/wishes/")
    assert "想请人帮忙修理收音机" in late.locator(".wish-card").inner_text()
    assert "王*梅" in late.locator(".wish-card").inner_text()

    logout(page)
    login(page, live_server, "member")
    page.goto(url + "/wishes/")
    page.click("a.claim")  # opens the sheet
    page.click("[data-sheet-confirm]")
    page.wait_for_url(url + "/wishes/claims/")
    assert "认领成功" in page.locator(".messages").inner_text()

    # The late page learns it without a reload (static/js/live.js: polling here, the test
    # server has no websockets) and its claim button no longer works; the server refuses a
    # stale claim anyway (tests/wishes/test_services.py).
    expect(late.locator(".wish-card .live-taken")).to_have_text("已被认领", timeout=10_000)
    expect(late.locator("a.claim")).to_be_hidden()
    other.close()
    assert Claim.objects.count() == 1

    page.fill("textarea[name=note]", "已修好，送回家中")
    page.click("text=标记已完成")
    assert "已标记完成" in page.locator(".messages").inner_text()

    logout(page)
    login(page, live_server, "resident")
    page.goto(url + "/wishes/mine/")
    card = page.locator(".wish-card")
    assert "已完成" in card.inner_text()
    page.check("input[name=rating][value='4']")
    page.fill("input[name=comment]", "非常感谢")
    page.click("text=确认完成")
    assert "感谢您的评价" in page.locator(".messages").inner_text()
    assert "已确认" in page.locator(".wish-card").inner_text()

    wish = Wish.objects.get()
    assert (wish.status, wish.rating, wish.rating_comment) == ("closed", 4, "非常感谢")
    history = list(wish.events.values_list("to_status", flat=True))
    assert history == ["submitted", "published", "claimed", "fulfilled", "closed"]
