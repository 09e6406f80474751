"""Pages for group leaders, grid workers and secretaries, and the grid report.

Each view parses the request, calls one service (or selector) and renders; an `AppError`
becomes a message (or an error page) showing its Chinese `detail`.
"""

import datetime as dt

from django.contrib import messages
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.accounts.scoping import has_role_over, scoped, sees_personal
from apps.core.db import on_replica
from apps.core.errors import AppError, InvalidInput
from apps.core.history import note_access, object_history
from apps.core.masking import mask_name
from apps.core.validators import parse_id
from apps.core.views import get_or_404, offline_page, page, vendored
from apps.register.models import Area, Household, Member, Resident
from apps.register.selectors import visible_nodes

from . import reports, selectors, services
from .api import export_response
from .models import GroupMembership, Pairing, Problem, ResponsibilityGroup, Visit

# --- group leader --------------------------------------------------------------------------


@offline_page
@page
def leader(request):
    """The leader's (or helper's) households and open problems. Kept on the phone for
    offline use (residents' names always masked here) with a visit form that works offline
    (static/js/visits.js: IndexedDB, then POST /api/visits/ with an Idempotency-Key)."""
    households = selectors.households_of_leader(user=request.user)
    problems = selectors.problems_open_for(user=request.user).filter(
        Q(household__in=households.values("pk")) | Q(reporter=request.user)
    )
    my_groups = set(
        GroupMembership.objects.filter(member__user=request.user).values_list("group_id", flat=True)
    )
    paired = set(
        Pairing.objects.filter(helper__user=request.user, active=True).values_list(
            "resident__household_id", flat=True
        )
    )
    month_start = selectors.month_start_dt()
    rows = list(households)
    for h in rows:
        coverage = getattr(h, "group_coverage", None)  # None: a paired household only
        h.visit_group = coverage.group_id if coverage and coverage.group_id in my_groups else ""
        h.paired = h.pk in paired
        h.resident_names = [mask_name(r.name) for r in h.residents.all()]
        h.state = _visit_state(h.last_visit, month_start)
        note_access(request, h, ["address"])  # the room is shown; the names are masked
    counts = {
        "all": len(rows),
        "due": sum(1 for h in rows if h.state != "done"),
        "never": sum(1 for h in rows if h.state == "never"),
        "paired": sum(1 for h in rows if h.paired),
    }
    show = request.GET.get("show", "all")
    show = show if show in LEADER_FILTERS else "all"
    q = request.GET.get("q", "").strip()[:50]
    shown = [h for h in rows if _leader_match(h, show, q)]
    context = {
        "groups": selectors.groups_led_by(user=request.user),
        "households": shown,
        "buildings": _by_building(shown),
        "counts": counts,
        "show": show,
        "q": q,
        "filters": [(key, label, counts[key]) for key, label in _leader_filter_labels()],
        "problems": problems,
        "month_start": month_start,
        "clears": [(name, Visit._meta.get_field(name).verbose_name) for name in Visit.FIVE_CLEARS],
        "categories": Problem.Category.choices,
        "outbox_messages": _outbox_messages(),
    }
    return render(request, "grids/leader.html", context)


LEADER_FILTERS = ("all", "due", "never", "paired")


def _leader_filter_labels() -> list[tuple[str, str]]:
    return [
        ("all", _("全部")),
        ("due", _("本月未访")),
        ("never", _("从未走访")),
        ("paired", _("结对户")),
    ]


def _visit_state(last_visit, month_start) -> str:
    """done: visited this month; due: visited before, not yet this month; never."""
    if last_visit is None:
        return "never"
    return "done" if last_visit >= month_start else "due"


def _leader_match(h, show: str, q: str) -> bool:
    """The page's filters (the same as static/js/leader.js applies without a reload): the
    state, and a search over the room and the masked names shown (never the real names)."""
    if show == "due" and h.state == "done":
        return False
    if show == "never" and h.state != "never":
        return False
    if show == "paired" and not h.paired:
        return False
    return not q or q in f"{h} {' '.join(h.resident_names)}"


