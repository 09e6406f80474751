"""The register and the points ledger moved to their own apps: field work points at them
and grids forgets them (the tables stay: state only)."""

import django.db.models.deletion
from django.db import migrations, models

from apps.core.migration_ops import state_only


class Migration(migrations.Migration):

    dependencies = [
        ('points', '0001_initial'),
        ('accounts', '0003_role_nodes_in_register'),
        ('grids', '0006_drop_reminder_run'),
        ('register', '0001_initial'),
        ('wishes', '0003_register_models'),
    ]

    operations = [
        state_only(
            migrations.RemoveField(
                model_name='member',
                name='residence',
            ),
            migrations.RemoveField(
                model_name='organisation',
                name='area',
            ),
            migrations.RemoveField(
                model_name='household',
                name='area',
            ),
            migrations.AlterField(
                model_name='responsibilitygroup',
                name='grid',
                field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='responsibility_groups', to='register.area', verbose_name='网格'),
            ),
            migrations.RemoveField(
                model_name='partyorg',
                name='area',
            ),
            migrations.RemoveField(
                model_name='member',
                name='community',
            ),
            migrations.AlterField(
                model_name='visit',
                name='area',
                field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='visits', to='register.area', verbose_name='楼幢'),
            ),
            migrations.AlterField(
                model_name='problem',
                name='area',
                field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='problems', to='register.area', verbose_name='楼幢'),
            ),
            migrations.AlterField(
                model_name='grouphousehold',
                name='household',
                field=models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='group_coverage', to='register.household', verbose_name='户'),
            ),
            migrations.RemoveField(
                model_name='resident',
                name='household',
            ),
            migrations.AlterField(
                model_name='problem',
                name='household',
                field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='problems', to='register.household', verbose_name='户'),
            ),
            migrations.AlterField(
                model_name='visit',
                name='household',
                field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='visits', to='register.household', verbose_name='户'),
            ),
            migrations.RemoveField(
                model_name='member',
                name='branch',
            ),
            migrations.RemoveField(
                model_name='member',
                name='user',
            ),
            migrations.AlterField(
                model_name='visit',
                name='member',
                field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='visits', to='register.member', verbose_name='走访党员'),
            ),
            migrations.RemoveField(
                model_name='pointsentry',
                name='member',
            ),
            migrations.AlterField(
                model_name='responsibilitygroup',
                name='leader',
                field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='led_groups', to='register.member', verbose_name='组长'),
            ),
            migrations.AlterField(
                model_name='pairing',
                name='helper',
                field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='pairings', to='register.member', verbose_name='服务员'),
            ),
            migrations.AlterField(
                model_name='groupmembership',
                name='member',
                field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='group_memberships', to='register.member'),
            ),
            migrations.RemoveField(
                model_name='organisation',
                name='representatives',
            ),
            migrations.RemoveField(
                model_name='pointsentry',
                name='rule',
            ),
            migrations.RemoveField(
                model_name='pointsentry',
                name='source_type',
            ),
            migrations.RemoveField(
                model_name='resident',
                name='user',
            ),
            migrations.AlterField(
                model_name='pairing',
                name='resident',
                field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='pairings', to='register.resident', verbose_name='结对对象'),
            ),
            migrations.AlterField(
                model_name='responsibilitygroup',
                name='members',
                field=models.ManyToManyField(related_name='responsibility_groups', through='grids.GroupMembership', to='register.member', verbose_name='组员'),
            ),
            migrations.DeleteModel(
                name='Area',
            ),
            migrations.DeleteModel(
                name='Household',
            ),
            migrations.DeleteModel(
                name='PartyOrg',
            ),
            migrations.DeleteModel(
                name='Member',
            ),
            migrations.DeleteModel(
                name='Organisation',
            ),
            migrations.DeleteModel(
                name='PointsRule',
            ),
            migrations.DeleteModel(
                name='PointsEntry',
            ),
            migrations.DeleteModel(
                name='Resident',
            ),
        ),
    ]
