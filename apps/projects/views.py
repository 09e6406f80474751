"""Phone-first pages: secretaries (projects, reports, pledge confirmation), members (my
pledges), jurors (my sessions, score every project on one screen), organisers (sessions,
results) and the public board. Each view parses the form, calls one service (or selector)
and renders; errors come back as the service's Chinese `detail` (the `page` decorator)."""

from datetime import datetime, timedelta

from django.contrib import messages
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from apps.accounts.models import Role, User
from apps.accounts.scoping import CHANGE, grants, has_role_over, scoped
from apps.core.conf import conf
from apps.core.db import on_replica
from apps.core.errors import AppError, InvalidInput
from apps.core.exports import XLSX_TYPE
from apps.core.history import note_access, object_history
from apps.core.views import error_page, get_or_404, page, redirect_back
from apps.register.models import Area, PartyOrg, Resident

from . import selectors, services, sheets
from .models import (
    Category,
    JointRequest,
    Juror,
    Pledge,
    Project,
    ReviewSession,
    WorkingGroupMember,
)

P = Project.Status


# --- projects -------------------------------------------------------------------------------


@page
def project_list(request):
    today = timezone.localdate()
    projects = list(selectors.with_details(selectors.projects_visible_to(user=request.user)))
    for p in projects:
        p.progress = selectors.progress_of(p)
        p.flag_report = selectors.needs_report(p, today)
        p.flag_overdue = bool(selectors.overdue_milestones(p, today))
    return render(request, "projects/list.html", {"projects": projects})


def _project_form(request) -> dict:
    post = request.POST
    keys = ("level", "party_org", "parent", "title", "problem", "goal", "category")
    values = {k: post.get(k, "") for k in (*keys, "start_on", "due_on", "weight")}
    values["targets"] = [
        {"name": n, "unit": u, "target": t}
        for n, u, t in zip(
            post.getlist("target_name"),
            post.getlist("target_unit"),
            post.getlist("target_value"),
            strict=False,
        )
        if n or t
    ]
    return values


@page
def project_new(request):
    orgs = scoped(request.user, PartyOrg, CHANGE).order_by("path")
    parents = selectors.projects_visible_to(user=request.user).filter(
        level=Project.Level.SECRETARY, status__in=[P.APPROVED, P.IN_PROGRESS]
    )
    values, error = {}, None
    if request.method == "POST":
        values = _project_form(request)
        try:
            project = services.project_create(
                actor=request.user,
                level=values["level"],
                party_org=get_or_404(orgs, values["party_org"]),
                parent=get_or_404(parents, values["parent"]) if values["parent"] else None,
                title=values["title"],
                problem=values["problem"],
                goal=values["goal"],
                category=values["category"],
                start_on=values["start_on"],
                due_on=values["due_on"],
                weight=values["weight"] or 1,
                targets=values["targets"],
            )
        except AppError as exc:
            error = exc.detail
        else:
            messages.success(request, _("项目已创建，请提交审批。"))
            return redirect("projects:detail", project.pk)
    context = {
        "orgs": orgs,
        "parents": parents,
        "levels": Project.Level.choices,
        "categories": Category.choices,
        "values": values,
        "error": error,
    }
    return render(request, "projects/new.html", context, status=400 if error else 200)


MOVE_LABELS = {
    "submit": gettext_lazy("提交审批"),
    "return": gettext_lazy("退回修改"),
    "approve": gettext_lazy("批准"),
    "start": gettext_lazy("开始推进"),
    "complete": gettext_lazy("标记完成"),
    "suspend": gettext_lazy("暂停"),
    "resume": gettext_lazy("恢复推进"),
    "cancel": gettext_lazy("取消项目"),
}


