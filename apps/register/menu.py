from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from apps.accounts.models import Role
from apps.core.menu import Tile

STAFF = frozenset({Role.GRID_WORKER, Role.SECRETARY, Role.ADMINISTRATOR})

TILES = [
    Tile(_("住户"), "register:household-list", roles=STAFF | {Role.GROUP_LEADER}, order=50),
    Tile(
        pgettext_lazy("list", "居民"),
        "register:resident-list",
        roles=STAFF | {Role.GROUP_LEADER},
        order=51,
    ),
    Tile(_("我的家庭"), "register:my-household", roles=frozenset({Role.RESIDENT}), order=10),
    Tile(_("管理后台"), "admin:index", roles=STAFF, order=900),
]
