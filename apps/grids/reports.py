"""The grid report: coverage, visits, problems by level, pairings and member stars for one
node of the geography tree and a date range, with a breakdown by child node and by month.

Every figure is a database aggregate. Area paths are materialised (treebeard), so "which
child of the node does this row belong to" is a prefix of the row's area path:
`Substr(area__path, 1, steplen * (node.depth + 1))`, and one GROUP BY per table yields the
per-child figures; the node's totals are the sums of its children's.
"""

import datetime as dt

from django.db import connections
from django.db.models import Count, Exists, F, OuterRef, Q, Sum
from django.db.models.functions import Substr, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.scoping import STAFF, has_role_over
from apps.core.db import read_alias
from apps.core.errors import Forbidden, InvalidInput, NotFound
from apps.core.exports import Table, csv_bytes, xlsx_bytes
from apps.core.periods import Period, parse_period  # noqa: F401  (the report's API)
from apps.points.selectors import STAR_WINDOW, star_sql
from apps.points.stars import community_stars
from apps.register.models import Area, Household, Resident

from . import reach, rollups
from .models import (
    AreaDay,
    AreaState,
    HouseholdVisitYear,
    Pairing,
    PairingMonth,
    Problem,
    Visit,
)

REPORT_ROLES = STAFF
COMMUNITY_DEPTH = Area.depth_of(Area.Kind.COMMUNITY)
GRID_DEPTH = Area.depth_of(Area.Kind.GRID)
REPORT_KINDS = (Area.Kind.DISTRICT, Area.Kind.STREET, Area.Kind.COMMUNITY, Area.Kind.GRID)


def report_node(*, user, node_id) -> Area:
    """The node the report is for, if the user may see reports for it."""
    try:
        node = Area.objects.get(pk=int(node_id))
    except (Area.DoesNotExist, TypeError, ValueError):
        raise NotFound(_("找不到该区域。"), code="node_not_found") from None
    if node.kind not in REPORT_KINDS:
        raise InvalidInput(_("报表只支持街道、社区和网格。"), code="report_node_kind")
    if not has_role_over(user, REPORT_ROLES, area=node):
        raise Forbidden(_("您无权查看该区域的报表。"), code="report_out_of_scope")
    return node


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _grouped(qs, path_lookup: str, prefix_len: int, **aggregates) -> dict[str, dict]:
    rows = (
        qs.order_by()
        .annotate(child=Substr(path_lookup, 1, prefix_len))
        .values("child")
        .annotate(**aggregates)
    )
    return {row.pop("child"): row for row in rows}


def _star_counts(node: Area) -> list[dict]:
    """Members per star under `node`. A district, street or community sums its communities'
    rows of today's star snapshot (`apps.points.stars`: points awarded today count from
    tomorrow); a grid (its residents, ranked against their whole community) is ranked live."""
    if node.depth <= COMMUNITY_DEPTH:
        totals = [0] * 5
        for counts in community_stars(node).values():
            totals = [t + n for t, n in zip(totals, counts, strict=True)]
        return [{"star": s, "members": totals[s - 1]} for s in range(1, 6)]
    sql, params = star_sql(
        since=timezone.now() - STAR_WINDOW,
        community_prefix=node.path[: Area.path_length(Area.Kind.COMMUNITY)],
        residence_prefix=node.path,
    )
    with connections[read_alias()].cursor() as cursor:
        cursor.execute(f"SELECT star, COUNT(*) FROM ({sql}) s GROUP BY star", params)
        counts = dict(cursor.fetchall())
    return [{"star": s, "members": counts.get(s, 0)} for s in range(1, 6)]


