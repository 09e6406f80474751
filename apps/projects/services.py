"""Every write to projects, pledges and review sessions. The moves are the models'
`workflow`s, made through `apps.core.workflow.transition` with a history row and, where
someone should hear about it, an outbox row in the same transaction. Input is checked in
full before anything is written: a refused request writes nothing."""

from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, connection, transaction
from django.db.models import Avg, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.accounts.models import Role, RoleAssignment
from apps.accounts.scoping import grants, has_role_over
from apps.core import workflow
from apps.core.conf import conf
from apps.core.errors import Conflict, Forbidden, InvalidInput
from apps.core.images import clean_image
from apps.core.validators import clean_text, invalid, parse_id
from apps.notifications import audiences
from apps.notifications.services import notify
from apps.points.services import points_award
from apps.register.models import Area, Member, PartyOrg, Resident

from . import scoring
from .audiences import joint_signers
from .models import (
    ORGANISERS,
    Category,
    Criterion,
    JointRequest,
    JointRequestPhoto,
    Juror,
    Milestone,
    Pledge,
    PledgeComment,
    ProgressReport,
    Project,
    Rating,
    ReportPhoto,
    Result,
    ReviewSession,
    Score,
    ScoreChange,
    Signature,
    Target,
    WorkingGroup,
    WorkingGroupMember,
)
from .models import Conflict as DeclaredConflict

P = Project.Status
DEFAULT_CRITERIA = (("问需", 10), ("问效", 10), ("问责", 10))  # equal weights by default


# --- input checks ---------------------------------------------------------------------------


def _choice(value, choices, *, field: str, label: str) -> str:
    if value not in {c for c, _label in choices}:
        raise invalid(field, _("请选择有效的%(label)s。") % {"label": label}, f"invalid_{field}")
    return value


def _integer(value, *, field: str, low: int, high: int, code: str, message: str) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        number = None
    if number is None or not low <= number <= high or str(value).strip() != str(number):
        raise invalid(field, message, code)
    return number


def _decimal(value, *, field: str) -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        number = None
    if number is None or not number.is_finite() or number < 0 or number >= Decimal("1e10"):
        raise invalid(field, _("请填写不小于 0 的数值。"), "invalid_number")
    return number.quantize(Decimal("0.01"))


