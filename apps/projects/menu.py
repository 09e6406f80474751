from django.utils.translation import gettext_lazy as _

from apps.accounts.models import Role
from apps.core.menu import Tile

from .models import ORGANISERS

MEMBERS = frozenset({Role.MEMBER, Role.GROUP_LEADER})
JOINT_ROLES = frozenset({Role.RESIDENT, Role.GRID_WORKER})

TILES = [
    Tile(_("书记项目"), "projects:list", roles=ORGANISERS | MEMBERS, order=30, icon="flag"),
    Tile(
        _("我的承诺"), "projects:pledges", roles=MEMBERS | {Role.SECRETARY}, order=31, icon="hand"
    ),
    Tile(
        _("项目评审"), "projects:sessions", roles=ORGANISERS | {Role.JUROR}, order=32, icon="star"
    ),
    Tile(_("责任田晾晒"), "projects:board", order=33, icon="chart"),
    Tile(
        _("联名点题"),
        "projects:joint_list",
        roles=ORGANISERS | MEMBERS | JOINT_ROLES,
        order=34,
        icon="megaphone",
    ),
    Tile(_("点题公示"), "projects:joint_board", order=35, icon="megaphone"),
]
