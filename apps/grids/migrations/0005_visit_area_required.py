import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    # A separate migration (transaction) from the copy: PostgreSQL refuses to ALTER a table
    # with pending deferred-constraint triggers from rows updated in the same transaction.
    dependencies = [("grids", "0004_visit_area")]

    operations = [
        migrations.AlterField(
            model_name="visit",
            name="area",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="visits",
                to="grids.area",
                verbose_name="楼幢",
            ),
        ),
    ]
