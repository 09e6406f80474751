from django.contrib import admin

from apps.core.admin import ScopedAdmin

from .models import Claim, Wish, WishCategory, WishEvent, WishPhoto


@admin.register(WishCategory)
class WishCategoryAdmin(admin.ModelAdmin):
    """Categories are global configuration (no area), so Django's model permissions apply."""

    list_display = ["name", "order", "active"]
    list_editable = ["order", "active"]


class WishEventInline(admin.TabularInline):
    model = WishEvent
    extra = 0
    can_delete = False
    fields = readonly_fields = ["at", "from_status", "to_status", "actor", "note"]

    def has_add_permission(self, request, obj=None):
        return False


class WishPhotoInline(admin.TabularInline):
    model = WishPhoto
    extra = 0


@admin.register(Wish)
class WishAdmin(ScopedAdmin):
    """Status moves only through the services (history, notifications), so it is read-only."""

    list_display = ["title", "status", "category", "area", "resident", "created_at"]
    list_filter = ["status", "category"]
    search_fields = ["title", "resident__name"]
    list_select_related = ["category", "area", "resident"]
    raw_id_fields = ["resident", "area", "entered_by", "vetted_by", "claimed_by"]
    readonly_fields = ["status", "vetted_by", "published_at", "claimed_by", "claimed_at"]
    readonly_fields += ["fulfilled_at", "closed_at", "rating", "rating_comment", "reject_reason"]
    inlines = [WishPhotoInline, WishEventInline]

    def has_add_permission(self, request):
        return False  # wishes are submitted through the services (duplicate check, events)


@admin.register(Claim)
class ClaimAdmin(ScopedAdmin):
    list_display = ["wish", "member", "organisation", "claimant", "status", "created_at"]
    list_filter = ["status"]
    list_select_related = ["wish", "member", "organisation", "claimant"]
    raw_id_fields = ["wish", "member", "organisation", "claimant"]
    readonly_fields = ["status", "created_at", "ended_at", "fulfilled_at"]