def _by_building(rows: list) -> list[dict]:
    """Consecutive households of one building (the list is ordered by area path)."""
    groups: list[dict] = []
    for h in rows:
        if not groups or groups[-1]["area"] != h.area_id:
            groups.append({"area": h.area_id, "name": h.area.name, "rows": [], "due": 0})
        groups[-1]["rows"].append(h)
        groups[-1]["due"] += h.state != "done"
    return groups


def _outbox_messages() -> dict:
    """What the page's outbox shows per state and per refusal code (static/js/visits.js)."""
    return {
        "pending": _("待同步"),
        "synced": _("已同步"),
        "refused": _("未能同步"),
        "auth": _("登录已过期，请重新登录后同步。"),
        "offline": _("当前离线：走访已保存在本机，联网后自动同步。"),
        "retry": _("重试"),
        "discard": _("放弃"),
        "confirm_discard": _("放弃后这条走访将从本机删除，且不会上传。确定吗？"),
        "saved": _("走访已保存在本机，待同步。"),
        "codes": {
            "household_gone": _("该住户已不在您的网格组或服务范围，无法同步。"),
            "household_not_in_group": _("该住户已不在您的网格组，无法同步。"),
            "not_group_member": _("您已不在该责任组，无法同步。"),
            "five_clears_without_pairing": _("您与该住户的结对已结束，“五清”无法同步。"),
        },
    }


@page
def visit_new(request):
    household = _visitable_household(request)
    if request.method == "POST":
        problems = []
        if request.POST.get("problem_title", "").strip():
            problems.append(
                {
                    "category": request.POST.get("problem_category", Problem.Category.OTHER),
                    "title": request.POST["problem_title"],
                    "description": request.POST.get("problem_description", ""),
                }
            )
        try:
            visit = services.visit_log(
                actor=request.user,
                household=household,
                visited_at=_visited_at(request.POST.get("visited_at", "")),
                notes=request.POST.get("notes", ""),
                five_clears={k: request.POST.get(k) == "on" for k in Visit.FIVE_CLEARS},
                problems=problems,
            )
        except AppError as exc:  # stay on the form, with what was typed
            messages.error(request, exc.detail)
            return render(request, "grids/visit_form.html", _visit_context(household, request))
        messages.success(request, _("走访已登记。"))
        return redirect("grids:helper" if visit.pairing_id else "grids:leader")
    note_access(request, household, ["address"])
    return render(request, "grids/visit_form.html", _visit_context(household, request))


def _visited_at(value: str) -> dt.datetime:
    """The form's local date-time (empty: now)."""
    if not value:
        return timezone.now()
    try:
        parsed = parse_datetime(value)
    except ValueError:  # well formed but impossible, e.g. month 13
        parsed = None
    if parsed is None:
        raise InvalidInput(_("走访时间格式无效。"), code="invalid_date")
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


def _visitable_household(request) -> Household:
    pk = request.GET.get("household") or request.POST.get("household")
    return get_or_404(selectors.households_visitable(user=request.user), pk)


def _visit_context(household, request) -> dict:
    paired = Pairing.objects.filter(
        helper__user=request.user, active=True, resident__household=household
    ).exists()
    clears = [(name, Visit._meta.get_field(name).verbose_name) for name in Visit.FIVE_CLEARS]
    return {
        "household": household,
        "paired": paired,
        "clears": clears,
        "categories": Problem.Category.choices,
        "post": request.POST,
    }


# --- helper (服务员) -------------------------------------------------------------------------


