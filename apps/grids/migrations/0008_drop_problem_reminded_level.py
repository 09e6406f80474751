"""Overdue problems are reminded by the notifications registry (apps/grids/reminders.py),
deduped by a ReminderSent row per (problem, level) instead of Problem.reminded_level.

The levels already reminded become ReminderSent rows first, so that nobody is reminded a
second time after the upgrade; going back restores the highest level reminded."""

from django.db import migrations

REMINDER = "grids.problem_overdue"
ONCE = "once"  # apps.notifications.reminding.ONCE


def to_markers(apps, schema_editor):
    Problem = apps.get_model("grids", "Problem")
    ReminderSent = apps.get_model("notifications", "ReminderSent")
    reminded = Problem.objects.filter(reminded_level__isnull=False).values_list(
        "pk", "reminded_level"
    )
    ReminderSent.objects.bulk_create(
        (
            ReminderSent(reminder=REMINDER, object_key=f"{pk}:{level}", period=ONCE)
            for pk, level in reminded.iterator()
        ),
        batch_size=2000,
        ignore_conflicts=True,
    )


def from_markers(apps, schema_editor):
    Problem = apps.get_model("grids", "Problem")
    ReminderSent = apps.get_model("notifications", "ReminderSent")
    highest: dict[int, int] = {}
    for key in ReminderSent.objects.filter(reminder=REMINDER).values_list("object_key", flat=True):
        pk, level = (int(part) for part in key.split(":"))
        highest[pk] = max(level, highest.get(pk, 0))
    for pk, level in highest.items():
        Problem.objects.filter(pk=pk).update(reminded_level=level)
    ReminderSent.objects.filter(reminder=REMINDER).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("grids", "0007_register_and_points_moved_out"),
        ("notifications", "0002_inbox_deliveries_preferences"),
    ]

    operations = [
        migrations.RunPython(to_markers, from_markers),
        migrations.RemoveField(model_name="problem", name="reminded_level"),
    ]
