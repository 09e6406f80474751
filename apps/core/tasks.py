"""Thin Celery tasks of the shared mechanisms."""

from celery import shared_task

from . import idempotency


@shared_task
def idempotency_cleanup() -> int:
    return idempotency.idempotency_cleanup()
