"""Reads of projects, pledges and sessions: scoped for users, and the public board (责任田
晾晒), which shows only public rows and masked names."""

from datetime import date, timedelta
from statistics import median

from django.db.models import Avg, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from apps.accounts.scoping import grants, scoped, sees_personal
from apps.core.errors import Conflict
from apps.core.history import note_access
from apps.core.masking import mask_name
from apps.register.models import Area

from .models import (
    JointRequest,
    Juror,
    Milestone,
    Pledge,
    PledgeComment,
    ProgressReport,
    Project,
    Rating,
    Result,
    ReviewSession,
    Score,
)

P = Project.Status
PROJECT_RELATED = ("party_org", "area", "secretary", "parent")


def quarter_of(day: date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def quarter_bounds(day: date) -> tuple[date, date]:
    """First and last day of `day`'s quarter."""
    year, quarter = quarter_of(day)
    first = date(year, 3 * quarter - 2, 1)
    following = date(year + (quarter == 4), 1 if quarter == 4 else 3 * quarter + 1, 1)
    return first, following - timedelta(days=1)


def with_details(qs: QuerySet) -> QuerySet:
    reports = ProgressReport.objects.prefetch_related("photos")
    children = Project.objects.exclude(status=P.CANCELLED).prefetch_related("children")
    return qs.select_related(*PROJECT_RELATED).prefetch_related(
        "targets",
        "milestones",
        Prefetch("reports", queryset=reports),
        Prefetch("children", queryset=children),
    )


def projects_visible_to(*, user) -> QuerySet:
    return scoped(user, Project).select_related(*PROJECT_RELATED)


def progress_of(project: Project) -> int:
    """The project's own percent, or the weighted mean of its (not cancelled) children's
    progress when it has children. Uses prefetched children when present."""
    children = [c for c in project.children.all() if c.status != P.CANCELLED]
    if not children:
        return project.percent
    weight = sum(c.weight for c in children)
    return round(sum(progress_of(c) * c.weight for c in children) / weight)


def latest_report(project: Project) -> ProgressReport | None:
    reports = list(project.reports.all())
    return reports[0] if reports else None


def needs_report(project: Project, today: date) -> bool:
    """In progress with no progress report this quarter."""
    if project.status != P.IN_PROGRESS:
        return False
    first, _last = quarter_bounds(today)
    return not any(r.created_at.date() >= first for r in project.reports.all())


def overdue_milestones(project: Project, today: date) -> list[Milestone]:
    return [m for m in project.milestones.all() if m.is_overdue(today)]


def pledges_visible_to(*, user) -> QuerySet:
    return scoped(user, Pledge).select_related("member__user", "member__branch", "area", "project")


def pledges_to_confirm(*, user) -> QuerySet:
    """Open pledges of the members of the branches this user is secretary of (the service
    decides; this lists the candidates in scope)."""
    return (
        pledges_visible_to(user=user).filter(status=Pledge.Status.OPEN).exclude(member__user=user)
    )


def member_display(user, pledge: Pledge, http=None) -> str:
    """The pledging member's name as `user` may see it; shown in full, it is a personal-data
    access of `http` (the HTTP request, when there is one)."""
    name = pledge.member.name
    if not sees_personal(user, pledge):
        return mask_name(name)
    note_access(http, pledge.member, ["name"])
    return name


# --- the public board -----------------------------------------------------------------------


def board(*, area: Area, category: str = "", level: str = "") -> dict:
    """Every public project and every pledge in `area`'s subtree, and the closed sessions'
    rankings for it; no personal data beyond masked names."""
    projects = Project.objects.filter(status__in=Project.PUBLIC, area__path__startswith=area.path)
    if category:
        projects = projects.filter(category=category)
    if level:
        projects = projects.filter(level=level)
    projects = with_details(projects.order_by("-level", "-created_at", "pk"))  # secretary first
    pledges = (
        Pledge.objects.filter(area__path__startswith=area.path)
        .select_related("member", "project")
        .prefetch_related(Prefetch("comments", queryset=PledgeComment.objects.all()))
        .order_by("-created_at", "-pk")
    )
    if category or level:
        pledges = pledges.filter(project__in=projects)
    nodes = [area.path[:i] for i in range(Area.steplen, len(area.path) + 1, Area.steplen)]
    sessions = (
        ReviewSession.objects.filter(status=ReviewSession.Status.CLOSED)
        .filter(party_org__area__path__in=nodes)
        .prefetch_related(Prefetch("results", queryset=Result.objects.select_related("project")))
        .order_by("-closed_at")[:3]
    )
    return {"projects": list(projects), "pledges": list(pledges), "sessions": list(sessions)}


def board_project(project: Project, today: date) -> dict:
    report = latest_report(project)
    return {
        "id": project.pk,
        "title": project.title,
        "level": project.level,
        "level_display": project.get_level_display(),
        "category": project.category,
        "category_display": project.get_category_display(),
        "status": project.status,
        "status_display": project.get_status_display(),
        "party_org": project.party_org.name,
        "secretary": mask_name(project.secretary.name or ""),
        "parent": project.parent_id,
        "goal": project.goal,
        "due_on": project.due_on,
        "progress": progress_of(project),
        "needs_report": needs_report(project, today),
        "targets": [
            {"name": t.name, "unit": t.unit, "target": t.target, "current": t.current}
            for t in project.targets.all()
        ],
        "latest_report": None
        if report is None
        else {
            "text": report.text,
            "percent": report.percent,
            "at": report.created_at,
            "photos": [p.image.url for p in report.photos.all()],
        },
    }


def board_pledge(pledge: Pledge) -> dict:
    return {
        "id": pledge.pk,
        "title": pledge.title,
        "member": mask_name(pledge.member.name),
        "status": pledge.status,
        "status_display": pledge.get_status_display(),
        "due_on": pledge.due_on,
        "project": pledge.project_id,
        "comments": [c.text for c in pledge.comments.all()],
    }


# --- review sessions ------------------------------------------------------------------------


def sessions_visible_to(*, user) -> QuerySet:
    return scoped(user, ReviewSession).select_related("party_org", "organiser").distinct()


def own_scores(*, user, session: ReviewSession) -> dict[int, dict[int, int]]:
    """A juror's own scores {project: {criterion: value}}: the only scores anyone sees
    before the session closes."""
    rows = Score.objects.filter(juror__session=session, juror__user=user)
    found: dict[int, dict[int, int]] = {}
    for s in rows:
        found.setdefault(s.project_id, {})[s.criterion_id] = s.value
    return found


def results(session: ReviewSession) -> list[Result]:
    """The ranking, only once the session is closed (blind until close, for everyone)."""
    if session.status != ReviewSession.Status.CLOSED:
        raise Conflict(_("评审会结束前不公布得分。"), code="session_not_closed")
    return list(session.results.select_related("project__party_org"))


def juror_sheet(session: ReviewSession) -> tuple[list[Juror], dict]:
    """For the result sheet (after close): the jurors and {(juror, project, criterion): value}."""
    results(session)  # refuses before close
    jurors = list(session.jurors.select_related("user"))
    values = {
        (s.juror_id, s.project_id, s.criterion_id): s.value
        for s in Score.objects.filter(juror__session=session)
    }
    return jurors, values


# --- joint requests (双向约谈 / 点题) ---------------------------------------------------------

J = JointRequest.Status
JOINT_RELATED = ("community", "opener__household__area", "assignee", "project", "entered_by")


def _community_path(path: str) -> str | None:
    depth = Area.KIND_ORDER.index(Area.Kind.COMMUNITY) + 1
    return path[: depth * Area.steplen] if len(path) >= depth * Area.steplen else None


def joint_requests_visible_to(*, user) -> QuerySet:
    """The requests `user` may read: the scoping rule (roles over the community, the user's
    own signatures), plus the requests of every community the user lives in or holds a
    role inside (a resident co-signs from a shared link; a grid worker enters paper
    signatures), those assigned to them and those of their working groups. Requests are
    public on the board anyway; this is what the lists and details show."""
    if not user.is_authenticated:
        return JointRequest.objects.none()
    paths = {_community_path(g.area_path) for g in grants(user) if g.area_path}
    resident = getattr(user, "resident", None)
    if resident is not None:
        paths.add(_community_path(resident.household.area.path))
    extra = Q(assignee=user) | Q(community__joint_working_group__members=user)
    for path in filter(None, paths):
        extra |= Q(community__path=path)
    inside = JointRequest.objects.filter(extra).values("pk")
    visible = JointRequest.objects.filter(
        Q(pk__in=scoped(user, JointRequest).values("pk")) | Q(pk__in=inside)
    )
    return visible.select_related(*JOINT_RELATED)


def joint_signed_by(request: JointRequest, user) -> bool:
    if not user.is_authenticated:
        return False
    return request.signatures.filter(resident__user=user, withdrawn_at__isnull=True).exists()


def joint_signature_names(request: JointRequest, user, http=None) -> list[dict]:
    """The active signatures, each name masked unless `user` may see that resident's (a
    name shown in full is a personal-data access of `http`, the HTTP request)."""
    rows = (
        request.signatures.filter(withdrawn_at__isnull=True)
        .select_related("resident__household__area", "entered_by")
        # Only what is shown and what `sees_personal` reads (a request has hundreds).
        .only(
            "request",
            "signed_at",
            "entered_by",
            "resident__name",
            "resident__user",
            "resident__household__area__path",
            "entered_by__username",
            "entered_by__name",
        )
    )
    shown = []
    for s in rows:
        # Per signer: staff over the signer's building see every name, a resident their own.
        unmasked = sees_personal(user, s.resident)
        if unmasked:
            note_access(http, s.resident, ["name"])
        shown.append(
            {
                "name": s.resident.name if unmasked else mask_name(s.resident.name),
                "signed_at": s.signed_at,
                "entered": s.entered_by_id is not None,
                "entered_by": str(s.entered_by) if unmasked and s.entered_by_id else "",
            }
        )
    return shown


def joint_rating_mean(request: JointRequest) -> float | None:
    if request.status not in (J.REPLIED, J.CLOSED):
        return None  # a round is rated only once replied (a reopened one starts unrated)
    mean = request.ratings.filter(round=request.round).aggregate(m=Avg("stars"))["m"]
    return round(mean, 2) if mean is not None else None


def joint_progress(request: JointRequest) -> int:
    """Percent of the way through: signatures while collecting, then by stage."""
    if request.status == J.COLLECTING:
        return min(100, round(100 * request.signature_count / request.threshold))
    return {
        J.UNDER_REVIEW: 40,
        J.ACCEPTED: 60,
        J.REPLIED: 80,
        J.CLOSED: 100,
    }.get(request.status, 0)


def joint_board_row(request: JointRequest) -> dict:
    """One request as the public board shows it: no personal data but a masked name."""
    return {
        "id": request.pk,
        "topic": request.topic,
        "level": request.level,
        "level_display": request.get_level_display(),
        "department": request.department,
        "status": request.status,
        "status_display": request.get_status_display(),
        "signature_count": request.signature_count,
        "threshold": request.threshold,
        "progress": joint_progress(request),
        "opener": mask_name(request.opener.name),
        "signing_until": request.signing_until,
        "reply_due": request.reply_due,
        "project": request.project_id,
        "created_at": request.created_at,
    }


def joint_board(*, community: Area) -> list[JointRequest]:
    return list(
        JointRequest.objects.filter(community=community, status__in=JointRequest.OPEN)
        .select_related("opener")
        .order_by("status", "-signature_count", "-pk")
    )


def joint_stats(*, community: Area, start: date, end: date) -> dict:
    """Requests opened in [start, end]: how many, share accepted of those decided, median
    days from acceptance to first reply, mean rating (all rounds)."""
    rows = list(
        JointRequest.objects.filter(
            community__path__startswith=community.path,
            created_at__date__gte=start,
            created_at__date__lte=end,
        ).values("pk", "status", "accepted_at", "first_replied_at")
    )
    decided = [r for r in rows if r["status"] not in (J.COLLECTING, J.UNDER_REVIEW, J.EXPIRED)]
    accepted = [r for r in decided if r["status"] != J.DECLINED]
    days = sorted(
        (r["first_replied_at"] - r["accepted_at"]).total_seconds() / 86400
        for r in accepted
        if r["first_replied_at"] and r["accepted_at"]
    )
    mean = Rating.objects.filter(request__in=[r["pk"] for r in rows]).aggregate(m=Avg("stars"))
    return {
        "start": start,
        "end": end,
        "requests": len(rows),
        "reached": sum(1 for r in rows if r["status"] not in (J.COLLECTING, J.EXPIRED)),
        "expired": sum(1 for r in rows if r["status"] == J.EXPIRED),
        "accepted_share": round(len(accepted) / len(decided), 3) if decided else None,
        "median_days_to_reply": round(median(days), 1) if days else None,
        "mean_rating": round(mean["m"], 2) if mean["m"] is not None else None,
    }


def joint_opener_display(request: JointRequest, user, http=None) -> str:
    name = request.opener.name
    if not sees_personal(user, request.opener):
        return mask_name(name)
    note_access(http, request.opener, ["name"])
    return name


def joint_assignee_candidates(community: Area) -> QuerySet:
    """Who the working group may assign: staff roles in the community or above it, and the
    working group's named members."""
    from apps.accounts.models import RoleAssignment, User

    staff = ("grid_worker", "secretary", "administrator")
    ancestors = [
        community.path[:i] for i in range(Area.steplen, len(community.path) + 1, Area.steplen)
    ]
    seats = RoleAssignment.objects.filter(role__in=staff).filter(
        Q(area__path__startswith=community.path) | Q(area__path__in=ancestors)
    )
    named = Q(joint_group_seats__group__community=community)
    return (
        User.objects.filter(Q(pk__in=seats.values("user")) | named, is_active=True)
        .distinct()
        .order_by("name", "pk")
    )


def joint_paper_candidates(request: JointRequest, user, limit: int = 500) -> list:
    """Residents of the request's community in `user`'s scope who have not signed: whom a
    grid worker may enter a paper signature for."""
    from apps.register.models import Resident

    signed = request.signatures.filter(withdrawn_at__isnull=True).values("resident")
    return list(
        scoped(user, Resident)
        .filter(household__area__path__startswith=request.community.path)
        .exclude(pk__in=signed)
        .select_related("household__area")
        .order_by("household__area__path", "household__room", "pk")[:limit]
    )
