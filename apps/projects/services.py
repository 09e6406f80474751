"""Every write to projects, pledges and review sessions. The moves are the models'
`workflow`s, made through `apps.core.workflow.transition` with a history row and, where
someone should hear about it, an outbox row in the same transaction. Input is checked in
full before anything is written: a refused request writes nothing."""

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image

from apps.accounts.models import Role, RoleAssignment
from apps.accounts.scoping import has_role_over
from apps.core import workflow
from apps.core.conf import conf
from apps.core.errors import Conflict, Forbidden, InvalidInput
from apps.core.validators import clean_text, invalid
from apps.notifications import audiences
from apps.notifications.services import notify
from apps.points.services import points_award
from apps.register.models import Area, Member, PartyOrg, Resident

from . import scoring
from .models import (
    ORGANISERS,
    Category,
    Criterion,
    Juror,
    Milestone,
    Pledge,
    PledgeComment,
    ProgressReport,
    Project,
    ReportPhoto,
    Result,
    ReviewSession,
    Score,
    ScoreChange,
    Target,
)
from .models import Conflict as DeclaredConflict

P = Project.Status
DEFAULT_CRITERIA = (("问需", 10), ("问效", 10), ("问责", 10))  # equal weights by default
IMAGE_FORMATS = frozenset({"JPEG", "PNG", "WEBP"})


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


def _check_photos(photos) -> list:
    photos = [p for p in (photos or []) if p]
    if len(photos) > conf("PROJECT_PHOTOS_MAX"):
        message = _("最多上传 %(n)d 张照片。") % {"n": conf("PROJECT_PHOTOS_MAX")}
        raise invalid("photos", message, "too_many_photos")
    for photo in photos:
        if photo.size > conf("PROJECT_PHOTO_MAX_BYTES"):
            raise invalid("photos", _("照片太大。"), "photo_too_large")
        try:
            with Image.open(photo) as image:
                kind = image.format
                image.verify()
        except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
            kind = None
        finally:
            photo.seek(0)
        if kind not in IMAGE_FORMATS:
            raise invalid("photos", _("请上传 JPG、PNG 或 WEBP 格式的图片。"), "photo_not_image")
    return photos


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
        pk = int(key) if str(key).isdigit() else None
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
    if str(project_id or "").isdigit():
        project = session.projects.select_related("party_org").filter(pk=project_id).first()
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
        pk = int(key) if str(key).isdigit() else None
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
