import pytest

from apps.notifications import audiences, services
from tests.conftest import login

pytestmark = pytest.mark.browser


def test_member_sees_the_badge_reads_the_inbox_and_the_badge_goes(browser_page, live_server, world):
    member = world.user("member")
    for _ in range(2):
        event = services.notify("notifications.test", audience=audiences.users(member.pk))
        services.outbox_relay(event_id=event.pk)
    page = browser_page
    login(page, live_server, "member")
    badge = page.locator(".tabbar .badge")
    assert badge.inner_text() == "2"
    page.click(".tabbar a[data-tab=messages]")
    page.wait_for_url(live_server.url + "/notifications/")
    assert page.locator("li.notification.unread").count() == 2
    page.click("text=全部标为已读")
    page.wait_for_selector("text=已全部标为已读")
    assert page.locator("li.notification.unread").count() == 0
    assert page.locator(".tabbar .badge").count() == 0
