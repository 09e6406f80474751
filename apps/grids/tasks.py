"""Periodic jobs for grids: thin wrappers over services, safe to run twice."""

import datetime as dt

from celery import shared_task

from . import services


@shared_task
def remind_overdue_problems() -> int:
    """Flag and remind overdue problems (once per problem and level)."""
    return services.problems_remind_overdue()


@shared_task
def remind_unvisited_pairings(month: str | None = None) -> int:
    """Monthly reminder to helpers with pairings not visited this month (once per month)."""
    day = dt.date.fromisoformat(f"{month}-01") if month else None
    return services.pairings_remind_monthly(month=day)
