"""Grids' reminders, run by the notifications beat (apps/notifications/reminding.py), each sent
at most once per object and period."""

from datetime import datetime, time

from django.db.models import Count

from apps.core.conf import conf
from apps.notifications.audiences import users
from apps.notifications.quiet import SHANGHAI
from apps.notifications.reminding import MONTH, ONCE, Due, reminder

from .models import Problem
from .selectors import level_notice, pairings_unvisited


@reminder("grids.pairing_unvisited", event="pairing.unvisited", period=MONTH)
def unvisited_pairings(now: datetime):
    """Helpers whose pairings have had no visit this month, once a month, from the
    reminder day on (on the 1st every pairing is still "unvisited")."""
    today = now.astimezone(SHANGHAI).date()
    if today.day < conf("PAIRING_REMINDER_DAY"):
        return
    month = today.replace(day=1)
    rows = (
        pairings_unvisited(month=month)
        .filter(helper__user__isnull=False)
        .values("helper__user_id")
        .annotate(count=Count("pk"))
        .order_by("helper__user_id")
    )
    for row in rows:  # one message per helper (a few hundred per street), not per pairing
        user_id = row["helper__user_id"]
        yield Due(
            key=user_id,
            audience=users(user_id),
            context={"month": month.strftime("%Y-%m"), "count": row["count"]},
        )


# At any hour, as the hourly job before it did: SMS and WeChat wait out the quiet hours anyway.
@reminder("grids.problem_overdue", event="problem.overdue", period=ONCE, not_before=time(0, 0))
def overdue_problems(now: datetime):
    """Each unresolved problem past its due date, once per level: escalating it sets a new
    due date, and if that passes too the next level's people are reminded in their turn."""
    overdue = (
        Problem.objects.filter(due_at__lt=now)
        .exclude(status=Problem.Status.RESOLVED)
        .only("pk", "area_id", "level", "title")
        .order_by("pk")
    )
    for problem in overdue.iterator():
        audience, context = level_notice(problem)
        yield Due(key=f"{problem.pk}:{problem.level}", audience=audience, context=context)
