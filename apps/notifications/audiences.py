"""Audiences are stored as small JSON dicts on the outbox row and resolved to users in the
worker, never in the request (a published wish may reach thousands of members)."""


def users(*user_ids: int) -> dict:
    return {"kind": "users", "ids": sorted({int(i) for i in user_ids if i})}


def area_members(area_id: int) -> dict:
    """Every member with a login whose home community is in the subtree of `area_id`."""
    return {"kind": "area_members", "area": int(area_id)}


def area_role(area_id: int, *roles: str) -> dict:
    """Every user holding one of `roles` at `area_id` or one of its ancestors."""
    return {"kind": "area_role", "area": int(area_id), "roles": sorted(roles)}
