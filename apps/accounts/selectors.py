"""Reads for role administration, always limited to what the user administers."""

from django.db.models import Q, QuerySet

from .models import RoleAssignment
from .scoping import ROLE_ADMINS, ROLE_RANK, grants, scoped

Area = RoleAssignment._meta.get_field("area").related_model
PartyOrg = RoleAssignment._meta.get_field("party_org").related_model


def role_assignments(*, user) -> QuerySet:
    """The role assignments at the nodes `user` administers (scoped like every list)."""
    return (
        scoped(user, RoleAssignment)
        .select_related("user", "area", "party_org")
        .order_by("area__path", "party_org__path", "role", "pk")
    )


def nodes_administered(user, model) -> QuerySet:
    """The areas (or Party organisations) at which `user` may grant roles: the subtrees of
    their administrator and secretary roles. Any other node is "not found" to them."""
    queryset = model._default_manager.all()
    if user is None or not user.is_authenticated:
        return queryset.none()
    if user.is_superuser:
        return queryset
    q = Q(pk__in=[])
    for grant in grants(user):
        if grant.role not in ROLE_ADMINS:
            continue
        if model is Area and grant.area_path:
            q |= Q(path__startswith=grant.area_path)
        if model is PartyOrg:
            if grant.party_path:
                q |= Q(path__startswith=grant.party_path)
            if grant.area_path:
                q |= Q(area__path__startswith=grant.area_path)
    return queryset.filter(q)


def grantable_roles(user, *, area=None, party_org=None) -> list[str]:
    """The roles `user` may grant at a node (all they may grant anywhere without a node)."""
    from .scoping import role_rank_over

    if area is None and party_org is None:
        rank = max(
            [ROLE_RANK[g.role] for g in grants(user) if g.role in ROLE_ADMINS]
            + ([max(ROLE_RANK.values())] if user.is_superuser else [0])
        )
    else:
        rank = role_rank_over(user, area=area, party_org=party_org)
    return [role for role, r in ROLE_RANK.items() if r <= rank]
