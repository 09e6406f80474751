"""Project reminders, run by the notifications beat (apps/notifications/reminding.py)."""

from datetime import datetime, timedelta

from django.db.models import Exists, OuterRef
from django.utils import timezone

from apps.accounts.models import Role
from apps.core.conf import conf
from apps.notifications.audiences import area_role, users
from apps.notifications.reminding import ONCE, Due, reminder

from .models import JointRequest, ProgressReport, Project, ReviewSession, Score
from .selectors import quarter_bounds, quarter_of
from .services import recusal, street_of

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


SCORING_DUE = "projects.scoring_due"


@reminder(SCORING_DUE, event="session.scoring_due", period=ONCE)
def jurors_with_unscored_projects(now: datetime):
    """The day before an open session's scoring deadline, remind each juror who has not
    yet scored every project they may score, once per session."""
    sessions = ReviewSession.objects.filter(
        status=ReviewSession.Status.OPEN, deadline__gt=now, deadline__lte=now + timedelta(days=1)
    ).prefetch_related("jurors__user", "projects", "criteria")
    for session in sessions:
        needed = {c.pk for c in session.criteria.all()}
        for juror in session.jurors.all():
            given: dict[int, set] = {}
            for project_id, criterion_id in Score.objects.filter(juror=juror).values_list(
                "project_id", "criterion_id"
            ):
                given.setdefault(project_id, set()).add(criterion_id)
            missing = [
                p
                for p in session.projects.all()
                if given.get(p.pk, set()) < needed and not recusal(juror, p)
            ]
            if missing:
                yield Due(
                    key=f"{session.pk}:{juror.pk}",
                    audience=users(juror.user_id),
                    context={
                        "session_id": session.pk,
                        "title": session.title,
                        "count": len(missing),
                        "deadline": timezone.localtime(session.deadline).strftime("%Y-%m-%d %H:%M"),
                    },
                )


JOINT_REPLY_DUE = "projects.joint_reply_due"
JOINT_REPLY_ESCALATED = "projects.joint_reply_escalated"


def _overdue_joint_requests(before):
    return (
        JointRequest.objects.filter(status=JointRequest.Status.ACCEPTED, reply_due__lt=before)
        .select_related("community")
        .order_by("pk")
    )


def _joint_context(request) -> dict:
    return {
        "request_id": request.pk,
        "title": request.topic,
        "community": request.community.name,
        "reply_due": request.reply_due.isoformat(),
    }


@reminder(JOINT_REPLY_DUE, event="joint.reply_due", period=ONCE)
def joint_replies_overdue(now: datetime):
    """An accepted request not replied to by its due date: remind the assignee, once per
    request and reply round."""
    for request in _overdue_joint_requests(timezone.localdate(now)):
        yield Due(
            key=f"{request.pk}:{request.round}",
            audience=users(request.assignee_id),
            context=_joint_context(request),
        )


@reminder(JOINT_REPLY_ESCALATED, event="joint.reply_escalated", period=ONCE)
def joint_replies_escalated(now: datetime):
    """Still not replied JOINT_ESCALATE_AFTER_DAYS after the due date: tell the level above
    (the street's secretaries and administrators), once per request and reply round."""
    days = conf("JOINT_ESCALATE_AFTER_DAYS")
    for request in _overdue_joint_requests(timezone.localdate(now) - timedelta(days=days)):
        street = street_of(request.community)
        if street is None:
            continue
        yield Due(
            key=f"{request.pk}:{request.round}",
            audience=area_role(street.pk, Role.SECRETARY, Role.ADMINISTRATOR),
            context=_joint_context(request),
        )
