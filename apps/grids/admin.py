"""Admin for field work, scoped to the staff user's subtree (ScopedAdmin) and writing through
the same services as the API (apps.grids.services): group sizes, the pairing limit and
points for visits hold whichever door a change comes through."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from apps.accounts.scoping import VIEW, scoped
from apps.core.admin import ReadOnlyInline, ScopedAdmin
from apps.register.models import Household, Member

from . import services
from .models import (
    GroupHousehold,
    GroupMembership,
    Pairing,
    Problem,
    ProblemEvent,
    ResponsibilityGroup,
    Visit,
)


class MembershipInline(ReadOnlyInline, admin.TabularInline):
    model = GroupMembership
    fields = readonly_fields = ["member"]


class CoverageInline(ReadOnlyInline, admin.TabularInline):
    model = GroupHousehold
    fields = readonly_fields = ["household"]


class ResponsibilityGroupForm(forms.ModelForm):
    """Members and households are edited here and saved by group_create/group_update, which
    check the 3–5 size rule, the community and the households' grid."""

    user = None  # bound by ServiceAdmin.get_form

    members = forms.ModelMultipleChoiceField(
        label=_("组员"), queryset=Member.objects.none(), required=False
    )
    households = forms.ModelMultipleChoiceField(
        label=_("包片户"), queryset=Household.objects.none(), required=False
    )

    class Meta:
        model = ResponsibilityGroup
        fields = ["name", "grid", "leader"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = scoped(self.user, Member, VIEW)
        self.fields["households"].queryset = scoped(self.user, Household, VIEW).select_related(
            "area"
        )
        if self.instance.pk:
            self.initial["members"] = list(self.instance.members.values_list("pk", flat=True))
            self.initial["households"] = list(
                Household.objects.filter(group_coverage__group=self.instance).values_list(
                    "pk", flat=True
                )
            )


@admin.register(ResponsibilityGroup)
class ResponsibilityGroupAdmin(ScopedAdmin):
    form = ResponsibilityGroupForm
    list_display = ["name", "grid", "leader"]
    raw_id_fields = ["grid", "leader"]
    inlines = [MembershipInline, CoverageInline]
    search_fields = ["name"]
    create_service = services.group_create
    update_service = services.group_update
    instance_name = "group"  # no delete service: visits point at groups

    def get_readonly_fields(self, request, obj=None):
        return ["grid"] if obj is not None else []

    def service_data(self, request, form, change) -> dict:
        data = super().service_data(request, form, change)
        for name in ("members", "households"):
            if name in data:
                data[name] = list(data[name])
        return data


@admin.register(Visit)
class VisitAdmin(ScopedAdmin):
    """Added through visit_log (the visitor is the acting member; points are awarded);
    a logged visit is history, so it is read-only."""

    list_display = ["household", "member", "group", "visited_at"]
    fields = ["household", "group", "visited_at", "notes", *Visit.FIVE_CLEARS]
    fields += ["member", "pairing", "created_by"]
    readonly_fields = ["member", "pairing", "created_by"]
    raw_id_fields = ["household", "group"]
    date_hierarchy = "visited_at"
    create_service = services.visit_log

    def service_data(self, request, form, change) -> dict:
        data = super().service_data(request, form, change)
        data["five_clears"] = {name: data.pop(name, False) for name in Visit.FIVE_CLEARS}
        return data


class ProblemEventInline(ReadOnlyInline, admin.TabularInline):
    model = ProblemEvent
    show_change_link = False
    fields = ["move", "from_status", "to_status", "note", "actor", "at"]
    readonly_fields = fields


@admin.register(Problem)
class ProblemAdmin(ScopedAdmin):
    """Reported through problem_report; status and level move only through the services
    (the "start" action here; escalate and resolve on the site, which ask for a reason)."""

    list_display = ["title", "category", "status", "level", "resolved_level", "due_at"]
    list_filter = ["status", "level", "category"]
    fields = ["household", "area", "category", "title", "description", "visit", "reporter"]
    fields += ["status", "found_level", "level", "resolved_level", "resolution", "due_at"]
    fields += ["resolved_at"]
    raw_id_fields = ["area", "household"]
    readonly_fields = ["visit", "reporter", "status", "found_level", "level", "resolved_level"]
    readonly_fields += ["resolution", "due_at", "resolved_at"]
    inlines = [ProblemEventInline]
    actions = ["start"]
    create_service = services.problem_report

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if "area" in form.base_fields:  # problem_report takes the household's building
            form.base_fields["area"].required = False
        return form

    @admin.action(description=_("开始办理所选问题"))
    def start(self, request, queryset):
        self.run_service(
            request,
            queryset,
            lambda problem: services.problem_start(actor=request.user, problem=problem),
            _("%(count)d 个问题已开始办理。"),
        )


@admin.register(Pairing)
class PairingAdmin(ScopedAdmin):
    """Added through pairing_create (vulnerable residents only, at most five per helper);
    ended through pairing_end (the "end" action); otherwise read-only history."""

    list_display = ["helper", "resident", "active", "started_on"]
    list_filter = ["active"]
    fields = ["helper", "resident", "started_on", "active", "ended_on"]
    readonly_fields = ["active", "ended_on"]
    raw_id_fields = ["helper", "resident"]
    actions = ["end"]
    create_service = services.pairing_create

    @admin.action(description=_("结束所选结对"))
    def end(self, request, queryset):
        self.run_service(
            request,
            queryset,
            lambda pairing: services.pairing_end(actor=request.user, pairing=pairing),
            _("%(count)d 个结对已结束。"),
        )
