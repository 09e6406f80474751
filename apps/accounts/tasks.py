"""Thin Celery tasks: take ids, call a service, safe to run twice."""

from celery import shared_task

from . import services


@shared_task(acks_late=False)
def phone_code_send(code_id: int, code: str) -> bool:
    # The code travels with the task (the database keeps only its digest); acks_late is off
    # so that a worker lost mid-send does not text a second code, and the service sends
    # each row once anyway.
    return services.phone_code_send(code_id=code_id, code=code)


@shared_task
def phone_codes_cleanup() -> int:
    return services.phone_codes_cleanup()
