from django.utils.translation import gettext_lazy as _

from apps.accounts.models import Role
from apps.core.menu import Tile

TILES = [
    Tile(
        _("名册导入导出"),
        "rosters:upload",
        roles=frozenset({Role.ADMINISTRATOR, Role.SECRETARY, Role.GRID_WORKER}),
        order=80,
        icon="upload",
    )
]
