"""The outbox relay: fan-out, idempotency, and bad input that must fail visibly, not raise."""

import pytest
from django.core import mail
from django.db import transaction

from apps.notifications import audiences, services
from apps.notifications.models import Delivery, Notification, OutboxEvent
from tests import factories as f


@pytest.fixture
def email_only(settings):
    conf = dict(settings.TONGXIN, NOTIFY_EMAIL=True)
    conf["NOTIFY_SMS"] = conf["NOTIFY_WECHAT"] = {"URL": "", "KEY": "", "TEMPLATE_ID": ""}
    settings.TONGXIN = conf
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def broadcast(world, **context):
    context = {"area": "海城社区", "title": "停水通知", "body": "明天停水", **context}
    return services.notify(
        "notice.broadcast", audience=audiences.area_members(world.community_a.pk), context=context
    )


def test_relay_puts_one_rendered_message_in_each_inbox(world, email_only):
    event = broadcast(world)
    assert services.outbox_relay(event_id=event.pk) == 2
    rows = Notification.objects.filter(event=event)
    assert {n.recipient_id for n in rows} == {
        world.user("member").pk,
        world.user("group_leader").pk,
    }
    assert {n.title for n in rows} == {"海城社区通知：停水通知"}
    event.refresh_from_db()
    assert event.status == OutboxEvent.Status.RELAYED and event.relayed_at and event.recipients == 2


def test_relaying_twice_creates_nothing_twice(world, email_only):
    world.user("member").email = "li@example.cn"
    world.user("member").save()
    event = broadcast(world)
    services.outbox_relay(event_id=event.pk)
    # a redelivered task (acks_late) or the sweeper: the row is no longer claimable
    assert services.outbox_relay(event_id=event.pk) == 0
    # even a relay that runs again from scratch (lease expired mid-task) adds no rows
    OutboxEvent.objects.filter(pk=event.pk).update(status="pending", relayed_at=None)
    assert services.outbox_relay(event_id=event.pk) == 2
    assert Notification.objects.filter(event=event).count() == 2
    assert Delivery.objects.filter(event=event, channel="email").count() == 2
    assert len(mail.outbox) == 1


def test_a_claimed_row_is_left_to_its_worker(world, email_only):
    event = broadcast(world)
    from django.utils import timezone

    assert services._claim(event.pk, timezone.now())
    assert services.outbox_relay(event_id=event.pk) == 0
    assert not Notification.objects.filter(event=event).exists()


def test_email_goes_out_and_a_recipient_without_address_is_skipped_with_reason(world, email_only):
    member = world.user("member")
    member.email = "li@example.cn"
    member.save()
    event = broadcast(world)
    services.outbox_relay(event_id=event.pk)
    sent = Delivery.objects.get(event=event, recipient=member)
    skipped = Delivery.objects.get(event=event, recipient=world.user("group_leader"))
    assert sent.status == Delivery.Status.SENT and sent.sent_at
    assert skipped.status == Delivery.Status.SKIPPED and "no address" in skipped.error
    assert [m.to for m in mail.outbox] == [["li@example.cn"]]
    assert mail.outbox[0].subject == "海城社区通知：停水通知"


def test_unknown_event_is_marked_failed_with_the_reason_and_kept(world, email_only, caplog):
    event = services.notify("wish.teleported", audience=audiences.users(world.user("member").pk))
    assert services.outbox_relay(event_id=event.pk) == 0
    event.refresh_from_db()
    assert event.status == OutboxEvent.Status.FAILED and "wish.teleported" in event.error
    assert f"outbox {event.pk}" in caplog.text
    assert not Notification.objects.exists()


def test_template_missing_a_placeholder_fails_visibly_before_any_row(world, email_only):
    event = services.notify(
        "notice.broadcast",
        audience=audiences.area_members(world.community_a.pk),
        context={"area": "海城社区"},  # no title, no body
    )
    services.outbox_relay(event_id=event.pk)
    event.refresh_from_db()
    assert event.status == OutboxEvent.Status.FAILED and "title" in event.error
    assert not Notification.objects.filter(event=event).exists()


