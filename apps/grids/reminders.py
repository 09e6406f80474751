"""Grids' reminders, run by the notifications beat (apps/notifications/reminding.py), each sent
at most once per object and period."""

from datetime import datetime

from django.db.models import Count

from apps.core.conf import conf
from apps.notifications.audiences import users
from apps.notifications.quiet import SHANGHAI
from apps.notifications.reminding import MONTH, Due, reminder

from .selectors import pairings_unvisited


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
