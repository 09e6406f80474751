from django.utils.translation import gettext_lazy as _

from apps.core.menu import Tile

TILES = [
    Tile(_("我的消息"), "notifications:inbox", order=90),
    Tile(_("通知设置"), "notifications:preferences", order=91),
]
