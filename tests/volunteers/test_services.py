import datetime as dt
from decimal import Decimal

import pytest
from django.conf import settings
from django.core import signing
from django.test import override_settings
from django.utils import timezone

from apps.accounts.models import Role
from apps.core.errors import AppError
from apps.notifications.models import OutboxEvent
from apps.points.models import PointsEntry
from apps.register.models import Member
from apps.volunteers import services
from apps.volunteers.models import (
    Assignment,
    Occurrence,
    Post,
    ServiceRecord,
    SignUp,
    StandardPost,
    VolunteerRegistration,
)
from tests import factories as f

from .conftest import shift

pytestmark = pytest.mark.django_db


def _member_user(world, community=None):
    user = f.UserFactory()
    f.MemberFactory(user=user, branch=world.branch_a, community=community or world.community_a)
    f.grant(user, Role.MEMBER, area=community or world.community_a)
    return user


def _register(world, user, *posts):
    return services.registration_submit(
        actor=user, community=world.community_a, choices=list(posts), skills="法律，医疗"
    )


def _code(call) -> str:
    with pytest.raises(AppError) as exc:
        call()
    return exc.value.code


def test_standard_posts_are_loaded_by_the_data_migration():
    from importlib import import_module

    from django.apps import apps

    # Run the migration's loader (an earlier transactional test may have flushed its rows).
    import_module("apps.volunteers.migrations.0002_load_standard_posts").load(apps, None)
    assert StandardPost.objects.count() >= 45
    assert StandardPost.objects.filter(name="河道巡查员", category="护河").exists()


def test_registration_only_with_the_home_community(world, make_post):
    post_b = make_post("调解员", community=world.community_b)
    code = _code(
        lambda: services.registration_submit(
            actor=world.user("member"), community=world.community_b, choices=[post_b]
        )
    )
    assert code == "not_home_community"
    assert not VolunteerRegistration.objects.exists()


def test_a_second_open_registration_is_refused(world, make_post):
    post = make_post("护河志愿者")
    _register(world, world.user("member"), post)
    assert _code(lambda: _register(world, world.user("member"), post)) == "already_registered"
    assert VolunteerRegistration.objects.count() == 1


def test_approve_assigns_a_post_and_fills_a_place(world, make_post):
    post = make_post("护河志愿者", capacity=1)
    reg = _register(world, world.user("member"), post)
    services.registration_approve(actor=world.user("secretary"), registration=reg)
    post.refresh_from_db()
    assert post.filled == 1
    assert reg.status == "approved" and reg.volunteer_number
    assert OutboxEvent.objects.filter(name="volunteer.approved").exists()
    other = _register(world, _member_user(world), post)
    code = _code(
        lambda: services.registration_approve(actor=world.user("secretary"), registration=other)
    )
    assert code == "post_full"
    other.refresh_from_db()
    assert other.status == "pending"
    assert Post.objects.get(pk=post.pk).filled == 1


def test_outsider_secretary_cannot_approve(world, make_post):
    reg = _register(world, world.user("member"), make_post("护河志愿者"))
    code = _code(
        lambda: services.registration_approve(actor=world.user("outsider"), registration=reg)
    )
    assert code == "not_organiser"


def test_changing_posts_ends_the_old_assignment_in_one_go(world, make_post):
    a, b = make_post("护河志愿者"), make_post("交通劝导员")
    reg = _register(world, world.user("member"), a, b)
    old = services.registration_approve(actor=world.user("secretary"), registration=reg)
    new = services.assignment_change(actor=world.user("secretary"), assignment=old, post=b)
    old.refresh_from_db()
    assert old.status == "ended" and new.status == "active"
    assert Assignment.objects.filter(member=reg.member, status="active").count() == 1
    assert (Post.objects.get(pk=a.pk).filled, Post.objects.get(pk=b.pk).filled) == (0, 1)


def test_the_database_refuses_a_second_active_post(world, make_post):
    from django.db import IntegrityError, transaction

    a, b = make_post("护河志愿者"), make_post("交通劝导员")
    reg = _register(world, world.user("member"), a)
    services.registration_approve(actor=world.user("secretary"), registration=reg)
    with pytest.raises(IntegrityError), transaction.atomic():
        Assignment.objects.create(registration=reg, member=reg.member, post=b)


