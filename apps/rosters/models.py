"""An import job: one uploaded roster file, its preview (dry run) and its import."""

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.accounts.scoping import Scope
from apps.core.models import TransitionRecord
from apps.core.workflow import Workflow


def roster_kind_choices():
    from .kinds import kind_choices

    return kind_choices()


def _stored_name(job, filename: str) -> str:
    # Rosters hold personal data: the stored name is not guessable from the original one.
    return f"rosters/{uuid.uuid4().hex}{PurePosixPath(filename).suffix.lower()}"


class ImportJob(models.Model):
    class Status(models.TextChoices):
        PREVIEWING = "previewing", _("预览中")
        INVALID = "invalid", _("有错误")
        PREVIEWED = "previewed", _("待确认")
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("导入中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    # The allowed moves (the services are the only writers of status); creation is the
    # "upload" history row. Invalid, done and failed are final.
    workflow = Workflow(
        history="rosters.ImportJobEvent",
        moves={
            "pass_preview": ({Status.PREVIEWING}, Status.PREVIEWED),
            "fail_preview": ({Status.PREVIEWING}, Status.INVALID),
            "confirm": ({Status.PREVIEWED}, Status.QUEUED),
            "start": ({Status.QUEUED}, Status.RUNNING),
            "finish": ({Status.RUNNING}, Status.DONE),
            "fail": ({Status.RUNNING}, Status.FAILED),
        },
    )
    ACTIVE = (Status.PREVIEWING, Status.QUEUED, Status.RUNNING)

    # A callable: kinds registered by other apps (apps.rosters.kinds) are choices too.
    kind = models.CharField(_("名册"), max_length=20, choices=roster_kind_choices)
    file = models.FileField(_("文件"), upload_to=_stored_name)
    filename = models.CharField(_("原文件名"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="import_jobs",
        verbose_name=_("导入人"),
    )
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.PREVIEWING
    )
    rows_total = models.PositiveIntegerField(_("总行数"), default=0)
    rows_done = models.PositiveIntegerField(_("已处理行数"), default=0)
    new = models.PositiveIntegerField(_("新增"), default=0)
    updated = models.PositiveIntegerField(_("更新"), default=0)
    unchanged = models.PositiveIntegerField(_("未变"), default=0)
    detail = models.CharField(_("说明"), max_length=500, blank=True)
    errors = models.JSONField(_("错误"), default=list, blank=True)
    changes = models.JSONField(_("变更预览"), default=list, blank=True)
    notices = models.JSONField(_("提示"), default=list, blank=True)

    # A job belongs to whoever uploaded it; superusers see all in the admin.
    scope = Scope(own="created_by", own_actions=frozenset({"view", "change", "personal"}))

    class Meta:
        verbose_name = _("名册导入")
        verbose_name_plural = _("名册导入")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["created_by", "-created_at"], name="importjob_by_user")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.filename}"

    @property
    def active(self) -> bool:
        return self.status in self.ACTIVE


class ImportJobEvent(TransitionRecord):
    """One row per change of an import job's status: who uploaded, confirmed, and how the
    preview and the import ended (the note is the job's `detail` then)."""

    object_field = "job"

    job = models.ForeignKey(
        ImportJob, on_delete=models.CASCADE, related_name="events", verbose_name=_("名册导入")
    )
    from_status = models.CharField(
        _("原状态"), max_length=20, choices=ImportJob.Status.choices, blank=True
    )
    to_status = models.CharField(_("新状态"), max_length=20, choices=ImportJob.Status.choices)

    class Meta(TransitionRecord.Meta):
        verbose_name = _("导入记录")
        verbose_name_plural = _("导入记录")
        indexes = [models.Index(fields=["job", "at"], name="importjobevent_job_at")]
