from celery import shared_task

from .services import joint_requests_expire


@shared_task
def expire_joint_requests() -> int:
    """Hourly (beat): requests that did not reach their threshold in time. Safe to run twice."""
    return joint_requests_expire()
