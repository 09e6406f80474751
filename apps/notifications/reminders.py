"""The notifications app's own reminder: a daily nudge about messages left unread."""

from datetime import timedelta

from django.db.models import Count

from .audiences import users
from .models import Notification
from .reminding import DAY, Due, reminder

UNREAD_FOR = timedelta(days=1)


@reminder("notifications.unread", event="notifications.unread_reminder", period=DAY)
def unread_messages(now):
    stale = Notification.objects.filter(read_at__isnull=True, created_at__lte=now - UNREAD_FOR)
    stale = stale.exclude(event__name="notifications.unread_reminder")
    counts = stale.values("recipient_id").annotate(count=Count("pk")).order_by("recipient_id")
    for row in counts.iterator():
        yield Due(
            key=row["recipient_id"],
            audience=users(row["recipient_id"]),
            context={"count": row["count"]},
        )