@page
def helper(request):
    """A helper's paired residents: when each was last visited and the five clears (五清)
    of that visit, with a link to log the next visit."""
    month_start = selectors.month_start_dt()
    rows = []
    for pairing in selectors.pairings_of_helper(user=request.user):
        resident = pairing.resident
        unmasked = sees_personal(request.user, resident)
        if unmasked:
            note_access(request, resident, ["name"])
        note_access(request, resident.household, ["address"])
        clears = [
            (Visit._meta.get_field(name).verbose_name, getattr(pairing, f"last_{name}"))
            for name in Visit.FIVE_CLEARS
        ]
        rows.append(
            {
                "name": resident.name if unmasked else mask_name(resident.name),
                "household": resident.household,
                "started_on": pairing.started_on,
                "last_visit_at": pairing.last_visit_at,
                "due": pairing.last_visit_at is None or pairing.last_visit_at < month_start,
                "clears": clears,
                "all_clear": all(value for _label, value in clears),
            }
        )
    return render(request, "grids/helper.html", {"rows": rows})


# --- problems ------------------------------------------------------------------------------


@page
def problem_detail(request, pk):
    problem = get_or_404(scoped(request.user, Problem).select_related("area", "household"), pk)
    if request.method == "POST":
        act = request.POST.get("action")
        if act == "start":
            services.problem_start(actor=request.user, problem=problem)
            messages.success(request, _("已开始处理。"))
        elif act == "escalate":
            problem = services.problem_escalate(
                actor=request.user, problem=problem, reason=request.POST.get("reason", "")
            )
            messages.success(
                request, _("已上报到%(level)s。") % {"level": problem.get_level_display()}
            )
        elif act == "resolve":
            services.problem_resolve(
                actor=request.user, problem=problem, resolution=request.POST.get("resolution", "")
            )
            messages.success(request, _("问题已解决。"))
        return redirect("grids:problem", pk=problem.pk)
    context = {
        "problem": problem,
        "events": selectors.problem_history(problem=problem),
        "can_escalate": problem.level < Problem.Level.STREET,
        "open": problem.status != Problem.Status.RESOLVED,
        "history": object_history(request, problem),
    }
    return render(request, "grids/problem.html", context)


# --- grid worker ---------------------------------------------------------------------------


@page
def worker(request):
    by_level = selectors.problems_by_level(user=request.user)
    levels = [(Problem.Level(level).label, items) for level, items in by_level.items()]
    unpaired = selectors.residents_unpaired(user=request.user)[:200]
    helpers = (
        scoped(request.user, Member)
        .annotate(n=Count("pairings", filter=Q(pairings__active=True)))
        .filter(n__lt=services.helper_limit())
        .order_by("name")[:300]
    )
    unpaired = list(unpaired)
    helpers = list(helpers)
    unvisited = list(selectors.pairings_unvisited(user=request.user)[:200])
    # The page names residents, their rooms and the helpers (party members) in full.
    for resident in unpaired + [p.resident for p in unvisited]:
        note_access(request, resident, ["name"])
        note_access(request, resident.household, ["address"])
    for member in helpers + [p.helper for p in unvisited]:
        note_access(request, member, ["name"])
    context = {
        "levels": levels,
        "unpaired": unpaired,
        "helpers": helpers,
        "unvisited": unvisited,
    }
    return render(request, "grids/worker.html", context)


@require_POST
@page
def pairing_new(request):
    resident = get_or_404(
        scoped(request.user, Resident).select_related("household__area"),
        request.POST.get("resident"),
    )
    helper = get_or_404(scoped(request.user, Member), request.POST.get("helper"))
    services.pairing_create(actor=request.user, helper=helper, resident=resident)
    messages.success(request, _("已为%(name)s安排结对服务员。") % {"name": resident.name})
    return redirect("grids:worker")


# --- secretary: group proposal -------------------------------------------------------------


