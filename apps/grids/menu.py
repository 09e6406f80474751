from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from apps.accounts.models import Role
from apps.core.menu import Tile

STAFF = frozenset({Role.GRID_WORKER, Role.SECRETARY, Role.ADMINISTRATOR})

TILES = [
    Tile(_("住户"), "grids:household-list", roles=STAFF | {Role.GROUP_LEADER}, order=50),
    Tile(
        pgettext_lazy("list", "居民"),
        "grids:resident-list",
        roles=STAFF | {Role.GROUP_LEADER},
        order=51,
    ),
    Tile(_("我的家庭"), "grids:my-household", roles=frozenset({Role.RESIDENT}), order=10),
    Tile(_("我的责任片"), "grids:leader", roles=frozenset({Role.GROUP_LEADER}), order=30),
    Tile(
        _("问题与结对"),
        "grids:worker",
        roles=frozenset({Role.GRID_WORKER, Role.SECRETARY, Role.ADMINISTRATOR}),
        order=31,
    ),
    Tile(
        _("责任组编组"),
        "grids:secretary",
        roles=frozenset({Role.SECRETARY, Role.ADMINISTRATOR}),
        order=32,
    ),
    Tile(
        _("网格报表"),
        "grids:report",
        roles=frozenset({Role.GRID_WORKER, Role.SECRETARY, Role.ADMINISTRATOR}),
        order=33,
    ),
    Tile(_("星级积分排名"), "grids:ranking", roles=frozenset({Role.MEMBER}), order=34),
    Tile(_("管理后台"), "admin:index", roles=STAFF, order=900),
]
