"""Project reminders, run by the notifications beat (apps/notifications/reminding.py)."""

from datetime import datetime, timedelta

from django.db.models import Exists, OuterRef
from django.utils import timezone

from apps.core.conf import conf
from apps.notifications.audiences import users
from apps.notifications.reminding import ONCE, Due, reminder

from .models import ProgressReport, Project
from .selectors import quarter_bounds, quarter_of

REPORT_DUE = "projects.report_due"


@reminder(REPORT_DUE, event="project.report_due", period=ONCE)
def projects_without_a_report(now: datetime):
    """From two weeks before a quarter ends, remind the secretary of every project in
    progress without a progress report this quarter, once per project and quarter."""
    today = timezone.localdate(now)
    first, last = quarter_bounds(today)
    if today < last - timedelta(days=conf("PROJECT_REPORT_REMIND_DAYS_BEFORE")):
        return
    year, quarter = quarter_of(today)
    reported = ProgressReport.objects.filter(project=OuterRef("pk"), created_at__date__gte=first)
    projects = (
        Project.objects.filter(status=Project.Status.IN_PROGRESS)
        .exclude(Exists(reported))
        .order_by("pk")
    )
    for project in projects:
        yield Due(
            key=f"{project.pk}:{year}Q{quarter}",
            audience=users(project.secretary_id),
            context={
                "project_id": project.pk,
                "title": project.title,
                "quarter": f"{year}Q{quarter}",
            },
        )