@page
def secretary(request):
    grids = visible_nodes(user=request.user, kinds=(Area.Kind.GRID,))
    grid = None
    proposal = []
    if request.GET.get("grid"):
        grid = get_or_404(grids, request.GET["grid"])
        proposal = services.group_propose(actor=request.user, grid=grid)
    if request.method == "POST":
        grid = get_or_404(grids, request.POST.get("grid"))
        groups = []
        count = request.POST.get("count", "")
        for k in range(min(parse_id(count) or 0, 50)):
            groups.append(
                {
                    "name": request.POST.get(f"name_{k}", ""),
                    "leader": request.POST.get(f"leader_{k}"),
                    "members": request.POST.getlist(f"members_{k}"),
                    "households": request.POST.getlist(f"households_{k}"),
                }
            )
        created = services.groups_accept(actor=request.user, grid=grid, proposals=groups)
        messages.success(request, _("已建立%(n)d个责任组。") % {"n": len(created)})
        return redirect(reverse("grids:secretary") + f"?grid={grid.pk}")
    existing = (
        list(
            ResponsibilityGroup.objects.filter(grid=grid)
            .annotate(n_members=Count("memberships", distinct=True))
            .annotate(n_households=Count("coverage", distinct=True))
            .select_related("leader")
        )
        if grid
        else []
    )
    # The proposal and the groups name party members (leaders, members) in full.
    for proposed in proposal:
        for member in [proposed.leader, *proposed.members]:
            note_access(request, member, ["name"])
    for group in existing:
        if group.leader is not None:
            note_access(request, group.leader, ["name"])
    context = {"grids": grids, "grid": grid, "proposal": proposal, "existing": existing}
    return render(request, "grids/secretary.html", context)


# --- report --------------------------------------------------------------------------------


def _report(request) -> tuple[Area, dict]:
    first = visible_nodes(user=request.user).first()
    node_id = request.GET.get("node") or (first.pk if first else None)
    node = reports.report_node(user=request.user, node_id=node_id)
    period = reports.parse_period(request.GET.get("from"), request.GET.get("to"))
    return node, reports.grid_report(node=node, period=period)


@page
@on_replica
def report(request):
    node, data = _report(request)
    labels = reports.field_labels()
    # The breadcrumb links only the levels the user may open (a secretary's street is text).
    ancestors = [
        {"id": a.pk, "name": a.name, "link": _may_report(request.user, a)}
        for a in Area.objects.get_ancestors(node).exclude(kind=Area.Kind.DISTRICT)
    ]
    drill = node.kind != Area.Kind.GRID
    context = {
        "report": data,
        "labels": labels,
        "ancestors": ancestors,
        "metrics": [(key, labels[key], is_share) for key, is_share in CHART_METRICS],
        "children": _child_rows(data["children"]),
        "chart_data": {
            "metrics": [
                {"key": key, "label": labels[key], "share": is_share}
                for key, is_share in CHART_METRICS
            ],
            "series": {
                key: labels[key]
                for key in ("visits", "problems_found", "problems_resolved", "households")
            },
            "members": _("人数"),
            "star": _("星"),
            "children": data["children"],
            "trend": data["trend"],
            "stars": data["stars"],
            "drill": drill,
        },
        "echarts": vendored("vendor/echarts/echarts.min.js"),
        "drill": drill,
        "csv_tables": [(name, t[0]) for name, t in reports.report_tables(data).items()],
    }
    return render(request, "grids/report.html", context)


@page
@on_replica
def report_xlsx(request):
    return export_response(_report(request)[1], "xlsx")


@page
@on_replica
def report_csv(request):
    return export_response(_report(request)[1], "csv", request.GET.get("table"))


CHART_METRICS = [
    ("covered_share", True),
    ("visits", False),
    ("problems_found", False),
    ("grassroots_share", True),
    ("paired_share", True),
    ("pairings_visited_share", True),
]


def _may_report(user, node: Area) -> bool:
    """Whether `reports.report_node` would let the user open the report for `node`."""
    return node.kind in reports.REPORT_KINDS and has_role_over(
        user, reports.REPORT_ROLES, area=node
    )


def _child_rows(children: list[dict]) -> list[dict]:
    """Each child with its shares as whole percentages (the list under the chart)."""
    rows = []
    for c in children:
        row = dict(c)
        for key, is_share in CHART_METRICS:
            if is_share:
                row[key] = None if c[key] is None else round(100 * c[key])
        rows.append(row)
    return rows
