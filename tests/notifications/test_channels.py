"""SMS and WeChat transports against a real HTTP server on a loopback port, retries with
backoff, dead letters, permanent failures, quiet hours and preferences."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from apps.notifications import audiences, services
from apps.notifications.models import Delivery, Notification, Preference
from apps.notifications.quiet import SHANGHAI, quiet_until

NOON = datetime(2026, 11, 24, 12, 0, tzinfo=SHANGHAI)
NIGHT = datetime(2026, 11, 24, 23, 30, tzinfo=SHANGHAI)


@pytest.fixture
def member(world):
    user = world.user("member")
    user.phone, user.email = "13900001111", "li@example.cn"
    user.save()
    Preference.objects.create(user=user, wechat_openid="openid-li")
    return user


def relay_at(moment, monkeypatch, user, event="notifications.test", context=None):
    monkeypatch.setattr(timezone, "now", lambda: moment)
    row = services.notify(event, audience=audiences.users(user.pk), context=context or {})
    services.outbox_relay(event_id=row.pk)
    return row


def sms_of(row):
    return Delivery.objects.get(event=row, channel="sms")


def test_sms_and_wechat_reach_the_gateway_with_key_template_and_text(
    member, channels, gateway, monkeypatch
):
    row = relay_at(NOON, monkeypatch, member)
    by_path = {r["path"]: r for r in gateway.requests}
    assert set(by_path) == {"/sms", "/wechat"}
    sms = by_path["/sms"]
    assert sms["auth"] == "Bearer sms-key"
    assert sms["body"] == {"phone": "13900001111", "template_id": "SMS_1", "text": "测试消息"}
    wechat = by_path["/wechat"]["body"]
    assert wechat["touser"] == "openid-li" and wechat["template_id"] == "WX_1"
    assert wechat["data"]["title"]["value"] == "测试消息"
    statuses = dict(Delivery.objects.filter(event=row).values_list("channel", "status"))
    assert statuses == {"email": "sent", "sms": "sent", "wechat": "sent"}


def test_a_500_is_retried_with_exponential_backoff_then_dead_lettered(
    member, channels, gateway, monkeypatch
):
    gateway.script = [(500, 0)]
    row = relay_at(NOON, monkeypatch, member)
    sms = sms_of(row)
    assert (sms.status, sms.attempts) == ("pending", 1)
    assert sms.next_attempt_at == NOON + timedelta(seconds=10)
    assert "HTTP 500" in sms.error
    services.deliveries_send_due(now=NOON + timedelta(seconds=10))
    sms.refresh_from_db()
    assert (sms.status, sms.attempts) == ("pending", 2)
    assert sms.next_attempt_at == NOON + timedelta(seconds=20)  # 10 s, then 20 s
    services.deliveries_send_due(now=NOON + timedelta(seconds=20))
    sms.refresh_from_db()
    assert (sms.status, sms.attempts) == ("dead", 3)
    # nothing more is sent for a dead letter
    count = len(gateway.requests)
    services.deliveries_send_due(now=NOON + timedelta(hours=1))
    assert len(gateway.requests) == count


def test_a_timeout_is_retryable(member, channels, gateway, monkeypatch):
    gateway.script = [(200, 1.5)]  # longer than TIMEOUT_S
    row = relay_at(NOON, monkeypatch, member)
    sms = sms_of(row)
    assert sms.status == "pending" and sms.attempts == 1
    assert "Timeout" in sms.error


def test_a_400_is_a_permanent_failure_not_retried(member, channels, gateway, monkeypatch):
    gateway.script = [(400, 0)]
    row = relay_at(NOON, monkeypatch, member)
    sms = sms_of(row)
    assert sms.status == "failed" and sms.attempts == 1 and "HTTP 400" in sms.error
    calls = len(gateway.requests)
    services.deliveries_send_due(now=NOON + timedelta(days=1))
    assert len(gateway.requests) == calls


def test_admin_retry_gives_a_dead_letter_a_fresh_start(member, channels, gateway, monkeypatch):
    gateway.script = [(500, 0), (500, 0), (500, 0), (200, 0)]
    row = relay_at(NOON, monkeypatch, member)
    for seconds in (10, 20):
        services.deliveries_send_due(now=NOON + timedelta(seconds=seconds))
    assert sms_of(row).status == "dead"
    monkeypatch.setattr(timezone, "now", lambda: NOON + timedelta(minutes=5))
    assert services.deliveries_retry(delivery_ids=[sms_of(row).pk]) == 1  # eager: sends now
    assert sms_of(row).status == "sent"


def test_unreachable_gateway_is_retryable(member, channels, settings, monkeypatch):
    settings.TONGXIN = dict(
        channels, NOTIFY_SMS={"URL": "http://127.0.0.1:9/sms", "KEY": "k", "TEMPLATE_ID": "t"}
    )
    row = relay_at(NOON, monkeypatch, member)
    assert sms_of(row).status == "pending" and "ConnectionError" in sms_of(row).error


def test_recipient_without_phone_or_openid_is_skipped_with_reason(
    world, channels, gateway, monkeypatch
):
    row = relay_at(NOON, monkeypatch, world.user("secretary"))
    skipped = Delivery.objects.filter(event=row)
    assert {d.channel: d.status for d in skipped} == {
        "email": "skipped",
        "sms": "skipped",
        "wechat": "skipped",
    }
    assert all(d.error == "no address for this channel" for d in skipped)
    assert gateway.requests == []
    assert Notification.objects.filter(event=row).exists()


@pytest.mark.parametrize(
    "local, expected",
    [
        ((21, 59), None),
        ((22, 0), datetime(2026, 11, 25, 7, 0, tzinfo=SHANGHAI)),
        ((23, 30), datetime(2026, 11, 25, 7, 0, tzinfo=SHANGHAI)),
        ((0, 0), datetime(2026, 11, 24, 7, 0, tzinfo=SHANGHAI)),
        ((6, 59), datetime(2026, 11, 24, 7, 0, tzinfo=SHANGHAI)),
        ((7, 0), None),
    ],
)
def test_quiet_hours_are_22_to_7_in_shanghai(local, expected):
    now = datetime(2026, 11, 24, *local, tzinfo=SHANGHAI)
    assert quiet_until(now) == expected
    # the same instant in UTC gives the same answer
    assert quiet_until(now.astimezone(UTC)) == expected


def test_at_night_sms_and_push_wait_for_morning_while_inbox_and_email_arrive(
    member, channels, gateway, monkeypatch
):
    row = relay_at(NIGHT, monkeypatch, member)
    assert Notification.objects.filter(event=row, recipient=member).exists()
    statuses = dict(Delivery.objects.filter(event=row).values_list("channel", "status"))
    assert statuses == {"email": "sent", "sms": "pending", "wechat": "pending"}
    morning = datetime(2026, 11, 25, 7, 0, tzinfo=SHANGHAI)
    assert sms_of(row).next_attempt_at == morning
    assert gateway.requests == []
    services.deliveries_send_due(now=morning - timedelta(minutes=1))
    assert gateway.requests == []
    monkeypatch.setattr(timezone, "now", lambda: morning)
    services.deliveries_send_due(now=morning)
    assert {r["path"] for r in gateway.requests} == {"/sms", "/wechat"}


def test_a_retry_that_falls_due_in_quiet_hours_is_deferred_again(
    member, channels, gateway, monkeypatch
):
    gateway.script = [(500, 0), (200, 0)]
    evening = datetime(2026, 11, 24, 21, 59, 55, tzinfo=SHANGHAI)
    row = relay_at(evening, monkeypatch, member, event="notifications.test")
    sms = sms_of(row)
    assert sms.status == "pending"
    later = evening + timedelta(seconds=10)  # 22:00:05
    monkeypatch.setattr(timezone, "now", lambda: later)
    services.deliveries_send_due(now=later)
    sms.refresh_from_db()
    assert sms.next_attempt_at == datetime(2026, 11, 25, 7, 0, tzinfo=SHANGHAI)


def test_muted_channels_get_no_delivery_but_the_inbox_still_does(
    member, channels, gateway, monkeypatch
):
    services.preference_update(user=member, muted={"notifications.test": ["sms"], "*": ["email"]})
    row = relay_at(NOON, monkeypatch, member)
    assert set(Delivery.objects.filter(event=row).values_list("channel", flat=True)) == {"wechat"}
    assert Notification.objects.filter(event=row).exists()
    other = relay_at(
        NOON,
        monkeypatch,
        member,
        event="notice.broadcast",
        context={"area": "A", "title": "T", "body": "B"},
    )
    assert set(Delivery.objects.filter(event=other).values_list("channel", flat=True)) == {
        "sms",
        "wechat",
    }


def test_sms_uses_the_short_form_of_the_event(member, channels, gateway, monkeypatch):
    context = {"area": "海城社区", "title": "停水", "body": "很长的正文" * 50}
    row = relay_at(NOON, monkeypatch, member, event="notice.broadcast", context=context)
    assert sms_of(row).body == "海城社区通知：停水"
    email = Delivery.objects.get(event=row, channel="email")
    assert email.body == context["body"]


def test_a_crashing_transport_is_kept_and_retried_not_raised(member, channels, monkeypatch):
    from apps.notifications import transports

    def crash(self, delivery):
        raise TypeError("misconfigured")

    monkeypatch.setattr(transports.Sms, "send", crash)
    row = relay_at(NOON, monkeypatch, member)
    sms = sms_of(row)
    assert sms.status == "pending" and sms.attempts == 1 and "misconfigured" in sms.error
