"""Thin tasks: load the job by id and call the service; both are safe to run twice."""

from celery import shared_task

from . import services


@shared_task
def roster_preview_task(job_id: int) -> None:
    services.import_job_preview(job_id=job_id)


@shared_task
def roster_import_task(job_id: int) -> None:
    services.import_job_run(job_id=job_id)
