from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "apps.audit"
    label = "audit"
    verbose_name = _("审计与访问记录")

    def ready(self):
        from . import celery_context  # noqa: F401 - connects the task signals
