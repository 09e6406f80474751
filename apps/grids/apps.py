from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GridsConfig(AppConfig):
    name = "apps.grids"
    label = "grids"
    verbose_name = _("网格工作")

    def ready(self):
        from . import rollups  # noqa: F401  (registers its rebuilder)
