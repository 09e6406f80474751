"""Periodic jobs for grids: thin wrappers over services, safe to run twice."""

from celery import shared_task

from . import services


@shared_task
def remind_overdue_problems() -> int:
    """Flag and remind overdue problems (once per problem and level)."""
    return services.problems_remind_overdue()
