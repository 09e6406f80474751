import io
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone
from PIL import Image

from apps.core.errors import Forbidden, InvalidInput, InvalidTransition
from apps.notifications import audiences
from apps.notifications.models import OutboxEvent
from apps.register.models import Resident
from apps.wishes import services
from apps.wishes.models import Claim, Wish, WishEvent, WishPhoto
from apps.wishes.services import AlreadyClaimed, DuplicateSubmission, TooManyClaims
from tests import factories as f

pytestmark = pytest.mark.django_db
S = Wish.Status


def png(size=(4, 4)) -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", size, "red").save(buf, "PNG")
    return SimpleUploadedFile("a.png", buf.getvalue(), content_type="image/png")


def events(name):
    return list(OutboxEvent.objects.filter(name=name))


# --- submit -----------------------------------------------------------------------------------


def test_resident_submits_own_wish_with_history_and_vetter_notification(world, category):
    resident = world.user("resident")
    wish = services.wish_submit(
        actor=resident, title=" 想要一台助听器 ", category=category.pk, photos=[png()]
    )
    assert wish.status == S.SUBMITTED
    assert wish.title == "想要一台助听器"
    assert wish.area == world.building_a
    assert wish.entered_by is None
    assert WishPhoto.objects.filter(wish=wish).count() == 1
    event = WishEvent.objects.get(wish=wish)
    assert (event.from_status, event.to_status, event.actor) == ("", S.SUBMITTED, resident)
    [row] = events("wish.submitted")
    assert row.audience == audiences.area_role(world.building_a.pk, "grid_worker")


def test_grid_worker_enters_wish_for_a_resident_and_is_recorded(world, category):
    worker = world.user("grid_worker")
    resident = Resident.objects.get(user=world.user("resident"))
    wish = services.wish_submit(actor=worker, resident=resident, title="修水管", category=category)
    assert wish.resident == resident
    assert wish.entered_by == worker


@pytest.mark.parametrize("role", ["member", "outsider", "administrator"])
def test_only_area_vetters_enter_wishes_for_others(world, category, role):
    resident = Resident.objects.get(user=world.user("resident"))
    with pytest.raises(Forbidden):
        services.wish_submit(
            actor=world.user(role), resident=resident, title="x", category=category
        )
    assert not Wish.objects.exists()


def test_user_without_resident_record_cannot_submit(world, category):
    with pytest.raises(Forbidden) as exc:
        services.wish_submit(actor=world.user("nobody"), title="x", category=category)
    assert exc.value.code == "not_a_resident"


@pytest.mark.parametrize(
    "fields, code",
    [
        ({"title": ""}, "title_required"),
        ({"title": "   "}, "title_required"),
        ({"title": "长" * 61}, "title_too_long"),
        ({"description": "长" * 1001}, "description_too_long"),
        ({"category": 999999}, "unknown_category"),
        ({"category": "abc"}, "unknown_category"),
        ({"category": None}, "unknown_category"),
        ({"wanted_by": timezone.localdate() - timedelta(days=1)}, "wanted_by_past"),
        ({"estimated_cost": "-1"}, "invalid_cost"),
        ({"estimated_cost": "abc"}, "invalid_cost"),
        ({"estimated_cost": "NaN"}, "invalid_cost"),
        ({"photos": [SimpleUploadedFile("a.jpg", b"not an image")]}, "photo_not_image"),
        ({"photos": [png(), png(), png(), png()]}, "too_many_photos"),
    ],
)
def test_bad_input_is_rejected_with_a_code_and_nothing_written(world, category, fields, code):
    data = {"title": "想要一台助听器", "category": category.pk, **fields}
    with pytest.raises(InvalidInput) as exc:
        services.wish_submit(actor=world.user("resident"), **data)
    assert exc.value.code == code
    assert exc.value.errors
    assert not Wish.objects.exists()
    assert not WishPhoto.objects.exists()
    assert not OutboxEvent.objects.exists()


