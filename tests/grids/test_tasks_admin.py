import datetime as dt

import pytest
from django.utils import timezone

from apps.grids import tasks
from apps.grids.models import Problem
from apps.notifications.models import OutboxEvent

pytestmark = pytest.mark.django_db


def test_overdue_problem_task_is_safe_to_run_twice(world):
    Problem.objects.create(
        area=world.building_a,
        category="other",
        title="t",
        due_at=timezone.now() - dt.timedelta(days=1),
    )
    assert tasks.remind_overdue_problems.delay().get() == 1
    assert tasks.remind_overdue_problems.delay().get() == 0
    assert OutboxEvent.objects.filter(name="problem.overdue").count() == 1


@pytest.mark.parametrize(
    "model",
    [
        "grids/responsibilitygroup",
        "grids/visit",
        "grids/problem",
        "grids/pairing",
        "points/pointsrule",
        "points/pointsentry",
    ],
)
def test_admin_changelists_load(admin_client, model):
    assert admin_client.get(f"/admin/{model}/").status_code == 200


def test_every_event_has_a_title_and_body():
    from apps.grids.events import EVENTS

    assert set(EVENTS) == {
        "problem.escalated",
        "problem.resolved",
        "problem.overdue",
        "pairing.unvisited",
    }
    assert all({"title", "body"} <= set(texts) for texts in EVENTS.values())
