import pytest

from tests.conftest import login

pytestmark = pytest.mark.browser


def test_resident_logs_in_and_sees_home_in_chinese(world, browser_page, live_server):
    login(browser_page, live_server, "resident")
    assert browser_page.locator("h1").inner_text() == "您好，王秀梅"
    assert browser_page.locator("html").get_attribute("lang") == "zh-hans"


def test_wrong_password_shows_chinese_error(world, browser_page, live_server):
    browser_page.goto(live_server.url + "/login/")
    browser_page.fill("#id_username", "resident")
    browser_page.fill("#id_password", "wrong-password")
    browser_page.click("button[type=submit]")
    assert "用户名/手机号或密码不正确" in browser_page.locator(".error").inner_text()
