"""Audiences are stored as small JSON dicts on the outbox row and resolved to users in the
worker, never in the request (a published wish may reach thousands of members).

Kinds: `users(*ids)` (callers compute "the resident of wish W", "the claimant", "the jurors
of session S" as user ids), `area_members(area_id)`, `area_role(area_id, *roles)`,
`area_organisations(area_id)` and `any_of(*audiences)`. To add a kind, add a constructor
here and a branch in `_user_filter`.
"""

from django.db.models import Q, QuerySet


class UnknownAudience(Exception):
    pass


def users(*user_ids: int) -> dict:
    return {"kind": "users", "ids": sorted({int(i) for i in user_ids if i})}


def area_members(area_id: int) -> dict:
    """Every member with a login whose home community is in the subtree of `area_id`."""
    return {"kind": "area_members", "area": int(area_id)}


def area_role(area_id: int, *roles: str) -> dict:
    """Every user holding one of `roles` at `area_id` or one of its ancestors."""
    return {"kind": "area_role", "area": int(area_id), "roles": sorted(roles)}


def area_organisations(area_id: int) -> dict:
    """The representatives of organisations in the subtree of `area_id` that asked for
    wish notifications (`Organisation.wish_notifications`)."""
    return {"kind": "area_organisations", "area": int(area_id)}


def any_of(*audiences: dict) -> dict:
    """Everyone in any of `audiences` (each user once)."""
    return {"kind": "any_of", "parts": list(audiences)}


def _ancestor_paths(path: str, steplen: int) -> list[str]:
    return [path[:end] for end in range(steplen, len(path) + 1, steplen)]


def _area_path(area_id) -> str | None:
    from apps.grids.models import Area

    return Area.objects.filter(pk=int(area_id)).values_list("path", flat=True).first()


def _user_filter(audience: dict) -> Q:
    from apps.grids.models import Area

    kind = audience.get("kind") if isinstance(audience, dict) else None
    if kind == "users":
        return Q(pk__in=[int(i) for i in audience["ids"]])
    if kind == "area_members":
        path = _area_path(audience["area"])
        if path is None:
            return Q(pk__in=[])
        return Q(member__community__path__startswith=path)
    if kind == "area_role":
        path = _area_path(audience["area"])
        if path is None:
            return Q(pk__in=[])
        paths = _ancestor_paths(path, Area.steplen)
        held = Q(role_assignments__area__path__in=paths) | Q(
            role_assignments__party_org__area__path__in=paths
        )
        return Q(role_assignments__role__in=audience["roles"]) & held
    if kind == "area_organisations":
        path = _area_path(audience["area"])
        if path is None:
            return Q(pk__in=[])
        return Q(
            organisations__area__path__startswith=path,
            organisations__wish_notifications=True,
        )
    if kind == "any_of":
        q = Q(pk__in=[])
        for part in audience["parts"]:
            q |= _user_filter(part)
        return q
    raise UnknownAudience(repr(audience)[:200])


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
