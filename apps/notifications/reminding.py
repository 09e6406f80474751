"""Reminder jobs: periodic checks other apps register, run by Celery beat.

In `apps/<app>/reminders.py`:

    @reminder("wishes.claim_overdue", event="wish.claim_overdue", period=DAY)
    def overdue_claims(now):
        for claim in Claim.objects.overdue(now):
            yield Due(key=claim.pk, audience=users(claim.member.user_id), context={...})

Beat runs every registered reminder every few minutes (from `not_before`, local time).
Each (reminder, object, period) is sent at most once: a `ReminderSent` row with a unique
key is written in the same transaction as the outbox row, so a job that runs twice, or
two beats running at once, send nothing twice. With `period=ONCE` a key is sent once
ever: put what should send it again in the key (`f"{problem.pk}:{problem.level}"`).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, time

from django.db import transaction
from django.utils import timezone

from apps.core.discovery import app_modules

from .models import ReminderSent
from .quiet import SHANGHAI
from .services import notify

DAY, WEEK, MONTH, ONCE = "day", "week", "month", "once"


@dataclass(frozen=True)
class Due:
    key: str | int  # the object the reminder is about (a claim id, a pairing id ...)
    audience: dict
    context: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Reminder:
    name: str
    event: str
    period: str
    find: Callable[[datetime], Iterable[Due]]
    not_before: time


_REGISTRY: dict[str, Reminder] = {}


def reminder(name: str, *, event: str, period: str = DAY, not_before: time = time(9, 0)):
    """Register `fn(now) -> iterable of Due` as reminder `name` sending `event`."""
    if period not in (DAY, WEEK, MONTH, ONCE):
        raise ValueError(f"unknown reminder period {period!r}")

    def register(fn):
        _REGISTRY[name] = Reminder(name, event, period, fn, not_before)
        return fn

    return register


def registered() -> dict[str, Reminder]:
    app_modules("reminders")  # importing registers them
    return _REGISTRY


def period_key(period: str, now: datetime) -> str:
    if period == ONCE:
        return ONCE
    local = now.astimezone(SHANGHAI)
    if period == DAY:
        return local.strftime("%Y-%m-%d")
    if period == WEEK:
        year, week, _ = local.isocalendar()
        return f"{year}-W{week:02d}"
    return local.strftime("%Y-%m")


def _send_once(job: Reminder, due: Due, period: str) -> bool:
    with transaction.atomic():
        marker, created = ReminderSent.objects.get_or_create(
            reminder=job.name, object_key=str(due.key), period=period
        )
        if not created:
            return False  # another run got there first
        marker.event = notify(job.event, audience=due.audience, context=due.context)
        marker.save(update_fields=["event"])
    return True


def reminder_run(job: Reminder, *, now: datetime) -> int:
    period = period_key(job.period, now)
    done = ReminderSent.objects.filter(reminder=job.name, period=period)
    seen = set(done.values_list("object_key", flat=True))
    sent = 0
    for due in job.find(now):
        if str(due.key) not in seen:
            sent += _send_once(job, due, period)
    return sent


def reminders_run(*, now: datetime | None = None) -> int:
    now = now or timezone.now()
    clock = now.astimezone(SHANGHAI).time()
    return sum(
        reminder_run(job, now=now) for job in registered().values() if clock >= job.not_before
    )
