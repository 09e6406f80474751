"""Roster import services: the one import function (`roster_import`, used by the pages, the
task, the command and the benchmark) and the import job's life cycle (`ImportJob.workflow`,
each move with an `ImportJobEvent` row):

    upload → previewing;  pass_preview → previewed | fail_preview → invalid;
    confirm → queued;  start → running;  finish → done | fail → failed
"""

import logging

from django.core.cache import cache
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from apps.accounts.scoping import CHANGE, grants
from apps.core import workflow
from apps.core.conf import conf
from apps.core.errors import AppError, Conflict, Forbidden, InvalidInput, InvalidTransition
from apps.core.exports import FORMATS, Table, table_bytes
from apps.core.history import history_context

from .columns import ROSTERS
from .importers import IMPORTERS, ImportResult, Progress
from .models import ImportJob
from .parsing import file_format, read_table

log = logging.getLogger(__name__)
Status = ImportJob.Status


def roster_import(
    *,
    kind: str,
    data: bytes,
    filename: str,
    user=None,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportResult:
    """Import one roster file, all or nothing. `user=None` is an operator (no scope limit).

    Raises InvalidInput for a file that cannot be read at all; row errors come back in the
    result (and then nothing was written).
    """
    if kind not in IMPORTERS:
        raise InvalidInput(_("未知的名册类型：%(kind)s。") % {"kind": kind}, code="unknown_kind")
    table = read_table(data, filename)
    return IMPORTERS[kind](user=user, progress=progress).run(table, dry_run=dry_run)


def can_import(user, kind: str) -> bool:
    """Whether `user` may import this roster somewhere (each row is checked again)."""
    if user.is_superuser:
        return True
    roles = IMPORTERS[kind].model.scope.roles(CHANGE)
    return any(g.role in roles for g in grants(user))


def import_job_create(*, user, kind: str, upload: UploadedFile) -> ImportJob:
    if kind not in ROSTERS:
        raise InvalidInput(_("请选择名册类型。"), code="unknown_kind")
    if not can_import(user, kind):
        raise Forbidden(_("您没有导入该名册的权限。"))
    file_format(upload.name)
    if upload.size > conf("ROSTERS_MAX_FILE_MB") * 1024 * 1024:
        raise InvalidInput(
            _("文件超过 %(mb)s MB 上限，请拆分后分批导入。") % {"mb": conf("ROSTERS_MAX_FILE_MB")},
            code="file_too_large",
        )
    with transaction.atomic():
        job = ImportJob.objects.create(
            kind=kind, file=upload, filename=upload.name[:200], created_by=user
        )
        workflow.record(job, "upload", from_status="", actor=user)
    from .tasks import roster_preview_task

    transaction.on_commit(lambda: roster_preview_task.delay(job.pk))
    return job


def _transition(job: ImportJob, move: str, *, actor=None, **fields) -> bool:
    """Make `move` (see `ImportJob.workflow`) if the job's status allows it, with its history
    row; returns whether this call made it. A conditional update, so of two deliveries of
    the same task only one starts the import; the loser's savepoint is rolled back."""
    if not ImportJob.workflow.can(move, job.status):
        # A job moves in the worker while the caller holds an older copy: look again.
        job.refresh_from_db(fields=["status"])
        if not ImportJob.workflow.can(move, job.status):
            return False
    try:
        with transaction.atomic():
            workflow.transition(job, move, actor=actor, note=fields.get("detail", ""), **fields)
    except InvalidTransition:
        return False
    return True


def _progress_key(job_id: int) -> str:
    return f"rosters:progress:{job_id}"


def _reporter(job: ImportJob) -> Progress:
    # Progress goes to the cache (Redis in production): the job row itself is not visible
    # to the page while the import's transaction is open.
    def report(stage: str, done: int, total: int) -> None:
        cache.set(_progress_key(job.pk), {"stage": stage, "done": done, "total": total}, 3600)

    return report


def _run(job: ImportJob, *, dry_run: bool) -> tuple[ImportResult | None, str]:
    _reporter(job)("reading", 0, 0)  # the page says "reading" until the rows are counted
    with job.file.open("rb") as stream:
        data = stream.read()
    try:
        result = roster_import(
            kind=job.kind,
            data=data,
            filename=job.filename,
            user=job.created_by,
            dry_run=dry_run,
            progress=_reporter(job),
        )
    except AppError as exc:
        return None, exc.detail
    return result, ""


def _counts(result: ImportResult | None) -> dict:
    if result is None:
        return {}
    return {
        "rows_total": result.total,
        "new": result.new,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "errors": result.errors,
        "changes": result.changes,
        "notices": result.notices,
    }


def import_job_preview(*, job_id: int) -> ImportJob:
    """The dry run: counts, the first changes, every error. Safe to run twice."""
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    if job.status != Status.PREVIEWING:
        return job
    try:
        result, detail = _run(job, dry_run=True)
    except Exception:
        # The page polls until the preview ends: it must end even on a bug.
        log.exception("roster preview %s failed", job.pk)
        _transition(job, "fail_preview", detail=_("无法预览该文件，请检查文件后重新上传。"))
        raise
    move = "pass_preview" if result is not None and result.ok else "fail_preview"
    _transition(job, move, detail=detail, **_counts(result))
    return job


def import_job_confirm(*, job: ImportJob, user) -> ImportJob:
    if job.created_by_id != user.pk:
        raise Forbidden()
    if not _transition(job, "confirm", actor=user):
        raise Conflict(_("该导入已确认或不能导入。"), code="not_previewed")
    cache.set(_progress_key(job.pk), {"stage": "queued", "done": 0, "total": job.rows_total}, 3600)
    from .tasks import roster_import_task

    transaction.on_commit(lambda: roster_import_task.delay(job.pk))
    return job


def import_job_run(*, job_id: int) -> ImportJob:
    """The import itself (in the Celery task). Only the first of two deliveries runs it."""
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    if not _transition(job, "start"):
        return job
    try:
        # Every row the import writes names the job (and its uploader) in its history.
        with history_context(import_job=job.pk, import_kind=job.kind, user=job.created_by_id):
            result, detail = _run(job, dry_run=False)
    except Exception:
        log.exception("roster import %s failed", job.pk)
        _transition(
            job, "fail", detail=_("导入失败，没有写入任何数据。"), finished_at=timezone.now()
        )
        raise
    if result is not None and result.written:
        fields = {"rows_done": result.total, "detail": result.summary()}
        _transition(job, "finish", finished_at=timezone.now(), **fields, **_counts(result))
    else:
        detail = detail or _("数据在预览后发生了变化，没有写入任何数据。请修正后重新上传。")
        _transition(job, "fail", finished_at=timezone.now(), detail=detail, **_counts(result))
    return job


# The four stages a job shows (上传 → 检查 → 写入 → 完成), each done, current, failed or to do
# for every status; "检查" is the preview (a dry run), "写入" the import after 确认导入.
STEPS = (("upload", _lazy("上传")), ("check", _lazy("检查")), ("write", _lazy("写入")))
STEPS += (("finish", _lazy("完成")),)
_STEP_STATES = {
    Status.PREVIEWING: ("done", "current", "todo", "todo"),
    Status.INVALID: ("done", "failed", "todo", "todo"),
    Status.PREVIEWED: ("done", "done", "todo", "todo"),
    Status.QUEUED: ("done", "done", "current", "todo"),
    Status.RUNNING: ("done", "done", "current", "todo"),
    Status.DONE: ("done", "done", "done", "done"),
    Status.FAILED: ("done", "done", "failed", "todo"),
}


def _stage_label(job: ImportJob, stage: str, done: int, total: int) -> str:
    if job.status == Status.PREVIEWING:
        if not total:
            return _("正在读取文件……")
        return _("正在检查：%(done)s / %(total)s 行") % {"done": done, "total": total}
    if job.status == Status.QUEUED:
        return _("排队等待写入：共 %(total)s 行") % {"total": total}
    if job.status == Status.RUNNING:
        if stage == "writing":
            return _("正在写入：%(done)s / %(total)s 行") % {"done": done, "total": total}
        return _("写入前再次检查：%(done)s / %(total)s 行") % {"done": done, "total": total}
    return job.get_status_display()


def import_job_progress(*, job: ImportJob) -> dict:
    """What the job page shows and polls: the stages with their counts, and the live
    progress of the current one (from the cache; the total from the preview until the
    task has read the file, so that a queued import never shows 0 / 0)."""
    live = cache.get(_progress_key(job.pk)) or {}
    done = job.rows_done if job.status == Status.DONE else live.get("done", 0)
    total = live.get("total") or job.rows_total
    stage = live.get("stage", "")
    counts = {
        "upload": "",
        "check": _("%(n)s 行") % {"n": job.rows_total} if job.rows_total else "",
        "write": _("%(n)s 行") % {"n": job.rows_done} if job.status == Status.DONE else "",
        "finish": _("新增 %(new)s，更新 %(updated)s") % {"new": job.new, "updated": job.updated}
        if job.status == Status.DONE
        else "",
    }
    states = _STEP_STATES[job.status]
    return {
        "status": job.status,
        "status_label": job.get_status_display(),
        "stage": stage,
        "stage_label": _stage_label(job, stage, done, total),
        "steps": [
            {"name": name, "label": str(label), "state": state, "count": counts[name]}
            for (name, label), state in zip(STEPS, states, strict=True)
        ],
        "done": done,
        "total": total,
        "percent": int(100 * done / total) if total else (100 if not job.active else 0),
        "active": job.active,
        "new": job.new,
        "updated": job.updated,
        "unchanged": job.unchanged,
        "errors": len(job.errors),
        "detail": job.detail,
    }


ERROR_HEADER = "错误信息"


def import_job_error_file(*, job: ImportJob) -> tuple[bytes, str, str]:
    """The uploaded rows with an error column added (same format as uploaded)."""
    with job.file.open("rb") as stream:
        table = read_table(stream.read(), job.filename)
    by_row: dict[int, list[str]] = {}
    for error in job.errors:
        text = f"{error['column']}：{error['message']}" if error["column"] else error["message"]
        by_row.setdefault(error["row"], []).append(text)
    headers = [h for h in table.headers if h != ERROR_HEADER]
    width = len(headers)
    rows = (
        [*list(cells)[:width], *[""] * (width - len(cells)), "；".join(by_row.get(number, []))]
        for number, cells in table.rows
    )
    stem = job.filename.rsplit(".", 1)[0]
    fmt = "csv" if file_format(job.filename) == "csv" else "xlsx"
    data = table_bytes([Table(stem, [*headers, ERROR_HEADER], rows)], fmt)
    return data, f"{stem}-错误.{fmt}", FORMATS[fmt]
