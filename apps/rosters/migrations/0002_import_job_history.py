# Import jobs through apps.core.workflow: their history table.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def backfill_uploads(apps, schema_editor):
    """Jobs from before the history get their "upload" row (their later steps are unknown;
    their current status and detail stay on the job)."""
    ImportJob = apps.get_model("rosters", "ImportJob")
    ImportJobEvent = apps.get_model("rosters", "ImportJobEvent")
    jobs = list(ImportJob.objects.all())
    rows = ImportJobEvent.objects.bulk_create(
        ImportJobEvent(job=job, move="upload", to_status="previewing", actor_id=job.created_by_id)
        for job in jobs
    )
    for row, job in zip(rows, jobs, strict=True):  # auto_now_add stamped "now"
        row.at = job.created_at
    ImportJobEvent.objects.bulk_update(rows, ["at"], batch_size=2000)


class Migration(migrations.Migration):

    dependencies = [
        ('rosters', '0001_import_job'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ImportJobEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('move', models.CharField(max_length=30, verbose_name='操作')),
                ('note', models.TextField(blank=True, verbose_name='说明')),
                ('at', models.DateTimeField(auto_now_add=True, verbose_name='时间')),
                ('from_status', models.CharField(blank=True, choices=[('previewing', '预览中'), ('invalid', '有错误'), ('previewed', '待确认'), ('queued', '排队中'), ('running', '导入中'), ('done', '已完成'), ('failed', '失败')], max_length=20, verbose_name='原状态')),
                ('to_status', models.CharField(choices=[('previewing', '预览中'), ('invalid', '有错误'), ('previewed', '待确认'), ('queued', '排队中'), ('running', '导入中'), ('done', '已完成'), ('failed', '失败')], max_length=20, verbose_name='新状态')),
                ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='操作人')),
                ('job', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='events', to='rosters.importjob', verbose_name='名册导入')),
            ],
            options={
                'verbose_name': '导入记录',
                'verbose_name_plural': '导入记录',
                'ordering': ['at', 'pk'],
                'abstract': False,
                'indexes': [models.Index(fields=['job', 'at'], name='importjobevent_job_at')],
            },
        ),
        migrations.RunPython(backfill_uploads, migrations.RunPython.noop),
    ]
