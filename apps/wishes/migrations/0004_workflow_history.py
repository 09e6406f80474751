# Wishes and claims through apps.core.workflow: WishEvent gets the move, ClaimEvent is new.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


# Existing history rows get the move that made them. claimed -> published was a release or
# an expiry; only the expiry wrote this note (the service's msgid, stored untranslated).
EXPIRY_NOTE = "认领超时未完成，心愿已重新发布。"
MOVES = {
    ("", "submitted"): "submit",
    ("submitted", "published"): "publish",
    ("submitted", "rejected"): "reject",
    ("submitted", "withdrawn"): "withdraw",
    ("published", "withdrawn"): "withdraw",
    ("published", "claimed"): "claim",
    ("claimed", "published"): "release",
    ("claimed", "fulfilled"): "fulfil",
    ("fulfilled", "closed"): "confirm",
}
CLAIM_ENDS = {"released": "release", "expired": "expire", "fulfilled": "fulfil"}


def backfill_moves(apps, schema_editor):
    WishEvent = apps.get_model("wishes", "WishEvent")
    for (from_status, to_status), move in MOVES.items():
        WishEvent.objects.filter(from_status=from_status, to_status=to_status).update(move=move)
    WishEvent.objects.filter(from_status="claimed", to_status="published", note=EXPIRY_NOTE).update(
        move="expire"
    )


def backfill_claim_history(apps, schema_editor):
    """Claims made before the history existed get their "claim" row and, when ended, the
    row of their end, stamped with the claim's own times."""
    Claim = apps.get_model("wishes", "Claim")
    ClaimEvent = apps.get_model("wishes", "ClaimEvent")
    rows, times = [], []
    for claim in Claim.objects.iterator(chunk_size=2000):
        rows.append(
            ClaimEvent(claim=claim, move="claim", to_status="active", actor_id=claim.claimant_id)
        )
        times.append(claim.created_at)
        if claim.status in CLAIM_ENDS:
            rows.append(
                ClaimEvent(
                    claim=claim,
                    move=CLAIM_ENDS[claim.status],
                    from_status="active",
                    to_status=claim.status,
                    note=claim.fulfil_note,
                )
            )
            times.append(claim.fulfilled_at or claim.ended_at or claim.created_at)
    ClaimEvent.objects.bulk_create(rows, batch_size=2000)
    for row, at in zip(rows, times, strict=True):  # auto_now_add stamped "now"
        row.at = at
    ClaimEvent.objects.bulk_update(rows, ["at"], batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [
        ("wishes", "0003_register_models"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="wishevent",
            name="move",
            field=models.CharField(default="", max_length=30, verbose_name="操作"),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="wishevent",
            name="note",
            field=models.TextField(blank=True, verbose_name="说明"),
        ),
        migrations.CreateModel(
            name="ClaimEvent",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("move", models.CharField(max_length=30, verbose_name="操作")),
                ("note", models.TextField(blank=True, verbose_name="说明")),
                ("at", models.DateTimeField(auto_now_add=True, verbose_name="时间")),
                (
                    "from_status",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("active", "进行中"),
                            ("released", "已放弃"),
                            ("expired", "已超时"),
                            ("fulfilled", "已完成"),
                        ],
                        max_length=20,
                        verbose_name="原状态",
                    ),
                ),
                (
                    "to_status",
                    models.CharField(
                        choices=[
                            ("active", "进行中"),
                            ("released", "已放弃"),
                            ("expired", "已超时"),
                            ("fulfilled", "已完成"),
                        ],
                        max_length=20,
                        verbose_name="新状态",
                    ),
                ),
                (
                    "actor",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="操作人",
                    ),
                ),
                (
                    "claim",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="events",
                        to="wishes.claim",
                        verbose_name="认领",
                    ),
                ),
            ],
            options={
                "verbose_name": "认领记录",
                "verbose_name_plural": "认领记录",
                "ordering": ["at", "pk"],
                "abstract": False,
                "indexes": [models.Index(fields=["claim", "at"], name="claimevent_claim_at")],
            },
        ),
        migrations.RunPython(backfill_moves, migrations.RunPython.noop),
        migrations.RunPython(backfill_claim_history, migrations.RunPython.noop),
    ]
