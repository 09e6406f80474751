"""The one workflow mechanism (apps.core.workflow), driven on a real model: Problem, whose
workflow has a move (escalate) that leads from a status back to itself."""

import datetime as dt

import pytest
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone, translation

from apps.core.errors import Conflict, InvalidTransition
from apps.core.workflow import Workflow, check, record, transition
from apps.grids.models import Problem, ProblemEvent

pytestmark = pytest.mark.django_db
S = Problem.Status


@pytest.fixture(autouse=True)
def _chinese():
    # The messages are asserted in Chinese, whatever an earlier test left activated.
    with translation.override(settings.LANGUAGE_CODE):
        yield


class Taken(Conflict):
    code = "taken"


@pytest.fixture
def problem(world):
    return Problem.objects.create(
        area=world.building_a,
        category="other",
        title="楼道灯坏了",
        due_at=timezone.now() + dt.timedelta(days=3),
    )


def _stale_copy(problem: Problem, **changes) -> Problem:
    """`problem` as another request read it, before `changes` were committed by a third."""
    copy = Problem.objects.get(pk=problem.pk)
    Problem.objects.filter(pk=problem.pk).update(**changes)
    return copy


# --- the table ---------------------------------------------------------------------------


def test_table_answers_can_and_moves_from():
    flow = Workflow(history="x.Y", moves={"go": ({"a", "b"}, "c"), "stop": ({"c"}, "d")})
    assert flow.can("go", "a") and flow.can("go", "b")
    assert not flow.can("go", "c") and not flow.can("stop", "a")
    assert flow.moves_from("a") == ["go"]
    assert flow.moves_from("c") == ["stop"]
    assert flow.moves_from("d") == []
    assert flow["go"].target == "c"


def test_unknown_move_is_a_programming_error_not_a_user_error():
    with pytest.raises(ValueError, match="escalte"):
        Problem.workflow.can("escalte", S.OPEN)


def test_problem_moves_from_each_status():
    assert Problem.workflow.moves_from(S.OPEN) == ["start", "escalate", "resolve"]
    assert Problem.workflow.moves_from(S.IN_PROGRESS) == ["escalate", "resolve"]
    assert Problem.workflow.moves_from(S.RESOLVED) == []


# --- transition ----------------------------------------------------------------------------


def test_allowed_move_updates_row_and_object_and_writes_full_history(problem, world):
    actor = world.user("grid_worker")
    before = problem.updated_at

    transition(problem, "start", actor=actor, note="已联系物业", description="灯在三楼")

    assert problem.status == S.IN_PROGRESS and problem.description == "灯在三楼"
    assert problem.updated_at > before
    stored = Problem.objects.get(pk=problem.pk)
    assert (stored.status, stored.description) == (S.IN_PROGRESS, "灯在三楼")
    assert stored.updated_at == problem.updated_at
    row = ProblemEvent.objects.get(problem=problem)
    assert (row.move, row.from_status, row.to_status) == ("start", S.OPEN, S.IN_PROGRESS)
    assert (row.actor, row.note) == (actor, "已联系物业")
    assert row.at is not None


def test_illegal_move_raises_invalid_transition_and_changes_nothing(problem, world):
    Problem.objects.filter(pk=problem.pk).update(status=S.RESOLVED)
    problem.refresh_from_db()

    with pytest.raises(InvalidTransition) as exc:
        transition(problem, "start", actor=world.user("grid_worker"))

    assert exc.value.code == "invalid_transition"
    assert "已解决" in exc.value.detail  # names the status the object is in
    assert Problem.objects.get(pk=problem.pk).status == S.RESOLVED
    assert not ProblemEvent.objects.exists()


def test_check_alone_refuses_without_touching_the_database(problem, django_assert_num_queries):
    problem.status = S.RESOLVED
    with django_assert_num_queries(0), pytest.raises(InvalidTransition):
        check(problem, "resolve")


def test_lost_race_raises_the_given_conflict_and_writes_no_history(problem, world):
    stale = _stale_copy(problem, status=S.RESOLVED)  # resolved by someone else meanwhile

    with pytest.raises(Taken), transaction.atomic():
        transition(stale, "start", actor=world.user("grid_worker"), conflict=Taken)

    assert Problem.objects.get(pk=problem.pk).status == S.RESOLVED
    assert stale.status == S.OPEN  # the in-memory object is not moved either
    assert not ProblemEvent.objects.exists()


def test_lost_race_default_conflict_is_invalid_transition_with_a_refresh_hint(problem, world):
    stale = _stale_copy(problem, status=S.IN_PROGRESS)

    with pytest.raises(InvalidTransition) as exc, transaction.atomic():
        transition(stale, "start", actor=None)

    assert exc.value.code == "invalid_transition" and "刷新" in exc.value.detail


def test_conflict_may_be_a_callable_building_the_error(problem):
    stale = _stale_copy(problem, status=S.IN_PROGRESS)

    def conflict():
        return Conflict("late", code="late")

    with pytest.raises(Conflict) as exc, transaction.atomic():
        transition(stale, "start", actor=None, conflict=conflict)

    assert exc.value.code == "late"


def test_guard_that_no_longer_holds_loses_even_when_the_status_still_matches(problem):
    # escalated -> escalated is allowed: only the guard tells the second escalation apart.
    Problem.objects.filter(pk=problem.pk).update(status=S.ESCALATED, level=2)
    problem.refresh_from_db()
    stale = _stale_copy(problem, level=3)

    with pytest.raises(Taken), transaction.atomic():
        transition(stale, "escalate", actor=None, guard=Q(level=2), conflict=Taken, level=3)

    assert Problem.objects.get(pk=problem.pk).level == 3
    assert not ProblemEvent.objects.exists()


def test_guard_that_holds_lets_the_move_apply(problem):
    transition(problem, "escalate", actor=None, guard=Q(level=1), level=2)

    assert Problem.objects.get(pk=problem.pk).level == 2
    assert ProblemEvent.objects.get().move == "escalate"


def test_expression_fields_are_read_back_from_the_database(problem):
    transition(problem, "escalate", actor=None, level=F("level") + 1)

    assert problem.level == 2  # not the F() expression
    assert Problem.objects.get(pk=problem.pk).level == 2


def test_record_writes_a_creation_row_with_an_empty_from_status(problem, world):
    record(problem, "report", from_status="", actor=world.user("group_leader"), note="n")

    row = ProblemEvent.objects.get()
    assert (row.move, row.from_status, row.to_status, row.note) == ("report", "", S.OPEN, "n")
    assert row.actor == world.user("group_leader")