@override_settings(TONGXIN={**django_settings.TONGXIN, "WISH_PHOTO_MAX_BYTES": 100})
def test_too_big_photo_is_rejected(world, category):
    with pytest.raises(InvalidInput) as exc:
        services.wish_submit(
            actor=world.user("resident"), title="x", category=category, photos=[png((200, 200))]
        )
    assert exc.value.code == "photo_too_large"
    assert not Wish.objects.exists()


def test_wanted_by_today_and_cost_are_accepted(world, category):
    wish = services.wish_submit(
        actor=world.user("resident"),
        title="x",
        category=category,
        wanted_by=timezone.localdate(),
        estimated_cost="12.5",
    )
    assert str(wish.estimated_cost) == "12.50"


def test_double_submit_within_a_minute_is_a_conflict(world, category):
    resident = world.user("resident")
    services.wish_submit(actor=resident, title="修水管", description="厨房", category=category)
    with pytest.raises(DuplicateSubmission) as exc:
        services.wish_submit(actor=resident, title="修水管", description="厨房", category=category)
    assert exc.value.code == "duplicate_submission"
    assert Wish.objects.count() == 1
    # Different text, or the same text a minute later, is a new wish.
    services.wish_submit(actor=resident, title="修水管", description="卫生间", category=category)
    Wish.objects.update(created_at=timezone.now() - timedelta(minutes=2))
    services.wish_submit(actor=resident, title="修水管", description="厨房", category=category)
    assert Wish.objects.count() == 3


# --- vetting ----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["grid_worker", "secretary"])
def test_area_vetters_publish(make_wish, world, role):
    wish = make_wish()
    services.wish_publish(wish=wish, actor=world.user(role))
    wish.refresh_from_db()
    assert wish.status == S.PUBLISHED
    assert wish.vetted_by == world.user(role)
    assert wish.published_at is not None
    [row] = events("wish.published")
    assert row.audience == audiences.any_of(
        audiences.area_members(world.community_a.pk),
        audiences.area_organisations(wish.area_id),
    )
    assert row.context["title"] == wish.title


@pytest.mark.parametrize("role", ["resident", "member", "group_leader", "outsider", "nobody"])
def test_others_cannot_publish_or_reject(make_wish, world, role):
    wish = make_wish()
    with pytest.raises(Forbidden):
        services.wish_publish(wish=wish, actor=world.user(role))
    with pytest.raises(Forbidden):
        services.wish_reject(wish=wish, actor=world.user(role), reason="x")
    wish.refresh_from_db()
    assert wish.status == S.SUBMITTED


def test_publishing_also_tells_opted_in_organisations(make_wish, world):
    rep, other = f.UserFactory(), f.UserFactory()
    org = f.OrganisationFactory(area=world.street, wish_notifications=True)
    org.representatives.add(rep)
    silent = f.OrganisationFactory(area=world.street, wish_notifications=False)
    silent.representatives.add(other)
    elsewhere = f.OrganisationFactory(area=world.community_b, wish_notifications=True)
    elsewhere.representatives.add(other)
    rep_and_member = world.user("member")
    org.representatives.add(rep_and_member)
    services.wish_publish(wish=make_wish(), actor=world.user("grid_worker"))
    [row] = events("wish.published")  # one audience: a member who is a rep is told once
    reached = set(audiences.resolve(row.audience))
    assert {rep.pk, rep_and_member.pk, world.user("group_leader").pk} <= reached
    assert other.pk not in reached
    assert world.user("outsider").pk not in reached


def test_reject_needs_a_reason_and_tells_the_resident(make_wish, world):
    wish = make_wish()
    with pytest.raises(InvalidInput) as exc:
        services.wish_reject(wish=wish, actor=world.user("grid_worker"), reason=" ")
    assert exc.value.code == "reason_required"
    services.wish_reject(wish=wish, actor=world.user("grid_worker"), reason="请联系社区")
    wish.refresh_from_db()
    assert (wish.status, wish.reject_reason) == (S.REJECTED, "请联系社区")
    [row] = events("wish.rejected")
    assert row.audience == audiences.users(world.user("resident").pk)
    assert row.context["reason"] == "请联系社区"


