from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WishesConfig(AppConfig):
    name = "apps.wishes"
    label = "wishes"
    verbose_name = _("微心愿")

    def ready(self):
        from . import rollups  # noqa: F401  (registers its rebuilder)
