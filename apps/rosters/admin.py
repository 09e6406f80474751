"""Admin integration. `RosterAdminMixin` adds django-import-export's export (.xlsx/.csv,
scoped by the admin's queryset and masked by the resource) and an "导入名册" button that
opens the import pages (preview, all-or-nothing, progress) instead of import-export's
row-by-row import.

At merge, combine it with the foundation's admins in apps/grids/admin.py, e.g.
`class MemberAdmin(RosterAdminMixin, ScopedAdmin): roster_kind = "members"`. Until then
(and for any roster model nobody registered) a minimal admin is registered here.
"""

from django.contrib import admin
from django.urls import reverse
from import_export.admin import ExportMixin
from import_export.formats.base_formats import CSV, XLSX

from apps.core.admin import ScopedAdmin
from apps.grids.models import Household, Member, Organisation, PartyOrg, Resident

from .models import ImportJob
from .resources import RESOURCES
from .services import can_import


class RosterAdminMixin(ExportMixin):
    roster_kind = ""
    import_export_change_list_template = "admin/rosters/change_list_roster.html"
    formats = [XLSX, CSV]

    def get_export_resource_classes(self, request):
        return [RESOURCES[self.roster_kind]]

    def get_export_resource_kwargs(self, request, **kwargs):
        return {"user": request.user}

    def has_export_permission(self, request):
        return self.has_view_permission(request)

    def changelist_view(self, request, extra_context=None):
        extra_context = extra_context or {}
        if can_import(request.user, self.roster_kind):
            url = reverse("rosters:upload") + f"?kind={self.roster_kind}"
            extra_context["roster_import_url"] = url
        return super().changelist_view(request, extra_context)


ROSTER_MODELS = {
    Member: "members",
    Household: "households",
    Resident: "residents",
    PartyOrg: "party_orgs",
    Organisation: "organisations",
}

for _model, _kind in ROSTER_MODELS.items():
    if not admin.site.is_registered(_model):
        _admin = type(
            f"{_model.__name__}RosterAdmin", (RosterAdminMixin, ScopedAdmin), {"roster_kind": _kind}
        )
        admin.site.register(_model, _admin)


@admin.register(ImportJob)
class ImportJobAdmin(ScopedAdmin):
    list_display = ("filename", "kind", "created_by", "created_at", "status", "new", "updated")
    list_filter = ("kind", "status")
    readonly_fields = [f.name for f in ImportJob._meta.fields]

    def has_add_permission(self, request):
        return False