# --- withdraw ---------------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["submitted", "published"])
def test_resident_withdraws_before_a_claim(make_wish, world, status):
    wish = services.wish_withdraw(wish=make_wish(status), actor=world.user("resident"))
    assert Wish.objects.get(pk=wish.pk).status == S.WITHDRAWN


def test_member_cannot_withdraw_and_claimed_wish_cannot_be_withdrawn(make_wish, world):
    wish = make_wish("published")
    with pytest.raises(Forbidden):
        services.wish_withdraw(wish=wish, actor=world.user("member"))
    services.wish_claim(wish=wish, actor=world.user("member"))
    with pytest.raises(InvalidTransition):
        services.wish_withdraw(wish=wish, actor=world.user("resident"))


# --- claim ------------------------------------------------------------------------------------


def test_member_claims_a_published_wish(make_wish, world):
    wish = make_wish("published")
    claim = services.wish_claim(wish=wish, actor=world.user("member"))
    wish.refresh_from_db()
    assert wish.status == S.CLAIMED
    assert wish.claimed_by == world.user("member")
    assert claim.member.user == world.user("member") and claim.organisation is None
    assert claim.status == Claim.Status.ACTIVE
    [row] = events("wish.claimed")
    assert row.audience == audiences.users(world.user("resident").pk)
    assert row.context["claimant"] == "李建国"


def test_second_claim_is_rejected_with_already_claimed(make_wish, world):
    wish = make_wish("published")
    stale = Wish.objects.get(pk=wish.pk)  # loaded before the first claim, still "published"
    services.wish_claim(wish=wish, actor=world.user("member"))
    with pytest.raises(AlreadyClaimed) as exc:
        services.wish_claim(wish=stale, actor=world.user("group_leader"))
    assert exc.value.code == "already_claimed"
    assert exc.value.status_code == 409
    with pytest.raises(AlreadyClaimed):
        services.wish_claim(wish=Wish.objects.get(pk=wish.pk), actor=world.user("group_leader"))
    assert Claim.objects.count() == 1
    assert len(events("wish.claimed")) == 1


@pytest.mark.parametrize("role, code", [("resident", "own_wish"), ("outsider", "not_a_member")])
def test_non_members_and_out_of_scope_members_cannot_claim(make_wish, world, role, code):
    wish = make_wish("published")
    with pytest.raises(Forbidden) as exc:
        services.wish_claim(wish=wish, actor=world.user(role))
    assert exc.value.code == code
    assert Wish.objects.get(pk=wish.pk).status == S.PUBLISHED
    assert not Claim.objects.exists()


@pytest.mark.parametrize("status", ["submitted", "rejected", "withdrawn"])
def test_claiming_an_unpublished_wish_is_an_invalid_transition(make_wish, world, status):
    with pytest.raises(InvalidTransition) as exc:
        services.wish_claim(wish=make_wish(status), actor=world.user("member"))
    assert exc.value.code == "invalid_transition"


@override_settings(
    TONGXIN={**django_settings.TONGXIN, "WISH_MAX_OPEN_CLAIMS": 2, "WISH_PHOTO_MAX_BYTES": 10**6}
)
def test_member_holds_at_most_the_configured_number_of_open_claims(make_wish, world):
    member = world.user("member")
    for i in range(2):
        services.wish_claim(wish=make_wish("published", title=f"心愿{i}"), actor=member)
    third = make_wish("published", title="心愿3")
    with pytest.raises(TooManyClaims) as exc:
        services.wish_claim(wish=third, actor=member)
    assert exc.value.code == "too_many_claims"
    assert Wish.objects.get(pk=third.pk).status == S.PUBLISHED