@page
def project_detail(request, pk):
    qs = selectors.with_details(selectors.projects_visible_to(user=request.user))
    project = get_or_404(qs.prefetch_related("events__actor", "pledges__member"), pk)
    today = timezone.localdate()
    context = {
        "project": project,
        "progress": selectors.progress_of(project),
        "needs_report": selectors.needs_report(project, today),
        "today": today,
        "moves": [(m, str(MOVE_LABELS[m])) for m in Project.workflow.moves_from(project.status)],
        "children": project.children.all(),
        "history": object_history(request, project),
    }
    return render(request, "projects/detail.html", context)


@require_POST
@page
def project_act(request, pk, move):
    project = get_or_404(selectors.projects_visible_to(user=request.user), pk)
    if move not in Project.workflow.moves:
        raise InvalidInput(_("未知的操作。"), code="unknown_move")
    services.project_transition(
        actor=request.user, project=project, move=move, note=request.POST.get("note", "")
    )
    messages.success(request, _("操作成功。"))
    return redirect("projects:detail", pk)


@require_POST
@page
def milestone_add(request, pk):
    project = get_or_404(selectors.projects_visible_to(user=request.user), pk)
    post = request.POST
    services.milestone_add(
        actor=request.user, project=project, title=post.get("title"), due_on=post.get("due_on")
    )
    messages.success(request, _("节点已添加。"))
    return redirect("projects:detail", pk)


@require_POST
@page
def milestone_done(request, pk, milestone):
    project = get_or_404(selectors.projects_visible_to(user=request.user), pk)
    services.milestone_done(actor=request.user, milestone=get_or_404(project.milestones, milestone))
    messages.success(request, _("节点已完成。"))
    return redirect("projects:detail", pk)


@require_POST
@page
def report_add(request, pk):
    project = get_or_404(selectors.projects_visible_to(user=request.user), pk)
    post = request.POST
    values = {
        key.removeprefix("target_"): value
        for key, value in post.items()
        if key.startswith("target_") and value != ""
    }
    services.report_add(
        actor=request.user,
        project=project,
        text=post.get("text"),
        percent=post.get("percent"),
        target_values=values,
        photos=request.FILES.getlist("photos"),
    )
    messages.success(request, _("进展已填报。"))
    return redirect("projects:detail", pk)


# --- pledges --------------------------------------------------------------------------------


@page
def pledges(request):
    """My pledges and a form to make one; for branch secretaries, the pledges to confirm."""
    mine = selectors.pledges_visible_to(user=request.user).filter(member__user=request.user)
    is_secretary = any(g.role == "secretary" for g in grants(request.user))
    to_confirm = selectors.pledges_to_confirm(user=request.user) if is_secretary else []
    projects = selectors.projects_visible_to(user=request.user).filter(
        status__in=[P.APPROVED, P.IN_PROGRESS]
    )
    if request.method == "POST":
        post = request.POST
        services.pledge_make(
            actor=request.user,
            title=post.get("title"),
            content=post.get("content", ""),
            due_on=post.get("due_on"),
            project=get_or_404(projects, post["project"]) if post.get("project") else None,
        )
        messages.success(request, _("承诺已公开。"))
        return redirect("projects:pledges")
    to_confirm = list(to_confirm)
    for pledge in to_confirm:  # the branch secretary sees the members' names in full
        note_access(request, pledge.member, ["name"])
    context = {"mine": mine, "to_confirm": to_confirm, "projects": projects}
    return render(request, "projects/pledges.html", context)


@require_POST
@page
def pledge_confirm(request, pk):
    pledge = get_or_404(selectors.pledges_visible_to(user=request.user), pk)
    kept = request.POST.get("kept") == "1"
    services.pledge_confirm(
        actor=request.user, pledge=pledge, kept=kept, note=request.POST.get("note", "")
    )
    messages.success(request, _("已确认。"))
    return redirect("projects:pledges")


@require_POST
@page
def pledge_comment(request, pk):
    pledge = get_or_404(Pledge.objects.select_related("area", "member"), pk)
    services.pledge_comment(actor=request.user, pledge=pledge, text=request.POST.get("text"))
    messages.success(request, _("感谢您的评价。"))
    return redirect_back(request, request.POST.get("next"), default=reverse("projects:board"))


