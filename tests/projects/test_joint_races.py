"""The races the short sign opens, on PostgreSQL with real threads: a signature is inserted
before the request's row is counted, so a withdrawal, the expiry or a decision may run
between the two. Whatever the order, the count equals the active signatures and the request
moves once."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.notifications.models import OutboxEvent
from apps.projects import services as project
from apps.projects.models import JointRequest, JointRequestEvent, Signature
from tests.projects.joint_helpers import make_request, open_request, residents
from tests.wishes.test_concurrency import _race

pytestmark = pytest.mark.services


def _active(request) -> int:
    return Signature.objects.filter(request=request, withdrawn_at=None).count()


def _moves(request, move: str) -> int:
    return JointRequestEvent.objects.filter(request=request, move=move).count()


def _nine_of_ten(world):
    """A request needing ten, with nine signatures (the opener's and eight), and those eight."""
    request = open_request(world, threshold=10)
    eight = residents(world, 8)
    for r in eight:
        project.joint_sign(actor=r.user, request=request)
    return request, eight


def test_a_withdrawal_racing_the_signature_that_reaches_the_threshold(services, world):
    """Either the withdrawal counts first (nine again, still collecting, the withdrawal
    stands) or the tenth signature moves the request (the withdrawal is refused and leaves
    nothing withdrawn). Several rounds, so both orders get their chance."""
    for _round in range(4):
        request, eight = _nine_of_ten(world)
        quitter, newcomer = eight[0], residents(world, 1)[0]

        def attempt(user, request_id=request.pk, quitter=quitter):
            joint = JointRequest.objects.select_related("community").get(pk=request_id)
            if user.pk == quitter.user_id:
                project.joint_unsign(actor=user, request=joint)
            else:
                project.joint_sign(actor=user, request=joint)

        results = _race([quitter.user_id, newcomer.user_id], attempt)

        request.refresh_from_db()
        assert request.signature_count == _active(request), results
        if request.status == JointRequest.Status.UNDER_REVIEW:
            assert sorted(results) == ["signature_locked", "won"], results
            assert request.signature_count == 10
            kept = Signature.objects.filter(request=request, resident=quitter).get()
            assert kept.withdrawn_at is None
        else:
            assert request.status == JointRequest.Status.COLLECTING
            assert results == ["won", "won"], results
            assert request.signature_count == 9
        assert _moves(request, "reach") == (request.status == "under_review")


def test_signers_racing_the_expiry_either_reach_it_or_are_refused(services, world):
    request, _eight = _nine_of_ten(world)
    signers = residents(world, 5)
    clock = request.signing_until + dt.timedelta(seconds=1)  # the beat, past the period

    def attempt(user):
        joint = JointRequest.objects.select_related("community").get(pk=request.pk)
        if user.pk == signers[0].user_id:
            project.joint_expire(request=joint, now=clock)
        else:
            project.joint_sign(actor=user, request=joint)

    results = _race([r.user_id for r in signers], attempt)

    request.refresh_from_db()
    assert request.signature_count == _active(request), results
    assert _moves(request, "reach") + _moves(request, "expire") == 1
    if request.status == JointRequest.Status.EXPIRED:
        assert request.signature_count == 9
        assert sorted(results) == ["request_expired"] * 4 + ["won"], results
    else:
        assert request.status == JointRequest.Status.UNDER_REVIEW
        assert request.signature_count == 13
        assert results.count("won") == 4 and len(results) == 5, results
    assert OutboxEvent.objects.filter(name="joint.reached").count() == _moves(request, "reach")


def test_signers_racing_a_decline_are_counted_before_it_or_refused(services, world):
    request, signers = make_request(world, "under_review", threshold=3)
    late = residents(world, 6)
    secretary = world.user("secretary")

    def attempt(user):
        joint = JointRequest.objects.select_related("community").get(pk=request.pk)
        if user.pk == secretary.pk:
            project.joint_decline(actor=user, request=joint, reason="不属于社区职责")
        else:
            project.joint_sign(actor=user, request=joint)

    results = _race([secretary.pk] + [r.user_id for r in late], attempt)

    request.refresh_from_db()
    assert request.status == JointRequest.Status.DECLINED
    assert set(results) <= {"won", "signing_closed"}, results
    assert request.signature_count == _active(request) == 3 + results.count("won") - 1
    assert _moves(request, "decline") == 1


def test_a_signature_is_two_queries_and_holds_the_row_for_one_statement(services, world):
    """The resident's row, then one statement (insert, count, checks) in its own short
    transaction; no SELECT … FOR UPDATE. The signature that reaches the threshold adds the
    move and its notices."""
    request = open_request(world, threshold=3)
    first, second = residents(world, 2)
    joint = JointRequest.objects.select_related("community").get(pk=request.pk)
    with CaptureQueriesContext(connection) as queries:
        project.joint_sign(actor=first.user, request=joint)
    sql = [q["sql"].strip() for q in queries.captured_queries]
    assert [q.split()[0] for q in sql] == ["SELECT", "BEGIN", "WITH", "COMMIT"], sql
    assert not any("FOR UPDATE" in q for q in sql)
    assert joint.signature_count == 2 and joint.status == "collecting"

    project.joint_sign(actor=second.user, request=joint)
    assert joint.status == "under_review" and joint.reached_at is not None
    request.refresh_from_db()
    assert (request.signature_count, request.status) == (3, "under_review")
    assert request.reached_at <= timezone.now()
