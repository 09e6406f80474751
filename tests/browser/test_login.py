import pytest

from tests.conftest import login

pytestmark = pytest.mark.browser


def test_resident_logs_in_and_sees_home_in_chinese(world, browser_page, live_server):
    login(browser_page, live_server, "resident")
    assert browser_page.locator("h1").inner_text() == "您好，王秀梅"
    assert browser_page.locator("html").get_attribute("lang") == "zh-hans"
    assert browser_page.locator(".role").inner_text() == "居民"
    assert browser_page.locator("a.tile", has_text="住户").count() == 0


def test_wrong_password_shows_chinese_error(world, browser_page, live_server):
    browser_page.goto(live_server.url + "/login/")
    browser_page.fill("#id_username", "resident")
    browser_page.fill("#id_password", "wrong-password")
    browser_page.click("button[type=submit]")
    assert "用户名/手机号或密码不正确" in browser_page.locator(".error").inner_text()


def test_grid_worker_home_tiles_lead_to_masked_scoped_lists(world, browser_page, live_server):
    login(browser_page, live_server, "gridworker")
    assert "网格员 · 海城第1网格" in browser_page.locator(".roles").inner_text()
    browser_page.click("a.tile[href='/grids/residents/']")
    browser_page.wait_for_url(live_server.url + "/grids/residents/")
    assert browser_page.locator(".resident .name").all_inner_texts() == ["王秀梅"]


def test_language_switch_in_the_footer(world, browser_page, live_server):
    login(browser_page, live_server, "gridworker")
    with browser_page.expect_navigation():
        browser_page.select_option("footer select[name=language]", "en")
    assert browser_page.locator("h1").inner_text() == "Hello, 陈网格"
    assert browser_page.locator("a.tile", has_text="Residents").count() == 1
