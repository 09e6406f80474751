from celery import shared_task

from .services import needs_expire_offers


@shared_task
def expire_need_offers() -> int:
    """Every ten minutes (beat): unanswered need offers go back to the worker. Safe twice."""
    return needs_expire_offers()
