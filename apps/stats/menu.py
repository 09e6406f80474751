from django.utils.translation import gettext_lazy as _

from apps.core.menu import Tile

from .selectors import STATS_ROLES

TILES = [Tile(_("数据统计"), "stats:numbers", roles=STATS_ROLES, order=34)]
