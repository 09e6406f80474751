"""Every write to wishes. The moves are `Wish.workflow` and `Claim.workflow` (models.py);
`apps.core.workflow.transition` makes each with a conditional UPDATE and a history row, and
`_transition` here adds the wish's notifications in the same transaction; the public
services check who may do what and call it."""

from datetime import date, timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.accounts.models import Role
from apps.accounts.scoping import has_role_over
from apps.core import live, workflow
from apps.core.conf import conf
from apps.core.errors import AppError, Conflict, Forbidden, InvalidTransition
from apps.core.images import clean_image
from apps.core.validators import clean_rating, clean_text, invalid
from apps.notifications import audiences
from apps.notifications.services import notify
from apps.points.services import points_award
from apps.register.models import Area, Member, Organisation, Resident

from . import rollups
from .models import VETTERS, Claim, Wish, WishCategory, WishPhoto

S = Wish.Status

DUPLICATE_WINDOW = timedelta(minutes=1)


class AlreadyClaimed(Conflict):
    code = "already_claimed"
    default_detail = gettext_lazy("该心愿已被认领。")


class DuplicateSubmission(Conflict):
    code = "duplicate_submission"
    default_detail = gettext_lazy("您刚刚已经提交过相同的心愿，请勿重复提交。")


class TooManyClaims(Conflict):
    code = "too_many_claims"


# --- notifications: who hears about each event ---------------------------------------------


def _resident_user_id(wish: Wish) -> int | None:
    # A resident without a login is told through the staff member who entered the wish.
    return wish.resident.user_id or wish.entered_by_id


def _to_resident(wish: Wish) -> list[dict]:
    uid = _resident_user_id(wish)
    return [audiences.users(uid)] if uid else []


def _to_resident_and_vetter(wish: Wish) -> list[dict]:
    ids = [i for i in (_resident_user_id(wish), wish.vetted_by_id) if i]
    return [audiences.users(*ids)] if ids else []


def _to_vetters(wish: Wish) -> list[dict]:
    return [audiences.area_role(wish.area_id, Role.GRID_WORKER)]


def _to_claimant(wish: Wish) -> list[dict]:
    return [audiences.users(wish.claimed_by_id)] if wish.claimed_by_id else []


def _to_members_and_organisations(wish: Wish) -> list[dict]:
    """The members of the wish's community and the representatives of the organisations
    serving its area that opted in: one audience, resolved in the worker, each user once."""
    ancestors = Area.objects.get_ancestors(wish.area)
    community = ancestors.filter(kind=Area.Kind.COMMUNITY).first()
    members = [audiences.area_members(community.pk)] if community else []
    return [audiences.any_of(*members, audiences.area_organisations(wish.area_id))]


# Each move's outbox events and who hears about them ("submit" is the creation row). The
# resident hears of every step of their wish: published, rejected, claimed, given back,
# fulfilled.
NOTICES = {
    "submit": [("wish.submitted", _to_vetters)],
    "publish": [("wish.published", _to_members_and_organisations), ("wish.approved", _to_resident)],
    "reject": [("wish.rejected", _to_resident)],
    "withdraw": [("wish.withdrawn", _to_vetters)],
    "claim": [("wish.claimed", _to_resident)],
    "release": [("wish.released", _to_resident_and_vetter)],
    "expire": [("wish.expired", _to_resident_and_vetter)],
    "fulfil": [("wish.fulfilled", _to_resident)],
    "confirm": [("wish.confirmed", _to_claimant)],
}


# --- the one state machine (apps.core.workflow), plus what is the wishes' own -----------------


def _notify(wish: Wish, move: str, *, actor, note: str = "", context=None) -> None:
    """The outbox rows of a change, in the caller's transaction."""
    ctx = {"wish_id": wish.pk, "title": wish.title, "note": note, **(context or {})}
    for event, audiences_of in NOTICES[move]:
        for audience in audiences_of(wish):
            notify(event, audience=audience, context=ctx, actor=actor)


def _live(wish: Wish, before: str, *, claimants=()) -> None:
    """The live hall's event of a move (after commit, see `apps.core.live`): the wish's id
    and new status, to the sockets whose scope reaches the wish's area and to its claimant.
    Only moves members could see (from or to a public status); nothing else travels."""
    public = {S.PUBLISHED, S.CLAIMED, S.FULFILLED, S.CLOSED}
    if before not in public and wish.status not in public:
        return
    groups = [*live.area_groups(wish.area.path, Area.steplen), live.ALL_GROUP]
    groups += [live.user_group(uid) for uid in claimants if uid]
    live.publish(groups, {"type": "wish", "id": wish.pk, "state": wish.status})


