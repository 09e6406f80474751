from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RostersConfig(AppConfig):
    name = "apps.rosters"
    verbose_name = _("名册导入导出")
