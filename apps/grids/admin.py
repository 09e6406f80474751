"""Admin for field work, scoped to the staff user's subtree (ScopedAdmin)."""

from django.contrib import admin

from apps.core.admin import ScopedAdmin

from .models import (
    GroupHousehold,
    GroupMembership,
    Pairing,
    Problem,
    ProblemEvent,
    ResponsibilityGroup,
    Visit,
)


class MembershipInline(admin.TabularInline):
    model = GroupMembership
    raw_id_fields = ["member"]
    extra = 0


class CoverageInline(admin.TabularInline):
    model = GroupHousehold
    raw_id_fields = ["household"]
    extra = 0


@admin.register(ResponsibilityGroup)
class ResponsibilityGroupAdmin(ScopedAdmin):
    list_display = ["name", "grid", "leader"]
    raw_id_fields = ["grid", "leader"]
    inlines = [MembershipInline, CoverageInline]
    search_fields = ["name"]


@admin.register(Visit)
class VisitAdmin(ScopedAdmin):
    list_display = ["household", "member", "group", "visited_at"]
    raw_id_fields = ["household", "member", "group", "pairing", "created_by"]
    date_hierarchy = "visited_at"


class ProblemEventInline(admin.TabularInline):
    model = ProblemEvent
    extra = 0
    can_delete = False
    readonly_fields = ["move", "from_status", "to_status", "note", "actor", "at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Problem)
class ProblemAdmin(ScopedAdmin):
    """Read-mostly: status and level change only through the services (escalate/resolve)."""

    list_display = ["title", "category", "status", "level", "resolved_level", "due_at"]
    list_filter = ["status", "level", "category"]
    raw_id_fields = ["area", "household", "visit", "reporter"]
    readonly_fields = ["status", "found_level", "level", "resolved_level", "resolved_at"]
    inlines = [ProblemEventInline]


@admin.register(Pairing)
class PairingAdmin(ScopedAdmin):
    list_display = ["helper", "resident", "active", "started_on"]
    list_filter = ["active"]
    raw_id_fields = ["helper", "resident"]