def test_capacity_cannot_drop_below_filled(world, make_post):
    post = make_post("护河志愿者", capacity=2)
    reg = _register(world, world.user("member"), post)
    services.registration_approve(actor=world.user("secretary"), registration=reg)
    code = _code(lambda: services.post_update(actor=world.user("secretary"), post=post, capacity=0))
    assert code == "invalid_capacity"
    post.refresh_from_db()
    assert post.capacity == 2


# --- activities ---------------------------------------------------------------------------


def test_weekly_series_creates_one_occurrence_per_week(make_activity):
    activity = make_activity(weeks=4, capacity=5)
    starts = list(activity.occurrences.values_list("starts_at", flat=True))
    assert len(starts) == 4
    assert all(b - a == dt.timedelta(weeks=1) for a, b in zip(starts, starts[1:], strict=False))
    assert set(activity.occurrences.values_list("capacity", flat=True)) == {5}


def test_signup_past_capacity_waitlists_and_cancel_promotes_the_first(world, make_activity):
    occ = make_activity(capacity=1).occurrences.get()
    users = [world.user("member"), _member_user(world), _member_user(world)]
    signups = [services.signup_create(actor=u, occurrence=occ) for u in users]
    assert [s.status for s in signups] == ["signed_up", "waitlisted", "waitlisted"]
    services.signup_cancel(actor=users[0], signup=signups[0])
    statuses = dict(SignUp.objects.values_list("pk", "status"))
    assert [statuses[s.pk] for s in signups] == ["cancelled", "signed_up", "waitlisted"]
    assert Occurrence.objects.get(pk=occ.pk).taken == 1
    assert OutboxEvent.objects.filter(name="volunteer.promoted").count() == 1


def test_double_and_overlapping_signups_are_refused(world, make_activity):
    occ = make_activity().occurrences.get()
    other = make_activity(title="护河").occurrences.get()
    services.signup_create(actor=world.user("member"), occurrence=occ)
    assert _code(lambda: services.signup_create(actor=world.user("member"), occurrence=occ)) == (
        "already_signed_up"
    )
    assert _code(lambda: services.signup_create(actor=world.user("member"), occurrence=other)) == (
        "overlapping_signup"
    )
    assert SignUp.objects.count() == 1


def test_signup_closes_when_the_activity_starts(world, make_activity):
    occ = shift(make_activity().occurrences.get(), by=-dt.timedelta(days=2, minutes=5))
    code = _code(lambda: services.signup_create(actor=world.user("member"), occurrence=occ))
    assert code == "signup_closed"
    assert not SignUp.objects.exists()


def test_cancelling_an_occurrence_tells_its_signups(world, make_activity):
    occ = make_activity().occurrences.get()
    services.signup_create(actor=world.user("member"), occurrence=occ)
    services.occurrence_cancel(actor=world.user("secretary"), occurrence=occ, reason="国庆放假")
    assert occ.status == "cancelled"
    event = OutboxEvent.objects.get(name="volunteer.occurrence_cancelled")
    assert event.audience["ids"] == [world.user("member").pk]
    assert _code(lambda: services.signup_create(actor=_member_user(world), occurrence=occ)) == (
        "signup_closed"
    )


# --- check-in and hours -------------------------------------------------------------------


def _checked_in(world, make_activity, hours=2):
    occ = make_activity(hours=hours).occurrences.get()
    services.signup_create(actor=world.user("member"), occurrence=occ)
    occ = shift(occ, by=-dt.timedelta(days=2, minutes=10))  # started ten minutes ago
    token = services.checkin_token(occurrence=occ)
    return services.checkin(actor=world.user("member"), occurrence=occ, token=token)


def test_checkin_creates_a_pending_record_of_the_occurrence_length(world, make_activity):
    record = _checked_in(world, make_activity, hours=2)
    assert record.status == "pending" and record.hours == Decimal("2.00")


