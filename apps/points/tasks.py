from celery import shared_task

from .stars import star_days_take


@shared_task
def take_star_days() -> int:
    """Just after local midnight (beat): today's star snapshot of every community that has
    none yet (apps/points/stars.py). Safe to run twice."""
    return star_days_take()