def _transition(
    wish: Wish,
    move: str,
    *,
    actor,
    note: str = "",
    context: dict | None = None,
    lost: type[Conflict] | None = None,
    **fields,
) -> Wish:
    """Make `move` (see `Wish.workflow`) with its history row and its notifications in one
    transaction, or raise: InvalidTransition, or `lost` when a concurrent request moved the
    wish first (the conditional UPDATE in `workflow.transition` matched 0 rows)."""
    workflow.check(wish, move)  # before the block: a refusal leaves the caller's transaction usable
    before, claimant = wish.status, wish.claimed_by_id
    with transaction.atomic(savepoint=False):
        workflow.transition(wish, move, actor=actor, note=note, conflict=lost, **fields)
        rollups.wish_moved(wish, move)
        # The live event first: after commit it leaves before the outbox's broker hand-off.
        _live(wish, before, claimants=(claimant, wish.claimed_by_id))
        _notify(wish, move, actor=actor, note=note, context=context)
    return wish


# --- input checks ---------------------------------------------------------------------------


def _clean_category(category) -> WishCategory:
    if isinstance(category, WishCategory):
        category = category.pk
    try:
        found = WishCategory.objects.filter(pk=int(category), active=True).first()
    except (TypeError, ValueError):
        found = None
    if found is None:
        raise invalid("category", _("请选择有效的心愿类别。"), "unknown_category")
    return found


def _clean_cost(cost) -> Decimal | None:
    if cost in (None, ""):
        return None
    try:
        cost = Decimal(str(cost))
    except ArithmeticError:
        cost = None
    if cost is None or not cost.is_finite() or cost < 0 or cost >= Decimal("1000000"):
        raise invalid("estimated_cost", _("预计费用应为 0 至 999999 元。"), "invalid_cost")
    return cost.quantize(Decimal("0.01"))


def _clean_wanted_by(value: date | None) -> date | None:
    if value is not None and value < timezone.localdate():
        raise invalid("wanted_by", _("期望完成日期不能早于今天。"), "wanted_by_past")
    return value


def _clean_photo(photo, *, field: str) -> ContentFile:
    """The photo re-encoded under a generated name (`apps.core.images.clean_image`)."""
    return clean_image(
        photo,
        field=field,
        max_bytes=conf("WISH_PHOTO_MAX_BYTES"),
        max_pixels=conf("WISH_PHOTO_MAX_PIXELS"),
    )


def _check_photos(photos) -> list:
    photos = [p for p in (photos or []) if p]
    if len(photos) > conf("WISH_PHOTOS_MAX"):
        message = _("最多上传 %(n)d 张照片。") % {"n": conf("WISH_PHOTOS_MAX")}
        raise invalid("photos", message, "too_many_photos")
    return [_clean_photo(photo, field="photos") for photo in photos]


# --- who may do what ------------------------------------------------------------------------


def _submitting_for(actor, resident: Resident | None) -> Resident:
    """A resident submits for themselves; a grid worker or secretary for a resident in
    their area (the workstation, offline channel)."""
    if resident is None:
        resident = Resident.objects.select_related("household").filter(user=actor).first()
        if resident is None:
            raise Forbidden(_("只有登记在册的居民可以提交心愿。"), code="not_a_resident")
        return resident
    if resident.user_id == actor.pk:
        return resident
    if not has_role_over(actor, VETTERS, area=resident.household.area):
        raise Forbidden(_("您不能为该居民代录心愿。"), code="not_allowed")
    return resident


def _check_vetter(wish: Wish, actor) -> None:
    if not has_role_over(actor, VETTERS, area=wish.area):
        raise Forbidden(_("只有本区域的网格员或书记可以审核心愿。"), code="not_a_vetter")


def _active_claim(wish: Wish) -> Claim:
    claim = (
        Claim.objects.select_related("member", "organisation")
        .filter(wish=wish, status=Claim.Status.ACTIVE)
        .first()
    )
    if claim is None:
        raise InvalidTransition(_("该心愿没有进行中的认领。"))
    return claim


def _check_claimant(claim: Claim, actor) -> None:
    if claim.claimant_id == actor.pk:
        return
    if claim.organisation_id and claim.organisation.representatives.filter(pk=actor.pk).exists():
        return
    raise Forbidden(_("只有认领人可以执行该操作。"), code="not_claimant")


