"""Role assignments point at the register's models (same tables: state only)."""

import django.db.models.deletion
from django.db import migrations, models

from apps.core.migration_ops import state_only


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0002_initial'),
        ('register', '0001_initial'),
    ]

    operations = [
        state_only(
            migrations.AlterField(
                model_name='roleassignment',
                name='area',
                field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='role_assignments', to='register.area', verbose_name='区域节点'),
            ),
            migrations.AlterField(
                model_name='roleassignment',
                name='party_org',
                field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='role_assignments', to='register.partyorg', verbose_name='党组织节点'),
            ),
        ),
    ]
