from django.utils.translation import gettext_lazy as _

from apps.core.menu import Tile

from .selectors import unread_count

TILES = [
    Tile(
        _("我的消息"),
        "notifications:inbox",
        order=90,
        icon="inbox",
        count=lambda user: unread_count(user=user),
    ),
    Tile(_("通知设置"), "notifications:preferences", order=91, icon="bell"),
]
