import datetime as dt

import pytest
from django.utils import timezone

from apps.notifications.models import OutboxEvent
from apps.notifications.reminding import registered, reminder_run
from apps.projects import services
from apps.projects.selectors import quarter_bounds
from tests.projects.conftest import make_project

pytestmark = pytest.mark.django_db


def _at(day):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10)))


def test_owner_reminded_two_weeks_before_quarter_end_once(world):
    project = make_project(world)
    job = registered()["projects.report_due"]
    today = timezone.localdate()
    _first, last = quarter_bounds(today)
    assert reminder_run(job, now=_at(last - dt.timedelta(days=20))) == 0
    assert reminder_run(job, now=_at(last - dt.timedelta(days=10))) == 1
    assert reminder_run(job, now=_at(last - dt.timedelta(days=9))) == 0  # once
    event = OutboxEvent.objects.get(name="project.report_due")
    assert event.audience["ids"] == [project.secretary_id]


def test_no_reminder_once_reported(world):
    project = make_project(world)
    services.report_add(actor=world.user("secretary"), project=project, text="x", percent=5)
    job = registered()["projects.report_due"]
    _first, last = quarter_bounds(timezone.localdate())
    assert reminder_run(job, now=_at(last - dt.timedelta(days=1))) == 0


def test_jurors_reminded_the_day_before_the_deadline(world, make_session, jury_users):
    from apps.projects.models import ReviewSession

    x = make_project(world, title="X", org=world.branch_b)
    session = make_session([x])
    crits = list(session.criteria.values_list("pk", flat=True))
    services.score_set(
        actor=jury_users["resident"], session=session, project_id=x.pk,
        scores=dict.fromkeys(crits, 80),
    )  # fmt: skip
    job = registered()["projects.scoring_due"]
    assert reminder_run(job, now=timezone.now()) == 0  # a week to go
    ReviewSession.objects.filter(pk=session.pk).update(
        deadline=timezone.now() + dt.timedelta(hours=5)
    )
    # The veteran (branch B) is recused from X; the resident has scored; the head has not.
    assert reminder_run(job, now=timezone.now()) == 1
    event = OutboxEvent.objects.get(name="session.scoring_due")
    assert event.audience["ids"] == [jury_users["department"].pk]
