"""Signature counts under real concurrency on PostgreSQL: each thread has its own
connection and all are released at once by a barrier."""

import pytest

from apps.notifications.models import OutboxEvent
from apps.projects import services
from apps.projects.models import JointRequest, JointRequestEvent, Signature
from tests.projects.joint_helpers import open_request, resident, residents
from tests.wishes.test_concurrency import _race

pytestmark = pytest.mark.services


def _sign(request_id):
    def attempt(user):
        request = JointRequest.objects.select_related("community").get(pk=request_id)
        services.joint_sign(actor=user, request=request)

    return attempt


def test_thirty_concurrent_signers_of_a_request_needing_ten(services, world):
    request = open_request(world, threshold=10)
    signers = residents(world, 30)

    results = _race([r.user_id for r in signers], _sign(request.pk))

    assert results.count("won") == 30, results
    request.refresh_from_db()
    assert request.signature_count == 31  # the opener and the thirty
    assert Signature.objects.filter(request=request, withdrawn_at=None).count() == 31
    assert request.status == JointRequest.Status.UNDER_REVIEW
    reached = JointRequestEvent.objects.filter(request=request, move="reach")
    assert reached.count() == 1
    assert OutboxEvent.objects.filter(name="joint.reached").count() == 1


def test_nine_racing_for_the_last_nine_places_move_it_once(services, world):
    """Nine signers race for the last nine places: the ninth to commit moves it, once."""
    request = open_request(world, threshold=10)
    results = _race([r.user_id for r in residents(world, 9)], _sign(request.pk))
    assert results.count("won") == 9, results
    request.refresh_from_db()
    assert (request.signature_count, request.status) == (10, "under_review")
    assert OutboxEvent.objects.filter(name="joint.reached").count() == 1


def test_one_household_racing_gets_one_signature(services, world):
    request = open_request(world, threshold=10)
    home = resident(world).household
    family = [resident(world, household=home) for _ in range(8)]

    results = _race([r.user_id for r in family], _sign(request.pk))

    assert results.count("won") == 1, results
    assert results.count("already_signed") == 7, results
    request.refresh_from_db()
    assert request.signature_count == 2
    assert Signature.objects.filter(request=request, household=home).count() == 1


def test_the_same_resident_signing_at_once_from_two_devices_signs_once(services, world):
    request = open_request(world, threshold=10)
    me = resident(world)

    results = _race([me.user_id] * 6, _sign(request.pk))

    assert sorted(results) == ["already_signed"] * 5 + ["won"], results
    request.refresh_from_db()
    assert request.signature_count == 2
