from django.utils.translation import gettext_lazy as _

from apps.accounts.models import Role
from apps.core.menu import Tile

from . import selectors
from .selectors import is_helper

STAFF = frozenset({Role.GRID_WORKER, Role.SECRETARY, Role.ADMINISTRATOR})

TILES = [
    Tile(
        _("我的责任片"),
        "grids:leader",
        roles=frozenset({Role.GROUP_LEADER}),
        order=30,
        icon="map",
        count=lambda user: selectors.households_unvisited_count(user=user),
    ),
    Tile(_("我的结对"), "grids:helper", when=is_helper, order=30, icon="people"),
    Tile(
        _("问题与结对"),
        "grids:worker",
        roles=frozenset({Role.GRID_WORKER, Role.SECRETARY, Role.ADMINISTRATOR}),
        order=31,
        icon="clipboard",
        count=lambda user: selectors.problems_open_for(user=user).count(),
    ),
    Tile(
        _("责任组编组"),
        "grids:secretary",
        roles=frozenset({Role.SECRETARY, Role.ADMINISTRATOR}),
        order=32,
        icon="people",
    ),
    Tile(
        _("网格报表"),
        "grids:report",
        roles=frozenset({Role.GRID_WORKER, Role.SECRETARY, Role.ADMINISTRATOR}),
        order=33,
        icon="chart",
    ),
]
