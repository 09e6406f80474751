from django.utils.translation import gettext_lazy as _

from apps.accounts.models import Role
from apps.core.menu import Tile

TILES = [
    Tile(
        _("星级积分排名"),
        "points:ranking",
        roles=frozenset({Role.MEMBER, Role.GRID_WORKER, Role.SECRETARY, Role.ADMINISTRATOR}),
        order=34,
        icon="star",
    ),
]
