from django.utils.translation import gettext_lazy as _

from apps.accounts.models import Role
from apps.core.menu import Tile

from .models import ORGANISERS

TILES = [
    Tile(_("志愿服务"), "volunteers:home", roles=frozenset({Role.MEMBER}), order=30, icon="hand"),
    Tile(_("志愿管理"), "volunteers:manage", roles=ORGANISERS, order=31, icon="calendar"),
    Tile(_("志愿服务统计"), "volunteers:report", roles=ORGANISERS, order=32, icon="chart"),
    Tile(
        _("服务需求"),
        "volunteers:needs",
        roles=frozenset({Role.MEMBER, Role.GRID_WORKER, Role.SECRETARY, Role.RESIDENT}),
        order=33,
        icon="people",
    ),
]
