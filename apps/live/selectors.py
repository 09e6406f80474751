"""Reads of the live hall: which groups a socket joins, and what a page that reconnects (or
polls) missed. Both follow the wish hall's own scoping (`apps.wishes.selectors`)."""

from datetime import UTC, datetime

from django.db.models import Q

from apps.accounts.scoping import grants
from apps.core import live
from apps.notifications.selectors import unread_count
from apps.register.models import Organisation
from apps.wishes import selectors as wishes
from apps.wishes.models import Wish

MAX_IDS = 200  # the cards a page asks about at once (a hall page shows 20)


def groups_for(user) -> list[str]:
    """The groups `user`'s sockets join: their own, every area node where a role lets them
    see wishes (the hall's subtree rule: events are sent to each ancestor of the wish's area),
    the areas of the organisations they represent, and `ALL_GROUP` for superusers."""
    groups = [live.user_group(user.pk)]
    if user.is_superuser:
        return [*groups, live.ALL_GROUP]
    roles = Wish.scope.roles("view")
    paths = {g.area_path for g in grants(user) if g.role in roles and g.area_path}
    org_areas = Organisation.objects.filter(representatives=user).values_list(
        "area__path", flat=True
    )
    paths.update(p for p in org_areas if p)
    return groups + sorted(live.area_group(p) for p in paths)


def wish_states(*, user, ids: list[int]) -> dict[int, str]:
    """The current status of each of `ids` the user may see; the others are "gone" (out of
    scope and missing look the same)."""
    ids = ids[:MAX_IDS]
    seen = dict(wishes.wishes_visible_to(user=user).filter(pk__in=ids).values_list("pk", "status"))
    return {pk: seen.get(pk, "gone") for pk in ids}


def hall_changed_since(*, user, since: datetime, limit: int = 50) -> list[int]:
    """Published hall wishes (in the user's scope) that were published or re-published
    (released, expired) since `since`: what a page offline meanwhile must add."""
    qs = wishes.wish_hall(user=user).filter(Q(updated_at__gte=since) | Q(published_at__gte=since))
    return list(qs.values_list("pk", flat=True)[:limit])


def sync(*, user, since_ms: int, ids: list[int]) -> dict:
    now = live.now_ms()
    since = datetime.fromtimestamp(since_ms / 1000, tz=UTC)
    return {
        "now": now,
        "wishes": {str(pk): state for pk, state in wish_states(user=user, ids=ids).items()},
        "published": hall_changed_since(user=user, since=since),
        "unread": unread_count(user=user),
    }
