from celery import shared_task

from .services import wishes_expire_overdue


@shared_task
def expire_overdue_claims() -> int:
    """Hourly (beat): put wishes whose claim ran out back to published. Safe to run twice."""
    return wishes_expire_overdue()
