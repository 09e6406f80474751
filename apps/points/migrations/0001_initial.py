"""The points ledger, moved from `grids` with its tables (`grids_points*`, Meta.db_table):
only Django's state changes, and the content types follow the models."""

import django.db.models.deletion
from django.db import migrations, models

from apps.core.migration_ops import relabel_content_types, state_only


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('grids', '0006_drop_reminder_run'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('register', '0001_initial'),
    ]

    operations = [
        state_only(
            migrations.CreateModel(
                name='PointsRule',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('code', models.SlugField(max_length=40, unique=True, verbose_name='规则代码')),
                    ('name', models.CharField(max_length=100, verbose_name='名称')),
                    ('points', models.IntegerField(verbose_name='积分')),
                    ('active', models.BooleanField(default=True, verbose_name='启用')),
                ],
                options={
                    'verbose_name': '积分规则',
                    'verbose_name_plural': '积分规则',
                    'db_table': 'grids_pointsrule',
                },
            ),
            migrations.CreateModel(
                name='PointsEntry',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('points', models.IntegerField(verbose_name='积分')),
                    ('source_id', models.PositiveBigIntegerField(blank=True, null=True)),
                    ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='时间')),
                    ('member', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='points_entries', to='register.member', verbose_name='党员')),
                    ('source_type', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='contenttypes.contenttype')),
                    ('rule', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='entries', to='points.pointsrule', verbose_name='规则')),
                ],
                options={
                    'verbose_name': '积分记录',
                    'verbose_name_plural': '积分记录',
                    'db_table': 'grids_pointsentry',
                    'indexes': [models.Index(fields=['member', 'created_at'], name='points_member_at')],
                    'constraints': [models.UniqueConstraint(fields=('member', 'rule', 'source_type', 'source_id'), name='points_once_per_source')],
                },
            ),
        ),
        relabel_content_types('grids', 'points', ['pointsrule', 'pointsentry']),
    ]