@pytest.mark.parametrize(
    "audience", [{"kind": "everyone"}, {"kind": "area_members"}, "not a dict", {"kind": "users"}]
)
def test_malformed_audience_fails_visibly(world, email_only, audience):
    event = services.notify("notifications.test", audience=audience)
    services.outbox_relay(event_id=event.pk)
    event.refresh_from_db()
    assert event.status == OutboxEvent.Status.FAILED and event.error


def test_failed_row_can_be_relayed_again_once_fixed(world, email_only):
    event = services.notify("notice.broadcast", audience=audiences.users(world.user("member").pk))
    services.outbox_relay(event_id=event.pk)
    OutboxEvent.objects.filter(pk=event.pk).update(context={"area": "A", "title": "T", "body": "B"})
    services.outbox_retry(event_ids=[event.pk])  # eager: relays at once
    event.refresh_from_db()
    assert event.status == OutboxEvent.Status.RELAYED
    assert Notification.objects.filter(event=event).count() == 1


def test_committed_notify_is_relayed_after_commit(
    world, email_only, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        event = services.notify(
            "notifications.test", audience=audiences.users(world.user("member").pk)
        )
        assert not Notification.objects.exists()  # nothing before commit
    # One relay; the relay itself then queues the recipients' live badge (apps.core.live).
    relays = [c for c in callbacks if getattr(c, "args", ())[:1] == ("outbox_relay",)]
    assert len(relays) == 1
    assert Notification.objects.filter(event=event, recipient=world.user("member")).exists()


def test_rolled_back_notify_leaves_no_row_and_sends_nothing(
    world, email_only, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks(execute=True)
    with capture as callbacks, pytest.raises(RuntimeError), transaction.atomic():
        services.notify("notifications.test", audience=audiences.users(world.user("member").pk))
        raise RuntimeError("the state change failed")
    assert callbacks == []
    assert not OutboxEvent.objects.exists() and not Notification.objects.exists()


def test_publish_failure_is_logged_and_never_raised(world, monkeypatch, caplog):
    from apps.notifications import tasks

    def broker_down(*args, **kwargs):
        raise ConnectionRefusedError("broker down")

    monkeypatch.setattr(tasks.outbox_relay, "apply_async", broker_down)
    services._publish("outbox_relay", 42)
    assert "could not publish outbox_relay" in caplog.text


def test_context_may_hold_dates_and_lazy_strings(world):
    import datetime

    from django.utils.translation import gettext_lazy

    event = services.notify(
        "notifications.test",
        audience=audiences.users(world.user("member").pk),
        context={"on": datetime.date(2026, 11, 24), "label": gettext_lazy("党员")},
    )
    event.refresh_from_db()
    assert event.context == {"on": "2026-11-24", "label": "党员"}


def test_fan_out_in_chunks_reaches_everyone(world, email_only, settings):
    settings.TONGXIN = dict(settings.TONGXIN, NOTIFY_CHUNK_SIZE=7)
    for _ in range(30):
        f.MemberFactory(user=f.UserFactory(), branch=world.branch_a, community=world.community_a)
    event = broadcast(world)
    assert services.outbox_relay(event_id=event.pk) == 32
    assert Notification.objects.filter(event=event).count() == 32


def test_notify_with_an_unknown_event_warns_but_records_the_row(world, caplog):
    event = services.notify("wish.teleported", audience=audiences.users(world.user("member").pk))
    assert OutboxEvent.objects.filter(pk=event.pk).exists()
    assert "unknown event 'wish.teleported'" in caplog.text


def test_a_row_that_keeps_crashing_its_relay_is_given_up_visibly(world, email_only):
    event = broadcast(world)
    OutboxEvent.objects.filter(pk=event.pk).update(attempts=services.RELAY_MAX_ATTEMPTS)
    assert services.outbox_relay(event_id=event.pk) == 0
    event.refresh_from_db()
    assert event.status == OutboxEvent.Status.FAILED and "gave up" in event.error


def test_each_recipient_gets_the_text_in_their_language(world, email_only, temporary_event):
    member, leader = world.user("member"), world.user("group_leader")
    services.preference_update(user=member, language="en")
    event = services.notify(
        temporary_event, audience=audiences.users(member.pk, leader.pk), context={"n": 1}
    )
    services.outbox_relay(event_id=event.pk)
    titles = dict(Notification.objects.values_list("recipient_id", "title"))
    assert titles == {member.pk: "English", leader.pk: "英语"}