def test_organisation_representative_claims_on_behalf_of_the_organisation(make_wish, world):
    rep = f.UserFactory()
    org = f.OrganisationFactory(area=world.street)
    org.representatives.add(rep)
    claim = services.wish_claim(wish=make_wish("published"), actor=rep, organisation=org)
    assert (claim.organisation, claim.member, claim.claimant) == (org, None, rep)
    assert events("wish.claimed")[0].context["claimant"] == org.name
    # Any representative of the organisation can then fulfil it.
    other_rep = f.UserFactory()
    org.representatives.add(other_rep)
    services.wish_fulfil(wish=claim.wish, actor=other_rep, note="已完成")


def test_claim_for_an_organisation_needs_a_representative_in_scope(make_wish, world):
    org = f.OrganisationFactory(area=world.street)
    with pytest.raises(Forbidden) as exc:
        services.wish_claim(
            wish=make_wish("published"), actor=world.user("member"), organisation=org
        )
    assert exc.value.code == "not_a_representative"
    far = f.OrganisationFactory(area=world.community_b)
    far.representatives.add(world.user("member"))
    wish = Wish.objects.get()
    with pytest.raises(Forbidden) as exc:
        services.wish_claim(wish=wish, actor=world.user("member"), organisation=far)
    assert exc.value.code == "out_of_scope"


# --- release, expire --------------------------------------------------------------------------


def test_claimant_releases_and_the_wish_is_published_again(make_wish, world):
    wish = make_wish("claimed")
    services.wish_release(wish=wish, actor=world.user("member"), note="临时出差")
    wish.refresh_from_db()
    assert (wish.status, wish.claimed_by) == (S.PUBLISHED, None)
    assert Claim.objects.get().status == Claim.Status.RELEASED
    [row] = events("wish.released")
    ids = {world.user("resident").pk, world.user("grid_worker").pk}
    assert row.audience == audiences.users(*ids)
    # And it can be claimed again by someone else.
    services.wish_claim(wish=wish, actor=world.user("group_leader"))
    assert Claim.objects.filter(status=Claim.Status.ACTIVE).count() == 1


def test_claim_history_records_the_claim_and_its_end_with_the_same_move_as_the_wish(
    make_wish, world
):
    wish = make_wish("claimed")
    services.wish_release(wish=wish, actor=world.user("member"), note="临时出差")

    claim = Claim.objects.get()
    steps = list(claim.events.values_list("move", "from_status", "to_status", "actor", "note"))
    member = world.user("member").pk
    assert steps == [
        ("claim", "", "active", member, ""),
        ("release", "active", "released", member, "临时出差"),
    ]
    assert wish.events.last().move == "release"


@pytest.mark.parametrize("role", ["group_leader", "resident", "grid_worker"])
def test_only_the_claimant_releases_or_fulfils(make_wish, world, role):
    wish = make_wish("claimed")
    with pytest.raises(Forbidden) as exc:
        services.wish_release(wish=wish, actor=world.user(role))
    assert exc.value.code == "not_claimant"
    with pytest.raises(Forbidden):
        services.wish_fulfil(wish=wish, actor=world.user(role), note="x")
    assert Wish.objects.get(pk=wish.pk).status == S.CLAIMED


def test_overdue_claims_expire_and_tell_resident_and_vetter(make_wish, world, settings):
    old, young = make_wish("claimed", title="旧"), make_wish("published", title="新")
    services.wish_claim(wish=young, actor=world.user("group_leader"))
    days = settings.TONGXIN["WISH_CLAIM_EXPIRY_DAYS"]
    Claim.objects.filter(wish=old).update(created_at=timezone.now() - timedelta(days=days + 1))
    from apps.wishes.tasks import expire_overdue_claims

    assert expire_overdue_claims.delay().get() == 1
    assert expire_overdue_claims() == 0  # safe to run twice
    assert Wish.objects.get(pk=old.pk).status == S.PUBLISHED
    assert Wish.objects.get(pk=young.pk).status == S.CLAIMED
    assert Claim.objects.get(wish=old).status == Claim.Status.EXPIRED
    [row] = events("wish.expired")
    ids = {world.user("resident").pk, world.user("grid_worker").pk}
    assert row.audience == audiences.users(*ids)
    assert row.actor is None


