from django.utils.translation import gettext_lazy as _

from apps.accounts.models import Role
from apps.core.menu import Tile

STAFF_AND_LEADERS = frozenset(
    {Role.GRID_WORKER, Role.SECRETARY, Role.ADMINISTRATOR, Role.GROUP_LEADER}
)

TILES = [
    Tile(_("住户"), "grids:household-list", roles=STAFF_AND_LEADERS, order=50),
    Tile(_("居民"), "grids:resident-list", roles=STAFF_AND_LEADERS, order=51),
]

# Groups, visits, problems, pairings, points and the report (issue 5).
from .menu_work import TILES as WORK_TILES  # noqa: E402

TILES += WORK_TILES
