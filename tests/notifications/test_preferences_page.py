"""Issue 14, finding 1: the preferences page shows each role its own events, in plain Chinese,
with large switches, and WeChat only when a WeChat gateway is configured; the API keeps
validating event names. Finding 3: every event names the page it is about."""

import re
import string

import pytest
from django.test import Client
from django.urls import reverse

from apps.notifications import texts
from apps.notifications.models import Preference


@pytest.fixture
def page_for(world):
    def get(role, **kwargs):
        client = Client()
        client.force_login(world.user(role))
        return client, client.get("/notifications/preferences/").content.decode()

    return get


def visible_text(html: str) -> str:
    body = html[html.index("<main") : html.index("</main>")]
    return re.sub(r"<[^>]+>", " ", body)


def test_every_event_has_a_plain_label_its_recipients_and_a_link_that_resolves():
    for name, spec in texts.events().items():
        label = str(spec["label"])
        fields = [n for _, n, _, _ in string.Formatter().parse(label) if n is not None]
        assert label and not fields and "." not in label, name
        assert spec["to"] and set(spec["to"]) <= set(texts.KINDS), name
        if "link" in spec:
            url_name, key = spec["link"]
            assert texts.link_for(name, {key: 1} if key else {}).startswith("/"), name


def test_resident_sees_only_resident_events_in_plain_chinese(page_for):
    _client, html = page_for("resident")
    text = visible_text(html)
    assert "心愿通过审核并发布了" in text and "心愿有人认领了" in text
    for staff_only in ("有新心愿待审核", "问题超期未办", "有书记项目待审批", "社区通知"):
        assert staff_only not in text, staff_only
    assert "{" not in text and "problem.escalated" not in html and "notice.broadcast" not in html
    assert "wish.claimed" not in text  # event keys only in field names, never shown


def test_staff_and_members_see_their_own_events(page_for):
    text = visible_text(page_for("grid_worker")[1])
    assert "有新心愿待审核" in text and "问题上报到我这一级" in text
    assert "我认领的心愿快到期了" not in text
    text = visible_text(page_for("member")[1])
    assert "有新的微心愿可以认领" in text and "社区通知" in text
    assert "有新心愿待审核" not in text and "心愿通过审核并发布了" not in text


def test_wechat_is_hidden_until_a_gateway_is_configured(page_for):
    html = page_for("member")[1]
    assert "OpenID" not in html and "微信" not in visible_text(html)
    assert 'role="switch"' in html  # e-mail is on by default


def test_with_wechat_configured_the_page_shows_the_binding_state_not_a_text_box(page_for, channels):
    html = page_for("member")[1]
    assert "微信：未绑定" in html and 'name="wechat_openid"' not in html
    assert "notice.broadcast:wechat" in html and "notice.broadcast:sms" in html


def test_without_external_channels_there_is_nothing_to_switch(page_for, settings):
    settings.TONGXIN = {**settings.TONGXIN, "NOTIFY_EMAIL": False}
    html = page_for("member")[1]
    assert 'type="checkbox"' not in html and "站内消息" in html


def test_saving_keeps_settings_of_events_the_page_does_not_show(page_for, world, channels):
    user = world.user("resident")
    Preference.objects.create(user=user, muted={"problem.escalated": ["sms"], "*": ["wechat"]})
    client, _html = page_for("resident")
    assert client.post("/notifications/preferences/", {"language": "zh-hans"}).status_code == 302
    muted = Preference.objects.get(user=user).muted
    assert muted["problem.escalated"] == ["sms"] and muted["*"] == ["wechat"]
    assert muted["wish.claimed"] == ["email", "sms", "wechat"]  # every switch left off


def test_switches_are_labelled_by_their_event(page_for):
    html = page_for("resident")[1]
    switch = re.search(
        r'<input type="checkbox" role="switch" name="wish.claimed:email"[^>]*>', html
    )
    assert switch, "a switch per event and channel"
    described = re.search(r'aria-describedby="([^"]+)"', switch.group(0)).group(1)
    assert re.search(rf'id="{described}">心愿有人认领了<', html)


def test_api_still_refuses_unknown_event_names(api, world):
    client = api.as_user(world.user("resident"))
    response = client.put(
        "/api/notifications/preferences/", {"muted": {"no.such.event": ["sms"]}}, format="json"
    )
    assert response.status_code == 400 and response.json()["code"] == "invalid_preferences"
    ok = client.put(
        "/api/notifications/preferences/", {"muted": {"wish.claimed": ["sms"]}}, format="json"
    )
    assert ok.status_code == 200


def test_inbox_items_link_to_their_object_and_show_time_and_unread(world, client):
    from apps.notifications import audiences, services

    event = services.notify(
        "problem.resolved",
        audience=audiences.users(world.user("member").pk),
        context={"problem": 7, "title": "路灯不亮"},
    )
    services.outbox_relay(event_id=event.pk)
    client.force_login(world.user("member"))
    html = client.get(reverse("notifications:inbox")).content.decode()
    assert f'data-link="{reverse("grids:problem", args=[7])}"' in html
    assert 'class="notification unread"' in html and "今天" in html and "查看" in html
