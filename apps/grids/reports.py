"""The grid report: coverage, visits, problems by level, pairings and member stars for one
node of the geography tree and a date range, with a breakdown by child node and by month.

Every figure is a database aggregate. Area paths are materialised (treebeard), so "which
child of the node does this row belong to" is a prefix of the row's area path:
`Substr(area__path, 1, steplen * (node.depth + 1))`, and one GROUP BY per table yields the
per-child figures; the node's totals are the sums of its children's.
"""

import datetime as dt
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, Q
from django.db.models.functions import Substr, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.scoping import STAFF, has_role_over
from apps.core.errors import Forbidden, InvalidInput, NotFound
from apps.core.exports import Table, csv_bytes, xlsx_bytes
from apps.points.selectors import STAR_WINDOW, star_sql
from apps.register.models import Area, Household, Resident

from .models import Pairing, Problem, Visit

REPORT_ROLES = STAFF
REPORT_KINDS = (Area.Kind.DISTRICT, Area.Kind.STREET, Area.Kind.COMMUNITY, Area.Kind.GRID)


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date  # inclusive

    @property
    def start_dt(self) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(self.start, dt.time.min))

    @property
    def end_dt(self) -> dt.datetime:  # exclusive
        return timezone.make_aware(
            dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min)
        )


def parse_period(start: str | None, end: str | None) -> Period:
    """`from`/`to` as YYYY-MM-DD; default: the twelve months up to today."""
    today = timezone.localdate()
    try:
        end_d = dt.date.fromisoformat(end) if end else today
        if start:
            start_d = dt.date.fromisoformat(start)
        else:
            start_d = (end_d.replace(day=1) - dt.timedelta(days=334)).replace(day=1)
    except ValueError:
        raise InvalidInput(_("日期格式应为 YYYY-MM-DD。"), code="invalid_date") from None
    if start_d > end_d:
        raise InvalidInput(_("开始日期不能晚于结束日期。"), code="invalid_period")
    return Period(start_d, end_d)


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
    community_depth = Area.KIND_ORDER.index(Area.Kind.COMMUNITY) + 1
    community_prefix = node.path[: Area.steplen * min(node.depth, community_depth)]
    residence_prefix = node.path if node.depth > community_depth else None
    sql, params = star_sql(
        since=timezone.now() - STAR_WINDOW,
        community_prefix=community_prefix,
        residence_prefix=residence_prefix,
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT star, COUNT(*) FROM ({sql}) s GROUP BY star", params)
        counts = dict(cursor.fetchall())
    return [{"star": s, "members": counts.get(s, 0)} for s in range(1, 6)]


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
    unresolved = ~Q(status=Problem.Status.RESOLVED)

    households = _grouped(
        Household.objects.filter(area__path__startswith=prefix),
        "area__path",
        plen,
        households=Count("pk"),
        covered=Count("group_coverage"),
    )
    visits = _grouped(
        Visit.objects.filter(
            area__path__startswith=prefix, visited_at__gte=start, visited_at__lt=end
        ),
        "area__path",
        plen,
        visits=Count("pk"),
        households_reached=Count("household", distinct=True),
    )
    found = Problem.objects.filter(
        area__path__startswith=prefix, created_at__gte=start, created_at__lt=end
    )
    problems = _grouped(
        found,
        "area__path",
        plen,
        problems_found=Count("pk"),
        problems_resolved=Count("pk", filter=Q(status=Problem.Status.RESOLVED)),
        problems_escalated=Count("pk", filter=Q(level__gt=F("found_level"))),
        problems_overdue=Count("pk", filter=unresolved & Q(due_at__lt=now)),
        resolved_grassroots=Count("pk", filter=Q(resolved_level__in=Problem.GRASSROOTS)),
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
    visited_this_month = Exists(
        Visit.objects.filter(pairing=OuterRef("pk"), visited_at__gte=month_dt)
    )
    pairings = _grouped(
        Pairing.objects.filter(active=True, resident__household__area__path__startswith=prefix),
        "resident__household__area__path",
        plen,
        pairings=Count("pk"),
        pairings_visited=Count("pk", filter=Q(visited_this_month)),
    )

    # Per level: reached (handled there at some point), resolved there, escalated from
    # there, overdue there now. One query with conditional counts.
    level_aggs = {}
    for level in Problem.Level:
        n = int(level)
        level_aggs[f"reached_{n}"] = Count("pk", filter=Q(found_level__lte=n, level__gte=n))
        level_aggs[f"resolved_{n}"] = Count("pk", filter=Q(resolved_level=n))
        level_aggs[f"escalated_{n}"] = Count("pk", filter=Q(found_level__lte=n, level__gt=n))
        level_aggs[f"overdue_{n}"] = Count("pk", filter=unresolved & Q(level=n, due_at__lt=now))
    by_level = found.order_by().aggregate(**level_aggs)
    levels = [
        {
            "level": int(level),
            "label": str(level.label),
            "reached": by_level[f"reached_{int(level)}"],
            "resolved": by_level[f"resolved_{int(level)}"],
            "escalated": by_level[f"escalated_{int(level)}"],
            "overdue": by_level[f"overdue_{int(level)}"],
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
        for table in (households, visits, problems, residents, pairings):
            row.update(table.get(child.path, {}))
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
        "trend": _trend(prefix, start, end),
    }


def _trend(prefix: str, start: dt.datetime, end: dt.datetime) -> list[dict]:
    tz = timezone.get_current_timezone()
    visits = (
        Visit.objects.filter(
            area__path__startswith=prefix, visited_at__gte=start, visited_at__lt=end
        )
        .order_by()
        .annotate(month=TruncMonth("visited_at", tzinfo=tz))
        .values("month")
        .annotate(visits=Count("pk"))  # no per-month distinct households: a sort of every visit
    )
    found = (
        Problem.objects.filter(
            area__path__startswith=prefix, created_at__gte=start, created_at__lt=end
        )
        .order_by()
        .annotate(month=TruncMonth("created_at", tzinfo=tz))
        .values("month")
        .annotate(problems_found=Count("pk"))
    )
    resolved = (
        Problem.objects.filter(
            area__path__startswith=prefix, resolved_at__gte=start, resolved_at__lt=end
        )
        .order_by()
        .annotate(month=TruncMonth("resolved_at", tzinfo=tz))
        .values("month")
        .annotate(
            problems_resolved=Count("pk"),
            resolved_grassroots=Count("pk", filter=Q(resolved_level__in=Problem.GRASSROOTS)),
        )
    )
    months: dict[str, dict] = {}
    first = timezone.localtime(start).date().replace(day=1)
    last = timezone.localtime(end - dt.timedelta(seconds=1)).date()
    cursor = first
    while cursor <= last:  # one entry per calendar month of the period
        months[cursor.strftime("%Y-%m")] = {
            "month": cursor.strftime("%Y-%m"),
            "visits": 0,
            "problems_found": 0,
            "problems_resolved": 0,
            "resolved_grassroots": 0,
        }
        cursor = (cursor + dt.timedelta(days=32)).replace(day=1)
    for qs in (visits, found, resolved):
        for row in qs:
            key = _month_key(row.pop("month"))
            if key in months:
                months[key].update(row)
    return list(months.values())


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
