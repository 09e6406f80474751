"""The numbers the seeds report, for one node of the geography tree and a period: wishes
(from the wish rollups, `WishDay` and the `ClaimMinutes` histogram), volunteer hours and
person-times, joint requests and projects by state.

This app sits on top of wishes, volunteers and projects (tests/test_layering.py) and reads
them; it writes nothing. Volunteer hours and projects are read live: confirmed service
records and projects are thousands of rows, not the hundred thousands of visits.
"""

from django.db.models import Count, Sum
from django.utils.translation import gettext as _

from apps.accounts.models import Role
from apps.accounts.scoping import has_role_over, scoped
from apps.core.errors import NotFound
from apps.core.exports import Table, xlsx_bytes
from apps.core.periods import Period
from apps.core.validators import parse_id
from apps.projects.models import JointRequest, Project
from apps.register.models import Area
from apps.volunteers.models import ServiceRecord
from apps.wishes.models import ClaimMinutes, WishCategory, WishDay

STATS_ROLES = frozenset({Role.ADMINISTRATOR})
STATS_KINDS = (Area.Kind.DISTRICT, Area.Kind.STREET, Area.Kind.COMMUNITY, Area.Kind.GRID)
WISH_FIELDS = ("submitted", "published", "claimed", "fulfilled", "confirmed")


def stats_nodes(*, user):
    """The nodes whose numbers `user` may see: administrators over them (a street's, its
    street; a district's, all)."""
    return scoped(user, Area).filter(kind__in=STATS_KINDS).order_by("path")


def stats_node(*, user, node_id) -> Area:
    """The node, if the user may see its numbers; else NotFound (a node out of scope looks
    missing, like one that does not exist)."""
    pk = parse_id(node_id)
    node = stats_nodes(user=user).filter(pk=pk).first() if pk is not None else None
    if node is None or not has_role_over(user, STATS_ROLES, area=node):
        raise NotFound(_("找不到该区域。"), code="node_not_found")
    return node


def median_of_histogram(buckets: list[tuple[int, int]]) -> float | None:
    """The median of values given as (value, count) pairs."""
    total = sum(n for _, n in buckets)
    if not total:
        return None
    ordered = sorted(buckets)

    def nth(k: int) -> int:  # the k-th value (0-based)
        seen = 0
        for value, n in ordered:
            seen += n
            if k < seen:
                return value
        return ordered[-1][0]

    if total % 2:
        return float(nth(total // 2))
    return (nth(total // 2 - 1) + nth(total // 2)) / 2


def numbers(*, node: Area, period: Period) -> dict:
    prefix = node.path
    days = WishDay.objects.filter(
        area__path__startswith=prefix, day__gte=period.start, day__lte=period.end
    ).order_by()
    counters = (*WISH_FIELDS, "claims_member", "claims_org", "rated", "satisfied")
    totals = {k: v or 0 for k, v in days.aggregate(**{k: Sum(k) for k in counters}).items()}
    names = dict(WishCategory.objects.values_list("pk", "name"))
    by_category = [
        {"category": names.get(row["category_id"], ""), **{k: row[k] or 0 for k in WISH_FIELDS}}
        for row in days.values("category_id")
        .annotate(**{k: Sum(k) for k in WISH_FIELDS})
        .order_by("category_id")
    ]
    histogram = list(
        ClaimMinutes.objects.filter(
            area__path__startswith=prefix, day__gte=period.start, day__lte=period.end
        )
        .order_by()
        .values("minutes")
        .annotate(n=Sum("n"))
        .values_list("minutes", "n")
    )
    records = ServiceRecord.objects.filter(
        status=ServiceRecord.Status.CONFIRMED,
        occurrence__activity__community__path__startswith=prefix,
        occurrence__starts_at__gte=period.start_dt,
        occurrence__starts_at__lt=period.end_dt,
    ).aggregate(hours=Sum("hours"), person_times=Count("pk"))
    projects = dict(
        Project.objects.filter(area__path__startswith=prefix)
        .order_by()
        .values("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    joint = dict(
        JointRequest.objects.filter(community__path__startswith=prefix)
        .order_by()
        .values("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    return {
        "node": {"id": node.pk, "name": node.name, "kind": node.kind},
        "from": period.start.isoformat(),
        "to": period.end.isoformat(),
        "wishes": {
            **{k: totals[k] for k in WISH_FIELDS},
            "rated": totals["rated"],
            "satisfied": totals["satisfied"],
            "satisfaction_rate": round(totals["satisfied"] / totals["rated"], 4)
            if totals["rated"]
            else None,
            "median_minutes_to_claim": median_of_histogram(histogram),
            "claims_by_members": totals["claims_member"],
            "claims_by_organisations": totals["claims_org"],
            "by_category": by_category,
        },
        "volunteers": {
            "hours": float(records["hours"] or 0),
            "person_times": records["person_times"],
        },
        "projects": [
            {"status": s.value, "label": str(s.label), "count": projects.get(s.value, 0)}
            for s in Project.Status
        ],
        "joint_requests": [
            {"status": s.value, "label": str(s.label), "count": joint.get(s.value, 0)}
            for s in JointRequest.Status
        ],
    }


def wish_labels() -> dict[str, str]:
    return {
        "submitted": _("提交"),
        "published": _("发布"),
        "claimed": _("认领"),
        "fulfilled": _("完成"),
        "confirmed": _("确认"),
    }


def numbers_xlsx(data: dict) -> bytes:
    w = data["wishes"]
    labels = wish_labels()
    summary = [
        [_("区域"), data["node"]["name"]],
        [_("开始日期"), data["from"]],
        [_("结束日期"), data["to"]],
        *([_("心愿") + labels[k], w[k]] for k in WISH_FIELDS),
        [_("满意率"), w["satisfaction_rate"]],
        [_("发布到认领用时中位数（分钟）"), w["median_minutes_to_claim"]],
        [_("党员认领"), w["claims_by_members"]],
        [_("组织认领"), w["claims_by_organisations"]],
        [_("志愿服务时长"), data["volunteers"]["hours"]],
        [_("志愿服务人次"), data["volunteers"]["person_times"]],
    ]
    return xlsx_bytes(
        [
            Table(_("汇总"), [_("指标"), _("数值")], summary),
            Table(
                _("心愿类别"),
                [_("类别")] + [labels[k] for k in WISH_FIELDS],
                [[r["category"]] + [r[k] for k in WISH_FIELDS] for r in w["by_category"]],
            ),
            Table(
                _("项目状态"),
                [_("状态"), _("数量")],
                [[r["label"], r["count"]] for r in data["projects"]],
            ),
            Table(
                _("联名申请状态"),
                [_("状态"), _("数量")],
                [[r["label"], r["count"]] for r in data["joint_requests"]],
            ),
        ]
    )