def test_checkin_link_for_another_activity_or_expired_is_refused(world, make_activity):
    occ = make_activity().occurrences.get()
    other = make_activity(title="其他", start_in=dt.timedelta(days=5)).occurrences.get()
    services.signup_create(actor=world.user("member"), occurrence=occ)
    occ = shift(occ, by=-dt.timedelta(days=2, minutes=10))
    bad = services.checkin_token(occurrence=other)
    assert _code(
        lambda: services.checkin(actor=world.user("member"), occurrence=occ, token=bad)
    ) == ("checkin_link_invalid")
    token = services.checkin_token(occurrence=occ)
    with override_settings(TONGXIN={**settings.TONGXIN, "VOLUNTEER_CHECKIN_LINK_S": -1}):
        code = _code(
            lambda: services.checkin(actor=world.user("member"), occurrence=occ, token=token)
        )
    assert code == "checkin_link_invalid"
    assert not ServiceRecord.objects.exists()


def test_checkin_is_refused_outside_the_window(world, make_activity):
    occ = make_activity().occurrences.get()
    services.signup_create(actor=world.user("member"), occurrence=occ)
    token = services.checkin_token(occurrence=occ)
    code = _code(lambda: services.checkin(actor=world.user("member"), occurrence=occ, token=token))
    assert code == "checkin_closed"
    assert not ServiceRecord.objects.exists()


def test_confirming_awards_points_exactly_once(world, make_activity):
    record = _checked_in(world, make_activity)
    services.record_confirm(actor=world.user("secretary"), record=record)
    services.record_amend(actor=world.user("secretary"), record=record, hours="1.5", reason="迟到")
    assert record.status == "confirmed" and record.hours == Decimal("1.50")
    assert (
        PointsEntry.objects.filter(member=record.member, rule__code="volunteer_hours").count() == 1
    )
    assert record.events.filter(move="amend_confirmed").get().note.endswith("迟到")


def test_own_hours_cannot_be_confirmed(world, make_activity):
    record = _checked_in(world, make_activity)
    f.grant(world.user("member"), Role.SECRETARY, area=world.community_a)
    member = Member.objects.get(user=world.user("member"))
    member.user.refresh_from_db()
    code = _code(lambda: services.record_confirm(actor=member.user, record=record))
    assert code == "own_hours"
    record.refresh_from_db()
    assert record.status == "pending"


@pytest.mark.parametrize(
    ("hours", "code"),
    [("-1", "hours_negative"), ("2.5", "hours_over_occurrence"), ("x", "hours_negative")],
)
def test_bad_hours_are_refused(world, make_activity, hours, code):
    record = _checked_in(world, make_activity, hours=2)
    got = _code(
        lambda: services.record_amend(
            actor=world.user("secretary"), record=record, hours=hours, reason="改"
        )
    )
    assert got == code
    record.refresh_from_db()
    assert record.hours == Decimal("2.00")


def test_declined_hours_earn_nothing(world, make_activity):
    record = _checked_in(world, make_activity)
    services.record_decline(actor=world.user("secretary"), record=record, reason="未到岗")
    assert record.status == "declined"
    assert not PointsEntry.objects.exists()


def test_token_is_signed(world, make_activity):
    occ = make_activity().occurrences.get()
    token = services.checkin_token(occurrence=occ)
    assert signing.loads(token, salt=services.CHECKIN_SALT)["o"] == occ.pk
    assert timezone.now()


def test_members_not_reported_in_are_reminded_once_a_month(world, make_post):
    import datetime as _dt
    from zoneinfo import ZoneInfo

    from apps.notifications.reminding import registered, reminder_run

    job = registered()["volunteers.report_in_due"]
    now = _dt.datetime(2026, 11, 24, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert reminder_run(job, now=now) == 0  # no post yet: nothing to report in to
    post = make_post("护河志愿者")
    _register(world, world.user("member"), post)
    # The group leader (employed, community A, not registered) is reminded; the member who
    # registered is not, and community B runs no post.
    assert reminder_run(job, now=now) == 1
    assert reminder_run(job, now=now) == 0
