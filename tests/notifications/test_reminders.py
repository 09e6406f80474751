"""Reminder jobs: registered functions, run on the beat, once per (reminder, object, period)."""

from datetime import datetime, timedelta

import pytest

from apps.notifications import reminding
from apps.notifications.audiences import users
from apps.notifications.models import Notification, OutboxEvent, ReminderSent
from apps.notifications.quiet import SHANGHAI

MORNING = datetime(2026, 11, 24, 9, 30, tzinfo=SHANGHAI)


@pytest.fixture
def stale_unread(world):
    member = world.user("member")
    for n in range(3):
        event = OutboxEvent.objects.create(name="notifications.test", audience=users(member.pk))
        Notification.objects.create(event=event, recipient=member, title=f"m{n}")
    Notification.objects.filter(recipient=member).update(created_at=MORNING - timedelta(days=2))
    return member


def unread_reminders():
    return OutboxEvent.objects.filter(name="notifications.unread_reminder")


def test_the_unread_reminder_is_registered_on_the_beat(settings):
    assert "notifications.unread" in reminding.registered()
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "apps.notifications.tasks.reminders_run" in tasks


def test_a_reminder_that_runs_twice_sends_once(stale_unread):
    assert reminding.reminders_run(now=MORNING) == 1
    assert reminding.reminders_run(now=MORNING + timedelta(hours=3)) == 0
    (event,) = unread_reminders()
    assert event.audience == users(stale_unread.pk) and event.context == {"count": 3}
    assert ReminderSent.objects.get().event == event


def test_the_next_period_sends_again(stale_unread):
    reminding.reminders_run(now=MORNING)
    reminding.reminders_run(now=MORNING + timedelta(days=1))
    assert unread_reminders().count() == 2


def test_reminders_wait_for_their_hour(stale_unread):
    assert reminding.reminders_run(now=MORNING.replace(hour=8, minute=59)) == 0
    assert not unread_reminders().exists()


def test_a_concurrent_run_that_lost_the_race_sends_nothing(stale_unread):
    job = reminding.registered()["notifications.unread"]
    period = reminding.period_key(job.period, MORNING)
    # another run inserted the dedupe row after this run read the "seen" set
    ReminderSent.objects.create(reminder=job.name, object_key=str(stale_unread.pk), period=period)
    due = next(iter(job.find(MORNING)))
    assert reminding._send_once(job, due, period) is False
    assert not unread_reminders().exists()


def test_period_keys():
    assert reminding.period_key(reminding.DAY, MORNING) == "2026-11-24"
    assert reminding.period_key(reminding.WEEK, MORNING) == "2026-W48"
    assert reminding.period_key(reminding.MONTH, MORNING) == "2026-11"
    # 23:30 UTC on the 30th is already the 1st in Shanghai
    late = datetime(2026, 11, 30, 23, 30, tzinfo=SHANGHAI).astimezone(SHANGHAI)
    assert reminding.period_key(reminding.MONTH, late) == "2026-11"


def test_other_apps_register_with_the_decorator(world):
    calls = []

    @reminding.reminder("tests.every_member", event="notifications.test", period=reminding.WEEK)
    def every_member(now):
        calls.append(now)
        yield reminding.Due(key="m1", audience=users(world.user("member").pk))

    try:
        assert reminding.reminders_run(now=MORNING) == 1
        assert reminding.reminders_run(now=MORNING + timedelta(days=2)) == 0  # same ISO week
        assert len(calls) == 2
    finally:
        reminding._REGISTRY.pop("tests.every_member")


def test_unknown_period_is_refused():
    with pytest.raises(ValueError):
        reminding.reminder("x", event="notifications.test", period="fortnight")