def test_a_vetter_may_expire_a_claim_but_a_member_may_not(make_wish, world):
    wish = make_wish("claimed")
    with pytest.raises(Forbidden):
        services.wish_expire(wish=wish, actor=world.user("group_leader"))
    services.wish_expire(wish=wish, actor=world.user("grid_worker"))
    assert Wish.objects.get(pk=wish.pk).status == S.PUBLISHED


# --- fulfil, confirm --------------------------------------------------------------------------


def test_claimant_fulfils_with_note_and_photo(make_wish, world):
    wish = make_wish("claimed")
    with pytest.raises(InvalidInput) as exc:
        services.wish_fulfil(wish=wish, actor=world.user("member"), note="")
    assert exc.value.code == "note_required"
    services.wish_fulfil(wish=wish, actor=world.user("member"), note="已送到家", photo=png())
    wish.refresh_from_db()
    claim = Claim.objects.get()
    assert wish.status == S.FULFILLED and wish.fulfilled_at
    assert claim.status == Claim.Status.FULFILLED and claim.fulfil_note == "已送到家"
    assert claim.fulfil_photo.name
    [row] = events("wish.fulfilled")
    assert row.audience == audiences.users(world.user("resident").pk)


def test_resident_confirms_and_rates_and_claimant_is_told(make_wish, world):
    wish = make_wish("fulfilled")
    services.wish_confirm(wish=wish, actor=world.user("resident"), rating="4", comment="很好")
    wish.refresh_from_db()
    assert (wish.status, wish.rating, wish.rating_comment) == (S.CLOSED, 4, "很好")
    [row] = events("wish.confirmed")
    assert row.audience == audiences.users(world.user("member").pk)


def test_confirmed_wish_earns_the_claimant_points_once(make_wish, world):
    from apps.points.models import PointsEntry
    from apps.points.services import points_award

    wish = make_wish("fulfilled")
    services.wish_confirm(wish=wish, actor=world.user("resident"), rating="5")
    [entry] = PointsEntry.objects.all()
    assert entry.member == world.user("member").member
    assert entry.rule.code == "wish_fulfilled" and entry.points > 0
    assert points_award(member=entry.member, rule="wish_fulfilled", source=wish) is None
    assert PointsEntry.objects.count() == 1


@pytest.mark.parametrize("rating", [0, 6, "", None, "five"])
def test_confirm_needs_a_rating_from_1_to_5(make_wish, world, rating):
    wish = make_wish("fulfilled")
    with pytest.raises(InvalidInput) as exc:
        services.wish_confirm(wish=wish, actor=world.user("resident"), rating=rating)
    assert exc.value.code == "invalid_rating"
    assert Wish.objects.get(pk=wish.pk).status == S.FULFILLED


@pytest.mark.parametrize("role", ["member", "grid_worker", "secretary", "outsider"])
def test_confirm_by_someone_else_is_forbidden(make_wish, world, role):
    wish = make_wish("fulfilled")
    with pytest.raises(Forbidden) as exc:
        services.wish_confirm(wish=wish, actor=world.user(role), rating=5)
    assert exc.value.code == "not_wish_owner"


def test_grid_worker_confirms_for_a_resident_without_login(world, category):
    resident = f.ResidentFactory(household=Resident.objects.get().household, user=None)
    worker = world.user("grid_worker")
    wish = services.wish_submit(actor=worker, resident=resident, title="x", category=category)
    services.wish_publish(wish=wish, actor=worker)
    services.wish_claim(wish=wish, actor=world.user("member"))
    services.wish_fulfil(wish=wish, actor=world.user("member"), note="done")
    # The resident has no login: the worker who entered the wish hears about it.
    assert events("wish.fulfilled")[0].audience == audiences.users(worker.pk)
    services.wish_confirm(wish=wish, actor=worker, rating=5)
    assert Wish.objects.get(pk=wish.pk).status == S.CLOSED


