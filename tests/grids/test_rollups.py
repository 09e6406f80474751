"""The rollups kept by the services equal the ones rebuilt from the raw tables, after a random
sequence of writes and after concurrent visits to one building; the report read from them
matches the raw tables for random periods (households reached is exact)."""

import datetime as dt
import random

import pytest
from django.db import connection
from django.db.models import Count, F, Q
from django.utils import timezone

from apps.core.errors import Conflict, InvalidTransition
from apps.grids import reach, reports, rollups, services
from apps.grids.models import (
    AreaDay,
    CommunityMonth,
    GridMonth,
    HouseholdVisitYear,
    Pairing,
    Problem,
    Visit,
)
from apps.points import rollups as points_rollups
from apps.points.models import PointsEntry, PointsMonth
from tests.grids.rollup_driver import kept_and_rebuilt, run_together


def snapshot() -> tuple[set, set]:
    days = {
        tuple(row)
        for row in AreaDay.objects.values_list("area_id", "day", *AreaDay.COUNTERS)
        if any(row[2:])
    }
    months = {
        tuple(row)
        for row in GridMonth.objects.values_list("grid_path", "month", *GridMonth.COUNTERS)
        if any(row[2:])
    }
    months |= {
        ("community", *row)
        for row in CommunityMonth.objects.values_list(
            "community_path", "month", *CommunityMonth.COUNTERS
        )
        if any(row[2:])
    }
    years = set(HouseholdVisitYear.objects.values_list("household_id", "area_id", "year", "months"))
    points = set(PointsMonth.objects.exclude(points=0).values_list("member_id", "month", "points"))
    return days, months, years, points, reach_rows()


def reach_rows() -> set:
    """The first-visit arrays (PostgreSQL), all-zero ones left out."""
    if not reach.kept():
        return set()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT depth, path, month, firsts FROM {reach.TABLE}")
        return {(d, p, m, tuple(f)) for d, p, m, f in cursor.fetchall() if any(f)}


@pytest.fixture
def long_backdate(settings):
    settings.TONGXIN = {**settings.TONGXIN, "VISIT_BACKDATE_DAYS": 800}


def random_writes(rng, world, households, vulnerable, leader_member, n=120):
    leader = world.user("group_leader")
    admin = world.user("administrator")
    worker = world.user("grid_worker")
    now = timezone.now()
    residents = [vulnerable() for _ in range(3)]
    for _ in range(n):
        roll = rng.random()
        if roll < 0.45:
            services.visit_log(
                actor=leader,
                household=rng.choice(households[:4]),
                visited_at=now - dt.timedelta(minutes=rng.randrange(0, 700 * 24 * 60)),
                problems=[{"category": "facility", "title": "灯"}] if rng.random() < 0.3 else None,
            )
        elif roll < 0.55:
            services.problem_report(
                actor=admin,
                area=rng.choice([world.building_a, world.building_b]),
                category="other",
                title="报",
            )
        elif roll < 0.85:
            open_ = list(Problem.objects.exclude(status=Problem.Status.RESOLVED))
            if not open_:
                continue
            problem = rng.choice(open_)
            try:
                if rng.random() < 0.5 and problem.level < Problem.Level.STREET:
                    services.problem_escalate(actor=admin, problem=problem, reason="上报")
                else:
                    services.problem_resolve(actor=admin, problem=problem, resolution="好")
            except (Conflict, InvalidTransition):
                pass
        elif roll < 0.95:
            resident = rng.choice(residents)
            active = Pairing.objects.filter(resident=resident, active=True).first()
            if active:
                services.pairing_end(actor=worker, pairing=active)
            else:
                services.pairing_create(actor=worker, helper=leader_member, resident=resident)
        else:  # a visit to a paired resident's household (a pairing visit)
            pairing = Pairing.objects.filter(active=True).select_related("resident").first()
            if pairing:
                services.visit_log(
                    actor=leader,
                    household=pairing.resident.household,
                    visited_at=now - dt.timedelta(days=rng.randrange(0, 40)),
                )