def _date(value, *, field: str, label: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except (TypeError, ValueError):
        raise invalid(
            field, _("请填写正确的%(label)s。") % {"label": label}, "invalid_date"
        ) from None


def _check_photos(photos, *, max_count=None) -> list:
    """The photos re-encoded under generated names (`apps.core.images.clean_image`)."""
    photos = [p for p in (photos or []) if p]
    max_count = max_count or conf("PROJECT_PHOTOS_MAX")
    if len(photos) > max_count:
        message = _("最多上传 %(n)d 张照片。") % {"n": max_count}
        raise invalid("photos", message, "too_many_photos")
    return [
        clean_image(
            photo,
            field="photos",
            max_bytes=conf("PROJECT_PHOTO_MAX_BYTES"),
            max_pixels=conf("WISH_PHOTO_MAX_PIXELS"),
        )
        for photo in photos
    ]


# --- who may do what ------------------------------------------------------------------------


def _over_org(actor, org: PartyOrg, roles=ORGANISERS) -> bool:
    """A role at the organisation (Party tree) or at its area (geography tree) or above."""
    return has_role_over(actor, roles, party_org=org, area=org.area)


def _check_runs(actor, project: Project) -> None:
    """The project's secretary, or a secretary/administrator over its organisation."""
    if project.secretary_id != actor.pk and not _over_org(actor, project.party_org):
        raise Forbidden(_("只有项目负责书记或上级党组织可以执行该操作。"), code="not_project_owner")


def approving_org(project: Project) -> PartyOrg:
    """The Party organisation one level up approves (a top-level organisation's projects
    are approved by the organisers over it, never by the project's own secretary)."""
    return PartyOrg.objects.get_parent(project.party_org) or project.party_org


def _check_approver(actor, project: Project) -> None:
    if actor.pk == project.secretary_id or not _over_org(actor, approving_org(project)):
        raise Forbidden(_("项目须由上一级党组织审批。"), code="not_approver")


# --- notifications --------------------------------------------------------------------------


def _approvers(project: Project) -> dict:
    org = approving_org(project)
    area = org.area or project.area
    return audiences.area_role(area.pk, Role.SECRETARY, Role.ADMINISTRATOR)


PROJECT_NOTICES = {
    "submit": ("project.submitted", _approvers),
    "approve": ("project.approved", lambda p: audiences.users(p.secretary_id)),
    "return": ("project.returned", lambda p: audiences.users(p.secretary_id)),
}


def _project_transition(project: Project, move: str, *, actor, note: str = "", **fields):
    workflow.check(project, move)
    with transaction.atomic(savepoint=False):
        workflow.transition(project, move, actor=actor, note=note, **fields)
        if move in PROJECT_NOTICES:
            event, audience = PROJECT_NOTICES[move]
            context = {"project_id": project.pk, "title": project.title, "note": note}
            notify(event, audience=audience(project), context=context, actor=actor)
    return project


# --- projects -------------------------------------------------------------------------------


def _clean_targets(targets) -> list[Target]:
    rows = []
    for i, row in enumerate(targets or []):
        field = f"targets[{i}]"
        rows.append(
            Target(
                name=clean_text(row.get("name"), field=field, label=_("指标名称"), max_length=60),
                unit=clean_text(row.get("unit"), field=field, label=_("单位"), max_length=20),
                target=_decimal(row.get("target"), field=field),
                current=_decimal(row.get("current") or 0, field=field),
            )
        )
    return rows


def _clean_parent(parent: Project | None, level: str, org: PartyOrg) -> Project | None:
    if parent is None:
        return None
    if level != Project.Level.BRANCH or parent.level != Project.Level.SECRETARY:
        message = _("只有支部项目可以挂在书记项目之下。")
        raise invalid("parent", message, "invalid_parent")
    if parent.status in (P.COMPLETED, P.CANCELLED) or not org.path.startswith(
        parent.party_org.path
    ):
        message = _("上级项目须为本党组织或上级党组织尚未结束的书记项目。")
        raise invalid("parent", message, "invalid_parent")
    return parent


def project_create(
    *,
    actor,
    level: str,
    party_org: PartyOrg,
    title: str,
    problem: str,
    goal: str,
    category: str,
    start_on,
    due_on,
    area: Area | None = None,
    parent: Project | None = None,
    weight=1,
    targets: Iterable[Mapping] = (),
) -> Project:
    """A draft project of `party_org`, with `actor` as its responsible secretary."""
    if not _over_org(actor, party_org, {Role.SECRETARY, Role.ADMINISTRATOR}):
        raise Forbidden(_("只有该党组织的书记可以认领项目。"), code="not_a_secretary")
    level = _choice(level, Project.Level.choices, field="level", label=_("层级"))
    category = _choice(category, Category.choices, field="category", label=_("类别"))
    title = clean_text(title, field="title", label=_("项目名称"), max_length=80)
    problem = clean_text(problem, field="problem", label=_("解决的问题"), max_length=2000)
    goal = clean_text(goal, field="goal", label=_("项目目标"), max_length=2000)
    start_on = _date(start_on, field="start_on", label=_("开始日期"))
    due_on = _date(due_on, field="due_on", label=_("完成期限"))
    if due_on < start_on:
        raise invalid("due_on", _("完成期限不能早于开始日期。"), "due_before_start")
    area = area or party_org.area
    if area is None or (party_org.area and not area.path.startswith(party_org.area.path)):
        raise invalid("area", _("请选择该党组织所在区域内的服务区域。"), "invalid_area")
    parent = _clean_parent(parent, level, party_org)
    weight = _integer(
        weight, field="weight", low=1, high=100, code="invalid_weight",
        message=_("权重应为 1 至 100 的整数。"),
    )  # fmt: skip
    targets = _clean_targets(targets)
    with transaction.atomic():
        project = Project.objects.create(
            level=level,
            party_org=party_org,
            secretary=actor,
            area=area,
            parent=parent,
            weight=weight,
            title=title,
            problem=problem,
            goal=goal,
            category=category,
            start_on=start_on,
            due_on=due_on,
        )
        for target in targets:
            target.project = project
        Target.objects.bulk_create(targets)
        workflow.record(project, "create", from_status="", actor=actor)
    return project


# Each move and who may make it.
APPROVER_MOVES = frozenset({"approve", "return"})


def project_transition(*, actor, project: Project, move: str, note: str = "") -> Project:
    """submit, return, approve, start, complete, suspend, resume or cancel `project`."""
    if move not in Project.workflow.moves:
        raise InvalidInput(_("未知的操作。"), code="unknown_move")
    if move in APPROVER_MOVES:
        _check_approver(actor, project)
    else:
        _check_runs(actor, project)
    note = clean_text(note, field="note", label=_("说明"), max_length=500, required=False)
    now = timezone.now()
    fields = {}
    if move == "approve":
        fields = {"approved_by": actor, "approved_at": now}
    elif move == "complete":
        fields = {"completed_at": now}
    return _project_transition(project, move, actor=actor, note=note, **fields)


def _check_open(project: Project) -> None:
    if project.status in (P.COMPLETED, P.CANCELLED):
        raise Conflict(_("项目已结束，不能再修改。"), code="project_closed")


def milestone_add(*, actor, project: Project, title: str, due_on) -> Milestone:
    _check_runs(actor, project)
    _check_open(project)
    title = clean_text(title, field="title", label=_("节点"), max_length=80)
    due_on = _date(due_on, field="due_on", label=_("计划完成日期"))
    if due_on < project.start_on:
        raise invalid("due_on", _("节点日期不能早于项目开始日期。"), "due_before_start")
    return Milestone.objects.create(project=project, title=title, due_on=due_on)


def milestone_done(*, actor, milestone: Milestone, done_on=None) -> Milestone:
    _check_runs(actor, milestone.project)
    _check_open(milestone.project)
    done_on = _date(done_on, field="done_on", label=_("完成日期")) if done_on else None
    done_on = done_on or timezone.localdate()
    if done_on > timezone.localdate():
        raise invalid("done_on", _("完成日期不能晚于今天。"), "done_in_future")
    Milestone.objects.filter(pk=milestone.pk).update(done_on=done_on)
    milestone.done_on = done_on
    return milestone


def _clean_target_values(project: Project, values: Mapping) -> dict[int, Decimal]:
    targets = set(project.targets.values_list("pk", flat=True))
    cleaned = {}
    for key, value in (values or {}).items():
        pk = parse_id(key)
        if pk not in targets:
            raise invalid("target_values", _("指标不属于该项目。"), "unknown_target")
        cleaned[pk] = _decimal(value, field="target_values")
    return cleaned


def report_add(
    *, actor, project: Project, text: str, percent, target_values=None, photos=()
) -> ProgressReport:
    """A progress report: text, percent complete, target values, photos."""
    _check_runs(actor, project)
    if project.status != P.IN_PROGRESS:
        raise Conflict(_("只有推进中的项目可以填报进展。"), code="project_not_in_progress")
    text = clean_text(text, field="text", label=_("进展情况"), max_length=2000)
    percent = _integer(
        percent, field="percent", low=0, high=100, code="invalid_percent",
        message=_("完成进度应为 0 至 100 的整数。"),
    )  # fmt: skip
    values = _clean_target_values(project, target_values)
    photos = _check_photos(photos)
    with transaction.atomic():
        report = ProgressReport.objects.create(
            project=project,
            author=actor,
            text=text,
            percent=percent,
            target_values={str(k): str(v) for k, v in values.items()},
        )
        for pk, value in values.items():
            Target.objects.filter(pk=pk).update(current=value)
        Project.objects.filter(pk=project.pk).update(percent=percent, updated_at=timezone.now())
        project.percent = percent
        for photo in photos:
            ReportPhoto.objects.create(report=report, image=photo)
    return report


# --- pledges --------------------------------------------------------------------------------


def _check_pledge_project(project: Project | None, member: Member) -> Project | None:
    if project is None:
        return None
    community, area = member.community.path, project.area.path
    near = community.startswith(area) or area.startswith(community)
    if project.status not in (P.APPROVED, P.IN_PROGRESS) or not near:
        message = _("只能为本社区已批准、推进中的项目作出承诺。")
        raise invalid("project", message, "project_not_available")
    return project


def pledge_make(
    *,
    actor,
    title: str,
    due_on,
    content: str = "",
    member: Member | None = None,
    project: Project | None = None,
) -> Pledge:
    """A member's own public pledge (nobody pledges for someone else)."""
    own = Member.objects.select_related("community", "branch").filter(user=actor).first()
    if member is not None and (own is None or member.pk != own.pk):
        raise Forbidden(_("只能以本人名义作出承诺。"), code="pledge_not_own")
    if own is None:
        raise Forbidden(_("只有党员可以作出承诺。"), code="not_a_member")
    title = clean_text(title, field="title", label=_("承诺事项"), max_length=80)
    content = clean_text(
        content, field="content", label=_("承诺内容"), max_length=1000, required=False
    )
    due_on = _date(due_on, field="due_on", label=_("承诺期限"))
    if due_on < timezone.localdate():
        raise invalid("due_on", _("承诺期限不能早于今天。"), "due_in_past")
    project = _check_pledge_project(project, own)
    with transaction.atomic():
        pledge = Pledge.objects.create(
            member=own,
            area=own.community,
            project=project,
            title=title,
            content=content,
            due_on=due_on,
        )
        workflow.record(pledge, "make", from_status="", actor=actor)
    return pledge


def pledge_confirm(*, actor, pledge: Pledge, kept: bool, note: str = "") -> Pledge:
    """The member's branch secretary confirms the pledge kept (points, once) or not kept."""
    branch = pledge.member.branch
    if pledge.member.user_id == actor.pk or not _over_org(actor, branch, {Role.SECRETARY}):
        raise Forbidden(_("只有党员所在支部的书记可以确认承诺。"), code="not_branch_secretary")
    note = clean_text(note, field="note", label=_("说明"), max_length=500, required=False)
    move = "keep" if kept else "break"
    workflow.check(pledge, move)
    with transaction.atomic(savepoint=False):
        fields = {"confirmed_by": actor, "confirmed_at": timezone.now()}
        workflow.transition(pledge, move, actor=actor, note=note, **fields)
        if kept:
            points_award(member=pledge.member, rule="pledge_kept", source=pledge)
        if pledge.member.user_id:
            context = {"pledge_id": pledge.pk, "title": pledge.title, "note": note}
            event = "pledge.kept" if kept else "pledge.not_kept"
            audience = audiences.users(pledge.member.user_id)
            notify(event, audience=audience, context=context, actor=actor)
    return pledge


def pledge_comment(*, actor, pledge: Pledge, text: str) -> PledgeComment:
    """A resident of the pledge's area confirms or comments on a kept pledge."""
    resident = Resident.objects.select_related("household__area").filter(user=actor).first()
    if resident is None or not resident.household.area.path.startswith(pledge.area.path):
        raise Forbidden(_("只有本社区的居民可以评价承诺。"), code="not_a_local_resident")
    if pledge.status != Pledge.Status.KEPT:
        raise Conflict(_("只能评价已兑现的承诺。"), code="pledge_not_kept")
    text = clean_text(text, field="text", label=_("评价"), max_length=200)
    return PledgeComment.objects.create(pledge=pledge, resident=resident, text=text)


# --- review sessions ------------------------------------------------------------------------


def _check_organiser(actor, session: ReviewSession) -> None:
    if not _over_org(actor, session.party_org):
        raise Forbidden(
            _("只有评审会所在党组织的书记或管理员可以执行该操作。"), code="not_organiser"
        )


def _check_draft(session: ReviewSession) -> None:
    if session.status != ReviewSession.Status.DRAFT:
        raise Conflict(_("评审会已开始，不能再修改。"), code="session_not_draft")


def _clean_criteria(criteria) -> list[tuple[str, int]]:
    rows, names = [], set()
    for row in criteria or []:
        name = clean_text(row.get("name"), field="criteria", label=_("评分项"), max_length=40)
        weight = _integer(
            row.get("weight"), field="criteria", low=1, high=100, code="invalid_weight",
            message=_("权重应为 1 至 100 的整数。"),
        )  # fmt: skip
        if name in names:
            raise invalid("criteria", _("评分项不能重复。"), "duplicate_criterion")
        names.add(name)
        rows.append((name, weight))
    if not rows:
        raise invalid("criteria", _("请至少设置一个评分项。"), "criteria_required")
    return rows


def _clean_session_projects(node: PartyOrg, projects) -> list[Project]:
    if projects is None:  # by default every project in progress under the node
        return list(
            Project.objects.filter(status=P.IN_PROGRESS, party_org__path__startswith=node.path)
        )
    projects = list(projects)
    for project in projects:
        if not project.party_org.path.startswith(node.path) or project.status not in (
            P.IN_PROGRESS,
            P.COMPLETED,
        ):
            message = _("参评项目须为该党组织下推进中或已完成的项目。")
            raise invalid("projects", message, "project_not_in_node")
    return projects


def session_create(
    *,
    actor,
    party_org: PartyOrg,
    title: str,
    year,
    quarter,
    deadline: datetime,
    kind: str = ReviewSession.Kind.CONTEST,
    method: str = ReviewSession.Method.MEAN,
    criteria=None,
    projects=None,
) -> ReviewSession:
    if not _over_org(actor, party_org):
        raise Forbidden(_("只有该党组织的书记或管理员可以组织评审会。"), code="not_organiser")
    title = clean_text(title, field="title", label=_("名称"), max_length=80)
    kind = _choice(kind, ReviewSession.Kind.choices, field="kind", label=_("类型"))
    method = _choice(method, ReviewSession.Method.choices, field="method", label=_("汇总方法"))
    year = _integer(
        year, field="year", low=2000, high=2100, code="invalid_year", message=_("年度无效。")
    )
    quarter = _integer(
        quarter,
        field="quarter",
        low=1,
        high=4,
        code="invalid_quarter",
        message=_("季度应为 1 至 4。"),
    )
    if deadline is None or deadline <= timezone.now():
        raise invalid("deadline", _("评分截止时间须晚于现在。"), "deadline_past")
    if criteria is None:
        criteria = [{"name": n, "weight": w} for n, w in DEFAULT_CRITERIA]
    criteria = _clean_criteria(criteria)
    projects = _clean_session_projects(party_org, projects)
    with transaction.atomic():
        session = ReviewSession.objects.create(
            party_org=party_org,
            organiser=actor,
            title=title,
            kind=kind,
            method=method,
            year=year,
            quarter=quarter,
            deadline=deadline,
        )
        Criterion.objects.bulk_create(
            Criterion(session=session, name=n, weight=w, order=i)
            for i, (n, w) in enumerate(criteria)
        )
        session.projects.set(projects)
        workflow.record(session, "create", from_status="", actor=actor)
    return session


def session_criteria_set(*, actor, session: ReviewSession, criteria) -> ReviewSession:
    """Replace the criteria and their weights (before the session opens)."""
    _check_organiser(actor, session)
    _check_draft(session)
    criteria = _clean_criteria(criteria)
    with transaction.atomic():
        session.criteria.all().delete()
        Criterion.objects.bulk_create(
            Criterion(session=session, name=n, weight=w, order=i)
            for i, (n, w) in enumerate(criteria)
        )
    return session


def session_projects_set(*, actor, session: ReviewSession, projects) -> ReviewSession:
    _check_organiser(actor, session)
    _check_draft(session)
    session.projects.set(_clean_session_projects(session.party_org, projects))
    return session


def juror_add(*, actor, session: ReviewSession, user, kind: str) -> Juror:
    """Seat `user` on the jury; the seat is the juror role for this session (a JUROR role
    assignment at the session's organisation shows them the jury pages)."""
    _check_organiser(actor, session)
    _check_draft(session)
    kind = _choice(kind, Juror.Kind.choices, field="kind", label=_("评委类别"))
    if user is None:
        raise invalid("user", _("找不到该用户。"), "unknown_user")
    if session.jurors.filter(user=user).exists():
        raise Conflict(_("该用户已是本场评委。"), code="already_juror")
    with transaction.atomic():
        juror = Juror.objects.create(session=session, user=user, kind=kind)
        RoleAssignment.objects.get_or_create(
            user=user, role=Role.JUROR, party_org=session.party_org, area=None
        )
    return juror


def juror_remove(*, actor, juror: Juror) -> None:
    _check_organiser(actor, juror.session)
    _check_draft(juror.session)
    juror.delete()


def _check_jury(session: ReviewSession) -> None:
    minimum = conf("PROJECT_JURY_MINIMUM")
    counts = {kind: 0 for kind in minimum}
    for kind in session.jurors.values_list("kind", flat=True):
        counts[kind] = counts.get(kind, 0) + 1
    short = [kind for kind, need in minimum.items() if counts.get(kind, 0) < need]
    if short:
        labels = "、".join(
            f"{Juror.Kind(kind).label}（{counts.get(kind, 0)}/{minimum[kind]}）" for kind in short
        )
        raise Conflict(_("评委人数不足：%(kinds)s。") % {"kinds": labels}, code="too_few_jurors")


def session_open(*, actor, session: ReviewSession) -> ReviewSession:
    _check_organiser(actor, session)
    workflow.check(session, "open")
    if not session.criteria.exists():
        raise Conflict(_("请先设置评分项。"), code="criteria_required")
    if not session.projects.exists():
        raise Conflict(_("评审会没有参评项目。"), code="no_projects")
    if session.deadline <= timezone.now():
        raise Conflict(_("评分截止时间已过，请先修改。"), code="deadline_passed")
    _check_jury(session)
    with transaction.atomic(savepoint=False):
        workflow.transition(session, "open", actor=actor)
        user_ids = list(session.jurors.values_list("user_id", flat=True))
        context = {"session_id": session.pk, "title": session.title}
        context["deadline"] = timezone.localtime(session.deadline).strftime("%Y-%m-%d %H:%M")
        notify("session.opened", audience=audiences.users(*user_ids), context=context, actor=actor)
    return session


# Why a juror does not score a project (see `recusal`).
OWN_ORG, HOLDS_ROLE, DECLARED = "own_org", "holds_role", "declared"
RECUSAL_LABELS = {
    OWN_ORG: gettext_lazy("本人所在党组织的项目"),
    HOLDS_ROLE: gettext_lazy("本人在项目中担任职务"),
    DECLARED: gettext_lazy("本人声明回避"),
}


def recusal(juror: Juror, project: Project) -> str | None:
    """Automatic recusal: the project's organisation is the juror's own Party organisation
    (their branch, or an organisation under it); or they hold a role in the project (its
    secretary, a role assignment at its organisation, a report or a pledge on it); or they
    declared a conflict. None when they may score it."""
    user = juror.user
    member = Member.objects.select_related("branch").filter(user=user).first()
    if member is not None and project.party_org.path.startswith(member.branch.path):
        return OWN_ORG
    roles_here = RoleAssignment.objects.filter(user=user, party_org=project.party_org).exclude(
        role=Role.JUROR
    )
    if (
        project.secretary_id == user.pk
        or roles_here.exists()
        or project.reports.filter(author=user).exists()
        or (member is not None and project.pledges.filter(member=member).exists())
    ):
        return HOLDS_ROLE
    if juror.conflicts.filter(project=project).exists():
        return DECLARED
    return None


def juror_seat(actor, session: ReviewSession) -> Juror:
    juror = session.jurors.select_related("user").filter(user=actor).first()
    if juror is None:
        raise Forbidden(_("您不是本场评审会的评委。"), code="not_a_juror")
    return juror


def _session_project(session: ReviewSession, project_id) -> Project:
    project = None
    if (pk := parse_id(project_id)) is not None:
        project = session.projects.select_related("party_org").filter(pk=pk).first()
    if project is None:
        raise invalid("project", _("该项目不在本场评审会中。"), "project_not_in_session")
    return project


def conflict_declare(*, actor, session: ReviewSession, project_id, reason: str = ""):
    """A juror declares a conflict: their scores for the project are withdrawn (the score
    history keeps them) and they score it no more."""
    juror = juror_seat(actor, session)
    if session.status == ReviewSession.Status.CLOSED:
        raise Conflict(_("评审会已结束。"), code="session_closed")
    project = _session_project(session, project_id)
    reason = clean_text(reason, field="reason", label=_("回避理由"), max_length=200, required=False)
    with transaction.atomic():
        conflict, _created = DeclaredConflict.objects.get_or_create(
            juror=juror, project=project, defaults={"reason": reason}
        )
        Score.objects.filter(juror=juror, project=project).delete()
    return conflict


def score_set(*, actor, session: ReviewSession, project_id, scores: Mapping) -> list[Score]:
    """A juror's scores (0–100) for one project, any criteria of the session; changeable
    until the deadline. Every change is kept in ScoreChange. All or nothing."""
    juror = juror_seat(actor, session)
    if session.status != ReviewSession.Status.OPEN:
        raise Conflict(_("评审会不在评分阶段。"), code="session_not_open")
    if timezone.now() > session.deadline:
        raise Conflict(_("评分已截止。"), code="deadline_passed")
    project = _session_project(session, project_id)
    if recusal(juror, project):
        raise Forbidden(_("您须回避该项目，不能评分。"), code="recused")
    criteria = {c.pk: c for c in session.criteria.all()}
    if not isinstance(scores, Mapping) or not scores:
        raise invalid("scores", _("请填写评分。"), "scores_required")
    values = {}
    for key, value in scores.items():
        pk = parse_id(key)
        if pk not in criteria:
            raise invalid("scores", _("评分项不属于本场评审会。"), "unknown_criterion")
        values[pk] = _integer(
            value, field="scores", low=0, high=100, code="score_out_of_range",
            message=_("评分应为 0 至 100 的整数。"),
        )  # fmt: skip
    with transaction.atomic():
        # Lock the juror's seat: two saves of the same form in flight write their history
        # in order, each seeing the other's value as the old one.
        Juror.objects.select_for_update().filter(pk=juror.pk).exists()
        existing = {s.criterion_id: s for s in Score.objects.filter(juror=juror, project=project)}
        saved = []
        for pk, value in values.items():
            old = existing.get(pk)
            if old is not None and old.value == value:
                saved.append(old)
                continue
            ScoreChange.objects.create(
                juror=juror,
                project=project,
                criterion_id=pk,
                old_value=old.value if old else None,
                new_value=value,
            )
            score, _created = Score.objects.update_or_create(
                juror=juror, project=project, criterion_id=pk, defaults={"value": value}
            )
            saved.append(score)
    return saved


def _totals(session: ReviewSession) -> dict[int, dict[int, float]]:
    weights = {c.pk: c.weight for c in session.criteria.all()}
    given: dict = {}
    for s in Score.objects.filter(juror__session=session, project__in=session.projects.all()):
        given.setdefault(s.juror_id, {}).setdefault(s.project_id, {})[s.criterion_id] = s.value
    return scoring.juror_totals(given, weights)


def session_close(*, actor, session: ReviewSession) -> ReviewSession:
    """Close scoring and compute the ranking once, by the session's method."""
    _check_organiser(actor, session)
    workflow.check(session, "close")
    totals = _totals(session)
    ranked = scoring.rank(totals, session.method)
    gaps = scoring.divergence(totals)
    threshold = conf("PROJECT_JUROR_DIVERGENCE")
    with transaction.atomic(savepoint=False):
        workflow.transition(session, "close", actor=actor, closed_at=timezone.now())
        Result.objects.bulk_create(
            Result(
                session=session,
                project_id=row.project,
                rank=row.rank,
                aggregate=Decimal(row.aggregate).quantize(Decimal("0.001")),
                mean_total=Decimal(row.mean_total).quantize(Decimal("0.001")),
                jurors=row.jurors,
            )
            for row in ranked
        )
        for juror_id, gap in gaps.items():
            Juror.objects.filter(pk=juror_id).update(
                divergence=Decimal(gap).quantize(Decimal("0.001")), divergent=gap > threshold
            )
    return session


# --- joint requests (双向约谈 / 点题) ---------------------------------------------------------
#
# Race safety: a signature is inserted under the partial unique indexes (one per resident,
# one per household) without any lock, then counted by a conditional UPDATE of the request's
# row (`status` signing, within the period), in the same transaction: signers of one request
# queue only on that UPDATE and their commit, and each counts on top of its predecessor's
# committed count. The signer whose count reaches the threshold while collecting still holds
# the row and makes the guarded move to review with its notification before committing:
# exactly one does. A withdrawal and the expiry are conditional UPDATEs of the same row
# (`status = collecting`), so they wait for that signer and then find the request under
# review. Ratings lock the row (SELECT … FOR UPDATE) for their per-round mean.

J = JointRequest.Status
# Who enters requests, signatures and ratings for residents at a workstation.
JOINT_ENTERERS = frozenset({Role.GRID_WORKER, Role.SECRETARY})
# Who may be assigned a request: any staff role over its community (street and district
# officials included) or a member of its working group.
JOINT_ASSIGNEES = frozenset({Role.GRID_WORKER, Role.SECRETARY, Role.ADMINISTRATOR})


class AlreadySigned(Conflict):
    code = "already_signed"
    default_detail = gettext_lazy("您或您的家人已经联名过该点题。")


class AlreadyRated(Conflict):
    code = "already_rated"
    default_detail = gettext_lazy("您已经评价过本次答复。")


def community_of(area: Area) -> Area | None:
    """The community (社区/村) an area is in: the ancestor at the community's depth."""
    depth = Area.KIND_ORDER.index(Area.Kind.COMMUNITY) + 1
    if area.depth < depth:
        return None
    return Area.objects.filter(path=area.path[: depth * Area.steplen]).first()


def street_of(community: Area) -> Area | None:
    return Area.objects.filter(path=community.path[: (community.depth - 1) * Area.steplen]).first()


def joint_settings(community: Area) -> dict:
    """The community's own threshold, household rule and signing period, else the defaults."""
    group = WorkingGroup.objects.filter(community=community).first()

    def pick(name, knob):
        value = getattr(group, name, None) if group else None
        return conf(knob) if value is None else value

    return {
        "threshold": pick("threshold", "JOINT_THRESHOLD"),
        "one_per_household": pick("one_per_household", "JOINT_ONE_PER_HOUSEHOLD"),
        "signing_days": pick("signing_days", "JOINT_SIGNING_DAYS"),
    }


def in_working_group(user, community: Area) -> bool:
    """Secretaries over the community (implicitly), and the members a secretary named."""
    if has_role_over(user, {Role.SECRETARY}, area=community):
        return True
    return WorkingGroupMember.objects.filter(group__community=community, user=user).exists()


def _check_working_group(actor, request: JointRequest) -> None:
    if not actor.is_authenticated or not in_working_group(actor, request.community):
        raise Forbidden(_("只有本社区点题工作组可以执行该操作。"), code="not_working_group")


def _acting_for(actor, resident: Resident | None) -> tuple[Resident, object]:
    """(the resident, who entered it for them or None). A resident acts for themselves; a
    grid worker or secretary over the resident's building enters for them (paper
    signatures collected at the workstation), and is recorded as having done so."""
    if resident is None:
        resident = Resident.objects.select_related("household__area").filter(user=actor).first()
        if resident is None:
            raise Forbidden(_("只有登记在册的居民可以联名点题。"), code="not_a_resident")
        return resident, None
    if resident.user_id == actor.pk:
        return resident, None
    if not has_role_over(actor, JOINT_ENTERERS, area=resident.household.area):
        raise Forbidden(_("您不能为该居民代录。"), code="not_allowed")
    return resident, actor


# Notifications: the signers (a resident without a login through whoever entered them, as
# with wishes), the working group, the assignee, the level above.


def _signers(request: JointRequest) -> dict:
    return joint_signers(request.pk)


def _working_group(request: JointRequest) -> dict:
    ids = WorkingGroupMember.objects.filter(group__community=request.community_id)
    return audiences.any_of(
        audiences.area_role(request.community_id, Role.SECRETARY),
        audiences.users(*ids.values_list("user_id", flat=True)),
    )


def _assignee(request: JointRequest) -> dict:
    return audiences.users(request.assignee_id)


JOINT_NOTICES = {
    "reach": [("joint.reached", _working_group), ("joint.reached_signers", _signers)],
    "expire": [("joint.expired", _signers)],
    "accept": [("joint.accepted", _signers), ("joint.assigned", _assignee)],
    "decline": [("joint.declined", _signers)],
    "reply": [("joint.replied", _signers)],
    "reopen": [("joint.reopened", _assignee)],
    "close": [("joint.closed", _signers)],
}


def _joint_notify(request: JointRequest, event: str, audience: dict, *, actor, context=None):
    ctx = {
        "request_id": request.pk,
        "title": request.topic,
        "count": request.signature_count,
        **(context or {}),
    }
    notify(event, audience=audience, context=ctx, actor=actor)


def _joint_transition(request: JointRequest, move: str, *, actor, note="", context=None, **fields):
    workflow.check(request, move)
    with transaction.atomic(savepoint=False):
        workflow.transition(request, move, actor=actor, note=note, **fields)
        for event, audience in JOINT_NOTICES.get(move, []):
            _joint_notify(request, event, audience(request), actor=actor, context=context)
    return request


def _lock(request: JointRequest) -> JointRequest:
    """The request's row, locked until the caller's transaction ends; copied into `request`
    so that the caller's object shows what was committed before."""
    locked = JointRequest.objects.select_for_update().get(pk=request.pk)
    for f in JointRequest._meta.concrete_fields:
        setattr(request, f.attname, getattr(locked, f.attname))
    return request


def joint_open(
    *,
    actor,
    topic: str,
    level: str,
    description: str = "",
    department: str = "",
    resident: Resident | None = None,
    photos=(),
) -> JointRequest:
    """A resident (or a grid worker for one) opens a request in the resident's community;
    the opener's signature is its first."""
    resident, entered_by = _acting_for(actor, resident)
    community = community_of(resident.household.area)
    if community is None:
        raise Forbidden(_("该居民不属于任何社区。"), code="no_community")
    topic = clean_text(topic, field="topic", label=_("点题事项"), max_length=80)
    description = clean_text(
        description, field="description", label=_("具体情况"), max_length=2000, required=False
    )
    level = _choice(level, JointRequest.Level.choices, field="level", label=_("约谈层级"))
    department = clean_text(
        department,
        field="department",
        label=_("约谈部门"),
        max_length=60,
        required=level == JointRequest.Level.DEPARTMENT,
    )
    photos = _check_photos(photos, max_count=conf("JOINT_PHOTOS_MAX"))
    rules = joint_settings(community)
    with transaction.atomic():
        request = JointRequest.objects.create(
            community=community,
            opener=resident,
            entered_by=entered_by,
            topic=topic,
            description=description,
            level=level,
            department=department,
            threshold=rules["threshold"],
            one_per_household=rules["one_per_household"],
            signing_until=timezone.now() + timedelta(days=rules["signing_days"]),
        )
        for photo in photos:
            JointRequestPhoto.objects.create(request=request, image=photo)
        workflow.record(request, "open", from_status="", actor=actor)
        joint_sign(actor=actor, request=request, resident=resident)
    return request


def _check_may_sign(request: JointRequest, resident: Resident, now) -> None:
    area = resident.household.area
    if not area.path.startswith(request.community.path):
        raise Forbidden(_("只有本社区的居民可以联名。"), code="not_same_community")
    if request.status == J.EXPIRED or (
        request.status == J.COLLECTING and now > request.signing_until
    ):
        raise Conflict(_("该点题已过征集期，不能再联名。"), code="request_expired")
    if request.status not in JointRequest.SIGNING:
        raise Conflict(_("该点题已结束联名。"), code="signing_closed")


# Sign on PostgreSQL: one statement, in a transaction of its own. The signature is inserted
# first, with no lock (the partial unique indexes refuse a second signature of the resident
# or household at once, or after the other signer's commit); then the request's row is
# counted up by a conditional UPDATE that is also the status and period check, re-evaluated
# on the committed row when it had to wait. The row lock is held from that UPDATE to the
# commit that follows it (or to the move to review, for the signer whose count reaches the
# threshold). A signature the UPDATE refuses is rolled back with it.
_SIGN_SQL = """
WITH s AS (
    INSERT INTO {signature} (request_id, resident_id, household_id, one_per_household,
                             entered_by_id, signed_at)
    SELECT id, %(resident)s, %(household)s, one_per_household, %(entered_by)s, %(now)s
      FROM {request} WHERE id = %(request)s AND status IN (%(collecting)s, %(under_review)s)
 RETURNING id
), c AS (
    UPDATE {request}
       SET signature_count = signature_count + 1, updated_at = %(now)s
     WHERE id = %(request)s AND EXISTS (SELECT 1 FROM s)
       AND (status = %(under_review)s OR (status = %(collecting)s AND signing_until >= %(now)s))
 RETURNING signature_count, status, threshold
)
SELECT s.id, c.signature_count, c.status, c.threshold FROM s, c
"""


def _refused(request: JointRequest, resident: Resident, now) -> Conflict:
    """Why the count's UPDATE matched nothing: the request as committed now."""
    fresh = JointRequest.objects.filter(pk=request.pk).values("status", "signing_until").first()
    if fresh is not None:
        request.status, request.signing_until = fresh["status"], fresh["signing_until"]
        try:
            _check_may_sign(request, resident, now)
        except Conflict as refusal:
            return refusal
    return Conflict(_("该点题已结束联名。"), code="signing_closed")


def _sign_postgresql(actor, request, resident, entered_by, now) -> Signature:
    params = {
        "request": request.pk,
        "resident": resident.pk,
        "household": resident.household_id,
        "entered_by": entered_by.pk if entered_by is not None else None,
        "now": now,
        "collecting": J.COLLECTING,
        "under_review": J.UNDER_REVIEW,
    }
    tables = {"signature": Signature._meta.db_table, "request": JointRequest._meta.db_table}
    with transaction.atomic():
        try:
            with connection.cursor() as cursor:
                cursor.execute(_SIGN_SQL.format(**tables), params)
                row = cursor.fetchone()
        except IntegrityError:  # a unique index: raised out of the block, it rolls back
            raise AlreadySigned() from None
        if row is None:  # not counted: the signature is rolled back with the block
            raise _refused(request, resident, now)
        pk, request.signature_count, request.status, threshold = row
        if request.status == J.COLLECTING and request.signature_count >= threshold:
            # This signer's UPDATE holds the row: the guarded move cannot lose.
            _joint_transition(request, "reach", actor=actor, reached_at=now)
    return Signature(
        pk=pk,
        request=request,
        resident=resident,
        household_id=resident.household_id,
        one_per_household=request.one_per_household,
        entered_by=entered_by,
        signed_at=now,
    )


def _sign_locked(actor, request, resident, entered_by, now) -> Signature:
    """Elsewhere (SQLite, one writer at a time): the request's row lock, then the checks on
    the committed row."""
    with transaction.atomic():
        _lock(request)
        _check_may_sign(request, resident, now)
        try:
            with transaction.atomic():  # savepoint: a duplicate leaves the lock in place
                signature = Signature.objects.create(
                    request=request,
                    resident=resident,
                    household_id=resident.household_id,
                    one_per_household=request.one_per_household,
                    entered_by=entered_by,
                )
        except IntegrityError:
            raise AlreadySigned() from None
        request.signature_count += 1
        JointRequest.objects.filter(pk=request.pk).update(
            signature_count=request.signature_count, updated_at=now
        )
        if request.status == J.COLLECTING and request.signature_count >= request.threshold:
            _joint_transition(request, "reach", actor=actor, reached_at=now)
    return signature


def joint_sign(*, actor, request: JointRequest, resident: Resident | None = None) -> Signature:
    """Co-sign (联名). One signature per resident, and per household if the request says so;
    the signature that reaches the threshold moves the request to review, once.

    On PostgreSQL (`_SIGN_SQL`) signers of one request queue on its row only for the count's
    UPDATE and their commit; exactly one of them sees the threshold while collecting (the
    rows it counted are committed, the rest wait), and its move is the workflow's guarded
    transition with the history row and the outbox rows in the same transaction."""
    resident, entered_by = _acting_for(actor, resident)
    now = timezone.now()
    _check_may_sign(request, resident, now)  # early, without the lock: a clear refusal
    if connection.vendor == "postgresql":
        return _sign_postgresql(actor, request, resident, entered_by, now)
    return _sign_locked(actor, request, resident, entered_by, now)


def joint_unsign(*, actor, request: JointRequest, resident: Resident | None = None) -> None:
    """Withdraw a signature, only while collecting: once the threshold is reached a
    signature cannot be withdrawn. The row stays (withdrawn) as the audit trail.

    The signature is withdrawn first, then the count goes down by a conditional UPDATE
    (`status = collecting`) that waits for a signer holding the row: if that signer moved
    the request to review, the UPDATE matches nothing and the withdrawal is rolled back."""
    resident, _entered_by = _acting_for(actor, resident)
    now = timezone.now()
    if request.status != J.COLLECTING:
        raise Conflict(_("联名已达到人数或已结束，签名不能撤回。"), code="signature_locked")
    with transaction.atomic():
        withdrawn = Signature.objects.filter(
            request=request, resident=resident, withdrawn_at__isnull=True
        ).update(withdrawn_at=now)
        if not withdrawn:
            raise Conflict(_("您尚未联名该点题。"), code="not_signed")
        counted = JointRequest.objects.filter(pk=request.pk, status=J.COLLECTING).update(
            signature_count=F("signature_count") - 1, updated_at=now
        )
        if not counted:
            raise Conflict(_("联名已达到人数或已结束，签名不能撤回。"), code="signature_locked")
    request.signature_count -= 1


def _serves(user, community: Area) -> bool:
    """A staff role held in the community (its grids included) or above it."""
    path = community.path
    return any(
        g.role in JOINT_ASSIGNEES
        and g.area_path
        and (g.area_path.startswith(path) or path.startswith(g.area_path))
        for g in grants(user)
    )


def _check_assignee(user, request: JointRequest) -> None:
    if user is None or not (
        _serves(user, request.community) or in_working_group(user, request.community)
    ):
        message = _("请选择本社区或上级的工作人员作为责任人。")
        raise invalid("assignee", message, "invalid_assignee")


def _reply_due(value) -> date:
    if value in (None, ""):
        return timezone.localdate() + timedelta(days=conf("JOINT_REPLY_DAYS"))
    due = _date(value, field="reply_due", label=_("答复期限"))
    if due < timezone.localdate():
        raise invalid("reply_due", _("答复期限不能早于今天。"), "due_in_past")
    return due


def joint_accept(*, actor, request: JointRequest, assignee, reply_due=None, note: str = ""):
    """The working group accepts and assigns an official who must reply by `reply_due`."""
    _check_working_group(actor, request)
    workflow.check(request, "accept")
    _check_assignee(assignee, request)
    due = _reply_due(reply_due)
    note = clean_text(note, field="note", label=_("说明"), max_length=500, required=False)
    return _joint_transition(
        request,
        "accept",
        actor=actor,
        note=note,
        context={"reply_due": due.isoformat()},
        decided_by=actor,
        accepted_at=timezone.now(),
        assignee=assignee,
        reply_due=due,
    )


def joint_decline(*, actor, request: JointRequest, reason: str):
    """The working group declines, with a reason every signer is told."""
    _check_working_group(actor, request)
    workflow.check(request, "decline")
    reason = clean_text(reason, field="reason", label=_("原因"), max_length=300)
    return _joint_transition(
        request,
        "decline",
        actor=actor,
        note=reason,
        context={"reason": reason},
        decided_by=actor,
        decline_reason=reason,
    )


def _meeting_at(value):
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        moment = value
    else:
        try:
            moment = datetime.fromisoformat(str(value))
        except ValueError:
            raise invalid("meeting_at", _("请填写正确的约谈时间。"), "invalid_meeting_at") from None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def joint_reply(
    *, actor, request: JointRequest, text: str, meeting_at=None, meeting_place: str = ""
):
    """The assigned official replies: text, and a date and place to meet the residents."""
    if request.assignee_id != actor.pk:
        raise Forbidden(_("只有被指派的责任人可以答复。"), code="not_assignee")
    workflow.check(request, "reply")
    text = clean_text(text, field="text", label=_("答复内容"), max_length=2000)
    moment = _meeting_at(meeting_at)
    place = clean_text(
        meeting_place,
        field="meeting_place",
        label=_("约谈地点"),
        max_length=100,
        required=moment is not None,
    )
    now = timezone.now()
    fields = {"reply_text": text, "meeting_at": moment, "meeting_place": place, "replied_at": now}
    if request.first_replied_at is None:
        fields["first_replied_at"] = now
    when = timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""
    context = {"meeting": f"{when} {place}".strip()}
    return _joint_transition(request, "reply", actor=actor, note=text, context=context, **fields)


def _stars(value) -> int:
    try:
        stars = int(str(value).strip())
    except (TypeError, ValueError):
        stars = 0
    if not 1 <= stars <= 5 or str(value).strip() != str(stars):
        raise invalid("stars", _("请给出 1 到 5 星的评分。"), "invalid_rating")
    return stars


def joint_rate(
    *, actor, request: JointRequest, stars, comment: str = "", resident: Resident | None = None
) -> Rating:
    """A signer rates the reply 1–5 (once per reply round). When the round's mean falls
    under JOINT_LOW_RATING the working group is told, once per round."""
    resident, entered_by = _acting_for(actor, resident)
    if entered_by is not None and resident.user_id:
        raise Forbidden(_("有账号的居民请本人评价。"), code="not_allowed")
    signed = Signature.objects.filter(request=request, resident=resident, withdrawn_at=None)
    if not signed.exists():
        raise Forbidden(_("只有联名的居民可以评价答复。"), code="not_a_signer")
    stars = _stars(stars)
    comment = clean_text(comment, field="comment", label=_("评价"), max_length=300, required=False)
    with transaction.atomic():
        _lock(request)
        if request.status != J.REPLIED:
            raise Conflict(_("只有已答复的点题可以评价。"), code="not_replied")
        try:
            with transaction.atomic():
                rating = Rating.objects.create(
                    request=request,
                    resident=resident,
                    round=request.round,
                    stars=stars,
                    comment=comment,
                    entered_by=entered_by,
                )
        except IntegrityError:
            raise AlreadyRated() from None
        mean = request.ratings.filter(round=request.round).aggregate(m=Avg("stars"))["m"]
        if mean < conf("JOINT_LOW_RATING") and request.low_rating_round < request.round:
            request.low_rating_round = request.round
            JointRequest.objects.filter(pk=request.pk).update(low_rating_round=request.round)
            context = {"mean": f"{mean:.1f}"}
            audience = _working_group(request)
            _joint_notify(request, "joint.low_rating", audience, actor=actor, context=context)
    return rating


def joint_reopen(*, actor, request: JointRequest, reply_due=None, note: str = ""):
    """The working group sends a reply back to the assignee: a new round of reply and
    ratings, with a new due date."""
    _check_working_group(actor, request)
    workflow.check(request, "reopen")
    due = _reply_due(reply_due)
    note = clean_text(note, field="note", label=_("说明"), max_length=500, required=False)
    return _joint_transition(
        request,
        "reopen",
        actor=actor,
        note=note,
        context={"note": note, "reply_due": due.isoformat()},
        round=F("round") + 1,
        reply_due=due,
        replied_at=None,
    )


def joint_close(*, actor, request: JointRequest, note: str = ""):
    _check_working_group(actor, request)
    workflow.check(request, "close")
    note = clean_text(note, field="note", label=_("说明"), max_length=500, required=False)
    return _joint_transition(request, "close", actor=actor, note=note, closed_at=timezone.now())


def joint_expire(*, request: JointRequest, now=None) -> JointRequest:
    """Threshold not reached within the signing period (the beat; actor None)."""
    now = now or timezone.now()
    guard = Q(signing_until__lt=now)
    workflow.check(request, "expire")
    with transaction.atomic(savepoint=False):
        workflow.transition(request, "expire", actor=None, guard=guard)
        for event, audience in JOINT_NOTICES["expire"]:
            _joint_notify(request, event, audience(request), actor=None)
    return request


def joint_requests_expire(*, now=None) -> int:
    """Expire every request still collecting after its signing period; safe to run twice
    (and against a last signature: the conditional UPDATE waits for the signer's lock and
    then finds the request under review)."""
    now = now or timezone.now()
    due = JointRequest.objects.filter(status=J.COLLECTING, signing_until__lt=now).order_by("pk")
    expired = 0
    for request in due:
        try:
            joint_expire(request=request, now=now)
        except Conflict:
            continue
        expired += 1
    return expired


def joint_adopt(
    *,
    actor,
    request: JointRequest,
    goal: str,
    category: str,
    due_on,
    party_org: PartyOrg | None = None,
) -> Project:
    """A secretary adopts an accepted request as a secretary project (书记项目); the request
    and the project point at each other. Refused for requests not (yet) accepted."""
    if request.status not in JointRequest.ADOPTABLE:
        raise Conflict(_("只有已受理的点题可以转为书记项目。"), code="not_adoptable")
    if request.project_id:
        raise Conflict(_("该点题已转为书记项目。"), code="already_adopted")
    if party_org is None:
        party_org = PartyOrg.objects.filter(area=request.community).order_by("path").first()
        if party_org is None:
            raise invalid("party_org", _("请选择责任党组织。"), "party_org_required")
    with transaction.atomic():
        project = project_create(
            actor=actor,
            level=Project.Level.SECRETARY,
            party_org=party_org,
            area=request.community,
            title=request.topic,
            problem=request.description or request.topic,
            goal=goal,
            category=category,
            start_on=timezone.localdate(),
            due_on=due_on,
        )
        linked = JointRequest.objects.filter(
            pk=request.pk, project__isnull=True, status__in=JointRequest.ADOPTABLE
        ).update(project=project, updated_at=timezone.now())
        if not linked:  # adopted (or moved) by someone else meanwhile: undo the project
            raise Conflict(_("该点题已转为书记项目。"), code="already_adopted")
        request.project = project
        note = _("转为书记项目：%(title)s") % {"title": project.title}
        workflow.record(request, "adopt", from_status=request.status, actor=actor, note=note)
    return project


def working_group_name(*, actor, community: Area, user) -> WorkingGroupMember:
    """A secretary over the community names a member of its working group."""
    if not has_role_over(actor, {Role.SECRETARY}, area=community):
        raise Forbidden(_("只有社区书记可以指定工作组成员。"), code="not_a_secretary")
    if community.kind != Area.Kind.COMMUNITY:
        raise invalid("community", _("请选择社区。"), "invalid_community")
    group, _created = WorkingGroup.objects.get_or_create(community=community)
    seat, _created = WorkingGroupMember.objects.get_or_create(
        group=group, user=user, defaults={"added_by": actor}
    )
    return seat


def working_group_remove(*, actor, seat: WorkingGroupMember) -> None:
    if not has_role_over(actor, {Role.SECRETARY}, area=seat.group.community):
        raise Forbidden(_("只有社区书记可以调整工作组成员。"), code="not_a_secretary")
    seat.delete()


def _clean_group_settings(threshold, one_per_household, signing_days) -> dict:
    def number(value, field, low, high, message):
        if value in (None, ""):
            return None
        return _integer(
            value, field=field, low=low, high=high, code=f"invalid_{field}", message=message
        )

    return {
        "threshold": number(
            threshold, "threshold", 2, 1000, _("联名人数门槛应为 2 至 1000 的整数。")
        ),
        "signing_days": number(signing_days, "signing_days", 1, 365, _("征集期应为 1 至 365 天。")),
        "one_per_household": None if one_per_household in ("", None) else bool(one_per_household),
    }


def working_group_configure(
    *, actor, community: Area, threshold=None, one_per_household=None, signing_days=None
) -> WorkingGroup:
    """A community's own threshold, household rule and signing period (empty: the
    defaults), set by a secretary or administrator over it; requests opened later use them."""
    if community is None or community.kind != Area.Kind.COMMUNITY:
        raise invalid("community", _("请选择社区。"), "invalid_community")
    if not has_role_over(actor, ORGANISERS, area=community):
        raise Forbidden(_("只有社区书记可以设置点题规则。"), code="not_a_secretary")
    fields = _clean_group_settings(threshold, one_per_household, signing_days)
    group, _created = WorkingGroup.objects.update_or_create(community=community, defaults=fields)
    return group


def working_group_update(*, actor, group: WorkingGroup, **fields) -> WorkingGroup:
    values = {
        name: fields.get(name, getattr(group, name))
        for name in ("threshold", "one_per_household", "signing_days")
    }
    return working_group_configure(actor=actor, community=group.community, **values)