def test_confirming_an_unfulfilled_wish_is_an_invalid_transition(make_wish, world):
    with pytest.raises(InvalidTransition):
        services.wish_confirm(wish=make_wish("claimed"), actor=world.user("resident"), rating=5)


# --- the whole table --------------------------------------------------------------------------

MOVES = {
    "publish": lambda w, u: services.wish_publish(wish=w, actor=u("grid_worker")),
    "reject": lambda w, u: services.wish_reject(wish=w, actor=u("grid_worker"), reason="x"),
    "withdraw": lambda w, u: services.wish_withdraw(wish=w, actor=u("resident")),
    "claim": lambda w, u: services.wish_claim(wish=w, actor=u("group_leader")),
    "release": lambda w, u: services.wish_release(wish=w, actor=u("member")),
    "fulfil": lambda w, u: services.wish_fulfil(wish=w, actor=u("member"), note="x"),
    "confirm": lambda w, u: services.wish_confirm(wish=w, actor=u("resident"), rating=5),
}
ALLOWED = {
    "submitted": {"publish", "reject", "withdraw"},
    "published": {"claim", "withdraw"},
    "claimed": {"release", "fulfil"},
    "fulfilled": {"confirm"},
    "closed": set(),
    "rejected": set(),
    "withdrawn": set(),
}


@pytest.mark.parametrize(
    "status, move",
    [(s, m) for s, allowed in ALLOWED.items() for m in MOVES if m not in allowed],
)
def test_every_illegal_transition_is_a_409_and_changes_nothing(make_wish, world, status, move):
    wish = make_wish(status)
    history = WishEvent.objects.filter(wish=wish).count()
    with pytest.raises((InvalidTransition, AlreadyClaimed)) as exc:
        MOVES[move](wish, world.user)
    assert exc.value.status_code == 409
    assert Wish.objects.get(pk=wish.pk).status == status
    assert WishEvent.objects.filter(wish=wish).count() == history


@pytest.mark.parametrize(
    "status, move", [(s, m) for s, allowed in ALLOWED.items() for m in sorted(allowed)]
)
def test_every_legal_transition_writes_one_history_row(make_wish, world, status, move):
    wish = make_wish(status)
    history = WishEvent.objects.filter(wish=wish).count()
    MOVES[move](wish, world.user)
    assert WishEvent.objects.filter(wish=wish).count() == history + 1
    last = WishEvent.objects.filter(wish=wish).last()
    assert last.from_status == status
    assert Wish.objects.get(pk=wish.pk).status == last.to_status


def test_full_lifecycle_history(make_wish):
    wish = make_wish("closed")
    steps = list(WishEvent.objects.filter(wish=wish).values_list("from_status", "to_status"))
    assert steps == [
        ("", "submitted"),
        ("submitted", "published"),
        ("published", "claimed"),
        ("claimed", "fulfilled"),
        ("fulfilled", "closed"),
    ]


def test_the_expiry_job_is_scheduled_and_registered(settings):
    from config.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["wishes-expire-claims"]
    app.loader.import_default_modules()
    assert entry["task"] in app.tasks


def test_only_the_resident_withdraws_a_wish_grid_worker_rejects_instead(world, make_wish):
    # Issue 13 finding 13: README and the message say only the resident may withdraw; staff
    # have `reject`, whose reason the resident sees.
    from apps.core.errors import Forbidden
    from apps.wishes import services as wish_services

    wish = make_wish("submitted")
    with pytest.raises(Forbidden) as exc:
        wish_services.wish_withdraw(wish=wish, actor=world.user("grid_worker"))
    assert exc.value.code == "not_wish_owner"
    wish_services.wish_withdraw(wish=wish, actor=world.user("resident"))
    assert wish.status == "withdrawn"
