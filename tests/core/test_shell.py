"""The frame of every page (issue 14): the bottom tab bar and back link, 我的 with 长辈模式,
logout that asks first, home tiles with icons and waiting counts, the call link to the
resident's grid worker, and the admin in Chinese."""

import re

import pytest
from django.conf import settings

from apps.accounts.models import Role
from apps.notifications import audiences, services
from tests import factories as f

pytestmark = pytest.mark.django_db


def _tabs(body: str) -> dict[str, bool]:
    """Tab key -> whether it is marked as the current page."""
    nav = body[body.index('class="tabbar"') :]
    return {
        key: "aria-current" in rest
        for key, rest in re.findall(r'data-tab="(\w+)"([^>]*)>', nav[: nav.index("</nav>")])
    }


def test_every_page_has_the_four_tabs_with_the_current_one_marked(client, world):
    client.force_login(world.user("member"))
    home = client.get("/").content.decode()
    assert _tabs(home) == {"home": True, "wishes": False, "messages": False, "me": False}
    assert "data-back" not in home  # the home page has no back link
    hall = client.get("/wishes/").content.decode()
    assert _tabs(hall) == {"home": False, "wishes": True, "messages": False, "me": False}
    assert 'class="back"' in hall and "data-back" in hall


def test_the_wish_tab_is_a_residents_own_wishes(client, world):
    client.force_login(world.user("resident"))
    body = client.get("/").content.decode()
    assert re.search(r'href="/wishes/mine/"\s+data-tab="wishes"', body)


def test_anonymous_pages_have_no_tab_bar(client):
    assert 'class="tabbar"' not in client.get("/login/").content.decode()


def test_logout_asks_first_and_only_a_post_logs_out(client, world):
    client.force_login(world.user("member"))
    page = client.get("/logout/")
    body = page.content.decode()
    assert page.status_code == 200 and "确定退出" in body and 'class="logout"' in body
    assert client.get("/me/").status_code == 200  # still logged in
    assert client.post("/logout/").status_code == 302
    assert client.get("/me/").status_code == 302  # to the login page


def test_elder_mode_is_remembered_for_the_user_and_enlarges_every_page(client, world):
    user = world.user("resident")
    client.force_login(user)
    assert 'class="elder"' not in client.get("/").content.decode()
    response = client.post("/me/", {"elder_mode": "on"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.elder_mode is True
    client.logout()
    client.force_login(user)  # another session (another phone): still on
    assert '<html lang="zh-hans" class="elder">' in client.get("/wishes/mine/").content.decode()
    client.post("/me/", {})  # the switch off: the box is not sent
    user.refresh_from_db()
    assert user.elder_mode is False


def test_me_page_shows_role_labels_not_codes(client, world):
    client.force_login(world.user("secretary"))
    body = client.get("/me/").content.decode()
    assert 'data-role="secretary">书记 · 海城社区<' in body
    assert "SECRETARY" not in body and "grid_worker" not in body


def test_home_tiles_have_icons_and_count_what_waits(client, world):
    member = world.user("member")
    for _ in range(2):
        event = services.notify("notifications.test", audience=audiences.users(member.pk))
        services.outbox_relay(event_id=event.pk)
    client.force_login(member)
    body = client.get("/").content.decode()
    tile = re.search(r'<a class="tile[^"]*" href="/notifications/"[^>]*>', body).group(0)
    assert 'data-count="2"' in tile
    tiles = body[body.index('<section class="tiles"') :]
    tiles = tiles[: tiles.index("</section>")]
    assert tiles.count('<a class="tile') == tiles.count("tiles.svg#") > 3
    # Nothing waiting: no number.
    prefs = re.search(r'<a class="tile[^"]*" href="/notifications/preferences/"[^>]*>', body)
    assert "data-count" not in prefs.group(0)


def test_resident_gets_a_call_link_to_their_grid_worker(client, world):
    world.user("grid_worker").phone = "13912345678"
    world.user("grid_worker").save()
    client.force_login(world.user("resident"))
    body = client.get("/").content.decode()
    assert 'href="tel:13912345678"' in body and "陈网格" in body


def test_no_call_link_without_a_grid_worker_phone_or_outside_the_grid(client, world):
    client.force_login(world.user("resident"))
    assert "tel:" not in client.get("/").content.decode()  # the worker has no phone
    other = f.UserFactory(username="gw-b", phone="13900009999")
    f.grant(other, Role.GRID_WORKER, area=world.grid_b)  # another grid: not the resident's
    assert "tel:" not in client.get("/").content.decode()


def test_admin_speaks_chinese_with_larger_type(staff_client):
    body = staff_client("administrator").get("/admin/").content.decode()
    assert "同心 管理" in body and "Django" not in body
    assert "<strong>吴管理</strong>" in body  # the name, not the login (shown in capitals)
    assert "css/admin.css" in body


def test_shell_pages_in_english(client, world):
    client.force_login(world.user("member"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = client.get("/me/").content.decode()
    assert "Elder mode" in body and "Log out" in body
    assert "长辈模式" not in body and "退出登录" not in body
    body = client.get("/logout/").content.decode()
    assert "确定退出" not in body
