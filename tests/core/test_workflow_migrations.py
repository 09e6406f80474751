"""The workflow-history migrations keep existing history: moves are backfilled from the old
rows, and going back restores a problem's per-row levels from its escalations."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [
    ("wishes", "0003_register_models"),
    ("grids", "0007_register_and_points_moved_out"),
    ("rosters", "0001_import_job"),
]
AFTER = [
    ("wishes", "0004_workflow_history"),
    ("grids", "0009_problem_workflow_history"),
    ("rosters", "0002_import_job_history"),
]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


@pytest.fixture
def old_apps(world):
    try:
        yield _migrate(BEFORE)
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def _old_problem_with_history(old_apps, world):
    Problem = old_apps.get_model("grids", "Problem")
    ProblemEvent = old_apps.get_model("grids", "ProblemEvent")
    problem = Problem.objects.create(
        area_id=world.building_a.pk,
        category="other",
        title="t",
        status="resolved",
        level=3,
        due_at=timezone.now() + dt.timedelta(days=3),
    )
    for from_status, to_status, from_level, to_level in [
        ("", "open", 1, 1),
        ("open", "escalated", 1, 2),
        ("escalated", "in_progress", 2, 2),
        ("in_progress", "escalated", 2, 3),
        ("escalated", "resolved", 3, 3),
    ]:
        ProblemEvent.objects.create(
            problem=problem,
            from_status=from_status,
            to_status=to_status,
            from_level=from_level,
            to_level=to_level,
        )
    return problem.pk


def test_problem_history_gets_moves_and_going_back_restores_levels(old_apps, world):
    pk = _old_problem_with_history(old_apps, world)

    new_apps = _migrate(AFTER)
    rows = new_apps.get_model("grids", "ProblemEvent").objects.filter(problem_id=pk)
    moves = list(rows.order_by("at", "pk").values_list("move", flat=True))
    assert moves == ["report", "escalate", "start", "escalate", "resolve"]

    back = _migrate(BEFORE)
    rows = back.get_model("grids", "ProblemEvent").objects.filter(problem_id=pk)
    levels = list(rows.order_by("created_at", "pk").values_list("from_level", "to_level"))
    assert levels == [(1, 1), (1, 2), (2, 2), (2, 3), (3, 3)]


def test_wish_history_gets_moves_and_claims_get_their_history(old_apps, world):
    Wish = old_apps.get_model("wishes", "Wish")
    WishEvent = old_apps.get_model("wishes", "WishEvent")
    Claim = old_apps.get_model("wishes", "Claim")
    Resident = old_apps.get_model("register", "Resident")
    wish = Wish.objects.create(
        resident=Resident.objects.get(user_id=world.user("resident").pk),
        area_id=world.building_a.pk,
        title="t",
        category=old_apps.get_model("wishes", "WishCategory").objects.create(name="便民服务"),
        status="published",
    )
    for from_status, to_status, note in [
        ("", "submitted", ""),
        ("submitted", "published", ""),
        ("published", "claimed", ""),
        ("claimed", "published", "认领超时未完成，心愿已重新发布。"),
        ("published", "claimed", ""),
        ("claimed", "published", "临时出差"),
    ]:
        WishEvent.objects.create(wish=wish, from_status=from_status, to_status=to_status, note=note)
    member = old_apps.get_model("register", "Member").objects.get(user_id=world.user("member").pk)
    Claim.objects.create(wish=wish, member=member, claimant_id=member.user_id, status="released")

    new_apps = _migrate(AFTER)
    events = new_apps.get_model("wishes", "WishEvent").objects.filter(wish_id=wish.pk)
    moves = list(events.order_by("at", "pk").values_list("move", flat=True))
    assert moves == ["submit", "publish", "claim", "expire", "claim", "release"]
    claim_events = new_apps.get_model("wishes", "ClaimEvent").objects.order_by("at", "pk")
    assert list(claim_events.values_list("move", "to_status")) == [
        ("claim", "active"),
        ("release", "released"),
    ]
