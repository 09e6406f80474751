from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from apps.accounts.models import Role
from apps.core.menu import Tile

from .selectors import grid_worker_contacts

STAFF = frozenset({Role.GRID_WORKER, Role.SECRETARY, Role.ADMINISTRATOR})

TILES = [
    Tile(
        _("住户"),
        "register:household-list",
        roles=STAFF | {Role.GROUP_LEADER},
        order=50,
        icon="home",
    ),
    Tile(
        pgettext_lazy("list", "居民"),
        "register:resident-list",
        roles=STAFF | {Role.GROUP_LEADER},
        order=51,
        icon="people",
    ),
    Tile(
        _("我的家庭"),
        "register:my-household",
        roles=frozenset({Role.RESIDENT}),
        order=10,
        icon="home",
    ),
    Tile(
        _("联系网格员"),
        "register:my-household",
        roles=frozenset({Role.RESIDENT}),
        order=12,
        icon="phone",
        link=lambda user: _call_link(user),
    ),
    Tile(_("管理后台"), "admin:index", roles=STAFF, order=900, icon="shield"),
]


def _call_link(user) -> dict | None:
    """A tel: link to the resident's grid worker (the first, if the grid has several)."""
    contacts = grid_worker_contacts(user=user)
    if not contacts:
        return None
    first = contacts[0]
    return {"url": f"tel:{first['phone']}", "detail": first["name"], "call": True}
