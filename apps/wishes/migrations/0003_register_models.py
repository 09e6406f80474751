"""Wishes point at the register's models (same tables: state only)."""

import django.db.models.deletion
from django.db import migrations, models

from apps.core.migration_ops import state_only


class Migration(migrations.Migration):

    dependencies = [
        ('register', '0001_initial'),
        ('wishes', '0002_load_categories'),
    ]

    operations = [
        state_only(
            migrations.AlterField(
                model_name='claim',
                name='member',
                field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='claims', to='register.member', verbose_name='认领党员'),
            ),
            migrations.AlterField(
                model_name='claim',
                name='organisation',
                field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='claims', to='register.organisation', verbose_name='认领组织'),
            ),
            migrations.AlterField(
                model_name='wish',
                name='area',
                field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='wishes', to='register.area', verbose_name='区域'),
            ),
            migrations.AlterField(
                model_name='wish',
                name='resident',
                field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='wishes', to='register.resident', verbose_name='居民'),
            ),
        ),
    ]
