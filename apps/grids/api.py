"""API for responsibility groups, visits, problems, pairings, points and the grid report.

Each action: parse input with a serializer, call one service, render the result.
"""

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api import (
    ReasonInput,
    ScopedModelSerializer,
    ScopedPrimaryKeyRelatedField,
    ScopedViewSetMixin,
    parse,
)
from apps.core.db import on_replica
from apps.core.exports import FORMATS
from apps.core.idempotency import idempotent
from apps.register.models import Area, Household, Member, Resident
from apps.register.selectors import area_visible

from . import reports, selectors, services
from .models import Pairing, Problem, ResponsibilityGroup, Visit

# --- serializers ---------------------------------------------------------------------------


class GroupSerializer(serializers.ModelSerializer):
    members = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    households = serializers.SerializerMethodField()

    class Meta:
        model = ResponsibilityGroup
        fields = ["id", "name", "grid", "leader", "members", "households"]

    def get_households(self, obj) -> list[int]:
        return [c.household_id for c in obj.coverage.all()]


class GroupWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    grid = ScopedPrimaryKeyRelatedField(queryset=Area.objects.all(), required=False)
    leader = ScopedPrimaryKeyRelatedField(queryset=Member.objects.all(), required=False)
    members = ScopedPrimaryKeyRelatedField(queryset=Member.objects.all(), many=True, required=False)
    households = ScopedPrimaryKeyRelatedField(
        queryset=Household.objects.select_related("area"), many=True, required=False
    )


class ProposalSerializer(serializers.Serializer):
    grid = ScopedPrimaryKeyRelatedField(queryset=Area.objects.all())
    groups = serializers.ListField(child=serializers.DictField(), min_length=1)


class VisitSerializer(ScopedModelSerializer):
    class Meta:
        model = Visit
        fields = [
            "id",
            "household",
            "member",
            "group",
            "pairing",
            "visited_at",
            "notes",
            *Visit.FIVE_CLEARS,
        ]


class ProblemInputSerializer(serializers.Serializer):
    # Checked by the service (code "invalid_category"); a plain string keeps the schema free
    # of a "CategoryEnum" that other apps' categories would collide with.
    category = serializers.CharField(max_length=20, help_text="|".join(Problem.Category.values))
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")


class VisitableHouseholdField(serializers.PrimaryKeyRelatedField):
    """A household the requesting user may visit (`selectors.households_visitable`): a group
    member or a paired helper without a role over the area may log visits too. Any other id
    is "does not exist", as for a scoped field."""

    def get_queryset(self):
        request = self.context.get("request")
        if request is None:
            return Household.objects.none()
        return selectors.households_visitable(user=request.user)


class VisitWriteSerializer(serializers.Serializer):
    household = VisitableHouseholdField()
    visited_at = serializers.DateTimeField(required=False)
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    group = ScopedPrimaryKeyRelatedField(
        queryset=ResponsibilityGroup.objects.all(), required=False, allow_null=True
    )
    problems = ProblemInputSerializer(many=True, required=False)
    situation_clear = serializers.BooleanField(required=False, default=False)
    thinking_clear = serializers.BooleanField(required=False, default=False)
    hardship_clear = serializers.BooleanField(required=False, default=False)
    measures_clear = serializers.BooleanField(required=False, default=False)
    done_clear = serializers.BooleanField(required=False, default=False)


