"""Admin for projects, pledges and review sessions: every change goes through the services
(history, notifications, points, blind scoring), so these pages are read-only. Scores are
not shown here at all: nobody sees them before a session closes."""

from django.contrib import admin

from apps.core.admin import ReadOnlyInline, ScopedAdmin

from . import services
from .models import (
    Criterion,
    JointRequest,
    JointRequestEvent,
    Juror,
    Milestone,
    Pledge,
    PledgeEvent,
    ProgressReport,
    Project,
    ProjectEvent,
    Result,
    ReviewSession,
    ReviewSessionEvent,
    Signature,
    Target,
    WorkingGroup,
)


class TargetInline(ReadOnlyInline, admin.TabularInline):
    model = Target
    show_change_link = False


class MilestoneInline(ReadOnlyInline, admin.TabularInline):
    model = Milestone
    show_change_link = False


class ReportInline(ReadOnlyInline, admin.TabularInline):
    model = ProgressReport
    show_change_link = False
    fields = readonly_fields = ["created_at", "author", "percent", "text"]


class ProjectEventInline(ReadOnlyInline, admin.TabularInline):
    model = ProjectEvent
    show_change_link = False
    fields = readonly_fields = ["at", "move", "from_status", "to_status", "actor", "note"]


@admin.register(Project)
class ProjectAdmin(ScopedAdmin):
    list_display = ["title", "level", "status", "category", "party_org", "due_on", "percent"]
    list_filter = ["status", "level", "category"]
    search_fields = ["title"]
    list_select_related = ["party_org"]
    inlines = [TargetInline, MilestoneInline, ReportInline, ProjectEventInline]


class PledgeEventInline(ReadOnlyInline, admin.TabularInline):
    model = PledgeEvent
    show_change_link = False
    fields = readonly_fields = ["at", "move", "from_status", "to_status", "actor", "note"]


@admin.register(Pledge)
class PledgeAdmin(ScopedAdmin):
    list_display = ["title", "member", "status", "due_on", "project"]
    list_filter = ["status"]
    list_select_related = ["member", "project"]
    inlines = [PledgeEventInline]


class CriterionInline(ReadOnlyInline, admin.TabularInline):
    model = Criterion
    show_change_link = False


class JurorInline(ReadOnlyInline, admin.TabularInline):
    model = Juror
    show_change_link = False
    fields = readonly_fields = ["user", "kind", "divergent", "divergence"]


class ResultInline(ReadOnlyInline, admin.TabularInline):
    model = Result
    show_change_link = False


class SessionEventInline(ReadOnlyInline, admin.TabularInline):
    model = ReviewSessionEvent
    show_change_link = False
    fields = readonly_fields = ["at", "move", "from_status", "to_status", "actor", "note"]


@admin.register(ReviewSession)
class ReviewSessionAdmin(ScopedAdmin):
    list_display = ["title", "kind", "year", "quarter", "party_org", "status", "method"]
    list_filter = ["status", "kind", "method"]
    list_select_related = ["party_org"]
    exclude = ["projects"]
    inlines = [CriterionInline, JurorInline, ResultInline, SessionEventInline]


class SignatureInline(ReadOnlyInline, admin.TabularInline):
    model = Signature
    show_change_link = False
    fields = readonly_fields = ["resident", "household", "entered_by", "signed_at", "withdrawn_at"]


class JointEventInline(ReadOnlyInline, admin.TabularInline):
    model = JointRequestEvent
    show_change_link = False
    fields = readonly_fields = ["at", "move", "from_status", "to_status", "actor", "note"]


@admin.register(JointRequest)
class JointRequestAdmin(ScopedAdmin):
    list_display = ["topic", "community", "level", "status", "signature_count", "threshold"]
    list_filter = ["status", "level"]
    search_fields = ["topic"]
    list_select_related = ["community"]
    inlines = [SignatureInline, JointEventInline]


@admin.register(WorkingGroup)
class WorkingGroupAdmin(ScopedAdmin):
    """A community's own rules for joint requests (empty: the JOINT_* defaults)."""

    list_display = ["community", "threshold", "one_per_household", "signing_days"]
    list_select_related = ["community"]
    fields = ["community", "threshold", "one_per_household", "signing_days"]
    raw_id_fields = ["community"]
    create_service = services.working_group_configure
    update_service = services.working_group_update
    instance_name = "group"

    def get_readonly_fields(self, request, obj=None):
        return ["community"] if obj else []