ROLLUP_FIELDS = (
    "visits",
    "problems_found",
    "problems_resolved",
    "problems_escalated",
    "resolved_grassroots",
    *(f"{kind}_{n}" for kind in ("reached", "resolved", "escalated") for n in range(1, 5)),
)
TREND_ROLLUPS = ("closed", "closed_grassroots")
# trend key -> rollup counter (resolutions by the month they happened)
TREND_FIELDS = {
    "visits": "visits",
    "problems_found": "problems_found",
    "problems_resolved": "closed",
    "resolved_grassroots": "closed_grassroots",
}
LEVEL_FIELDS = [f"{kind}_{n}" for kind in ("reached", "resolved", "escalated") for n in range(1, 5)]

CHILD_FIELDS = (
    "households",
    "covered",
    "visits",
    "households_reached",
    "problems_found",
    "problems_resolved",
    "problems_escalated",
    "problems_overdue",
    "resolved_grassroots",
    "vulnerable",
    "paired",
    "pairings",
    "pairings_visited",
)


def _shares(row: dict) -> dict:
    row["covered_share"] = _share(row["covered"], row["households"])
    row["grassroots_share"] = _share(row["resolved_grassroots"], row["problems_resolved"])
    row["paired_share"] = _share(row["paired"], row["vulnerable"])
    row["pairings_visited_share"] = _share(row["pairings_visited"], row["pairings"])
    return row


def grid_report(*, node: Area, period: Period, now: dt.datetime | None = None) -> dict:
    """The report for `node` (already checked with `report_node`) over `period`."""
    now = now or timezone.now()
    prefix = node.path
    plen = Area.steplen * (node.depth + 1)
    start, end = period.start_dt, period.end_dt
    month = timezone.localtime(min(now, end - dt.timedelta(seconds=1))).date().replace(day=1)
    month_dt = timezone.make_aware(dt.datetime.combine(month, dt.time.min))

    counters, trend = _counter_sums(node, period)
    reached = _households_reached(prefix, plen, period)
    # Overdue depends on `now`: read live from the open problems (the partial index
    # problem_open_due holds only those), not from a rollup.
    overdue: dict[str, dict] = {}
    open_late = (
        Problem.objects.filter(
            area__path__startswith=prefix,
            created_at__gte=start,
            created_at__lt=end,
            due_at__lt=now,
        )
        .exclude(status=Problem.Status.RESOLVED)
        .order_by()
        .annotate(child=Substr("area__path", 1, plen))
        .values("child", "level")
        .annotate(n=Count("pk"))
    )
    for row in open_late:
        by_child = overdue.setdefault(row["child"], {"problems_overdue": 0})
        by_child["problems_overdue"] += row["n"]
        by_child[f"overdue_{row['level']}"] = row["n"]
    state = _current_state(prefix, plen, month_dt)

    level_sums = dict.fromkeys(
        LEVEL_FIELDS + [f"overdue_{int(level)}" for level in Problem.Level], 0
    )
    for table in (counters, overdue):
        for row in table.values():
            for key in level_sums:
                level_sums[key] += row.get(key) or 0
    levels = [
        {
            "level": int(level),
            "label": str(level.label),
            "reached": level_sums[f"reached_{int(level)}"],
            "resolved": level_sums[f"resolved_{int(level)}"],
            "escalated": level_sums[f"escalated_{int(level)}"],
            "overdue": level_sums[f"overdue_{int(level)}"],
        }
        for level in Problem.Level
    ]

    children_nodes = Area.objects.filter(path__startswith=prefix, depth=node.depth + 1).order_by(
        "path"
    )
    children = []
    totals = dict.fromkeys(CHILD_FIELDS, 0)
    for child in children_nodes:  # one row per child node (16 communities, not 100k rows)
        row = dict.fromkeys(CHILD_FIELDS, 0)
        for table in (state, counters, reached, overdue):
            row.update(
                (k, v or 0) for k, v in table.get(child.path, {}).items() if k in CHILD_FIELDS
            )
        for key in CHILD_FIELDS:
            totals[key] += row[key]
        children.append({"id": child.pk, "name": child.name, "kind": child.kind, **_shares(row)})

    return {
        "node": {"id": node.pk, "name": node.name, "kind": node.kind, "path": node.path},
        "from": period.start.isoformat(),
        "to": period.end.isoformat(),
        "month": month.strftime("%Y-%m"),
        "totals": _shares(totals),
        "levels": levels,
        "stars": _star_counts(node),
        "children": children,
        "trend": trend,
    }