class ProblemSerializer(serializers.ModelSerializer):
    # Levels 1–4 (building, grid, community, street) as plain integers, with labels: one
    # choice set on three fields would give the schema three names for one enum.
    status = serializers.CharField(read_only=True)
    category = serializers.CharField(read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    found_level = serializers.IntegerField(read_only=True)
    level = serializers.IntegerField(read_only=True)
    level_label = serializers.CharField(source="get_level_display", read_only=True)
    resolved_level = serializers.IntegerField(read_only=True, allow_null=True)
    overdue = serializers.BooleanField(source="is_overdue", read_only=True)

    class Meta:
        model = Problem
        fields = [
            "id",
            "area",
            "household",
            "visit",
            "category",
            "title",
            "description",
            "status",
            "status_label",
            "found_level",
            "level",
            "level_label",
            "resolved_level",
            "resolution",
            "due_at",
            "resolved_at",
            "overdue",
            "created_at",
        ]
        read_only_fields = fields


class ResolutionInput(serializers.Serializer):
    resolution = serializers.CharField(required=False, allow_blank=True, default="")


class ProblemReportSerializer(ProblemInputSerializer):
    household = ScopedPrimaryKeyRelatedField(
        queryset=Household.objects.select_related("area"), required=False
    )
    area = ScopedPrimaryKeyRelatedField(queryset=Area.objects.all(), required=False)


class PairingSerializer(ScopedModelSerializer):
    class Meta:
        model = Pairing
        fields = ["id", "helper", "resident", "active", "started_on", "ended_on"]
        read_only_fields = ["active", "ended_on"]
        validators = []  # the service gives the "already paired" error its code

    def get_fields(self):
        fields = super().get_fields()
        fields["started_on"].required = False
        return fields


# --- viewsets ------------------------------------------------------------------------------


class GroupViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    queryset = (
        ResponsibilityGroup.objects.select_related("grid")
        .prefetch_related("members", "coverage")
        .order_by("pk")
    )
    serializer_class = GroupSerializer
    scope_actions = {"propose": "view", "accept": "view"}
    http_method_names = ["get", "post", "patch"]

    def create(self, request, *args, **kwargs):
        data = parse(GroupWriteSerializer, request.data, request=request)
        group = services.group_create(
            actor=request.user,
            grid=data.get("grid") or _missing("grid"),
            name=data.get("name", ""),
            leader=data.get("leader") or _missing("leader"),
            members=data.get("members", []),
            households=data.get("households", []),
        )
        return Response(GroupSerializer(group).data, status=201)

    def partial_update(self, request, *args, **kwargs):
        data = parse(GroupWriteSerializer, request.data, request=request)
        group = services.group_update(
            actor=request.user,
            group=self.get_object(),
            name=data.get("name"),
            leader=data.get("leader"),
            members=data.get("members"),
            households=data.get("households"),
        )
        return Response(GroupSerializer(group).data)

    def update(self, request, *args, **kwargs):
        return self.partial_update(request, *args, **kwargs)

    @action(detail=False, methods=["get"])
    def propose(self, request):
        grid = area_visible(request.user, request.query_params.get("grid"))
        proposal = services.group_propose(actor=request.user, grid=grid)
        return Response({"grid": grid.pk, "groups": [p.as_dict() for p in proposal]})

    @action(detail=False, methods=["post"])
    def accept(self, request):
        data = parse(ProposalSerializer, request.data, request=request)
        groups = services.groups_accept(
            actor=request.user, grid=data["grid"], proposals=data["groups"]
        )
        return Response(GroupSerializer(groups, many=True).data, status=201)


class VisitViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    queryset = Visit.objects.order_by("-visited_at", "-pk")
    serializer_class = VisitSerializer

    @idempotent
    def create(self, request, *args, **kwargs):
        data = parse(VisitWriteSerializer, request.data, request=request)
        visit = services.visit_log(
            actor=request.user,
            household=data["household"],
            visited_at=data.get("visited_at") or timezone.now(),
            notes=data["notes"],
            group=data.get("group"),
            five_clears={k: data[k] for k in Visit.FIVE_CLEARS},
            problems=[dict(p) for p in data.get("problems", [])],
        )
        return Response(VisitSerializer(visit).data, status=201)


class ProblemViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    queryset = Problem.objects.select_related("area").order_by("-created_at", "-pk")
    serializer_class = ProblemSerializer
    filterset_fields = ["status", "level", "category"]
    # The finer rule (who may act at which level) is the service's.
    scope_actions = {"start": "view", "escalate": "view", "resolve": "view"}

    @idempotent
    def create(self, request, *args, **kwargs):
        data = parse(ProblemReportSerializer, request.data, request=request)
        problem = services.problem_report(actor=request.user, **data)
        return Response(ProblemSerializer(problem).data, status=201)

    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        problem = services.problem_start(actor=request.user, problem=self.get_object())
        return Response(ProblemSerializer(problem).data)

    @extend_schema(request=ReasonInput, responses=ProblemSerializer)
    @action(detail=True, methods=["post"])
    def escalate(self, request, pk=None):
        reason = parse(ReasonInput, request.data, request=request)["reason"]
        problem = services.problem_escalate(
            actor=request.user, problem=self.get_object(), reason=reason
        )
        return Response(ProblemSerializer(problem).data)

    @extend_schema(request=ResolutionInput, responses=ProblemSerializer)
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        resolution = parse(ResolutionInput, request.data, request=request)["resolution"]
        problem = services.problem_resolve(
            actor=request.user, problem=self.get_object(), resolution=resolution
        )
        return Response(ProblemSerializer(problem).data)


class PairingViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    queryset = Pairing.objects.order_by("-pk")
    serializer_class = PairingSerializer
    filterset_fields = ["active", "helper", "resident"]
    scope_actions = {"end": "change", "unvisited": "view"}

    def create(self, request, *args, **kwargs):
        data = parse(PairingSerializer, request.data, request=request)
        resident = Resident.objects.select_related("household__area").get(pk=data["resident"].pk)
        pairing = services.pairing_create(
            actor=request.user,
            helper=data["helper"],
            resident=resident,
            started_on=data.get("started_on"),
        )
        return Response(PairingSerializer(pairing).data, status=201)

    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        pairing = services.pairing_end(actor=request.user, pairing=self.get_object())
        return Response(PairingSerializer(pairing).data)

    @extend_schema(responses=PairingSerializer(many=True))
    @action(detail=False, methods=["get"])
    def unvisited(self, request):
        qs = selectors.pairings_unvisited(user=request.user)
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(PairingSerializer(page, many=True).data)


class GridReportView(APIView):
    """GET /api/reports/grid/?node=<area id>&from=YYYY-MM-DD&to=YYYY-MM-DD
    [&export=xlsx | &export=csv&table=summary|levels|children|trend|stars]"""

    @extend_schema(
        parameters=[
            OpenApiParameter("node", int, required=True),
            OpenApiParameter("from", str),
            OpenApiParameter("to", str),
            OpenApiParameter("export", str, enum=["xlsx", "csv"]),
            OpenApiParameter(
                "table", str, enum=["summary", "levels", "children", "trend", "stars"]
            ),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    @on_replica
    def get(self, request):
        node = reports.report_node(user=request.user, node_id=request.query_params.get("node"))
        period = reports.parse_period(
            request.query_params.get("from"), request.query_params.get("to")
        )
        report = reports.grid_report(node=node, period=period)
        fmt = request.query_params.get("export")
        if fmt in ("xlsx", "csv"):
            return export_response(report, fmt, request.query_params.get("table"))
        return Response(report)


def export_response(report: dict, fmt: str, table: str | None = None) -> HttpResponse:
    """The report as .xlsx (one sheet per table) or one table as .csv."""
    name = f"grid-report-{report['node']['id']}-{report['from']}-{report['to']}"
    if fmt == "csv":
        table = table or "children"
        body = reports.report_csv(report, table)
        name = f"{name}-{table}"
    else:
        body = reports.report_xlsx(report)
    response = HttpResponse(body, content_type=FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


# --- helpers -------------------------------------------------------------------------------


def _missing(name: str):
    raise serializers.ValidationError({name: [_("该字段是必填项。")]})
