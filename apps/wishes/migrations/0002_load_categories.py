import json
from pathlib import Path

from django.db import migrations

FIXTURE = Path(__file__).resolve().parents[3] / "fixtures" / "wish_categories.json"


def _names():
    return [row["fields"] for row in json.loads(FIXTURE.read_text(encoding="utf-8"))]


def load(apps, schema_editor):
    WishCategory = apps.get_model("wishes", "WishCategory")
    for fields in _names():
        WishCategory.objects.update_or_create(name=fields["name"], defaults={"order": fields["order"]})


def unload(apps, schema_editor):
    WishCategory = apps.get_model("wishes", "WishCategory")
    WishCategory.objects.filter(name__in=[f["name"] for f in _names()], wishes__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("wishes", "0001_wish_lifecycle")]

    operations = [migrations.RunPython(load, unload)]
