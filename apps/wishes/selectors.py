"""Reads of wishes, always scoped to a user (on top of `apps.accounts.scoping.scoped`)."""

from django.db.models import (
    CharField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
)
from django.utils.translation import gettext as _

from apps.accounts.scoping import (
    PERSONAL,
    STAFF,
    VIEW,
    grants,
    has_role_over,
    scope_filter,
    scoped,
)
from apps.core.errors import InvalidInput
from apps.core.masking import mask_name
from apps.core.validators import parse_id
from apps.register.models import Area, Organisation, Resident

from .models import VETTERS, Claim, Wish, WishEvent

S = Wish.Status
# What members and organisations see: every wish that went public (the hall shows only the
# published ones; a claimed one stays visible so that a late claimer hears "already claimed").
PUBLIC_STATUSES = (S.PUBLISHED, S.CLAIMED, S.FULFILLED, S.CLOSED)
LIST_RELATED = ("resident", "area", "category")


def _represented_here(user) -> Exists:
    """The wish's area is at or below an organisation the user represents. A subquery in the
    same statement, not a query of its own: the claim path is latency-sensitive."""
    reps = Organisation.representatives.through.objects.filter(user_id=user.pk)
    return Exists(
        reps.annotate(wish_path=ExpressionWrapper(OuterRef("area__path"), CharField())).filter(
            wish_path__startswith=F("organisation__area__path")
        )
    )


def visibility_filter(user) -> Q | None:
    """What of `Wish` the user may see; None means everything (superuser).

    `scoped()` answers "which wishes hang in this user's subtree"; on top of that, only the
    roles that see personal data (staff) and the resident see every status. Members see the
    wishes that went public, and the ones they claimed; organisation representatives see
    public wishes at or below their organisation's area.
    """
    in_subtree = scope_filter(user, Wish, VIEW)
    if in_subtree is None:
        return None
    all_statuses = scope_filter(user, Wish, PERSONAL)
    public = Q(status__in=PUBLIC_STATUSES)
    return (
        (in_subtree & (public | all_statuses))
        | Q(claimed_by=user)
        | (public & _represented_here(user))
    )


def wishes_visible_to(*, user) -> QuerySet[Wish]:
    qs = Wish.objects.select_related(*LIST_RELATED)
    if user is None or not user.is_authenticated:
        return qs.none()
    q = visibility_filter(user)
    return qs if q is None else qs.filter(q)


def wish_for_claim(*, pk) -> Wish | None:
    """The wish by id alone, for the claim action: the hottest path of the product (hundreds
    of members at once), where the claim rule in `services.wish_claim` (a member of the wish's
    community, or a representative of an organisation above it) is the scope check. The
    caller turns a refusal into a 404 when the user could not see the wish at all."""
    return Wish.objects.select_related(*LIST_RELATED).filter(pk=pk).first()


def organisation_for_claim(*, user, org_id) -> Organisation:
    """The organisation `user` claims on behalf of, from a form or JSON value. Only one they
    represent: any other id (not a number, too big, someone else's, none at all) is the same
    `unknown_organisation`, so the answer does not tell which organisations exist."""
    pk = parse_id(org_id)
    organisation = None
    if pk is not None:
        organisation = (
            Organisation.objects.select_related("area").filter(pk=pk, representatives=user).first()
        )
    if organisation is None:
        raise InvalidInput(_("找不到该组织。"), code="unknown_organisation")
    return organisation


def wish_detail(*, user, pk) -> Wish:
    events = WishEvent.objects.select_related("actor")
    claims = Claim.objects.select_related("member", "organisation")
    return (
        wishes_visible_to(user=user)
        .select_related("entered_by", "vetted_by", "claimed_by")
        .prefetch_related(Prefetch("events", queryset=events), Prefetch("claims", queryset=claims))
        .prefetch_related("photos")
        .get(pk=pk)
    )


def filter_wishes(qs: QuerySet[Wish], *, status=None, category=None, area=None) -> QuerySet[Wish]:
    """Filters shared by the API and the pages; `area` includes its whole subtree."""
    if status:
        qs = qs.filter(status=status)
    if category:
        qs = qs.filter(category_id=category)
    if area:
        node = Area.objects.filter(pk=area).values_list("path", flat=True).first()
        qs = qs.filter(area__path__startswith=node) if node else qs.none()
    return qs


def wish_hall(*, user, category=None, area=None) -> QuerySet[Wish]:
    """心愿墙: published wishes in the user's scope, newest first."""
    qs = wishes_visible_to(user=user).filter(status=S.PUBLISHED)
    return filter_wishes(qs, category=category, area=area).order_by("-published_at", "-pk")


