"""Admin for import jobs, and the roster buttons on the register's admins.

The register knows nothing of rosters: here each roster model's admin (registered by
apps/register/admin.py, which comes first in INSTALLED_APPS) is re-registered with
`RosterAdminMixin` in front, for the export and the "导入名册" button."""

from django.contrib import admin

from apps.core.admin import ScopedAdmin

from .admin_mixins import RosterAdminMixin
from .kinds import discover
from .models import ImportJob
from .resources import RESOURCES


@admin.register(ImportJob)
class ImportJobAdmin(ScopedAdmin):
    list_display = ("filename", "kind", "created_by", "created_at", "status", "new", "updated")
    list_filter = ("kind", "status")
    # Read-only (no service names): jobs are started and run by the roster import pages.


def _add_roster_buttons(kind: str, model) -> None:
    base = type(admin.site.get_model_admin(model))
    admin.site.unregister(model)
    roster_admin = type(base.__name__, (RosterAdminMixin, base), {"roster_kind": kind})
    admin.site.register(model, roster_admin)


# The admin is loaded (django.contrib.admin's ready) before this app's ready: find the other
# apps' kinds now (importing their modules again is a no-op).
discover()
for _kind, _resource in RESOURCES.items():
    if admin.site.is_registered(_resource._meta.model):
        _add_roster_buttons(_kind, _resource._meta.model)
