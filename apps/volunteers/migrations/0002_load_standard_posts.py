import json
from pathlib import Path

from django.db import migrations

FIXTURE = Path(__file__).resolve().parents[3] / "fixtures" / "standard_posts.json"


def _rows():
    return [row["fields"] for row in json.loads(FIXTURE.read_text(encoding="utf-8"))]


def load(apps, schema_editor):
    StandardPost = apps.get_model("volunteers", "StandardPost")
    for fields in _rows():
        StandardPost.objects.update_or_create(
            name=fields["name"],
            defaults={"category": fields["category"], "skills": fields["skills"], "order": fields["order"]},
        )


def unload(apps, schema_editor):
    StandardPost = apps.get_model("volunteers", "StandardPost")
    StandardPost.objects.filter(name__in=[f["name"] for f in _rows()], posts__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("volunteers", "0001_posts_registrations_activities")]

    operations = [migrations.RunPython(load, unload)]