# --- the public board -----------------------------------------------------------------------


@on_replica
def board(request):
    """责任田晾晒: no login; only public rows and masked names."""
    try:
        return _board(request)
    except AppError as exc:
        return error_page(request, exc)


def _board(request):
    areas = Area.objects.filter(kind__in=[Area.Kind.STREET, Area.Kind.COMMUNITY]).order_by("path")
    area_id = request.GET.get("area") or (areas[0].pk if areas else None)
    area = get_or_404(Area.objects.all(), area_id)
    category, level = request.GET.get("category", ""), request.GET.get("level", "")
    if category not in ("", *Category.values) or level not in ("", *Project.Level.values):
        raise InvalidInput(_("筛选条件无效。"), code="invalid_filter")
    found = selectors.board(area=area, category=category, level=level)
    today = timezone.localdate()
    context = {
        "area": area,
        "areas": areas,
        "category": category,
        "level": level,
        "categories": Category.choices,
        "levels": Project.Level.choices,
        "projects": [selectors.board_project(p, today) for p in found["projects"]],
        "pledges": [selectors.board_pledge(p) for p in found["pledges"]],
        "rankings": [sheets.ranking(s) for s in found["sessions"]],
    }
    return render(request, "projects/board.html", context)


# --- review sessions ------------------------------------------------------------------------


@page
def sessions(request):
    found = selectors.sessions_visible_to(user=request.user)
    seats = set(Juror.objects.filter(user=request.user).values_list("session_id", flat=True))
    return render(request, "projects/sessions.html", {"sessions": found, "seats": seats})


