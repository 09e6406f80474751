"""Capacities hold under real concurrency: threads with their own PostgreSQL connections
approve registrations onto one post and sign up for one occurrence at the same moment."""

import threading

import pytest

from apps.accounts.models import Role, User
from apps.register.models import Member
from apps.volunteers import services as vol
from apps.volunteers.models import Occurrence, Post, SignUp, VolunteerRegistration
from tests import factories as f
from tests.wishes.test_concurrency import _race

pytestmark = pytest.mark.services


def _members(world, n: int) -> list[int]:
    users = User.objects.bulk_create(User(username=f"vol{i}") for i in range(n))
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


def test_fifty_signups_for_ten_places_waitlist_forty_in_arrival_order(
    services, world, make_activity
):
    occ = make_activity(capacity=10).occurrences.get()
    user_ids = _members(world, 50)

    results = _race(
        user_ids,
        lambda user: services_signup(user, occ.pk),
    )

    assert results.count("won") == 50, results
    signups = list(SignUp.objects.filter(occurrence=occ).order_by("arrival"))
    # Arrival numbers are unique and order everyone: the ten places went to the first ten
    # arrivals, the waitlist follows in arrival order.
    assert len({s.arrival for s in signups}) == 50
    assert [s.status for s in signups] == ["signed_up"] * 10 + ["waitlisted"] * 40
    assert [vol.waitlist_position(s) for s in signups[10:]] == list(range(1, 41))
    assert Occurrence.objects.get(pk=occ.pk).taken == 10

    # A cancellation promotes exactly one: the first in line.
    first_in_line = signups[10]
    vol.signup_cancel(actor=signups[0].member.user, signup=signups[0])
    assert SignUp.objects.filter(occurrence=occ, status="signed_up").count() == 10
    assert SignUp.objects.get(pk=first_in_line.pk).status == "signed_up"
    assert SignUp.objects.filter(occurrence=occ, status="waitlisted").count() == 39


def services_signup(user, occurrence_id):
    occurrence = Occurrence.objects.select_related("activity__community").get(pk=occurrence_id)
    vol.signup_create(actor=user, occurrence=occurrence)


def test_concurrent_approvals_never_exceed_a_posts_capacity(services, world, make_post):
    post = make_post("护河志愿者", capacity=5)
    user_ids = _members(world, 30)
    regs = [
        vol.registration_submit(
            actor=User.objects.get(pk=uid), community=world.community_a, choices=[post]
        ).pk
        for uid in user_ids
    ]
    secretary_ids = []
    for i in range(len(regs)):
        user = f.UserFactory(username=f"sec{i}")
        f.grant(user, Role.SECRETARY, area=world.community_a)
        secretary_ids.append(user.pk)
    by_secretary = dict(zip(secretary_ids, regs, strict=True))

    def approve(user):
        reg = VolunteerRegistration.objects.select_related("community", "member", "choice_1").get(
            pk=by_secretary[user.pk]
        )
        vol.registration_approve(actor=user, registration=reg)

    results = _race(secretary_ids, approve)

    assert results.count("won") == 5, results
    assert results.count("post_full") == 25, results
    assert Post.objects.get(pk=post.pk).filled == 5
    assert post.assignments.filter(status="active").count() == 5
    assert VolunteerRegistration.objects.filter(status="approved").count() == 5


def test_cancellations_racing_signups_leave_no_free_place_behind_a_waitlist(
    services, world, make_activity
):
    """Five of five places are given back while twenty others sign up: whatever the
    interleaving, every place is filled before anyone waits, and the counter is true."""
    occ = make_activity(capacity=5).occurrences.get()
    holders = _members(world, 25)
    leaving, arriving = holders[:5], holders[5:]
    for uid in leaving:
        services_signup(User.objects.get(pk=uid), occ.pk)
    leaving_set = set(leaving)

    def act(user):
        if user.pk in leaving_set:
            signup = SignUp.objects.select_related("member").get(
                occurrence_id=occ.pk, member__user=user, status="signed_up"
            )
            vol.signup_cancel(actor=user, signup=signup)
        else:
            services_signup(user, occ.pk)

    results = _race(leaving + arriving, act)

    assert results.count("won") == 25, results
    signed = SignUp.objects.filter(occurrence=occ, status="signed_up")
    waiting = SignUp.objects.filter(occurrence=occ, status="waitlisted").order_by("arrival")
    assert signed.count() == 5 and waiting.count() == 15
    assert Occurrence.objects.get(pk=occ.pk).taken == 5
    # The places went to the first arrivals (or the first in line), the rest wait in order.
    line = SignUp.objects.filter(occurrence=occ).exclude(status="cancelled").order_by("arrival")
    assert [s.status for s in line] == ["signed_up"] * 5 + ["waitlisted"] * 15


def test_one_member_racing_for_two_overlapping_occurrences_gets_one(services, world, make_activity):
    """No lock on the member: the exclusion constraint keeps their open sign-ups apart."""
    first = make_activity(title="上午").occurrences.get()
    second = make_activity(title="重叠").occurrences.get()  # the same times
    uid = world.user("member").pk
    turns = iter([first.pk, second.pk] * 5)
    lock = threading.Lock()

    def attempt(user):
        with lock:
            occurrence_id = next(turns)
        services_signup(user, occurrence_id)

    results = _race([uid] * 10, attempt)

    assert results.count("won") == 1, results
    assert set(results) - {"won"} <= {"already_signed_up", "overlapping_signup"}, results
    assert SignUp.objects.filter(member__user_id=uid).count() == 1
