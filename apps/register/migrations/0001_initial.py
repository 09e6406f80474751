"""The register's models, moved from `grids` with their tables (`grids_*`, Meta.db_table):
only Django's state changes, and the content types follow the models."""

import apps.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from apps.core.migration_ops import relabel_content_types, state_only


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('grids', '0006_drop_reminder_run'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        state_only(
            migrations.CreateModel(
                name='Area',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('path', models.CharField(max_length=255, unique=True)),
                    ('depth', models.PositiveIntegerField()),
                    ('numchild', models.PositiveIntegerField(default=0)),
                    ('name', models.CharField(max_length=100, verbose_name='名称')),
                    ('kind', models.CharField(choices=[('district', '区'), ('street', '街道'), ('community', '社区'), ('grid', '网格'), ('building', '楼幢')], max_length=20, verbose_name='类型')),
                    ('code', models.CharField(blank=True, max_length=50, verbose_name='编码')),
                ],
                options={
                    'verbose_name': '区域',
                    'verbose_name_plural': '区域',
                    'db_table': 'grids_area',
                    'indexes': [models.Index(fields=['path'], name='area_path_like', opclasses=['varchar_pattern_ops'])],
                },
            ),
            migrations.CreateModel(
                name='Household',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='创建时间')),
                    ('updated_at', models.DateTimeField(auto_now=True, verbose_name='更新时间')),
                    ('address', models.CharField(blank=True, max_length=200, verbose_name='地址')),
                    ('unit', models.CharField(blank=True, max_length=20, verbose_name='单元')),
                    ('room', models.CharField(max_length=20, verbose_name='室')),
                    ('area', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='households', to='register.area', verbose_name='楼幢')),
                ],
                options={
                    'verbose_name': '户',
                    'verbose_name_plural': '户',
                    'db_table': 'grids_household',
                },
            ),
            migrations.CreateModel(
                name='Organisation',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='创建时间')),
                    ('updated_at', models.DateTimeField(auto_now=True, verbose_name='更新时间')),
                    ('name', models.CharField(max_length=100, verbose_name='名称')),
                    ('kind', models.CharField(choices=[('enterprise', '企业'), ('social', '社会组织')], max_length=20, verbose_name='类型')),
                    ('credit_code', models.CharField(blank=True, max_length=18, verbose_name='统一社会信用代码')),
                    ('contact_name', models.CharField(blank=True, max_length=50, verbose_name='联系人')),
                    ('contact_phone', models.CharField(blank=True, max_length=11, validators=[apps.core.validators.validate_phone], verbose_name='联系电话')),
                    ('wish_notifications', models.BooleanField(default=False, verbose_name='接收微心愿推送')),
                    ('area', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='organisations', to='register.area', verbose_name='所在区域')),
                    ('representatives', models.ManyToManyField(blank=True, related_name='organisations', to=settings.AUTH_USER_MODEL, verbose_name='代表')),
                ],
                options={
                    'verbose_name': '两新组织',
                    'verbose_name_plural': '两新组织',
                    'db_table': 'grids_organisation',
                },
            ),
            migrations.CreateModel(
                name='PartyOrg',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('path', models.CharField(max_length=255, unique=True)),
                    ('depth', models.PositiveIntegerField()),
                    ('numchild', models.PositiveIntegerField(default=0)),
                    ('name', models.CharField(max_length=100, verbose_name='名称')),
                    ('kind', models.CharField(choices=[('working_committee', '党工委'), ('committee', '党委'), ('general_branch', '党总支'), ('branch', '党支部'), ('group', '党小组')], max_length=20, verbose_name='类型')),
                    ('area', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='party_orgs', to='register.area', verbose_name='所在区域')),
                ],
                options={
                    'verbose_name': '党组织',
                    'verbose_name_plural': '党组织',
                    'db_table': 'grids_partyorg',
                },
            ),
            migrations.CreateModel(
                name='Member',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='创建时间')),
                    ('updated_at', models.DateTimeField(auto_now=True, verbose_name='更新时间')),
                    ('name', models.CharField(max_length=50, verbose_name='姓名')),
                    ('gender', models.CharField(blank=True, choices=[('male', '男'), ('female', '女')], max_length=10, verbose_name='性别')),
                    ('phone', models.CharField(blank=True, max_length=11, validators=[apps.core.validators.validate_phone], verbose_name='手机号')),
                    ('id_number', models.CharField(blank=True, max_length=18, validators=[apps.core.validators.validate_id_number], verbose_name='身份证号')),
                    ('kind', models.CharField(choices=[('employed', '在职'), ('retired', '离退休'), ('mobile', '流动'), ('activist', '入党积极分子')], max_length=20, verbose_name='党员类型')),
                    ('joined_on', models.DateField(blank=True, null=True, verbose_name='入党日期')),
                    ('community', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='members', to='register.area', verbose_name='报到社区')),
                    ('residence', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='resident_members', to='register.area', verbose_name='居住网格/楼幢')),
                    ('user', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='member', to=settings.AUTH_USER_MODEL, verbose_name='登录账号')),
                    ('branch', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='members', to='register.partyorg', verbose_name='所在支部')),
                ],
                options={
                    'verbose_name': '党员',
                    'verbose_name_plural': '党员',
                    'db_table': 'grids_member',
                },
            ),
            migrations.CreateModel(
                name='Resident',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='创建时间')),
                    ('updated_at', models.DateTimeField(auto_now=True, verbose_name='更新时间')),
                    ('name', models.CharField(max_length=50, verbose_name='姓名')),
                    ('gender', models.CharField(blank=True, choices=[('male', '男'), ('female', '女')], max_length=10, verbose_name='性别')),
                    ('phone', models.CharField(blank=True, max_length=11, validators=[apps.core.validators.validate_phone], verbose_name='手机号')),
                    ('id_number', models.CharField(blank=True, max_length=18, validators=[apps.core.validators.validate_id_number], verbose_name='身份证号')),
                    ('low_income', models.BooleanField(default=False, verbose_name='低收入')),
                    ('lives_alone', models.BooleanField(default=False, verbose_name='独居')),
                    ('disabled', models.BooleanField(default=False, verbose_name='残疾')),
                    ('seriously_ill', models.BooleanField(default=False, verbose_name='大病')),
                    ('elderly', models.BooleanField(default=False, verbose_name='高龄')),
                    ('hardship_note', models.TextField(blank=True, verbose_name='困难情况说明')),
                    ('vulnerable', models.GeneratedField(db_persist=True, expression=models.Case(models.When(models.Q(('low_income', True), ('lives_alone', True), ('disabled', True), ('seriously_ill', True), ('elderly', True), _connector='OR'), then=models.Value(True)), default=models.Value(False)), output_field=models.BooleanField(), verbose_name='困难群众')),
                    ('household', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='residents', to='register.household', verbose_name='户')),
                    ('user', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='resident', to=settings.AUTH_USER_MODEL, verbose_name='登录账号')),
                ],
                options={
                    'verbose_name': '居民',
                    'verbose_name_plural': '居民',
                    'db_table': 'grids_resident',
                },
            ),
            migrations.AddConstraint(
                model_name='household',
                constraint=models.UniqueConstraint(fields=('area', 'unit', 'room'), name='household_unique_room'),
            ),
            migrations.AddConstraint(
                model_name='organisation',
                constraint=models.UniqueConstraint(condition=models.Q(('credit_code', ''), _negated=True), fields=('credit_code',), name='org_unique_credit_code'),
            ),
            migrations.AddIndex(
                model_name='partyorg',
                index=models.Index(fields=['path'], name='partyorg_path_like', opclasses=['varchar_pattern_ops']),
            ),
            migrations.AddConstraint(
                model_name='member',
                constraint=models.UniqueConstraint(condition=models.Q(('phone', ''), _negated=True), fields=('phone',), name='member_unique_phone'),
            ),
            migrations.AddConstraint(
                model_name='member',
                constraint=models.UniqueConstraint(condition=models.Q(('id_number', ''), _negated=True), fields=('id_number',), name='member_unique_id_number'),
            ),
            migrations.AddConstraint(
                model_name='resident',
                constraint=models.UniqueConstraint(condition=models.Q(('id_number', ''), _negated=True), fields=('id_number',), name='resident_unique_id_number'),
            ),
        ),
        relabel_content_types('grids', 'register', ['area', 'household', 'resident', 'partyorg', 'member', 'organisation']),
    ]
