# Problems through apps.core.workflow: ProblemEvent gets the common history columns (move,
# `at` instead of `created_at`, verbose names); the per-row levels go, since they are
# `found_level` plus the escalations so far (the reverse replays them).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

STATUS_CHOICES = [
    ("open", "待处理"),
    ("in_progress", "处理中"),
    ("escalated", "已上报"),
    ("resolved", "已解决"),
]
MOVES = {"open": "report", "in_progress": "start", "escalated": "escalate", "resolved": "resolve"}


def backfill_moves(apps, schema_editor):
    ProblemEvent = apps.get_model("grids", "ProblemEvent")
    for to_status, move in MOVES.items():
        ProblemEvent.objects.filter(to_status=to_status).update(move=move)
    # A history row with no previous status is the report, whatever it led to.
    ProblemEvent.objects.filter(from_status="").update(move="report")


def replay_levels(apps, schema_editor):
    """Reverse: each row's levels again, from the problem's found level and its escalations."""
    Problem = apps.get_model("grids", "Problem")
    ProblemEvent = apps.get_model("grids", "ProblemEvent")
    changed = []
    for problem in Problem.objects.iterator(chunk_size=2000):
        level = problem.found_level
        for event in ProblemEvent.objects.filter(problem=problem).order_by("at", "pk"):
            event.from_level = level
            if event.move == "escalate":
                level += 1
            event.to_level = level
            changed.append(event)
    ProblemEvent.objects.bulk_update(changed, ["from_level", "to_level"], batch_size=2000)


class Migration(migrations.Migration):
    # PostgreSQL refuses to ALTER a table with pending trigger events, i.e. after the data
    # steps updated its rows in the same transaction. Each step commits on its own instead
    # (the data steps each in their own transaction).
    atomic = False

    dependencies = [
        ("grids", "0008_drop_problem_reminded_level"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="problemevent",
            name="move",
            field=models.CharField(default="", max_length=30, verbose_name="操作"),
            preserve_default=False,
        ),
        migrations.RunPython(backfill_moves, migrations.RunPython.noop, atomic=True),
        migrations.RenameField(model_name="problemevent", old_name="created_at", new_name="at"),
        migrations.AlterField(
            model_name="problemevent",
            name="at",
            field=models.DateTimeField(auto_now_add=True, verbose_name="时间"),
        ),
        migrations.AlterField(
            model_name="problemevent",
            name="actor",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="操作人",
            ),
        ),
        migrations.AlterField(
            model_name="problemevent",
            name="from_status",
            field=models.CharField(
                blank=True, choices=STATUS_CHOICES, max_length=20, verbose_name="原状态"
            ),
        ),
        migrations.AlterField(
            model_name="problemevent",
            name="to_status",
            field=models.CharField(choices=STATUS_CHOICES, max_length=20, verbose_name="新状态"),
        ),
        migrations.AlterField(
            model_name="problemevent",
            name="note",
            field=models.TextField(blank=True, verbose_name="说明"),
        ),
        migrations.AlterField(
            model_name="problemevent",
            name="problem",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="events",
                to="grids.problem",
                verbose_name="问题",
            ),
        ),
        # A default for the levels only so that the reverse can add the columns back to
        # existing rows before `replay_levels` fills them in.
        migrations.AlterField(
            model_name="problemevent",
            name="from_level",
            field=models.PositiveSmallIntegerField(default=1),
        ),
        migrations.AlterField(
            model_name="problemevent",
            name="to_level",
            field=models.PositiveSmallIntegerField(default=1),
        ),
        migrations.RunPython(migrations.RunPython.noop, replay_levels, atomic=True),
        migrations.RemoveField(model_name="problemevent", name="from_level"),
        migrations.RemoveField(model_name="problemevent", name="to_level"),
        migrations.AlterModelOptions(
            name="problemevent",
            options={
                "ordering": ["at", "pk"],
                "verbose_name": "问题处理记录",
                "verbose_name_plural": "问题处理记录",
            },
        ),
        migrations.AddIndex(
            model_name="problemevent",
            index=models.Index(fields=["problem", "at"], name="problemevent_problem_at"),
        ),
    ]
