"""Reads of the register, always scoped to a user."""

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
