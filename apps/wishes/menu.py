from django.utils.translation import gettext_lazy as _

from apps.accounts.models import Role
from apps.core.menu import Tile

MEMBERS = frozenset({Role.MEMBER, Role.GROUP_LEADER})
VETTERS = frozenset({Role.GRID_WORKER, Role.SECRETARY})

TILES = [
    Tile(_("提交心愿"), "wishes:submit", roles=frozenset({Role.RESIDENT}), order=10),
    Tile(_("我的心愿"), "wishes:mine", roles=frozenset({Role.RESIDENT}), order=11),
    Tile(_("心愿墙"), "wishes:hall", roles=MEMBERS | VETTERS, order=12),
    Tile(_("我的认领"), "wishes:claims", roles=MEMBERS, order=13),
    Tile(_("心愿审核"), "wishes:vetting", roles=VETTERS, order=14),
    Tile(_("为居民代录"), "wishes:enter", roles=VETTERS, order=15),
]