def my_wishes(*, user) -> QuerySet[Wish]:
    """A resident's own wishes, each with its timeline."""
    events = WishEvent.objects.order_by("at", "pk")
    # The fulfilment photo goes with the confirm-and-rate form: the resident sees it first.
    done = Claim.objects.filter(status=Claim.Status.FULFILLED)
    return (
        Wish.objects.select_related(*LIST_RELATED)
        .filter(resident__user=user)
        .prefetch_related(Prefetch("events", queryset=events), Prefetch("claims", queryset=done))
        .order_by("-created_at", "-pk")
    )


def my_claims(*, user) -> QuerySet[Claim]:
    return (
        Claim.objects.select_related(
            "wish__resident", "wish__area", "wish__category", "member", "organisation"
        )
        .filter(claimant=user)
        .order_by("-created_at", "-pk")
    )


def vetting_queue(*, user) -> QuerySet[Wish]:
    """Submitted wishes the user may vet (grid workers and secretaries over the area)."""
    q = scope_filter(user, Wish, "change")
    qs = Wish.objects.select_related(*LIST_RELATED, "entered_by").filter(status=S.SUBMITTED)
    qs = qs if q is None else qs.filter(q)
    return qs.order_by("created_at", "pk")


def sees_resident(user, wish: Wish) -> bool:
    """Whether `user` sees the resident's full name. Decided from the loaded rows (no query
    per row, unlike `sees_personal` whose own-lookup here spans a relation)."""
    if user.is_superuser or wish.resident.user_id == user.pk:
        return True
    return has_role_over(user, STAFF, area=wish.area)


def resident_display(user, wish: Wish) -> str:
    name = wish.resident.name
    return name if sees_resident(user, wish) else mask_name(name)


def with_places(wishes: list[Wish]) -> list[Wish]:
    """Set `wish.grid_name`: the grid (网格) above each wish's building, for the cards' "place"
    line, in one query for the page."""
    paths = {w.area.path[: -Area.steplen] for w in wishes if len(w.area.path) > Area.steplen}
    grids = dict(
        Area.objects.filter(path__in=paths, kind=Area.Kind.GRID).values_list("path", "name")
    )
    for wish in wishes:
        wish.grid_name = grids.get(wish.area.path[: -Area.steplen], "")
    return wishes


def fulfilment_photos(wish: Wish) -> list:
    """The fulfilment photos of the wish's claims (prefetched by `wish_detail`)."""
    return [c.fulfil_photo for c in wish.claims.all() if c.fulfil_photo]


PICKER_LIMIT = 10


def is_vetter(user) -> bool:
    """Whether `user` vets wishes (and enters them for residents) anywhere."""
    return any(g.role in VETTERS for g in grants(user))


def entry_residents(*, user) -> QuerySet[Resident]:
    """The residents `user` may enter a wish for (代录): in an area where they are a grid
    worker or secretary, the same rule as `services._submitting_for`."""
    if user.is_superuser:
        return Resident.objects.all()
    paths = {g.area_path for g in grants(user) if g.role in VETTERS and g.area_path}
    if not paths:
        return Resident.objects.none()
    under = Q()
    for path in paths:
        under |= Q(household__area__path__startswith=path)
    return scoped(user, Resident, "change").filter(under)


def resident_search(*, user, q: str) -> tuple[list[Resident], bool]:
    """The 代录 picker: residents matching every word of `q` by name, phone tail (3+ digits),
    room or address; at most PICKER_LIMIT, and whether there are more."""
    words = (q or "").split()[:4]
    if not words:
        return [], False
    qs = entry_residents(user=user)
    for word in words:
        word = word[:30]
        match = (
            Q(name__icontains=word)
            | Q(household__address__icontains=word)
            | Q(household__room__icontains=word)
            | Q(household__area__name__icontains=word)
        )
        if word.isascii() and word.isdigit() and len(word) >= 3:
            match |= Q(phone__endswith=word)
        qs = qs.filter(match)
    rows = list(
        qs.select_related("household__area")
        .only("pk", "name", "phone", "household__room", "household__unit", "household__area__name")
        .order_by("name", "pk")[: PICKER_LIMIT + 1]
    )
    return rows[:PICKER_LIMIT], len(rows) > PICKER_LIMIT


def can_vet(user, wish: Wish) -> bool:
    return has_role_over(user, VETTERS, area=wish.area)
