"""Pages: upload → preview (a dry run in a task, shown live) → confirm → import (a task,
with a live progress bar fed by a small JSON endpoint) → done; templates; exports."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.accounts.scoping import scoped
from apps.core.db import on_replica
from apps.core.errors import AppError, Forbidden, NotFound
from apps.core.exports import FORMATS, XLSX_TYPE
from apps.core.history import import_writes, object_history
from apps.core.views import error_page

from . import services
from .columns import ROSTERS
from .importers import IMPORTERS
from .models import ImportJob
from .resources import roster_export
from .workbooks import roster_template


def _kinds(user) -> list[dict]:
    return [
        {"kind": kind, "label": roster.label}
        for kind, roster in ROSTERS.items()
        if services.can_import(user, kind)
    ]


def _download(data: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(filename)}"
    return response


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)


@login_required
def upload(request):
    kinds = _kinds(request.user)
    if not kinds:
        return error_page(request, Forbidden(_("您没有导入名册的权限。")))
    if request.method == "POST":
        upload_file = request.FILES.get("file")
        if upload_file is None:
            messages.error(request, _("请选择要上传的文件。"))
        else:
            try:
                job = services.import_job_create(
                    user=request.user, kind=request.POST.get("kind", ""), upload=upload_file
                )
            except AppError as exc:
                messages.error(request, exc.detail)
            else:
                return redirect("rosters:job", pk=job.pk)
    jobs = scoped(request.user, ImportJob).filter(created_by=request.user)[:10]
    context = {
        "kinds": kinds,
        "selected": request.GET.get("kind") or request.POST.get("kind") or kinds[0]["kind"],
        "jobs": jobs,
        "formats": list(FORMATS),
    }
    return render(request, "rosters/upload.html", context)


def _job(request, pk: int) -> ImportJob:
    return get_object_or_404(scoped(request.user, ImportJob).select_related("created_by"), pk=pk)


@login_required
def job_detail(request, pk: int):
    job = _job(request, pk)
    context = {
        "job": job,
        "progress": services.import_job_progress(job=job),
        "errors": job.errors[:1000],
        "more_errors": max(0, len(job.errors) - 1000),
        "history": object_history(request, job),
        "written": import_writes(job.pk) if job.status == job.Status.DONE else {},
    }
    return render(request, "rosters/job.html", context)


@login_required
@require_POST
def job_confirm(request, pk: int):
    job = _job(request, pk)
    try:
        services.import_job_confirm(job=job, user=request.user)
    except AppError as exc:
        messages.error(request, exc.detail)
    return redirect("rosters:job", pk=job.pk)


@login_required
def job_progress(request, pk: int):
    job = _job(request, pk)
    return JsonResponse(services.import_job_progress(job=job))


@login_required
def job_error_file(request, pk: int):
    job = _job(request, pk)
    try:
        data, filename, content_type = services.import_job_error_file(job=job)
    except AppError as exc:
        return error_page(request, exc)
    return _download(data, filename, content_type)


@login_required
def template_download(request, kind: str):
    if kind not in ROSTERS:
        return error_page(request, NotFound(_("页面不存在。")))
    return _download(roster_template(kind), f"{ROSTERS[kind].label}模板.xlsx", XLSX_TYPE)


@login_required
@on_replica
def export(request, kind: str, fmt: str):
    if kind not in IMPORTERS or fmt not in FORMATS:
        return error_page(request, NotFound(_("页面不存在。")))
    data = roster_export(kind=kind, user=request.user, fmt=fmt, request=request)
    return _download(data, f"{ROSTERS[kind].label}.{fmt}", FORMATS[fmt])
