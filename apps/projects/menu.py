from django.utils.translation import gettext_lazy as _

from apps.accounts.models import Role
from apps.core.menu import Tile

from .models import ORGANISERS

MEMBERS = frozenset({Role.MEMBER, Role.GROUP_LEADER})

TILES = [
    Tile(_("书记项目"), "projects:list", roles=ORGANISERS | MEMBERS, order=30),
    Tile(_("我的承诺"), "projects:pledges", roles=MEMBERS | {Role.SECRETARY}, order=31),
    Tile(_("项目评审"), "projects:sessions", roles=ORGANISERS | {Role.JUROR}, order=32),
    Tile(_("责任田晾晒"), "projects:board", order=33),
]
