"""Demo activity on top of the people from `apps.register.demo`: responsibility groups, pairings,
a year of visits and problems, and the points they earned.

Rates from the seeds (大榭): 138 groups for 10,094 households, ~17,000 visits and ~840
problems solved a year, 82% of them at building or grid level ("把82%的问题解决在基层"),
every vulnerable resident with one helper. Everything is bulk-inserted; at scale 10 that is
~100,000 households, ~170,000 visits and ~9,000 problems.
"""

import datetime as dt
import math
import random
import time
from collections import defaultdict
from contextlib import contextmanager

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from apps.accounts.models import Role, RoleAssignment
from apps.core.bulk import copy_insert
from apps.core.conf import conf
from apps.points.models import PointsEntry, PointsRule
from apps.register.models import Area, Household, Member, Resident

from .models import (
    GroupHousehold,
    GroupMembership,
    Pairing,
    Problem,
    ProblemEvent,
    ResponsibilityGroup,
    Visit,
)
from .services import _seniority, deal_members, helper_limit

BATCH = 5000
HOUSEHOLDS_PER_GROUP = 73  # 10,094 / 138
VISITS_PER_HOUSEHOLD = 1.7  # 17,000 a year per 10,000 households
PROBLEMS_PER_HOUSEHOLD = 0.09  # ~900 found, ~840 solved
SOLVED = 0.93
# Where solved problems were finally solved: 62% building + 20% grid = 82% at grassroots.
RESOLVED_AT = {1: 0.62, 2: 0.20, 3: 0.13, 4: 0.05}
PAIRED = 0.95  # leave some vulnerable residents for the "no helper yet" page
PAIRING_VISITED_THIS_MONTH = 0.7
CATEGORY_WEIGHTS = {
    "environment": 30,
    "facility": 25,
    "dispute": 15,
    "safety": 10,
    "livelihood": 15,
    "other": 5,
}


@contextmanager
def _keep_created_at(*models):
    """Let bulk_create store the historical `created_at` (a history row's `at`) we set
    (auto_now_add would overwrite it with now)."""
    fields = [m._meta.get_field("at" if m is ProblemEvent else "created_at") for m in models]
    saved = [f.auto_now_add for f in fields]
    for f in fields:
        f.auto_now_add = False
    try:
        yield
    finally:
        for f, value in zip(fields, saved, strict=True):
            f.auto_now_add = value


def _bulk(model, rows: list) -> list:
    return copy_insert(model, rows)  # COPY on PostgreSQL, bulk_create on SQLite


def _when(rng: random.Random, start: dt.datetime, end: dt.datetime) -> dt.datetime:
    return start + dt.timedelta(seconds=rng.randrange(max(1, int((end - start).total_seconds()))))


