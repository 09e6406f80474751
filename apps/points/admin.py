"""Admin for the points ledger: rules are configuration; entries are read-only history."""

from django.contrib import admin

from apps.core.admin import ScopedAdmin

from .models import PointsEntry, PointsRule


@admin.register(PointsRule)
class PointsRuleAdmin(admin.ModelAdmin):
    """Configuration, not tree data: Django's own model permissions decide who edits it."""

    list_display = ["code", "name", "points", "active"]
    list_editable = ["points", "active"]


@admin.register(PointsEntry)
class PointsEntryAdmin(ScopedAdmin):
    list_display = ["member", "rule", "points", "created_at"]
    list_filter = ["rule"]
    raw_id_fields = ["member"]
