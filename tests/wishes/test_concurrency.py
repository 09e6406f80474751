"""Exactly one claim wins under real concurrency: 50 threads, each with its own PostgreSQL
connection, claim the same wish at the same moment."""

import threading

import pytest
from django.db import IntegrityError, connection, transaction

from apps.accounts.models import Role, User
from apps.core.errors import AppError
from apps.notifications.models import OutboxEvent
from apps.register.models import Member
from apps.wishes import services as wish_services
from apps.wishes.models import Claim, Wish
from tests import factories as f

pytestmark = pytest.mark.services
THREADS = 50


def _members(world, n: int) -> list[int]:
    users = User.objects.bulk_create(User(username=f"racer{i}") for i in range(n))
    Member.objects.bulk_create(
        Member(
            user=u,
            name=f"党员{i}",
            branch=world.branch_a,
            community=world.community_a,
            kind=Member.Kind.EMPLOYED,
        )
        for i, u in enumerate(users)
    )
    for u in users:
        f.grant(u, Role.MEMBER, area=world.community_a)
    return [u.pk for u in users]


def _race(user_ids: list[int], attempt) -> list[str]:
    """Run `attempt(user)` in one thread per user id, all released at once by a barrier;
    each thread uses (and closes) its own database connection."""
    barrier = threading.Barrier(len(user_ids))
    results: list[str] = []
    lock = threading.Lock()

    def run(user_id: int) -> None:
        try:
            user = User.objects.get(pk=user_id)
            barrier.wait(timeout=30)
            try:
                attempt(user)
                outcome = "won"
            except AppError as exc:
                outcome = exc.code
            except Exception as exc:  # a crash must show up in the results, not hang the test
                outcome = f"crash: {exc!r}"
            with lock:
                results.append(outcome)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(uid,)) for uid in user_ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def test_fifty_concurrent_claims_have_exactly_one_winner(services, world, make_wish):
    wish_id = make_wish("published").pk
    user_ids = _members(world, THREADS)

    def claim(user):
        wish = Wish.objects.select_related("resident", "area").get(pk=wish_id)
        wish_services.wish_claim(wish=wish, actor=user)

    results = _race(user_ids, claim)

    assert len(results) == THREADS
    assert results.count("won") == 1, results
    assert results.count("already_claimed") == THREADS - 1, results
    assert Claim.objects.filter(wish_id=wish_id).count() == 1
    assert OutboxEvent.objects.filter(name="wish.claimed").count() == 1
    wish = Wish.objects.get(pk=wish_id)
    assert wish.status == Wish.Status.CLAIMED
    assert wish.claimed_by_id == Claim.objects.get(wish=wish).claimant_id
    assert wish.events.filter(to_status=Wish.Status.CLAIMED).count() == 1


def test_concurrent_double_submit_creates_one_wish(services, world, category):
    def submit(user):
        wish_services.wish_submit(
            actor=user, title="同一心愿", description="同一说明", category=category
        )

    results = _race([world.user("resident").pk] * 10, submit)

    assert results.count("won") == 1, results
    assert results.count("duplicate_submission") == 9, results
    assert Wish.objects.count() == 1


def test_the_database_refuses_a_second_active_claim(services, world, make_wish):
    """Behind the conditional UPDATE, the partial unique index is the last word."""
    wish = make_wish("claimed")
    member = Member.objects.get(user=world.user("group_leader"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.create(wish=wish, member=member, claimant=member.user)
    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.create(wish=wish, claimant=member.user)  # neither member nor organisation