def _current_state(prefix: str, plen: int, month_dt: dt.datetime) -> dict[str, dict]:
    """Households, covered ones, vulnerable residents, paired ones, active pairings and those
    visited since `month_dt`, by child node: on PostgreSQL from `AreaState` and `PairingMonth`
    (kept by triggers for buildings, grids and communities: the rows of the coarsest of those
    levels that still splits by child), else counted live."""
    if not rollups.state_kept():
        return _live_state(prefix, plen, month_dt)
    rows = Q(area__path__startswith=prefix) & _state_level(plen)
    state = _grouped(
        AreaState.objects.filter(rows),
        "area__path",
        plen,
        **{key: Sum(key) for key in AreaState.COUNTERS},
    )
    visited = _grouped(
        PairingMonth.objects.filter(rows, month__gte=month_dt.date()),
        "area__path",
        plen,
        pairings_visited=Sum("pairings"),
    )
    for child, row in visited.items():
        state.setdefault(child, {}).update(row)
    return state


def _state_level(plen: int) -> Q:
    """The state rows to read for children of path length `plen`: communities' for a
    district's or street's report, grids' for a community's, buildings' for a grid's."""
    level = reach.level_for(plen)
    return Q(area__depth=level[0]) if level else Q(area__depth__gt=GRID_DEPTH)


def _live_state(prefix: str, plen: int, month_dt: dt.datetime) -> dict[str, dict]:
    """What `AreaState` and `PairingMonth` hold, counted from the raw tables (SQLite)."""
    state = _grouped(
        Household.objects.filter(area__path__startswith=prefix),
        "area__path",
        plen,
        households=Count("pk"),
        covered=Count("group_coverage"),
    )
    residents = _grouped(
        Resident.objects.filter(household__area__path__startswith=prefix, vulnerable=True),
        "household__area__path",
        plen,
        vulnerable=Count("pk"),
        # EXISTS, not a join: a join to pairings would need COUNT(DISTINCT) over ended ones
        paired=Count(
            "pk", filter=Q(Exists(Pairing.objects.filter(resident=OuterRef("pk"), active=True)))
        ),
    )
    pairings = _grouped(
        Pairing.objects.filter(active=True, resident__household__area__path__startswith=prefix),
        "resident__household__area__path",
        plen,
        pairings=Count("pk"),
        pairings_visited=Count("pk", filter=Q(last_visited_at__gte=month_dt)),
    )
    for table in (residents, pairings):
        for child, row in table.items():
            state.setdefault(child, {}).update(row)
    return state


def _split(period: Period) -> tuple[list[dt.date], list[tuple[dt.date, dt.date]]]:
    """The calendar months the period covers whole (their first days), and the partial
    months' day ranges [first, last] (at most two)."""
    whole, partial = [], []
    cursor, stop = period.start, period.end + dt.timedelta(days=1)
    while cursor < stop:
        month_end = _next_month(cursor)
        if cursor == _month_start(cursor) and month_end <= stop:
            whole.append(cursor)
        else:
            partial.append((cursor, min(month_end, stop) - dt.timedelta(days=1)))
        cursor = month_end
    if partial and partial[-1][0] == _month_start(partial[-1][0]):
        # A last month read up to a day after which it has no rows yet (typically "to
        # today") is whole as far as the rollups go: its month rows hold the same sums.
        # The check is global (any area), through the index areaday_day.
        first, last = partial[-1]
        tail = AreaDay.objects.filter(day__gt=last, day__lt=_next_month(first))
        if not tail.exists():
            whole.append(first)
            partial.pop()
    return whole, partial


