"""0008 turns Problem.reminded_level into the reminder registry's dedupe rows, and back."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("grids", "0007_register_and_points_moved_out")]
AFTER = [("grids", "0008_drop_problem_reminded_level")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_reminded_levels_become_reminder_rows_and_come_back():
    old = _migrate(BEFORE)
    area = old.get_model("register", "Area").objects.create(
        path="9001", depth=1, numchild=0, name="楼", kind="building"
    )
    Problem = old.get_model("grids", "Problem")
    fields = {"area": area, "category": "other", "title": "t", "due_at": timezone.now()}
    reminded = Problem.objects.create(**fields, level=2, reminded_level=2)
    Problem.objects.create(**fields, level=1, reminded_level=None)
    try:
        new = _migrate(AFTER)
        rows = new.get_model("notifications", "ReminderSent").objects.values_list(
            "reminder", "object_key", "period"
        )
        assert list(rows) == [("grids.problem_overdue", f"{reminded.pk}:2", "once")]
        back = _migrate(BEFORE).get_model("grids", "Problem")
        assert back.objects.get(pk=reminded.pk).reminded_level == 2
    finally:
        # Leave the schema as the other tests expect: every app at its latest migration.
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
