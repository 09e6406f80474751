from django.utils.translation import gettext_lazy as _

from apps.core.menu import Tile

from .models import Role

TILES = [
    Tile(
        _("角色管理"),
        "accounts:roles",
        roles=frozenset({Role.SECRETARY, Role.ADMINISTRATOR}),
        order=90,
        icon="shield",
    ),
]
