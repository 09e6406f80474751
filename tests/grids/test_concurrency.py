"""Races on real PostgreSQL with real threads (SQLite has no row locks)."""

import threading

import pytest
from django.db import connection

from apps.core.errors import Conflict
from apps.grids import services as grid_services
from apps.grids.models import GroupHousehold, Pairing
from apps.register.models import Member
from tests import factories as f

pytestmark = [pytest.mark.services]


def _race(n: int, fn) -> list:
    """Run fn(i) in n threads released together; return each result or Conflict code."""
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def run(i):
        try:
            barrier.wait()
            results[i] = fn(i)
        except Conflict as exc:
            results[i] = exc.code
        except Exception as exc:  # noqa: BLE001 - surfaced by the assertions below
            results[i] = repr(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_helper_limit_holds_under_concurrent_pairings(services, world, vulnerable, make_member):
    helper = make_member()
    residents = [vulnerable() for _ in range(10)]
    actor = world.user("grid_worker")

    results = _race(
        10,
        lambda i: grid_services.pairing_create(actor=actor, helper=helper, resident=residents[i]),
    )
    created = [r for r in results if isinstance(r, Pairing)]
    assert len(created) == 5, results
    assert results.count("helper_limit_reached") == 5, results
    assert Pairing.objects.filter(helper=helper, active=True).count() == 5


def test_one_active_helper_under_concurrent_pairings(services, world, vulnerable, make_member):
    resident = vulnerable()
    helpers = [make_member() for _ in range(8)]
    actor = world.user("grid_worker")

    results = _race(
        8, lambda i: grid_services.pairing_create(actor=actor, helper=helpers[i], resident=resident)
    )
    assert sum(isinstance(r, Pairing) for r in results) == 1, results
    assert results.count("resident_already_paired") == 7, results
    assert Pairing.objects.filter(resident=resident, active=True).count() == 1


def test_household_joins_one_group_under_concurrent_creates(
    services, world, households, make_member
):
    teams = [[make_member() for _ in range(3)] for _ in range(6)]
    actor = world.user("secretary")

    def create(i):
        leader, *others = teams[i]
        return grid_services.group_create(
            actor=actor,
            grid=world.grid_a,
            name=f"组{i}",
            leader=leader,
            members=others,
            households=[households[0]],
        )

    results = _race(6, create)
    assert results.count("household_in_other_group") == 5, results
    assert GroupHousehold.objects.filter(household=households[0]).count() == 1
    assert Member.objects.filter(group_memberships__isnull=False).distinct().count() == 3


def test_concurrent_escalations_of_an_escalated_problem_apply_once(services, world, households):
    """escalated -> escalated is an allowed move, so the status alone cannot stop a second
    escalation: only the `level` guard in the UPDATE makes all but one lose."""
    from apps.grids.models import Problem, ProblemEvent
    from apps.notifications.models import OutboxEvent

    f.cover(households[0], world.user("group_leader"))
    problem = grid_services.problem_report(
        actor=world.user("group_leader"), household=households[0], category="dispute", title="噪音"
    )
    grid_services.problem_escalate(actor=world.user("group_leader"), problem=problem, reason="r")
    # Every thread read the problem at the grid level, before any of them escalated it.
    copies = [Problem.objects.get(pk=problem.pk) for _ in range(8)]
    actor = world.user("secretary")

    results = _race(
        8,
        lambda i: grid_services.problem_escalate(actor=actor, problem=copies[i], reason=f"r{i}"),
    )

    assert sum(isinstance(r, Problem) for r in results) == 1, results
    assert results.count("already_escalated") == 7, results
    problem.refresh_from_db()
    assert problem.level == Problem.Level.COMMUNITY
    assert ProblemEvent.objects.filter(problem=problem, move="escalate").count() == 2
    assert OutboxEvent.objects.filter(name="problem.escalated").count() == 2


def test_concurrent_escalate_and_resolve_apply_once(services, world, households):
    """Escalating moves the problem up a level without leaving `escalated`, so a resolve that
    only checked the status could still apply after it (resolved at a level it no longer
    sat at): both moves are guarded by the level read, and exactly one wins."""
    from apps.grids.models import Problem, ProblemEvent

    f.cover(households[0], world.user("group_leader"))
    problem = grid_services.problem_report(
        actor=world.user("group_leader"), household=households[0], category="dispute", title="噪音"
    )
    grid_services.problem_escalate(actor=world.user("group_leader"), problem=problem, reason="r")
    copies = [Problem.objects.get(pk=problem.pk) for _ in range(8)]
    actor = world.user("secretary")

    def move(i):
        if i % 2:
            return grid_services.problem_resolve(actor=actor, problem=copies[i], resolution="好")
        return grid_services.problem_escalate(actor=actor, problem=copies[i], reason=f"r{i}")

    results = _race(8, move)

    assert sum(isinstance(r, Problem) for r in results) == 1, results
    assert set(results) - {r for r in results if isinstance(r, Problem)} <= {
        "already_escalated",
        "invalid_transition",
    }, results
    moves = ProblemEvent.objects.filter(problem=problem).exclude(move="report")
    assert moves.count() == 2, list(moves.values_list("move", flat=True))
