"""Admin for the points ledger: rules are configuration (changed through
points_rule_update); entries are read-only history written by points_award."""

from django.contrib import admin

from apps.core.admin import ScopedAdmin, ServiceAdmin

from . import services
from .models import PointsEntry, PointsRule


@admin.register(PointsRule)
class PointsRuleAdmin(ServiceAdmin):
    """Configuration, not tree data: Django's own model permissions decide who edits it.
    Rules are not added or deleted here: the code awards them by their code."""

    list_display = ["code", "name", "points", "active"]
    list_editable = ["points", "active"]
    readonly_fields = ["code"]
    update_service = services.points_rule_update
    instance_name = "rule"


@admin.register(PointsEntry)
class PointsEntryAdmin(ScopedAdmin):
    """Read-only: no service names, so no add, change or delete."""

    list_display = ["member", "rule", "points", "created_at"]
    list_filter = ["rule"]
    raw_id_fields = ["member"]
