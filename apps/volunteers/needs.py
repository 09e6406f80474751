"""服务需求清单 — needs and dispatch ("供需对接、力量调配"): the ranking of volunteers for a need.

Kept apart from services.py because it is a read with its own scoring rules; the writes
(create, dispatch, accept …) are in services.py like every other write.

A volunteer is a member with an approved registration in the need's community. The score
(0–100) adds, and explains: skill match (40 × the share of the wanted skills they list),
nearness in the area tree (same building 30, same grid 20, same community 10, by where they
live), availability (15 when their available times name the need's weekday or weekend) and
load (15, less 1 per confirmed hour this month, never below 0).
"""

from decimal import Decimal

from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.register.models import Area

from .models import Need, ServiceRecord, VolunteerRegistration

WEEKDAYS = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"]


def _community_of(area: Area) -> Area | None:
    if area.kind == Area.Kind.COMMUNITY:
        return area
    return Area.objects.get_ancestors(area).filter(kind=Area.Kind.COMMUNITY).first()


def _nearness(need_area: Area, residence: Area | None) -> tuple[int, str]:
    if residence is None:
        return 0, ""
    for kind, points, label in (
        (Area.Kind.BUILDING, 30, _("同楼幢")),
        (Area.Kind.GRID, 20, _("同网格")),
    ):
        depth = Area.KIND_ORDER.index(kind) + 1
        step = Area.steplen
        prefix = need_area.path[: depth * step]
        if len(need_area.path) >= depth * step and residence.path.startswith(prefix):
            return points, label
    return 10, _("同社区")


def _available(text: str, when) -> bool:
    local = timezone.localtime(when)
    day = WEEKDAYS[local.weekday()]
    return day in text or (local.weekday() >= 5 and "周末" in text) or "随时" in text


def need_candidates(*, need: Need, limit: int = 10) -> list[dict]:
    """The volunteers for `need`, best first, each with its score and why."""
    community = _community_of(need.area)
    if community is None:
        return []
    registrations = (
        VolunteerRegistration.objects.filter(
            community=community, status=VolunteerRegistration.Status.APPROVED
        )
        .select_related("member__residence")
        .exclude(member=need.volunteer_id or 0)
    )
    declined = set(
        need.events.filter(move__in=["decline", "expire"]).values_list("note", flat=True)
    )
    month = timezone.localdate().replace(day=1)
    load = dict(
        ServiceRecord.objects.filter(
            Q(status=ServiceRecord.Status.CONFIRMED),
            served_on__gte=month,
            member__in=[r.member_id for r in registrations],
        )
        .values_list("member")
        .annotate(h=Sum("hours"))
    )
    wanted = set(need.skills)
    rows = []
    for reg in registrations:
        if str(reg.member_id) in declined:
            continue  # already said no (or let it lapse) for this need
        why, score = [], 0
        common = sorted(wanted & set(reg.skills))
        if wanted and common:
            score += round(40 * len(common) / len(wanted))
            why.append(_("技能匹配：%(skills)s") % {"skills": "、".join(common)})
        points, label = _nearness(need.area, reg.member.residence)
        if points:
            score += points
            why.append(label)
        if _available(reg.available_times, need.wanted_at):
            score += 15
            why.append(_("该时段有空"))
        hours = load.get(reg.member_id) or Decimal(0)
        score += max(0, 15 - int(hours))
        why.append(_("本月已服务 %(h)s 小时") % {"h": hours})
        rows.append({"member": reg.member_id, "name": reg.member.name, "score": score, "why": why})
    rows.sort(key=lambda r: (-r["score"], r["member"]))
    return rows[:limit]
