"""Admin for wishes: categories are configuration (through the category services); wishes,
claims, their photos and history move only through the wish services (history,
notifications, points), so they are read-only here."""

from django.contrib import admin

from apps.core.admin import ReadOnlyInline, ScopedAdmin, ServiceAdmin

from . import services
from .models import Claim, Wish, WishCategory, WishEvent, WishPhoto


@admin.register(WishCategory)
class WishCategoryAdmin(ServiceAdmin):
    """Categories are global configuration (no area), so Django's model permissions apply."""

    list_display = ["name", "order", "active"]
    list_editable = ["order", "active"]
    create_service = services.wish_category_create
    update_service = services.wish_category_update
    instance_name = "category"


class WishEventInline(ReadOnlyInline, admin.TabularInline):
    model = WishEvent
    show_change_link = False
    fields = readonly_fields = ["at", "from_status", "to_status", "actor", "note"]


class WishPhotoInline(ReadOnlyInline, admin.TabularInline):
    model = WishPhoto
    show_change_link = False


@admin.register(Wish)
class WishAdmin(ScopedAdmin):
    """Read-only: wishes are submitted and moved through the services."""

    list_display = ["title", "status", "category", "area", "resident", "created_at"]
    list_filter = ["status", "category"]
    search_fields = ["title", "resident__name"]
    list_select_related = ["category", "area", "resident"]
    inlines = [WishPhotoInline, WishEventInline]


@admin.register(Claim)
class ClaimAdmin(ScopedAdmin):
    """Read-only: claims are made and ended through the wish services."""

    list_display = ["wish", "member", "organisation", "claimant", "status", "created_at"]
    list_filter = ["status"]
    list_select_related = ["wish", "member", "organisation", "claimant"]