def _check_may_claim(wish: Wish, actor, organisation: Organisation | None) -> None:
    """A member of the wish's community, or a representative of an organisation at or above
    the wish's area claiming on its behalf; never the resident whose wish it is. Decided
    without a query for members."""
    if wish.resident.user_id is not None and wish.resident.user_id == actor.pk:
        raise Forbidden(_("不能认领自己的心愿。"), code="own_wish")
    if organisation is not None:
        if not organisation.representatives.filter(pk=actor.pk).exists():
            raise Forbidden(_("您不是该组织的代表。"), code="not_a_representative")
        _check_organisation_serves(wish, organisation)
    elif not has_role_over(actor, {Role.MEMBER}, area=wish.area):
        raise _not_a_member()


def _check_organisation_serves(wish: Wish, organisation: Organisation) -> None:
    if not wish.area.path.startswith(organisation.area.path):
        raise Forbidden(_("该心愿不在组织的服务范围内。"), code="out_of_scope")


def _check_confirmer(wish: Wish, actor) -> None:
    """The resident, or for a resident without a login a vetter of the area."""
    if wish.resident.user_id:
        allowed = wish.resident.user_id == actor.pk
    else:
        allowed = has_role_over(actor, VETTERS, area=wish.area)
    if not allowed:
        raise Forbidden(_("只有提交心愿的居民可以确认。"), code="not_wish_owner")


def _check_owner(wish: Wish, actor) -> None:
    # Only the resident (README, and this message): staff turn a wish down with `reject`,
    # whose reason the resident is shown.
    if wish.resident.user_id != actor.pk:
        raise Forbidden(_("只有提交心愿的居民可以撤回。"), code="not_wish_owner")


# The check each move's service makes of who acts (after `workflow.check` of the state).
# `wish_moves` runs the same checks to tell the pages which buttons to show.
WHO_MAY = {
    "publish": _check_vetter,
    "reject": _check_vetter,
    "expire": _check_vetter,
    "withdraw": _check_owner,
    "claim": lambda wish, actor: _check_may_claim(wish, actor, None),
    "release": lambda wish, actor: _check_claimant(_active_claim(wish), actor),
    "fulfil": lambda wish, actor: _check_claimant(_active_claim(wish), actor),
    "confirm": _check_confirmer,
}


def wish_moves(*, wish: Wish, actor) -> set[str]:
    """The moves `actor` may make on `wish` now: the workflow's moves from its status whose
    who-may check (the services' own, `WHO_MAY`) passes. For pages; writes nothing."""
    allowed = set()
    for move in Wish.workflow.moves_from(wish.status):
        try:
            WHO_MAY[move](wish, actor)
        except AppError:
            continue
        allowed.add(move)
    return allowed


def wish_claim_organisations(*, wish: Wish, actor, organisations) -> list[Organisation]:
    """Of `organisations` (those `actor` represents, loaded by the caller), the ones it may
    claim `wish` for now."""
    if wish.status != S.PUBLISHED or wish.resident.user_id == actor.pk:
        return []
    serving = []
    for organisation in organisations:
        try:
            _check_organisation_serves(wish, organisation)
        except AppError:
            continue
        serving.append(organisation)
    return serving


def _not_a_member() -> Forbidden:
    return Forbidden(_("只有本社区的党员或组织代表可以认领心愿。"), code="not_a_member")


# --- public services ------------------------------------------------------------------------


def wish_submit(
    *,
    actor,
    title: str,
    category,
    description: str = "",
    resident: Resident | None = None,
    estimated_cost=None,
    wanted_by: date | None = None,
    photos=(),
) -> Wish:
    resident = _submitting_for(actor, resident)
    title = clean_text(title, field="title", max_length=60, required=True, label=_("心愿标题"))
    description = clean_text(
        description, field="description", max_length=1000, required=False, label=_("心愿描述")
    )
    category = _clean_category(category)
    estimated_cost = _clean_cost(estimated_cost)
    wanted_by = _clean_wanted_by(wanted_by)
    photos = _check_photos(photos)
    with transaction.atomic():
        # Two identical submits in flight queue on the resident's row lock, so the second
        # sees the first and the duplicate check is not a read-then-write race.
        Resident.objects.select_for_update().filter(pk=resident.pk).exists()
        recent = Wish.objects.filter(
            resident=resident,
            title=title,
            description=description,
            created_at__gte=timezone.now() - DUPLICATE_WINDOW,
        )
        if recent.exists():
            raise DuplicateSubmission()
        wish = Wish.objects.create(
            resident=resident,
            area_id=resident.household.area_id,
            entered_by=None if resident.user_id == actor.pk else actor,
            title=title,
            description=description,
            category=category,
            estimated_cost=estimated_cost,
            wanted_by=wanted_by,
        )
        for photo in photos:
            WishPhoto.objects.create(wish=wish, image=photo)
        workflow.record(wish, "submit", from_status="", actor=actor)
        rollups.wish_submitted(wish)
        _notify(wish, "submit", actor=actor, context={"category": category.name})
    return wish