@pytest.mark.django_db
@pytest.mark.parametrize("seed", [1, 2])
def test_kept_rollups_equal_rebuilt_after_random_writes(
    seed, long_backdate, world, group, households, vulnerable, leader_member
):
    random_writes(random.Random(seed), world, households, vulnerable, leader_member)
    assert Visit.objects.count() > 30 and Problem.objects.count() > 10
    assert Problem.objects.filter(level__gt=F("found_level")).exists()
    assert PointsEntry.objects.exists()
    kept, again = kept_and_rebuilt(snapshot, rollups.rebuild, points_rollups.rebuild)
    assert all(kept)
    assert again == kept


@pytest.mark.django_db
def test_report_from_rollups_matches_raw_tables_for_random_periods(
    long_backdate, world, group, households, vulnerable, leader_member
):
    rng = random.Random(7)
    random_writes(rng, world, households, vulnerable, leader_member, n=150)
    today = timezone.localdate()
    periods = [(today - dt.timedelta(days=rng.randrange(0, 700)), None) for _ in range(12)]
    periods = [(a, a + dt.timedelta(days=rng.randrange(0, 400))) for a, _ in periods]
    periods.append((today.replace(month=1, day=1) - dt.timedelta(days=365), today))
    # whole months only (on PostgreSQL read from the first-visit arrays): random month spans,
    # and up to today
    for _ in range(10):
        first = (today - dt.timedelta(days=rng.randrange(0, 700))).replace(day=1)
        last = (first + dt.timedelta(days=rng.randrange(0, 400))).replace(day=1)
        periods.append(
            (first, (last + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1))
        )
        periods.append((first, today))
    for first, last in periods:
        period = reports.Period(first, last)
        report = reports.grid_report(node=world.street, period=period)
        totals = report["totals"]
        # all visits are to the grid's building: the grid's report (read from the day rows)
        # agrees with the street's (from month rows + the partial months' day rows)
        grid = reports.grid_report(node=world.grid_a, period=period)["totals"]
        assert (grid["visits"], grid["households_reached"]) == (
            totals["visits"],
            totals["households_reached"],
        )
        assert sum(m["visits"] for m in report["trend"]) == totals["visits"]
        visits = Visit.objects.filter(
            visited_at__gte=period.start_dt, visited_at__lt=period.end_dt
        ).aggregate(n=Count("pk"), h=Count("household", distinct=True))
        problems = Problem.objects.filter(
            created_at__gte=period.start_dt, created_at__lt=period.end_dt
        ).aggregate(
            found=Count("pk"),
            resolved=Count("pk", filter=Q(status=Problem.Status.RESOLVED)),
            escalated=Count("pk", filter=Q(level__gt=F("found_level"))),
        )
        assert (totals["visits"], totals["households_reached"]) == (visits["n"], visits["h"]), (
            first,
            last,
        )
        assert (
            totals["problems_found"],
            totals["problems_resolved"],
            totals["problems_escalated"],
        ) == (problems["found"], problems["resolved"], problems["escalated"])


@pytest.mark.services
def test_concurrent_visits_to_one_building_lose_no_update(services, world, group, households):
    leader = world.user("group_leader")
    at = timezone.now() - dt.timedelta(hours=1)

    def run(i):
        for k in range(5):
            services_visit(leader, households[(i + k) % 4], at)

    assert run_together(8, run) == []
    day = AreaDay.objects.get(area=world.building_a, day=rollups.local_day(at))
    assert day.visits == 40
    year = HouseholdVisitYear.objects.filter(area=world.building_a)
    assert year.count() == 4
    kept, again = kept_and_rebuilt(snapshot, rollups.rebuild, points_rollups.rebuild)
    assert again == kept


def services_visit(actor, household, at):
    return services.visit_log(actor=actor, household=household, visited_at=at)


@pytest.mark.django_db
def test_rebuild_rollups_command(world, group, households, capsys):
    from django.core.management import call_command

    services.visit_log(
        actor=world.user("group_leader"), household=households[0], visited_at=timezone.now()
    )
    AreaDay.objects.all().delete()
    call_command("rebuild_rollups")
    out = capsys.readouterr().out
    assert "grids: 1 area_days" in out and "points:" in out and "wishes:" in out
    assert AreaDay.objects.get().visits == 1
