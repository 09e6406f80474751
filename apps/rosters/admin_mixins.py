"""django-import-export's export (.xlsx/.csv, scoped by the admin's queryset and masked by
the resource) and an "导入名册" button that opens the import pages (preview, all-or-nothing,
progress) instead of import-export's row-by-row import. apps/rosters/admin.py puts it in
front of the register's admins."""

from django.urls import reverse
from import_export.admin import ExportMixin
from import_export.formats.base_formats import CSV, XLSX

from .resources import RESOURCES
from .services import can_import


class RosterAdminMixin(ExportMixin):
    roster_kind = ""
    import_export_change_list_template = "admin/rosters/change_list_roster.html"
    formats = [XLSX, CSV]

    def get_export_resource_classes(self, request):
        return [RESOURCES[self.roster_kind]]

    def get_export_resource_kwargs(self, request, **kwargs):
        return {"user": request.user, "request": request}  # the file is logged as an access

    def has_export_permission(self, request):
        return self.has_view_permission(request)

    def changelist_view(self, request, extra_context=None):
        extra_context = extra_context or {}
        if can_import(request.user, self.roster_kind):
            url = reverse("rosters:upload") + f"?kind={self.roster_kind}"
            extra_context["roster_import_url"] = url
        return super().changelist_view(request, extra_context)