def wish_publish(*, wish: Wish, actor) -> Wish:
    workflow.check(wish, "publish")
    _check_vetter(wish, actor)
    now = timezone.now()
    return _transition(wish, "publish", actor=actor, vetted_by=actor, published_at=now)


def wish_reject(*, wish: Wish, actor, reason: str) -> Wish:
    workflow.check(wish, "reject")
    _check_vetter(wish, actor)
    reason = clean_text(reason, field="reason", max_length=200, required=True, label=_("原因"))
    return _transition(
        wish,
        "reject",
        actor=actor,
        note=reason,
        context={"reason": reason},
        reject_reason=reason,
        vetted_by=actor,
    )


def wish_withdraw(*, wish: Wish, actor, note: str = "") -> Wish:
    workflow.check(wish, "withdraw")
    _check_owner(wish, actor)
    note = clean_text(note, field="note", max_length=200, required=False, label=_("说明"))
    return _transition(wish, "withdraw", actor=actor, note=note)


def wish_claim(*, wish: Wish, actor, organisation: Organisation | None = None) -> Claim:
    """Exactly one claim wins: the conditional UPDATE published→claimed in `_transition`, and
    behind it the partial unique index `claim_one_per_wish`. Losers get `already_claimed`.

    The race is decided first, so a loser leaves after one UPDATE; the winner then checks the
    open-claims limit under a lock on its member row (which serialises one member's claims;
    every claim locks its wish before the member, so the lock order is the same everywhere)
    and rolls the whole claim back if it is over the limit."""
    # Who first (no query for members once their grants are loaded), so that a user who may
    # not claim here learns nothing about the wish's state; then the state.
    _check_may_claim(wish, actor, organisation)
    if wish.status in (S.CLAIMED, S.FULFILLED, S.CLOSED):
        raise AlreadyClaimed()
    workflow.check(wish, "claim")
    before = (wish.status, wish.claimed_at, wish.updated_at)
    try:
        with transaction.atomic():
            _transition(
                wish,
                "claim",
                actor=actor,
                context={"claimant": str(organisation or actor)},
                lost=AlreadyClaimed,
                claimed_by=actor,
                claimed_at=timezone.now(),
            )
            member = None
            if organisation is None:
                member = Member.objects.select_for_update().filter(user=actor).first()
                if member is None:
                    raise _not_a_member()
                limit = conf("WISH_MAX_OPEN_CLAIMS")
                if Claim.objects.filter(member=member, status=Claim.Status.ACTIVE).count() >= limit:
                    raise TooManyClaims(
                        _("您已有 %(n)d 个未完成的认领，请先完成后再认领。") % {"n": limit}
                    )
            claim = Claim.objects.create(
                wish=wish, member=member, organisation=organisation, claimant=actor
            )
            workflow.record(claim, "claim", from_status="", actor=actor)
            rollups.wish_claimed(wish, claim)
            return claim
    except IntegrityError as exc:  # the unique index caught what the UPDATE should have
        raise AlreadyClaimed() from exc
    except (TooManyClaims, Forbidden):  # rolled back after winning: undo it in memory too
        (wish.status, wish.claimed_at, wish.updated_at), wish.claimed_by = before, None
        raise


def _end_claim(wish: Wish, move: str, *, actor, note: str = "") -> Wish:
    """Release or expire: the wish goes back to published and its active claim ends with
    the same move, in one transaction."""
    claim = _active_claim(wish)
    if actor is not None and move == "release":
        _check_claimant(claim, actor)
    with transaction.atomic():
        _transition(
            wish,
            move,
            actor=actor,
            note=note,
            context={"claimant": claim.claimant_name},
            claimed_by=None,
            claimed_at=None,
        )
        # The wish's row lock (taken by its UPDATE) serialises every change of its claim.
        workflow.transition(claim, move, actor=actor, note=note, ended_at=timezone.now())
    return wish