def _groups(rng: random.Random, grids: list[Area], street: str) -> dict:
    """About four groups a grid, members living in the grid dealt "以老带新、强弱搭配"."""
    plen = len(grids[0].path)
    buildings = Area.objects.filter(kind=Area.Kind.BUILDING, path__startswith=street)
    residence_path = dict(buildings.values_list("pk", "path"))
    members_by_grid: dict[str, list[Member]] = defaultdict(list)
    members = Member.objects.exclude(kind=Member.Kind.ACTIVIST).filter(residence__in=buildings)
    members = members.only("pk", "kind", "joined_on", "user_id", "community_id", "residence_id")
    for m in members.order_by("pk"):
        if m.residence_id:
            members_by_grid[residence_path[m.residence_id][:plen]].append(m)
    households_by_grid: dict[str, list[int]] = defaultdict(list)
    rows = Household.objects.filter(area__path__startswith=street)
    rows = rows.order_by("area__path", "unit", "room").values_list("pk", "area__path")
    for pk, path in rows:
        households_by_grid[path[:plen]].append(pk)
    demo_leader = Member.objects.filter(user__username="group_leader").first()

    groups, people, covered = [], [], []
    for grid in grids:
        pool = members_by_grid[grid.path]
        households = households_by_grid[grid.path]
        n = min(round(len(households) / HOUSEHOLDS_PER_GROUP) or 1, len(pool) // 4)
        if n < 1:
            continue
        buckets = deal_members(pool[: n * rng.choice((4, 4, 5))], n)
        per = math.ceil(len(households) / n)
        for k, bucket in enumerate(buckets):
            leader = min(bucket, key=_seniority)  # the most experienced member leads
            if demo_leader is not None and demo_leader in bucket:
                leader = demo_leader  # so the demo login sees a group of its own
            groups.append(
                ResponsibilityGroup(name=f"{grid.name}第{k + 1}责任组", grid=grid, leader=leader)
            )
            people.append(bucket)
            covered.append(households[k * per : (k + 1) * per])
    _bulk(ResponsibilityGroup, groups)
    _bulk(
        GroupMembership,
        [
            GroupMembership(group=g, member=m)
            for g, ms in zip(groups, people, strict=True)
            for m in ms
        ],
    )
    _bulk(
        GroupHousehold,
        [
            GroupHousehold(group=g, household_id=h)
            for g, hs in zip(groups, covered, strict=True)
            for h in hs
        ],
    )
    # (party_org is NULL, so the unique constraint would not stop a duplicate: skip held ones)
    held = set(
        RoleAssignment.objects.filter(role=Role.GROUP_LEADER).values_list("user_id", "area_id")
    )
    _bulk(
        RoleAssignment,
        [
            RoleAssignment(user_id=g.leader.user_id, role=Role.GROUP_LEADER, area=g.grid)
            for g in groups
            if g.leader.user_id and (g.leader.user_id, g.grid.pk) not in held
        ],
    )
    return {
        "groups": groups,
        "members_of": {g.pk: [m.pk for m in ms] for g, ms in zip(groups, people, strict=True)},
        "households_of": {g.pk: hs for g, hs in zip(groups, covered, strict=True)},
    }


def _pairings(rng: random.Random, today: dt.date, street: str) -> list[Pairing]:
    """Most vulnerable residents get a helper from their community (at most the limit each),
    preferring members who live in the same grid."""
    limit = helper_limit()
    community_len = Area.steplen * 3
    grid_len = Area.steplen * 4
    helpers_by_grid: dict[str, list[int]] = defaultdict(list)
    helpers_by_community: dict[str, list[int]] = defaultdict(list)
    members = Member.objects.exclude(kind=Member.Kind.ACTIVIST)
    members = members.filter(residence__isnull=False, residence__path__startswith=street)
    for pk, path in members.order_by("pk").values_list("pk", "residence__path"):
        helpers_by_grid[path[:grid_len]].append(pk)
        helpers_by_community[path[:community_len]].append(pk)
    load: dict[int, int] = defaultdict(int)
    rows = []
    residents = Resident.objects.filter(vulnerable=True, household__area__path__startswith=street)
    residents = residents.order_by("pk")
    for pk, path in residents.values_list("pk", "household__area__path"):
        if rng.random() > PAIRED:
            continue
        candidates = helpers_by_grid[path[:grid_len]] + helpers_by_community[path[:community_len]]
        helper = next((h for h in candidates if load[h] < limit), None)
        if helper is None:
            continue
        load[helper] += 1
        started = today - dt.timedelta(days=rng.randrange(30, 900))
        rows.append(Pairing(helper_id=helper, resident_id=pk, started_on=started))
    return _bulk(Pairing, rows)


def _visits(
    rng, groups: dict, pairings: list[Pairing], households: int, now, street: str
) -> list[Visit]:
    """A year of visits: each pairing about monthly-ish (70% already this month), the rest of
    the ~1.7 visits per household by the covering group's members."""
    year_ago = now - dt.timedelta(days=365)
    month_start = timezone.localtime(now).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    vulnerable = Resident.objects.filter(vulnerable=True, household__area__path__startswith=street)
    household_of = dict(vulnerable.values_list("pk", "household_id"))
    area_of = dict(
        Household.objects.filter(area__path__startswith=street).values_list("pk", "area_id")
    )
    rows = []
    for p in pairings:
        when = [_when(rng, year_ago, now) for _ in range(rng.randrange(1, 4))]
        if rng.random() < PAIRING_VISITED_THIS_MONTH:
            when.append(_when(rng, month_start, now))
        for at in when:
            rows.append(
                Visit(
                    household_id=household_of[p.resident_id],
                    area_id=area_of[household_of[p.resident_id]],
                    member_id=p.helper_id,
                    pairing=p,
                    visited_at=at,
                    notes="结对走访",
                    situation_clear=True,
                    thinking_clear=True,
                    hardship_clear=rng.random() < 0.9,
                    measures_clear=rng.random() < 0.8,
                    done_clear=rng.random() < 0.7,
                )
            )
    group_visits = max(0, int(VISITS_PER_HOUSEHOLD * households) - len(rows))
    group_list = groups["groups"]
    for _ in range(group_visits):
        g = rng.choice(group_list)
        household = rng.choice(groups["households_of"][g.pk])
        rows.append(
            Visit(
                household_id=household,
                area_id=area_of[household],
                member_id=rng.choice(groups["members_of"][g.pk]),
                group=g,
                visited_at=_when(rng, year_ago, now),
                notes="入户走访",
            )
        )
    return _bulk(Visit, rows)


def _problems(rng, visits: list[Visit], households: int, now, street: str) -> list[Problem]:
    """Problems found on group visits, escalated level by level until solved; 82% of the
    solved ones at building or grid level."""
    due = conf("PROBLEM_DUE_DAYS")
    area_of = dict(
        Household.objects.filter(area__path__startswith=street).values_list("pk", "area_id")
    )
    group_visits = [v for v in visits if v.group_id]
    categories, weights = zip(*CATEGORY_WEIGHTS.items(), strict=True)
    problems, events = [], []
    for v in rng.sample(
        group_visits, min(len(group_visits), int(PROBLEMS_PER_HOUSEHOLD * households))
    ):
        created = v.visited_at
        final = rng.choices(list(RESOLVED_AT), weights=list(RESOLVED_AT.values()))[0]
        # Each level takes part of its due time; a few go over.
        at, steps = created, []
        for level in range(1, final):
            at += dt.timedelta(days=rng.uniform(0.2, 1.1) * due[level])
            steps.append((level, at))
        resolved_at = at + dt.timedelta(days=rng.uniform(0.1, 1.2) * due[final])
        solved = rng.random() < SOLVED and resolved_at < now
        level = final
        if not solved:  # still open: at the last level reached before now
            reached = [s for s in steps if s[1] < now]
            steps = reached
            level = reached[-1][0] + 1 if reached else 1
        problem = Problem(
            area_id=area_of[v.household_id],
            household_id=v.household_id,
            visit=v,
            category=rng.choices(categories, weights=weights)[0],
            title="走访发现的问题",
            status=Problem.Status.RESOLVED
            if solved
            else (Problem.Status.ESCALATED if level > 1 else Problem.Status.OPEN),
            found_level=1,
            level=level,
            resolved_level=level if solved else None,
            resolution="已处理" if solved else "",
            due_at=(steps[-1][1] if steps else created) + dt.timedelta(days=due[level]),
            resolved_at=resolved_at if solved else None,
            created_at=created,
            updated_at=resolved_at if solved else created,
        )
        problems.append(problem)
        history = [("report", "", "open", created)]
        for _level, when in steps:
            history.append(("escalate", history[-1][2], "escalated", when))
        if solved:
            history.append(("resolve", history[-1][2], "resolved", resolved_at))
        events.append(history)
    with _keep_created_at(Problem, ProblemEvent):
        _bulk(Problem, problems)
        _bulk(
            ProblemEvent,
            [
                ProblemEvent(
                    problem=p,
                    move=move,
                    from_status=a,
                    to_status=b,
                    note="",
                    at=when,
                )
                for p, history in zip(problems, events, strict=True)
                for move, a, b, when in history
            ],
        )
    return problems


def _points(visits: list[Visit], problems: list[Problem], groups: dict) -> int:
    for code, (name, points) in PointsRule.DEFAULTS.items():  # in case a test flushed them
        PointsRule.objects.get_or_create(code=code, defaults={"name": str(name), "points": points})
    rules = {r.code: r for r in PointsRule.objects.all()}
    visit_ct = ContentType.objects.get_for_model(Visit)
    problem_ct = ContentType.objects.get_for_model(Problem)
    leader_of = {g.pk: g.leader_id for g in groups["groups"]}
    group_of_visit = {v.pk: v.group_id for v in visits}
    rule = rules["visit_logged"]
    rows = [
        PointsEntry(
            member_id=v.member_id,
            rule=rule,
            points=rule.points,
            source_type=visit_ct,
            source_id=v.pk,
            created_at=v.visited_at,
        )
        for v in visits
        if v.member_id
    ]
    rule = rules["problem_resolved"]
    for p in problems:  # the group leader gets the credit for what the building solved
        if p.resolved_level == 1 and group_of_visit.get(p.visit_id):
            rows.append(
                PointsEntry(
                    member_id=leader_of[group_of_visit[p.visit_id]],
                    rule=rule,
                    points=rule.points,
                    source_type=problem_ct,
                    source_id=p.pk,
                    created_at=p.resolved_at,
                )
            )
    with _keep_created_at(PointsEntry):
        _bulk(PointsEntry, rows)
    return len(rows)


def seed_activity(*, scale: int, rng: random.Random, stdout) -> None:
    started = time.monotonic()
    now = timezone.now()
    grids = list(Area.objects.filter(kind=Area.Kind.GRID).order_by("path"))
    if not grids:
        stdout.write("grids activity: no grids (run the people seeder first); skipped.")
        return
    n = defaultdict(int)
    # Street by street (one at scale 10, ten at scale 100): a year of a district's visits
    # never sits in memory at once.
    for street in Area.objects.filter(kind=Area.Kind.STREET).order_by("path"):
        street_grids = [g for g in grids if g.path.startswith(street.path)]
        if not street_grids:
            continue
        households = Household.objects.filter(area__path__startswith=street.path).count()
        groups = _groups(rng, street_grids, street.path)
        pairings = _pairings(rng, timezone.localdate(), street.path)
        visits = _visits(rng, groups, pairings, households, now, street.path)
        problems = _problems(rng, visits, households, now, street.path)
        n["points"] += _points(visits, problems, groups)
        n["groups"] += len(groups["groups"])
        n["pairings"] += len(pairings)
        n["visits"] += len(visits)
        n["problems"] += len(problems)
        del groups, pairings, visits, problems
    stdout.write(
        f"grids activity: {n['groups']} groups, {n['pairings']} pairings, "
        f"{n['visits']} visits, {n['problems']} problems, {n['points']} points entries "
        f"in {time.monotonic() - started:.1f}s"
    )


SEEDERS = [seed_activity]
