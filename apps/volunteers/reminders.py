"""Volunteer reminders, run by the notifications beat (apps/notifications/reminding.py)."""

from datetime import datetime

from apps.notifications.audiences import users
from apps.notifications.reminding import MONTH, Due, reminder

from . import selectors

REPORT_IN_DUE = "volunteers.report_in_due"


@reminder(REPORT_IN_DUE, event="volunteer.report_in_due", period=MONTH)
def members_not_reported_in(now: datetime):
    """Once a month, remind each employed member with a login who has not registered with
    their home community ("在职党员社区报到")."""
    members = selectors.members_not_reported_in().filter(user__isnull=False)
    for member in members.select_related("community").order_by("pk").iterator():
        yield Due(
            key=member.pk,
            audience=users(member.user_id),
            context={"community": member.community.name},
        )
