"""Admin for import jobs. The roster models' admins (apps/register/admin.py) carry
`RosterAdminMixin` (apps/rosters/admin_mixins.py) for export and the import button."""

from django.contrib import admin

from apps.core.admin import ScopedAdmin

from .models import ImportJob


@admin.register(ImportJob)
class ImportJobAdmin(ScopedAdmin):
    list_display = ("filename", "kind", "created_by", "created_at", "status", "new", "updated")
    list_filter = ("kind", "status")
    # Read-only (no service names): jobs are started and run by the roster import pages.
