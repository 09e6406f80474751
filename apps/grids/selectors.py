"""Reads for groups, visits, problems, pairings and points, always scoped to a user."""

import datetime as dt

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from apps.accounts.scoping import scoped
from apps.notifications import audiences
from apps.register.models import Household, Resident

from .models import Pairing, Problem, ProblemEvent, ResponsibilityGroup, Visit


def month_start(day: dt.date | None = None) -> dt.date:
    return (day or timezone.localdate()).replace(day=1)


def month_start_dt(day: dt.date | None = None) -> dt.datetime:
    start = month_start(day)
    return timezone.make_aware(dt.datetime(start.year, start.month, 1))


def groups_led_by(*, user) -> QuerySet:
    return ResponsibilityGroup.objects.filter(leader__user=user).select_related("grid")


def households_of_leader(*, user) -> QuerySet:
    """The households covered by the groups the user leads or belongs to, and those of the
    residents the user is paired with as a helper (with their residents)."""
    return (
        Household.objects.filter(
            Q(group_coverage__group__memberships__member__user=user)
            | Q(residents__pairings__helper__user=user, residents__pairings__active=True)
        )
        .select_related("area", "group_coverage__group")
        .prefetch_related("residents")
        .annotate(
            last_visit=Coalesce(
                Visit.objects.filter(household=OuterRef("pk"))
                .order_by("-visited_at")
                .values("visited_at")[:1],
                Value(None),
            )
        )
        .order_by("area__path", "unit", "room")
        .distinct()
    )


def households_visitable(*, user) -> QuerySet:
    """The households the user may log a visit to: in their scope, covered by a group they
    belong to, or home to a resident they are paired with (`services.visit_log`'s rule)."""
    return (
        Household.objects.select_related("area")
        .filter(
            Q(pk__in=scoped(user, Household).values("pk"))
            | Q(group_coverage__group__memberships__member__user=user)
            | Q(residents__pairings__helper__user=user, residents__pairings__active=True)
        )
        .distinct()
    )


def problems_open_for(*, user) -> QuerySet:
    return (
        scoped(user, Problem)
        .exclude(status=Problem.Status.RESOLVED)
        .select_related("area")
        .order_by("due_at")
    )


def problems_by_level(*, user) -> dict[int, list[Problem]]:
    """Unresolved problems in the user's scope, grouped by the level handling them."""
    result = {level: [] for level in Problem.Level.values}
    for p in problems_open_for(user=user)[:500]:
        result[p.level].append(p)
    return result


def problem_history(*, problem: Problem) -> list[ProblemEvent]:
    """The problem's history rows, each with `level`: the level it is at after that row.
    Not stored, because every escalation is one level up from `found_level`."""
    events = list(problem.events.select_related("actor"))
    level = problem.found_level
    for event in events:
        if event.move == "escalate":
            level += 1
        event.level = Problem.Level(level)
    return events


def residents_unpaired(*, user) -> QuerySet:
    """Vulnerable residents in the user's scope without an active helper."""
    return (
        scoped(user, Resident)
        .filter(vulnerable=True)
        .exclude(pairings__active=True)
        .select_related("household__area")
        .order_by("household__area__path", "pk")
    )


def pairings_unvisited(*, month: dt.date | None = None, user=None) -> QuerySet:
    """Active pairings with no visit in the given month (this month by default)."""
    start = month_start_dt(month)
    qs = Pairing.objects.filter(active=True) if user is None else scoped(user, Pairing)
    return (
        qs.filter(active=True)
        .exclude(Exists(Visit.objects.filter(pairing=OuterRef("pk"), visited_at__gte=start)))
        .select_related("helper", "resident__household__area")
        .order_by("pk")
    )


def level_notice(problem: Problem) -> tuple[dict, dict]:
    """Who handles the problem at its current level, and what a message about it says."""
    audience = audiences.area_role(problem.area_id, *Problem.NOTIFY_ROLES[problem.level])
    context = {
        "problem": problem.pk,
        "title": problem.title,
        "level": str(Problem.Level(problem.level).label),
    }
    return audience, context


def pairings_of_helper(*, user) -> QuerySet:
    """The helper's active pairings, each with its last visit (`last_visit_at`) and that
    visit's five clears (五清, `last_<clear>`; None before a first visit)."""
    last = Visit.objects.filter(pairing=OuterRef("pk")).order_by("-visited_at", "-pk")
    clears = {f"last_{name}": Subquery(last.values(name)[:1]) for name in Visit.FIVE_CLEARS}
    return (
        Pairing.objects.filter(helper__user=user, active=True)
        .select_related("resident__household__area")
        .annotate(last_visit_at=Subquery(last.values("visited_at")[:1]), **clears)
        .order_by("started_on", "pk")
    )


def is_helper(user) -> bool:
    return Pairing.objects.filter(helper__user=user, active=True).exists()


def households_unvisited_count(*, user) -> int:
    """How many of the leader's households have no visit this month (the home tile)."""
    start = month_start_dt()
    rows = households_of_leader(user=user).values_list("pk", "last_visit")
    return sum(1 for _pk, last in rows if last is None or last < start)
