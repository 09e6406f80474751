import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_building(apps, schema_editor):
    Visit = apps.get_model("grids", "Visit")
    Household = apps.get_model("grids", "Household")
    Visit.objects.filter(area__isnull=True).update(
        area=Subquery(Household.objects.filter(pk=OuterRef("household_id")).values("area_id")[:1])
    )


class Migration(migrations.Migration):
    dependencies = [("grids", "0003_seed_points_rules")]

    operations = [
        migrations.AddField(
            model_name="visit",
            name="area",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="visits",
                to="grids.area",
                verbose_name="楼幢",
            ),
        ),
        migrations.RunPython(copy_building, migrations.RunPython.noop),
    ]
