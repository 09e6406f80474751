from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PointsConfig(AppConfig):
    name = "apps.points"
    label = "points"
    verbose_name = _("党员积分")

    def ready(self):
        from . import rollups  # noqa: F401  (registers its rebuilder)
