from django.utils.translation import gettext_lazy as _

from apps.accounts.models import Role
from apps.core.menu import Tile

TILES = [
    Tile(
        _("个人信息访问记录"),
        "audit:access-log",
        roles=frozenset({Role.ADMINISTRATOR}),
        order=90,
        icon="eye",
    )
]