def _counter_sums(node: Area, period: Period) -> tuple[dict[str, dict], list[dict]]:
    """The rolled-up counters by child node, and the monthly trend, from at most
    (communities or grids × whole months) month rows plus (buildings × days) `AreaDay` rows of the
    partial months. A grid's report (by building) reads `AreaDay` throughout."""
    prefix, plen = node.path, Area.steplen * (node.depth + 1)
    whole, partial = _split(period)
    sums = {k: Sum(k) for k in ROLLUP_FIELDS + TREND_ROLLUPS}
    sources = []
    # The coarsest month rollup whose rows still fall within one child: a district's or a
    # street's report reads communities' months, a community's the grids'.
    level = reach.level_for(plen)
    if level is not None:
        model, path = {n: (m, p) for m, p, n in rollups.MONTH_ROLLUPS}[level[1]]
        if whole:
            sources.append(
                model.objects.filter(**{f"{path}__startswith": prefix}, month__in=whole).annotate(
                    child=Substr(path, 1, plen), m=F("month")
                )
            )
    else:
        partial = [(period.start, period.end)]
    if partial:
        days = Q()
        for first, last in partial:
            days |= Q(day__gte=first, day__lte=last)
        sources.append(
            AreaDay.objects.filter(days, area__path__startswith=prefix).annotate(
                child=Substr("area__path", 1, plen), m=TruncMonth("day")
            )
        )
    by_child: dict[str, dict] = {}
    months: dict[str, dict] = {}
    cursor = period.start.replace(day=1)
    while cursor <= period.end:  # one entry per calendar month of the period
        key = cursor.strftime("%Y-%m")
        months[key] = {"month": key, **dict.fromkeys(TREND_FIELDS, 0)}
        cursor = _next_month(cursor)
    for qs in sources:
        for row in qs.order_by().values("child", "m").annotate(**sums):
            child = by_child.setdefault(row["child"], dict.fromkeys(sums, 0))
            for key in sums:
                child[key] += row[key] or 0
            month = months.get(_month_key(row["m"]))
            if month is not None:
                for key, source in TREND_FIELDS.items():
                    month[key] += row[source] or 0
    return by_child, list(months.values())


def _month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _next_month(day: dt.date) -> dt.date:
    return (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)


def _households_reached(prefix: str, plen: int, period: Period) -> dict[str, dict]:
    """Distinct households visited in the period, by child node, exactly.

    A period of whole months only, for a grid or above, is read from the first-visit arrays
    (`apps.grids.reach`: one element per node and month). Otherwise:
    months the period covers whole are read from `HouseholdVisitYear` (a month bit per
    household and year); the partial first and last months from the raw visits of just those
    days (index visit_visited_at). A household counted by both is counted once (DISTINCT).
    """
    whole, partial = _split(period)
    if whole and not partial and reach.kept() and reach.level_for(plen):
        # whole months only (the default twelve up to today): the first-visit arrays
        counts = reach.reached(prefix, plen, whole[0], whole[-1], using=read_alias())
        return {child: {"households_reached": n} for child, n in counts.items()}
    masks: dict[int, int] = {}
    for month in whole:
        masks[month.year] = masks.get(month.year, 0) | (1 << (month.month - 1))
    area = Area._meta.db_table
    selects, params = [], []
    if masks:
        years = " OR ".join("(h.year = %s AND (h.months & %s) <> 0)" for _ in masks)
        selects.append(
            f"SELECT substr(a.path, 1, %s) AS child, h.household_id "
            f"FROM {HouseholdVisitYear._meta.db_table} h JOIN {area} a ON a.id = h.area_id "
            f"WHERE a.path LIKE %s AND ({years})"
        )
        params += [plen, prefix + "%"]
        for year, mask in masks.items():
            params += [year, mask]
    if partial:
        ranges = " OR ".join("(v.visited_at >= %s AND v.visited_at < %s)" for _ in partial)
        selects.append(
            f"SELECT substr(a.path, 1, %s) AS child, v.household_id "
            f"FROM {Visit._meta.db_table} v JOIN {area} a ON a.id = v.area_id "
            f"WHERE a.path LIKE %s AND ({ranges})"
        )
        params += [plen, prefix + "%"]
        for first, last in partial:
            params += [_aware(first), _aware(last + dt.timedelta(days=1))]
    sql = (
        "SELECT child, COUNT(DISTINCT household_id) FROM ("
        + " UNION ALL ".join(selects)
        + ") s GROUP BY child"
    )
    with connections[read_alias()].cursor() as cursor_:
        cursor_.execute(sql, params)
        return {child: {"households_reached": n} for child, n in cursor_.fetchall()}


