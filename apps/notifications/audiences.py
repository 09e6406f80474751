"""Audiences are stored as small JSON dicts on the outbox row and resolved to users in the
worker, never in the request (a published wish may reach thousands of members).

Built-in kinds: `users(*ids)`, `area_members(area_id)`, `area_role(area_id, *roles)`,
`area_organisations(area_id)` and `any_of(*audiences)`. "The resident of wish W" or "the
claimant" are one known user: pass `users(id)`. For a group that should be resolved in
the worker ("the jurors of session S"), an app adds a kind in its own `audiences.py`:

    from apps.notifications.audiences import resolver

    def session_jurors(session_id: int) -> dict:
        return {"kind": "session_jurors", "session": int(session_id)}

    @resolver("session_jurors")
    def _session_jurors(audience: dict) -> Q:  # a filter on User
        return Q(juror_seats__session=audience["session"])
"""

from collections.abc import Callable

from django.db.models import Q, QuerySet

from apps.core.discovery import app_modules

_RESOLVERS: dict[str, Callable[[dict], Q]] = {}


class UnknownAudience(Exception):
    pass


def resolver(kind: str):
    """Register `fn(audience) -> Q on User` for audiences of `kind`."""

    def register(fn):
        _RESOLVERS[kind] = fn
        return fn

    return register


def users(*user_ids: int) -> dict:
    return {"kind": "users", "ids": sorted({int(i) for i in user_ids if i})}


def area_members(area_id: int) -> dict:
    """Every member with a login whose home community is in the subtree of `area_id`."""
    return {"kind": "area_members", "area": int(area_id)}


def area_role(area_id: int, *roles: str) -> dict:
    """Every user holding one of `roles` at `area_id` or one of its ancestors."""
    return {"kind": "area_role", "area": int(area_id), "roles": sorted(roles)}


def area_organisations(area_id: int) -> dict:
    """The representatives of organisations at `area_id` or one of its ancestors (those
    that serve it: a street's enterprise serves every community in the street) that asked
    for wish notifications (`Organisation.wish_notifications`)."""
    return {"kind": "area_organisations", "area": int(area_id)}


def any_of(*audiences: dict) -> dict:
    """Everyone in any of `audiences` (each user once)."""
    return {"kind": "any_of", "parts": list(audiences)}


def _area_path(area_id) -> str | None:
    from apps.register.models import Area

    return Area.objects.filter(pk=int(area_id)).values_list("path", flat=True).first()


NOBODY = Q(pk__in=[])


@resolver("users")
def _users(audience: dict) -> Q:
    return Q(pk__in=[int(i) for i in audience["ids"]])


@resolver("area_members")
def _area_members(audience: dict) -> Q:
    path = _area_path(audience["area"])
    return NOBODY if path is None else Q(member__community__path__startswith=path)


def _ancestor_paths(area_id) -> list[str]:
    """The paths of `area_id` and its ancestors (empty for an unknown area)."""
    from apps.register.models import Area

    path = _area_path(area_id)
    if path is None:
        return []
    return [path[:end] for end in range(Area.steplen, len(path) + 1, Area.steplen)]


@resolver("area_role")
def _area_role(audience: dict) -> Q:
    ancestors = _ancestor_paths(audience["area"])
    if not ancestors:
        return NOBODY
    held_at = Q(role_assignments__area__path__in=ancestors) | Q(
        role_assignments__party_org__area__path__in=ancestors
    )
    # One filter() call: the role and the node are conditions on the same assignment.
    return Q(role_assignments__role__in=audience["roles"]) & held_at


@resolver("area_organisations")
def _area_organisations(audience: dict) -> Q:
    ancestors = _ancestor_paths(audience["area"])
    if not ancestors:
        return NOBODY
    return Q(organisations__area__path__in=ancestors, organisations__wish_notifications=True)


@resolver("any_of")
def _any_of(audience: dict) -> Q:
    q = NOBODY
    for part in audience["parts"]:
        q |= _user_filter(part)
    return q


def _user_filter(audience: dict) -> Q:
    kind = audience.get("kind") if isinstance(audience, dict) else None
    if kind not in _RESOLVERS:
        app_modules("audiences")  # importing registers other apps' kinds
    if kind not in _RESOLVERS:
        raise UnknownAudience(repr(audience)[:200])
    return _RESOLVERS[kind](audience)


def resolve(audience: dict) -> QuerySet:
    """The ids of the active users in `audience`, ascending (chunkable by id)."""
    from apps.accounts.models import User

    q = _user_filter(audience)
    return (
        User.objects.filter(is_active=True)
        .filter(pk__in=User.objects.filter(q).values("pk"))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
