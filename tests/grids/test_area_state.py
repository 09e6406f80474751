"""`AreaState` (a building's households, covered ones, vulnerable residents, paired ones and
active pairings), kept by PostgreSQL triggers, equals the one rebuilt from the raw tables
after random writes by every path (services, ORM saves and deletes, bulk COPY, moves of
households and residents) and after concurrent writes to one building; the street report
read from it equals the live count (the SQLite path)."""

import contextlib
import datetime as dt
import random

import pytest
from django.db.models import F
from django.utils import timezone

from apps.core.bulk import copy_insert
from apps.core.errors import Conflict, Forbidden
from apps.grids import reports, rollups
from apps.grids import services as grid_services
from apps.grids.models import AreaState, GroupHousehold, Pairing, PairingMonth
from apps.register.models import Household, Resident
from tests import factories as f
from tests.grids.rollup_driver import kept_and_rebuilt, run_together

pytestmark = [pytest.mark.services]

FLAGS = ("low_income", "lives_alone", "disabled", "seriously_ill", "elderly")


def state() -> set:
    """Both trigger-kept tables' rows (buildings, grids and communities), zero rows left out."""
    return {
        row for row in AreaState.objects.values_list("area_id", *AreaState.COUNTERS) if any(row[1:])
    } | {
        ("month", *row)
        for row in PairingMonth.objects.values_list("area_id", "month", "pairings")
        if row[2]
    }


def live_totals(node) -> dict:
    prefix, plen = node.path, len(node.path) + 4
    totals = dict.fromkeys((*AreaState.COUNTERS, "pairings_visited"), 0)
    month = timezone.localdate().replace(day=1)
    month_dt = timezone.make_aware(dt.datetime.combine(month, dt.time.min))
    for row in reports._live_state(prefix, plen, month_dt).values():
        for key in totals:
            totals[key] += row.get(key) or 0
    return totals


def random_writes(rng, world, leader_member, group, n=150):
    worker = world.user("grid_worker")
    buildings = [world.building_a, world.building_b]
    rooms = iter(range(10_000, 99_999))
    for _ in range(n):
        roll = rng.random()
        households = list(Household.objects.order_by("pk"))
        residents = list(Resident.objects.order_by("pk"))
        if roll < 0.12:
            f.HouseholdFactory(area=rng.choice(buildings), room=str(next(rooms)))
        elif roll < 0.2:  # a bulk COPY, as the roster import and the seed do
            copy_insert(
                Household,
                [
                    Household(area=rng.choice(buildings), room=str(next(rooms)), address="x")
                    for _ in range(3)
                ],
            )
        elif roll < 0.35:
            flags = {flag: rng.random() < 0.3 for flag in FLAGS}
            f.ResidentFactory(household=rng.choice(households), **flags)
        elif roll < 0.45:  # hardship flags change: vulnerable flips
            resident = rng.choice(residents)
            flags = dict.fromkeys(FLAGS, False)
            if not resident.vulnerable:
                flags[rng.choice(FLAGS)] = True
            for flag, value in flags.items():
                setattr(resident, flag, value)
            resident.save()
        elif roll < 0.52:  # a resident moves to another household
            resident = rng.choice(residents)
            resident.household = rng.choice(households)
            resident.save()
        elif roll < 0.6:  # a household moves to the other building (bulk UPDATE)
            household = rng.choice(households)
            Household.objects.filter(pk=household.pk).update(
                area=world.building_b
                if household.area_id == world.building_a.pk
                else world.building_a
            )
        elif roll < 0.75:
            resident = rng.choice(residents)
            active = Pairing.objects.filter(resident=resident, active=True).first()
            if active and rng.random() < 0.5:
                with contextlib.suppress(Forbidden):  # the worker's grid only
                    grid_services.pairing_end(actor=worker, pairing=active)
            elif active:  # a bulk UPDATE
                Pairing.objects.filter(pk=active.pk).update(active=False)
            elif resident.vulnerable and rng.random() < 0.5:
                with contextlib.suppress(Conflict, Forbidden):  # the helper's limit; scope
                    grid_services.pairing_create(
                        actor=worker, helper=leader_member, resident=resident
                    )
            else:  # any resident's active pairing counts (paired: only a vulnerable one's)
                Pairing.objects.create(
                    helper=leader_member, resident=resident, started_on=timezone.localdate()
                )
        elif roll < 0.8:  # the helper visits (this month or earlier): PairingMonth moves
            pairing = Pairing.objects.filter(active=True, helper=leader_member).order_by("?")
            pairing = pairing.select_related("resident__household").first()
            if pairing:
                grid_services.visit_log(
                    actor=leader_member.user,
                    household=pairing.resident.household,
                    visited_at=timezone.now() - dt.timedelta(days=rng.choice((0, 0, 12, 29))),
                )
        elif roll < 0.85:
            household = rng.choice(households)
            cover = GroupHousehold.objects.filter(household=household).first()
            if cover:
                cover.delete()
            else:
                GroupHousehold.objects.create(group=group, household=household)
        elif roll < 0.93:  # a resident leaves (their pairings first, as the collector does)
            resident = rng.choice(residents)
            if not resident.user_id:
                Pairing.objects.filter(resident=resident).delete()
                resident.delete()
        else:
            empty = [h for h in households if not h.residents.exists()]
            if empty:
                household = rng.choice(empty)
                if not household.visits.exists():
                    household.delete()


@pytest.mark.parametrize("seed", [3, 4])
def test_kept_area_state_equals_rebuilt_after_random_writes(
    seed, world, group, leader_member, vulnerable
):
    random_writes(random.Random(seed), world, leader_member, group)
    assert Pairing.objects.filter(active=True).exists()
    # the triggers of Pairing.area followed every move of residents and households
    assert Pairing.objects.exclude(area=F("resident__household__area")).count() == 0
    kept, again = kept_and_rebuilt(state, rollups.rebuild)
    assert kept and kept == again
    totals = reports.grid_report(node=world.street, period=reports.parse_period(None, None))[
        "totals"
    ]
    assert {k: totals[k] for k in (*AreaState.COUNTERS, "pairings_visited")} == live_totals(
        world.street
    )


def test_concurrent_writes_to_one_building_lose_no_update(world, make_member):
    households = [f.HouseholdFactory(area=world.building_a, room=f"C{i}") for i in range(8)]
    worker = world.user("grid_worker")
    helpers = [make_member() for _ in range(8)]
    AreaState.objects.get_or_create(area=world.building_a)
    before = AreaState.objects.get(area=world.building_a)

    def run(i):
        for k in range(4):
            resident = f.ResidentFactory(household=households[(i + k) % 8], elderly=True)
            grid_services.pairing_create(actor=worker, helper=helpers[i], resident=resident)
            f.HouseholdFactory(area=world.building_a, room=f"N{i}-{k}")

    assert run_together(8, run) == []
    row = AreaState.objects.get(area=world.building_a)
    assert (
        row.households - before.households,
        row.vulnerable - before.vulnerable,
        row.paired - before.paired,
        row.pairings - before.pairings,
    ) == (32, 32, 32, 32)
    kept, again = kept_and_rebuilt(state, rollups.rebuild)
    assert kept == again
