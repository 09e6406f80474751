"""Admin for the outbox and channel deliveries (dead letters included).

Superuser-only, not ScopedAdmin: outbox rows and deliveries hang off no area (an audience
may span the whole tree) and deliveries carry recipients' phones and e-mail addresses, so
there is no subtree a grid worker or secretary could safely be limited to.

Read-only (a ServiceAdmin naming no services): rows come from notify(), the relay and the
users' own settings; the retry actions call the services.
"""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from apps.core.admin import ServiceAdmin

from . import services
from .models import Delivery, Notification, OutboxEvent, Preference, ReminderSent


class SuperuserOnlyAdmin(ServiceAdmin):
    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser


@admin.register(OutboxEvent)
class OutboxEventAdmin(SuperuserOnlyAdmin):
    list_display = ["id", "name", "status", "recipients", "attempts", "created_at", "relayed_at"]
    list_filter = ["status", "name"]
    search_fields = ["name", "error"]
    readonly_fields = [f.name for f in OutboxEvent._meta.fields]
    actions = ["relay_again"]

    @admin.action(description=_("重新分发所选事件"))
    def relay_again(self, request, queryset):
        count = services.outbox_retry(event_ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(
            request, ngettext("%d 个事件已重新排队。", "%d 个事件已重新排队。", count) % count
        )


@admin.register(Delivery)
class DeliveryAdmin(SuperuserOnlyAdmin):
    list_display = ["id", "event", "recipient", "channel", "status", "attempts", "next_attempt_at"]
    list_filter = ["status", "channel"]
    search_fields = ["address", "error", "event__name"]
    list_select_related = ["event", "recipient"]
    raw_id_fields = ["event", "recipient"]
    readonly_fields = [f.name for f in Delivery._meta.fields]
    actions = ["retry"]

    @admin.action(description=_("重试所选投递"))
    def retry(self, request, queryset):
        count = services.deliveries_retry(delivery_ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(
            request,
            ngettext("%d 条投递已重新排队。", "%d 条投递已重新排队。", count) % count,
            messages.SUCCESS,
        )


@admin.register(Notification)
class NotificationAdmin(SuperuserOnlyAdmin):
    list_display = ["id", "recipient", "title", "created_at", "read_at"]
    list_select_related = ["recipient"]
    raw_id_fields = ["event", "recipient"]
    readonly_fields = [f.name for f in Notification._meta.fields]


@admin.register(Preference)
class PreferenceAdmin(SuperuserOnlyAdmin):
    list_display = ["user", "language"]
    raw_id_fields = ["user"]


@admin.register(ReminderSent)
class ReminderSentAdmin(SuperuserOnlyAdmin):
    list_display = ["reminder", "object_key", "period", "created_at"]
    list_filter = ["reminder"]
    readonly_fields = [f.name for f in ReminderSent._meta.fields]