@page
def session_new(request):
    orgs = scoped(request.user, PartyOrg, CHANGE).order_by("path")
    today = timezone.localdate()
    values = {"year": today.year, "quarter": (today.month - 1) // 3 + 1}
    if request.method == "POST":
        post = request.POST
        deadline = _datetime(post.get("deadline", ""))
        session = services.session_create(
            actor=request.user,
            party_org=get_or_404(orgs, post.get("party_org")),
            title=post.get("title"),
            kind=post.get("kind", ReviewSession.Kind.CONTEST),
            method=post.get("method", ReviewSession.Method.MEAN),
            year=post.get("year"),
            quarter=post.get("quarter"),
            deadline=deadline,
        )
        messages.success(request, _("评审会已创建，请添加评委。"))
        return redirect("projects:session", session.pk)
    context = {
        "orgs": orgs,
        "values": values,
        "kinds": ReviewSession.Kind.choices,
        "methods": ReviewSession.Method.choices,
    }
    return render(request, "projects/session_new.html", context)


def _datetime(value: str):
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput(_("请填写正确的截止时间。"), code="invalid_deadline") from None
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


def _session(request, pk) -> ReviewSession:
    qs = selectors.sessions_visible_to(user=request.user).prefetch_related(
        "criteria", "jurors__user", "projects__party_org"
    )
    return get_or_404(qs, pk)


@page
def session_detail(request, pk):
    session = _session(request, pk)
    organiser = scoped(request.user, ReviewSession, CHANGE).filter(pk=session.pk).exists()
    context = {
        "session": session,
        "organiser": organiser,
        "seat": session.jurors.filter(user=request.user).first(),
        "juror_kinds": Juror.Kind.choices,
    }
    return render(request, "projects/session.html", context)


@require_POST
@page
def session_act(request, pk, act):
    session = _session(request, pk)
    post = request.POST
    if act == "juror":
        user = User.objects.filter(username=post.get("username", "").strip()).first()
        services.juror_add(actor=request.user, session=session, user=user, kind=post.get("kind"))
    elif act == "criteria":
        rows = zip(post.getlist("name"), post.getlist("weight"), strict=False)
        criteria = [{"name": n, "weight": w} for n, w in rows if n or w]
        services.session_criteria_set(actor=request.user, session=session, criteria=criteria)
    elif act == "open":
        services.session_open(actor=request.user, session=session)
    elif act == "close":
        services.session_close(actor=request.user, session=session)
        return redirect("projects:results", pk)
    else:
        raise InvalidInput(_("未知的操作。"), code="unknown_action")
    messages.success(request, _("操作成功。"))
    return redirect("projects:session", pk)


@page
def score(request, pk):
    """One screen: every project of the session with a number field per criterion; the
    juror's own scores only; recused projects shown with the reason."""
    session = _session(request, pk)
    seat = services.juror_seat(request.user, session)
    if request.method == "POST":
        post = request.POST
        if post.get("conflict"):
            services.conflict_declare(
                actor=request.user,
                session=session,
                project_id=post.get("project"),
                reason=post.get("reason", ""),
            )
        else:
            scores = {
                key.removeprefix("c"): value
                for key, value in post.items()
                if key.startswith("c") and key[1:].isdigit() and value != ""
            }
            services.score_set(
                actor=request.user, session=session, project_id=post.get("project"), scores=scores
            )
        messages.success(request, _("已保存。"))
        return redirect("projects:score", pk)
    mine = selectors.own_scores(user=request.user, session=session)
    criteria = list(session.criteria.all())
    rows = []
    for project in session.projects.all():
        given = mine.get(project.pk, {})
        reason = services.recusal(seat, project)
        rows.append(
            {
                "project": project,
                "recused": services.RECUSAL_LABELS[reason] if reason else "",
                "fields": [(c, given.get(c.pk, "")) for c in criteria],
            }
        )
    context = {"session": session, "rows": rows, "open": session.status == "open"}
    return render(request, "projects/score.html", context)


@page
def results(request, pk):
    session = _session(request, pk)
    ranking = sheets.ranking(session)
    top = max((r["aggregate"] for r in ranking["rows"]), default=0) or 1
    for row in ranking["rows"]:
        row["bar"] = round(row["aggregate"] * 100 / top)
    organiser = scoped(request.user, ReviewSession, CHANGE).filter(pk=session.pk).exists()
    divergent = session.jurors.filter(divergent=True) if organiser else []
    context = {
        "session": session,
        "ranking": ranking,
        "organiser": organiser,
        "divergent": divergent,
    }
    return render(request, "projects/results.html", context)


@page
def results_xlsx(request, pk):
    session = get_or_404(scoped(request.user, ReviewSession, CHANGE), pk)
    response = HttpResponse(sheets.result_xlsx(session), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="session-{session.pk}-results.xlsx"'
    return response


# --- joint requests (双向约谈 / 点题) ---------------------------------------------------------


@page
def joint_list(request):
    requests = selectors.joint_requests_visible_to(user=request.user).order_by("-created_at")
    status = request.GET.get("status", "")
    if status in JointRequest.Status.values:
        requests = requests.filter(status=status)
    return render(
        request,
        "projects/joint_list.html",
        {
            "requests": list(requests[:200]),
            "status": status,
            "statuses": JointRequest.Status.choices,
            "is_resident": hasattr(request.user, "resident"),
            "is_secretary": any(g.role == Role.SECRETARY for g in grants(request.user)),
        },
    )


@page
def joint_new(request):
    values = {}
    if request.method == "POST":
        values = {k: request.POST.get(k, "") for k in ("topic", "level", "department")}
        values["description"] = request.POST.get("description", "")
        joint = services.joint_open(
            actor=request.user, photos=request.FILES.getlist("photos"), **values
        )
        messages.success(request, _("点题已发起，请邀请邻居联名。"))
        return redirect("projects:joint", joint.pk)
    context = {"values": values, "levels": JointRequest.Level.choices}
    return render(request, "projects/joint_new.html", context)


def _joint_context(request, joint: JointRequest) -> dict:
    user = request.user
    community = joint.community
    working_group = services.in_working_group(user, community)
    resident = getattr(user, "resident", None)
    signed = selectors.joint_signed_by(joint, user)
    rated = resident is not None and joint.ratings.filter(resident=resident, round=joint.round)
    is_signer = signed and joint.status == JointRequest.Status.REPLIED
    enters = has_role_over(user, services.JOINT_ENTERERS, area=community) or any(
        g.role in services.JOINT_ENTERERS and g.area_path and g.area_path.startswith(community.path)
        for g in grants(user)
    )
    # The project the request became: linked only for those who may open it (no dead end).
    project_visible = bool(joint.project_id) and (
        selectors.projects_visible_to(user=user).filter(pk=joint.project_id).exists()
    )
    return {
        "project_visible": project_visible,
        "joint": joint,
        "progress": selectors.joint_progress(joint),
        "rating_mean": selectors.joint_rating_mean(joint),
        "signatures": selectors.joint_signature_names(joint, user, request),
        "opener": selectors.joint_opener_display(joint, user, request),
        "signed": signed,
        "can_sign": resident is not None and not signed and joint.status in JointRequest.SIGNING,
        "can_unsign": signed and joint.status == JointRequest.Status.COLLECTING,
        "working_group": working_group,
        "is_assignee": joint.assignee_id == user.pk,
        "can_rate": is_signer and not rated,
        "can_adopt": has_role_over(user, {Role.SECRETARY}, area=community)
        and joint.status in JointRequest.ADOPTABLE
        and not joint.project_id,
        "enters": enters,
        "paper_residents": _noted_residents(
            request, selectors.joint_paper_candidates(joint, user) if enters else []
        ),
        "assignees": selectors.joint_assignee_candidates(community) if working_group else [],
        "categories": Category.choices,
        "share_url": request.build_absolute_uri(),
        "events": joint.events.select_related("actor"),
        "show_actors": working_group,
        "default_due": timezone.localdate() + timedelta(days=conf("JOINT_REPLY_DAYS")),
        "history": object_history(request, joint),
    }


@page
def joint_detail(request, pk):
    joint = get_or_404(selectors.joint_requests_visible_to(user=request.user), pk)
    return render(request, "projects/joint_detail.html", _joint_context(request, joint))


def _resident_from(request):
    pk = request.POST.get("resident")
    if not pk:
        return None
    return get_or_404(scoped(request.user, Resident), pk)


JOINT_ACTS = {
    "sign": lambda r, j: services.joint_sign(actor=r.user, request=j, resident=_resident_from(r)),
    "unsign": lambda r, j: services.joint_unsign(actor=r.user, request=j),
    "accept": lambda r, j: services.joint_accept(
        actor=r.user,
        request=j,
        assignee=User.objects.filter(pk=r.POST.get("assignee") or 0, is_active=True).first(),
        reply_due=r.POST.get("reply_due", ""),
        note=r.POST.get("note", ""),
    ),
    "decline": lambda r, j: services.joint_decline(
        actor=r.user, request=j, reason=r.POST.get("reason", "")
    ),
    "reply": lambda r, j: services.joint_reply(
        actor=r.user,
        request=j,
        text=r.POST.get("text", ""),
        meeting_at=r.POST.get("meeting_at", ""),
        meeting_place=r.POST.get("meeting_place", ""),
    ),
    "rate": lambda r, j: services.joint_rate(
        actor=r.user,
        request=j,
        stars=r.POST.get("stars", ""),
        comment=r.POST.get("comment", ""),
        resident=_resident_from(r),
    ),
    "reopen": lambda r, j: services.joint_reopen(
        actor=r.user, request=j, reply_due=r.POST.get("reply_due", ""), note=r.POST.get("note", "")
    ),
    "close": lambda r, j: services.joint_close(actor=r.user, request=j),
    "adopt": lambda r, j: services.joint_adopt(
        actor=r.user,
        request=j,
        goal=r.POST.get("goal", ""),
        category=r.POST.get("category", ""),
        due_on=r.POST.get("due_on", ""),
    ),
}
JOINT_DONE = {
    "sign": gettext_lazy("联名成功，谢谢您的支持！"),
    "unsign": gettext_lazy("已撤回联名。"),
    "accept": gettext_lazy("已受理并指派责任人。"),
    "decline": gettext_lazy("已不予受理，联名居民将收到原因。"),
    "reply": gettext_lazy("答复已发送给联名居民。"),
    "rate": gettext_lazy("感谢您的评价。"),
    "reopen": gettext_lazy("已要求重新答复。"),
    "close": gettext_lazy("已办结。"),
    "adopt": gettext_lazy("已转为书记项目。"),
}


@require_POST
@page
def joint_act(request, pk, act):
    if act not in JOINT_ACTS:
        raise InvalidInput(_("未知的操作。"), code="unknown_move")
    # Signing is open to the community's residents from a shared link (the board shows every
    # request anyway); the service refuses other communities with `not_same_community`.
    source = (
        JointRequest.objects
        if act == "sign"
        else selectors.joint_requests_visible_to(user=request.user)
    )
    joint = get_or_404(source.select_related(*selectors.JOINT_RELATED), pk)
    result = JOINT_ACTS[act](request, joint)
    messages.success(request, JOINT_DONE[act])
    if act == "adopt":
        return redirect("projects:detail", result.pk)
    return redirect("projects:joint", pk)


@on_replica
def joint_board(request):
    """The community's request board: no login, masked names, statistics for a range."""
    try:
        return _joint_board(request)
    except AppError as exc:
        return error_page(request, exc)


def _day(value, default):
    if not value:
        return default
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise InvalidInput(_("请填写正确的日期。"), code="invalid_date") from None


def _joint_board(request):
    communities = Area.objects.filter(kind=Area.Kind.COMMUNITY).order_by("path")
    community_id = request.GET.get("community") or (communities[0].pk if communities else None)
    community = get_or_404(communities, community_id)
    end = _day(request.GET.get("end"), timezone.localdate())
    start = _day(request.GET.get("start"), end - timedelta(days=365))
    if start > end:
        raise InvalidInput(_("开始日期不能晚于结束日期。"), code="invalid_range")
    context = {
        "community": community,
        "communities": communities,
        "rows": [selectors.joint_board_row(r) for r in selectors.joint_board(community=community)],
        "stats": selectors.joint_stats(community=community, start=start, end=end),
    }
    return render(request, "projects/joint_board.html", context)


def _noted_residents(request, residents) -> list:
    """Residents listed by name and room (the paper-signature form): a personal-data access."""
    residents = list(residents)
    for resident in residents:
        note_access(request, resident, ["name"])
        note_access(request, resident.household, ["address"])
    return residents


@page
def joint_group(request):
    """The secretary names the members of their communities' working groups."""
    communities = [
        c
        for c in scoped(request.user, Area).filter(kind=Area.Kind.COMMUNITY).order_by("path")
        if has_role_over(request.user, {Role.SECRETARY}, area=c)
    ]
    if request.method == "POST":
        if request.POST.get("remove"):
            seats = WorkingGroupMember.objects.filter(group__community__in=communities)
            seat = get_or_404(seats.select_related("group__community"), request.POST["remove"])
            services.working_group_remove(actor=request.user, seat=seat)
            messages.success(request, _("已移出工作组。"))
        else:
            community = get_or_404(
                Area.objects.filter(pk__in=[c.pk for c in communities]),
                request.POST.get("community"),
            )
            login = (request.POST.get("login") or "").strip()
            user = User.objects.filter(Q(username=login) | Q(phone=login), is_active=True).first()
            if not login or user is None:
                raise InvalidInput(_("找不到该用户。"), code="unknown_user")
            services.working_group_name(actor=request.user, community=community, user=user)
            messages.success(request, _("已加入工作组。"))
        return redirect("projects:joint_group")
    seats = WorkingGroupMember.objects.filter(group__community__in=communities).select_related(
        "group__community", "user"
    )
    return render(
        request, "projects/joint_group.html", {"communities": communities, "seats": seats}
    )