def _aware(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _month_key(value) -> str:
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    return value.strftime("%Y-%m")


# --- .xlsx and .csv ---------------------------------------------------------------------------


CHILD_EXPORT_FIELDS = [
    *CHILD_FIELDS,
    "covered_share",
    "grassroots_share",
    "paired_share",
    "pairings_visited_share",
]
TREND_EXPORT_FIELDS = ["visits", "problems_found", "problems_resolved", "resolved_grassroots"]


def report_tables(report: dict) -> dict[str, tuple[str, list, list[list]]]:
    """The report as tables: name -> (title, headers, rows), for the .xlsx and .csv exports.
    Aggregates only: no personal data to mask."""
    labels = field_labels()
    return {
        "summary": (
            _("汇总"),
            [_("指标"), _("数值")],
            [
                [_("区域"), report["node"]["name"]],
                [_("开始日期"), report["from"]],
                [_("结束日期"), report["to"]],
                *([labels.get(key, key), value] for key, value in report["totals"].items()),
            ],
        ),
        "levels": (
            _("分层级问题"),
            [_("层级"), _("经手"), _("解决"), _("上报"), _("超期")],
            [
                [r["label"], r["reached"], r["resolved"], r["escalated"], r["overdue"]]
                for r in report["levels"]
            ],
        ),
        "children": (
            _("下级区域"),
            [_("名称")] + [labels.get(k, k) for k in CHILD_EXPORT_FIELDS],
            [[r["name"]] + [r[k] for k in CHILD_EXPORT_FIELDS] for r in report["children"]],
        ),
        "trend": (
            _("月度趋势"),
            [_("月份")] + [labels.get(k, k) for k in TREND_EXPORT_FIELDS],
            [[r["month"]] + [r[k] for k in TREND_EXPORT_FIELDS] for r in report["trend"]],
        ),
        "stars": (
            _("党员星级"),
            [_("星级"), _("人数")],
            [[r["star"], r["members"]] for r in report["stars"]],
        ),
    }


def report_xlsx(report: dict) -> bytes:
    """One sheet per table of the report."""
    return xlsx_bytes(
        Table(title, headers, rows) for title, headers, rows in report_tables(report).values()
    )


def report_csv(report: dict, table: str) -> bytes:
    """One table of the report as CSV (UTF-8 with BOM, so that Excel opens it)."""
    tables = report_tables(report)
    if table not in tables:
        raise InvalidInput(
            _("未知的报表：%(table)s") % {"table": table[:40]}, code="unknown_report_table"
        )
    return csv_bytes(Table(*tables[table]))


def field_labels() -> dict[str, str]:
    return {
        "households": _("户数"),
        "covered": _("已包片户数"),
        "covered_share": _("包片覆盖率"),
        "visits": _("走访次数"),
        "households_reached": _("走访户数"),
        "problems_found": _("发现问题"),
        "problems_resolved": _("已解决"),
        "problems_escalated": _("曾上报"),
        "problems_overdue": _("超期未办"),
        "resolved_grassroots": _("楼幢和网格解决"),
        "grassroots_share": _("基层解决率"),
        "vulnerable": _("困难群众"),
        "paired": _("已结对"),
        "paired_share": _("结对率"),
        "pairings": _("结对数"),
        "pairings_visited": _("本月已走访结对"),
        "pairings_visited_share": _("本月结对走访率"),
    }
