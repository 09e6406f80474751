"""Reads of the register, always scoped to a user."""

from apps.accounts.models import Role, RoleAssignment
from apps.accounts.scoping import scoped
from apps.core.errors import NotFound
from apps.core.validators import parse_id

from .models import Area


def visible_nodes(*, user, kinds=(Area.Kind.STREET, Area.Kind.COMMUNITY, Area.Kind.GRID)):
    return scoped(user, Area).filter(kind__in=kinds).order_by("path")


def area_visible(user, area_id) -> Area:
    """The area with id `area_id` if the user may see it; NotFound (area_not_found) for any
    other id, a malformed one included."""
    pk = parse_id(area_id)
    area = scoped(user, Area).filter(pk=pk).first() if pk is not None else None
    if area is None:
        raise NotFound(code="area_not_found")
    return area


def grid_worker_contacts(*, user) -> list[dict]:
    """The grid workers of the grids the user lives in (as a resident): name and work phone,
    for a one-tap call. Only workers with a phone on their login."""
    buildings = Area.objects.filter(households__residents__user=user).distinct()
    grids = set()
    for building in buildings:
        grids.update(a.pk for a in Area.objects.get_ancestors(building) if a.kind == Area.Kind.GRID)
    assignments = (
        RoleAssignment.objects.filter(role=Role.GRID_WORKER, area__in=grids)
        .exclude(user__phone=None)
        .select_related("user")
        .order_by("pk")
    )
    return [{"name": str(a.user), "phone": a.user.phone} for a in assignments]
