"""Admin for volunteering: standard posts are reference data (read-only, from the data
migration); everything else moves only through the services (capacities, history, points),
so it is read-only here."""

from django.contrib import admin

from apps.core.admin import ReadOnlyInline, ScopedAdmin, ServiceAdmin

from .models import (
    Activity,
    Need,
    Occurrence,
    Post,
    RegistrationEvent,
    ServiceRecord,
    ServiceRecordEvent,
    SignUp,
    StandardPost,
    Team,
    VolunteerRegistration,
)


@admin.register(StandardPost)
class StandardPostAdmin(ServiceAdmin):
    """Reference data from the data migration: no service, so read-only."""

    list_display = ["name", "category", "order"]
    list_filter = ["category"]


@admin.register(Post)
class PostAdmin(ScopedAdmin):
    list_display = ["name", "community", "category", "capacity", "filled", "enabled"]
    list_filter = ["category", "enabled"]
    list_select_related = ["community"]


class RegistrationEventInline(ReadOnlyInline, admin.TabularInline):
    model = RegistrationEvent
    fields = readonly_fields = ["at", "from_status", "to_status", "actor", "note"]


@admin.register(VolunteerRegistration)
class RegistrationAdmin(ScopedAdmin):
    list_display = ["member", "community", "status", "volunteer_number", "created_at"]
    list_filter = ["status"]
    list_select_related = ["member", "community"]
    inlines = [RegistrationEventInline]


@admin.register(Team)
class TeamAdmin(ScopedAdmin):
    list_display = ["name", "specialty", "community", "leader"]
    list_select_related = ["community", "leader"]


@admin.register(Activity)
class ActivityAdmin(ScopedAdmin):
    list_display = ["title", "community", "weekly", "organiser"]
    list_select_related = ["community", "organiser"]


@admin.register(Occurrence)
class OccurrenceAdmin(ScopedAdmin):
    list_display = ["activity", "starts_at", "capacity", "taken", "status"]
    list_filter = ["status"]
    list_select_related = ["activity"]


@admin.register(SignUp)
class SignUpAdmin(ScopedAdmin):
    list_display = ["occurrence", "member", "status", "arrival"]
    list_filter = ["status"]
    list_select_related = ["occurrence__activity", "member"]


class RecordEventInline(ReadOnlyInline, admin.TabularInline):
    model = ServiceRecordEvent
    fields = readonly_fields = ["at", "move", "from_status", "to_status", "actor", "note"]


@admin.register(ServiceRecord)
class ServiceRecordAdmin(ScopedAdmin):
    list_display = ["member", "occurrence", "hours", "status", "served_on"]
    list_filter = ["status"]
    list_select_related = ["member", "occurrence__activity"]
    inlines = [RecordEventInline]


@admin.register(Need)
class NeedAdmin(ScopedAdmin):
    list_display = ["title", "area", "status", "volunteer", "wanted_at", "rating"]
    list_filter = ["status"]
    list_select_related = ["area", "volunteer"]
