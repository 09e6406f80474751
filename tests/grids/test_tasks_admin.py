import datetime as dt

import pytest
from django.utils import timezone

from apps.grids import services, tasks
from apps.grids.models import Problem
from apps.notifications.models import OutboxEvent

pytestmark = pytest.mark.django_db


def test_tasks_are_safe_to_run_twice(world, vulnerable, leader_member, households):
    services.pairing_create(
        actor=world.user("grid_worker"), helper=leader_member, resident=vulnerable()
    )
    month = timezone.localdate().strftime("%Y-%m")
    assert tasks.remind_unvisited_pairings.delay(month).get() == 1
    assert tasks.remind_unvisited_pairings.delay(month).get() == 0
    Problem.objects.create(
        area=world.building_a,
        category="other",
        title="t",
        due_at=timezone.now() - dt.timedelta(days=1),
    )
    assert tasks.remind_overdue_problems.delay().get() == 1
    assert tasks.remind_overdue_problems.delay().get() == 0
    assert (
        OutboxEvent.objects.filter(name__in=["pairing.unvisited", "problem.overdue"]).count() == 2
    )


@pytest.mark.parametrize(
    "model", ["responsibilitygroup", "visit", "problem", "pairing", "pointsrule", "pointsentry"]
)
def test_admin_changelists_load(admin_client, model):
    assert admin_client.get(f"/admin/grids/{model}/").status_code == 200


def test_every_event_has_a_title_and_body():
    from apps.grids.events import EVENTS

    assert set(EVENTS) == {
        "problem.escalated",
        "problem.resolved",
        "problem.overdue",
        "pairing.unvisited",
    }
    assert all({"title", "body"} <= set(texts) for texts in EVENTS.values())
