from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RostersConfig(AppConfig):
    name = "apps.rosters"
    verbose_name = _("名册导入导出")

    def ready(self) -> None:
        from .kinds import discover

        discover()  # other apps' roster kinds (apps/<app>/rosters.py)