def wish_release(*, wish: Wish, actor, note: str = "") -> Wish:
    """The claimant gives the wish back; it is published again."""
    workflow.check(wish, "release")
    note = clean_text(note, field="note", max_length=200, required=False, label=_("说明"))
    return _end_claim(wish, "release", actor=actor, note=note)


def wish_expire(*, wish: Wish, actor=None) -> Wish:
    """An unfulfilled claim runs out (the beat job, actor None) or a vetter ends it."""
    workflow.check(wish, "expire")
    if actor is not None:
        _check_vetter(wish, actor)
    return _end_claim(wish, "expire", actor=actor, note=_("认领超时未完成，心愿已重新发布。"))


def wishes_expire_overdue(*, now=None) -> int:
    """Expire every claim older than WISH_CLAIM_EXPIRY_DAYS; safe to run twice."""
    cutoff = (now or timezone.now()) - timedelta(days=conf("WISH_CLAIM_EXPIRY_DAYS"))
    wish_ids = Claim.objects.filter(status=Claim.Status.ACTIVE, created_at__lt=cutoff).values_list(
        "wish_id", flat=True
    )
    expired = 0
    for wish in Wish.objects.select_related("resident", "area").filter(pk__in=list(wish_ids)):
        try:
            wish_expire(wish=wish)
        except Conflict:  # fulfilled or released meanwhile: nothing to expire
            continue
        expired += 1
    return expired


def wish_fulfil(*, wish: Wish, actor, note: str, photo=None) -> Wish:
    workflow.check(wish, "fulfil")
    claim = _active_claim(wish)
    _check_claimant(claim, actor)
    note = clean_text(note, field="note", max_length=1000, required=True, label=_("完成说明"))
    if photo:
        photo = _clean_photo(photo, field="photo")
    now = timezone.now()
    before = wish.status
    with transaction.atomic():
        # `_transition`'s steps, with the notification last: it links the stored photo.
        workflow.transition(wish, "fulfil", actor=actor, note=note, fulfilled_at=now)
        rollups.wish_moved(wish, "fulfil")
        _live(wish, before, claimants=(wish.claimed_by_id,))
        workflow.transition(
            claim, "fulfil", actor=actor, note=note, fulfil_note=note, fulfilled_at=now
        )
        context = {}
        if photo:  # a file goes through save() (storage), not through UPDATE
            claim.fulfil_photo = photo
            claim.save(update_fields=["fulfil_photo"])
            context["photo"] = claim.fulfil_photo.url
        _notify(wish, "fulfil", actor=actor, note=note, context=context)
    return wish


def wish_confirm(*, wish: Wish, actor, rating, comment: str = "") -> Wish:
    """The resident (or, for a resident without a login, a vetter of the area) confirms the
    wish was fulfilled and rates it 1–5; the wish closes."""
    workflow.check(wish, "confirm")
    _check_confirmer(wish, actor)
    rating = clean_rating(rating)
    comment = clean_text(comment, field="comment", max_length=500, required=False, label=_("评价"))
    with transaction.atomic():
        _transition(
            wish,
            "confirm",
            actor=actor,
            note=comment,
            context={"rating": rating},
            rating=rating,
            rating_comment=comment,
            closed_at=timezone.now(),
        )
        claim = Claim.objects.filter(wish=wish, status=Claim.Status.FULFILLED).first()
        _award_points(wish=wish, claim=claim)
    return wish


def _award_points(*, wish: Wish, claim: Claim | None) -> None:
    """A confirmed wish earns its claimant the "wish_fulfilled" points, once (the ledger is
    idempotent per rule and source). Organisations earn no member points."""
    if claim is None or claim.member_id is None:
        return
    points_award(member=claim.member, rule="wish_fulfilled", source=wish)


# --- categories (configuration, edited in the admin) ------------------------------------------


def wish_category_create(*, actor, name: str, order: int = 100, active: bool = True):
    category = WishCategory(name=name, order=order, active=active)
    category.full_clean()
    category.save()
    return category


def wish_category_update(*, actor, category: WishCategory, **fields) -> WishCategory:
    """Rename, reorder or switch off a category; wishes keep theirs (no delete: they
    point at it)."""
    for name, value in fields.items():
        setattr(category, name, value)
    category.full_clean()
    category.save()
    return category
