from django.utils.translation import gettext_lazy as _

from apps.accounts.models import Role
from apps.core.menu import Tile

from . import selectors
from .models import Claim

MEMBERS = frozenset({Role.MEMBER, Role.GROUP_LEADER})
VETTERS = frozenset({Role.GRID_WORKER, Role.SECRETARY})

TILES = [
    Tile(_("提交心愿"), "wishes:submit", roles=frozenset({Role.RESIDENT}), order=10, icon="pen"),
    Tile(_("我的心愿"), "wishes:mine", roles=frozenset({Role.RESIDENT}), order=11, icon="heart"),
    Tile(_("心愿墙"), "wishes:hall", roles=MEMBERS | VETTERS, order=12, icon="heart"),
    Tile(
        _("我的认领"),
        "wishes:claims",
        roles=MEMBERS,
        order=13,
        icon="hand",
        count=lambda user: (
            selectors.my_claims(user=user).filter(status=Claim.Status.ACTIVE).count()
        ),
    ),
    Tile(
        _("心愿审核"),
        "wishes:vetting",
        roles=VETTERS,
        order=14,
        icon="check",
        count=lambda user: selectors.vetting_queue(user=user).count(),
    ),
    Tile(_("为居民代录"), "wishes:enter", roles=VETTERS, order=15, icon="pen"),
]
