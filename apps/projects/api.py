"""`/api/projects/`, `/api/pledges/`, `/api/review-sessions/` and the public `/api/board/`.
Each action parses its input, calls one service and renders; services raise the errors."""

from datetime import date, timedelta

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.models import User
from apps.accounts.scoping import CHANGE, VIEW, scoped
from apps.core.api import ReasonInput, ScopedViewSetMixin, parse
from apps.core.db import on_replica
from apps.core.errors import InvalidInput
from apps.core.exports import XLSX_TYPE
from apps.core.validators import parse_id
from apps.core.views import get_or_404
from apps.register.models import Area, PartyOrg, Resident

from . import selectors, services, sheets
from .models import (
    Category,
    JointRequest,
    Milestone,
    Pledge,
    Project,
    ReviewSession,
    WorkingGroupMember,
)


def _scoped_pk(user, model, pk, *, field: str, code: str, action: str = VIEW):
    if pk in (None, ""):
        return None
    pk = parse_id(pk)
    found = scoped(user, model, action).filter(pk=pk).first() if pk is not None else None
    if found is None:
        raise InvalidInput(_("找不到所选的记录。"), code=code, errors={field: [code]})
    return found


# --- projects -------------------------------------------------------------------------------


class TargetSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    unit = serializers.CharField()
    target = serializers.DecimalField(max_digits=12, decimal_places=2)
    current = serializers.DecimalField(max_digits=12, decimal_places=2)


class MilestoneSerializer(serializers.ModelSerializer):
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Milestone
        fields = ["id", "title", "due_on", "done_on", "overdue"]

    def get_overdue(self, m: Milestone) -> bool:
        return m.is_overdue(timezone.localdate())


class ReportSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    text = serializers.CharField()
    percent = serializers.IntegerField()
    target_values = serializers.DictField()
    created_at = serializers.DateTimeField()
    author = serializers.CharField()
    photos = serializers.SerializerMethodField()

    def get_photos(self, report) -> list[str]:
        return [p.image.url for p in report.photos.all()]


class ProjectSerializer(serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display")
    party_org_name = serializers.CharField(source="party_org.name")
    area_name = serializers.CharField(source="area.name")
    secretary_name = serializers.CharField(source="secretary.__str__")
    progress = serializers.SerializerMethodField()
    needs_report = serializers.SerializerMethodField()
    moves = serializers.SerializerMethodField()

    class Meta:
        model = Project
        fields = ["id", "level", "title", "category", "status", "status_display", "party_org"]
        fields += ["party_org_name", "secretary", "secretary_name", "area", "area_name", "parent"]
        fields += ["weight", "problem", "goal", "start_on", "due_on", "percent", "progress"]
        fields += ["needs_report", "moves", "approved_at", "completed_at", "created_at"]
        read_only_fields = fields

    def get_progress(self, project) -> int:
        return selectors.progress_of(project)

    def get_needs_report(self, project) -> bool:
        return selectors.needs_report(project, timezone.localdate())

    def get_moves(self, project) -> list[str]:
        return Project.workflow.moves_from(project.status)


class ProjectDetailSerializer(ProjectSerializer):
    targets = TargetSerializer(many=True)
    milestones = MilestoneSerializer(many=True)
    reports = ReportSerializer(many=True)

    class Meta(ProjectSerializer.Meta):
        fields = ProjectSerializer.Meta.fields + ["targets", "milestones", "reports"]
        read_only_fields = fields


class TargetInput(serializers.Serializer):
    name = serializers.CharField(required=False, allow_blank=True)
    unit = serializers.CharField(required=False, allow_blank=True)
    target = serializers.CharField(required=False, allow_blank=True)
    current = serializers.CharField(required=False, allow_blank=True)


class ProjectCreateInput(serializers.Serializer):
    level = serializers.CharField(required=False, allow_blank=True, default="")
    party_org = serializers.IntegerField()
    area = serializers.IntegerField(required=False, allow_null=True)
    parent = serializers.IntegerField(required=False, allow_null=True)
    weight = serializers.CharField(required=False, default="1")
    title = serializers.CharField(required=False, allow_blank=True, default="")
    problem = serializers.CharField(required=False, allow_blank=True, default="")
    goal = serializers.CharField(required=False, allow_blank=True, default="")
    category = serializers.CharField(required=False, allow_blank=True, default="")
    start_on = serializers.CharField(required=False, allow_blank=True, default="")
    due_on = serializers.CharField(required=False, allow_blank=True, default="")
    targets = TargetInput(many=True, required=False, default=list)


class ProjectNoteInput(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class MilestoneInput(serializers.Serializer):
    title = serializers.CharField(required=False, allow_blank=True, default="")
    due_on = serializers.CharField(required=False, allow_blank=True, default="")


class MilestoneDoneInput(serializers.Serializer):
    milestone = serializers.IntegerField()
    done_on = serializers.CharField(required=False, allow_blank=True, default="")


class ReportInput(serializers.Serializer):
    text = serializers.CharField(required=False, allow_blank=True, default="")
    percent = serializers.CharField(required=False, allow_blank=True, default="")
    target_values = serializers.DictField(required=False, default=dict)


PROJECT_MOVES = tuple(Project.workflow.moves)


class ProjectViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Projects in scope; one POST per move (`/api/projects/{id}/approve/` …), milestones
    and progress reports as sub-actions. The services decide who may (403) and when (409)."""

    queryset = Project.objects.select_related(*selectors.PROJECT_RELATED)
    serializer_class = ProjectSerializer
    filterset_fields = ["status", "level", "category", "party_org", "parent"]
    ordering_fields = ["created_at", "due_on"]
    scope_actions = {name: VIEW for name in (*PROJECT_MOVES, "milestones", "reports", "done")}

    def get_queryset(self):
        qs = selectors.with_details(super().get_queryset())
        return qs.order_by("-created_at", "-pk")

    def get_serializer_class(self):
        return ProjectDetailSerializer if self.action == "retrieve" else ProjectSerializer

    def _render(self, project, code=status.HTTP_200_OK):
        project = selectors.with_details(Project.objects.filter(pk=project.pk)).get()
        return Response(ProjectDetailSerializer(project).data, status=code)

    @extend_schema(request=ProjectCreateInput, responses={201: ProjectDetailSerializer})
    def create(self, request, *args, **kwargs):
        data = parse(ProjectCreateInput, request.data)
        user = request.user
        org = _scoped_pk(user, PartyOrg, data["party_org"], field="party_org", code="unknown_org")
        project = services.project_create(
            actor=user,
            level=data["level"],
            party_org=org,
            area=_scoped_pk(user, Area, data.get("area"), field="area", code="unknown_area"),
            parent=_scoped_pk(
                user, Project, data.get("parent"), field="parent", code="unknown_parent"
            ),
            weight=data["weight"],
            title=data["title"],
            problem=data["problem"],
            goal=data["goal"],
            category=data["category"],
            start_on=data["start_on"],
            due_on=data["due_on"],
            targets=data["targets"],
        )
        return self._render(project, status.HTTP_201_CREATED)

    def _move(self, request, move: str):
        note = parse(ProjectNoteInput, request.data)["note"]
        project = services.project_transition(
            actor=request.user, project=self.get_object(), move=move, note=note
        )
        return self._render(project)

    @extend_schema(request=ProjectNoteInput, responses=ProjectDetailSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._move(request, "submit")

    @extend_schema(request=ProjectNoteInput, responses=ProjectDetailSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request, pk=None):
        return self._move(request, "return")

    @extend_schema(request=ProjectNoteInput, responses=ProjectDetailSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._move(request, "approve")

    @extend_schema(request=ProjectNoteInput, responses=ProjectDetailSerializer)
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        return self._move(request, "start")

    @extend_schema(request=ProjectNoteInput, responses=ProjectDetailSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        return self._move(request, "complete")

    @extend_schema(request=ProjectNoteInput, responses=ProjectDetailSerializer)
    @action(detail=True, methods=["post"])
    def suspend(self, request, pk=None):
        return self._move(request, "suspend")

    @extend_schema(request=ProjectNoteInput, responses=ProjectDetailSerializer)
    @action(detail=True, methods=["post"])
    def resume(self, request, pk=None):
        return self._move(request, "resume")

    @extend_schema(request=ProjectNoteInput, responses=ProjectDetailSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._move(request, "cancel")

    @extend_schema(request=MilestoneInput, responses={201: MilestoneSerializer})
    @action(detail=True, methods=["post"])
    def milestones(self, request, pk=None):
        data = parse(MilestoneInput, request.data)
        milestone = services.milestone_add(
            actor=request.user,
            project=self.get_object(),
            title=data["title"],
            due_on=data["due_on"],
        )
        return Response(MilestoneSerializer(milestone).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=MilestoneDoneInput, responses=MilestoneSerializer)
    @action(detail=True, methods=["post"], url_path="milestones/done")
    def done(self, request, pk=None):
        data = parse(MilestoneDoneInput, request.data)
        milestone = get_or_404(self.get_object().milestones.all(), data["milestone"])
        milestone = services.milestone_done(
            actor=request.user, milestone=milestone, done_on=data["done_on"]
        )
        return Response(MilestoneSerializer(milestone).data)

    @extend_schema(request=ReportInput, responses={201: ReportSerializer})
    @action(detail=True, methods=["post"])
    def reports(self, request, pk=None):
        data = parse(ReportInput, request.data)
        report = services.report_add(
            actor=request.user,
            project=self.get_object(),
            text=data["text"],
            percent=data["percent"],
            target_values=data["target_values"],
            photos=request.FILES.getlist("photos"),
        )
        return Response(ReportSerializer(report).data, status=status.HTTP_201_CREATED)


# --- pledges --------------------------------------------------------------------------------


class PledgeSerializer(serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display")
    member_name = serializers.SerializerMethodField()
    comments = serializers.SlugRelatedField(many=True, read_only=True, slug_field="text")

    class Meta:
        model = Pledge
        fields = ["id", "member", "member_name", "area", "project", "title", "content"]
        fields += ["due_on", "status", "status_display", "confirmed_at", "comments", "created_at"]
        read_only_fields = fields

    def get_member_name(self, pledge) -> str:
        http = self.context["request"]
        return selectors.member_display(http.user, pledge, http)


class PledgeInput(serializers.Serializer):
    member = serializers.IntegerField(required=False, allow_null=True)
    project = serializers.IntegerField(required=False, allow_null=True)
    title = serializers.CharField(required=False, allow_blank=True, default="")
    content = serializers.CharField(required=False, allow_blank=True, default="")
    due_on = serializers.CharField(required=False, allow_blank=True, default="")


class PledgeConfirmInput(serializers.Serializer):
    kept = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True, default="")


class CommentInput(serializers.Serializer):
    text = serializers.CharField(required=False, allow_blank=True, default="")


class PledgeViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    queryset = Pledge.objects.select_related("member__user", "member__branch", "area", "project")
    serializer_class = PledgeSerializer
    filterset_fields = ["status", "project", "member"]
    scope_actions = {"confirm": VIEW, "comments": VIEW}

    def get_queryset(self):
        return super().get_queryset().prefetch_related("comments").order_by("-created_at", "-pk")

    def _render(self, pledge, code=status.HTTP_200_OK):
        pledge = self.get_queryset().model.objects.prefetch_related("comments").get(pk=pledge.pk)
        return Response(PledgeSerializer(pledge, context={"request": self.request}).data, code)

    @extend_schema(request=PledgeInput, responses={201: PledgeSerializer})
    def create(self, request, *args, **kwargs):
        data = parse(PledgeInput, request.data)
        from apps.register.models import Member

        member = None
        if data.get("member"):
            member = Member.objects.filter(pk=data["member"]).first()
            if member is None:
                raise InvalidInput(_("找不到该党员。"), code="unknown_member")
        pledge = services.pledge_make(
            actor=request.user,
            member=member,
            project=_scoped_pk(
                request.user, Project, data.get("project"), field="project", code="unknown_project"
            ),
            title=data["title"],
            content=data["content"],
            due_on=data["due_on"],
        )
        return self._render(pledge, status.HTTP_201_CREATED)

    @extend_schema(request=PledgeConfirmInput, responses=PledgeSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        data = parse(PledgeConfirmInput, request.data)
        pledge = services.pledge_confirm(
            actor=request.user, pledge=self.get_object(), kept=data["kept"], note=data["note"]
        )
        return self._render(pledge)

    @extend_schema(request=CommentInput, responses={201: PledgeSerializer})
    @action(detail=True, methods=["post"], permission_classes=[AllowAny])
    def comments(self, request, pk=None):
        # Residents hold no area role: they reach a pledge through the public board.
        if not request.user.is_authenticated:
            from rest_framework.exceptions import NotAuthenticated

            raise NotAuthenticated()
        pledge = get_or_404(Pledge.objects.select_related("area", "member"), pk)
        text = parse(CommentInput, request.data)["text"]
        services.pledge_comment(actor=request.user, pledge=pledge, text=text)
        return self._render(pledge, status.HTTP_201_CREATED)


# --- the public board -----------------------------------------------------------------------


class BoardView(APIView):
    """责任田晾晒: readable without login. `?area=<id>&category=&level=`."""

    permission_classes = [AllowAny]

    @extend_schema(responses=OpenApiTypes.OBJECT)
    @on_replica
    def get(self, request):
        area = get_or_404(Area.objects.all(), request.query_params.get("area"))
        category = request.query_params.get("category", "")
        level = request.query_params.get("level", "")
        if category and category not in Category.values:
            raise InvalidInput(_("请选择有效的类别。"), code="invalid_category")
        if level and level not in Project.Level.values:
            raise InvalidInput(_("请选择有效的层级。"), code="invalid_level")
        found = selectors.board(area=area, category=category, level=level)
        today = timezone.localdate()
        return Response(
            {
                "area": {"id": area.pk, "name": area.name},
                "projects": [selectors.board_project(p, today) for p in found["projects"]],
                "pledges": [selectors.board_pledge(p) for p in found["pledges"]],
                "rankings": [sheets.ranking(s) for s in found["sessions"]],
            }
        )


# --- review sessions ------------------------------------------------------------------------


class SessionSerializer(serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display")
    method_display = serializers.CharField(source="get_method_display")
    criteria = serializers.SerializerMethodField()
    jurors = serializers.SerializerMethodField()
    projects = serializers.SerializerMethodField()

    class Meta:
        model = ReviewSession
        fields = ["id", "title", "kind", "year", "quarter", "party_org", "deadline", "method"]
        fields += ["method_display", "status", "status_display", "criteria", "jurors"]
        fields += ["projects", "closed_at"]
        read_only_fields = fields

    def get_criteria(self, session) -> list[dict]:
        return [{"id": c.pk, "name": c.name, "weight": c.weight} for c in session.criteria.all()]

    def get_jurors(self, session) -> list[dict]:
        return [{"id": j.pk, "kind": j.kind, "user": str(j.user)} for j in session.jurors.all()]

    def get_projects(self, session) -> list[dict]:
        return [{"id": p.pk, "title": p.title} for p in session.projects.all()]


class CriterionInput(serializers.Serializer):
    name = serializers.CharField(required=False, allow_blank=True, default="")
    weight = serializers.CharField(required=False, allow_blank=True, default="")


class SessionCreateInput(serializers.Serializer):
    party_org = serializers.IntegerField()
    title = serializers.CharField(required=False, allow_blank=True, default="")
    kind = serializers.CharField(required=False, default=ReviewSession.Kind.CONTEST)
    method = serializers.CharField(required=False, default=ReviewSession.Method.MEAN)
    year = serializers.CharField(required=False, allow_blank=True, default="")
    quarter = serializers.CharField(required=False, allow_blank=True, default="")
    deadline = serializers.DateTimeField()
    criteria = CriterionInput(many=True, required=False, allow_null=True, default=None)
    projects = serializers.ListField(
        child=serializers.IntegerField(), required=False, allow_null=True, default=None
    )


class CriteriaInput(serializers.Serializer):
    criteria = CriterionInput(many=True)


class JurorInput(serializers.Serializer):
    user = serializers.IntegerField()
    kind = serializers.CharField(required=False, allow_blank=True, default="")


class ScoreInput(serializers.Serializer):
    project = serializers.IntegerField()
    scores = serializers.DictField(child=serializers.CharField(allow_blank=True))


class ConflictInput(serializers.Serializer):
    project = serializers.IntegerField()
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class SessionViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Organisers see the sessions under their node, jurors the ones they sit on. Totals
    exist only after close (`results`, 409 before); a juror reads only `my-scores`."""

    queryset = ReviewSession.objects.select_related("party_org", "organiser")
    serializer_class = SessionSerializer
    scope_actions = {
        **dict.fromkeys(("criteria", "jurors", "open", "close"), VIEW),
        **dict.fromkeys(("score", "conflicts", "results", "my_scores"), VIEW),
        "export": CHANGE,  # per-juror scores: organisers only
    }

    def get_queryset(self):
        qs = super().get_queryset().prefetch_related("criteria", "jurors__user", "projects")
        return qs.distinct().order_by("-year", "-quarter", "-pk")

    def _render(self, session, code=status.HTTP_200_OK):
        session = (
            self.get_queryset()
            .model.objects.prefetch_related("criteria", "jurors__user", "projects")
            .get(pk=session.pk)
        )
        return Response(SessionSerializer(session).data, status=code)

    @extend_schema(request=SessionCreateInput, responses={201: SessionSerializer})
    def create(self, request, *args, **kwargs):
        data = parse(SessionCreateInput, request.data)
        user = request.user
        org = _scoped_pk(user, PartyOrg, data["party_org"], field="party_org", code="unknown_org")
        projects = None
        if data["projects"] is not None:
            projects = [
                _scoped_pk(user, Project, pk, field="projects", code="unknown_project")
                for pk in data["projects"]
            ]
        session = services.session_create(
            actor=user,
            party_org=org,
            title=data["title"],
            kind=data["kind"],
            method=data["method"],
            year=data["year"],
            quarter=data["quarter"],
            deadline=data["deadline"],
            criteria=data["criteria"],
            projects=projects,
        )
        return self._render(session, status.HTTP_201_CREATED)

    @extend_schema(request=CriteriaInput, responses=SessionSerializer)
    @action(detail=True, methods=["post"])
    def criteria(self, request, pk=None):
        data = parse(CriteriaInput, request.data)
        session = services.session_criteria_set(
            actor=request.user, session=self.get_object(), criteria=data["criteria"]
        )
        return self._render(session)

    @extend_schema(request=JurorInput, responses={201: SessionSerializer})
    @action(detail=True, methods=["post"])
    def jurors(self, request, pk=None):
        data = parse(JurorInput, request.data)
        session = self.get_object()
        user = User.objects.filter(pk=data["user"], is_active=True).first()
        services.juror_add(actor=request.user, session=session, user=user, kind=data["kind"])
        return self._render(session, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=SessionSerializer)
    @action(detail=True, methods=["post"])
    def open(self, request, pk=None):
        session = services.session_open(actor=request.user, session=self.get_object())
        return self._render(session)

    @extend_schema(request=None, responses=SessionSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        session = services.session_close(actor=request.user, session=self.get_object())
        return self._render(session)

    @extend_schema(request=ScoreInput, responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["post"])
    def score(self, request, pk=None):
        data = parse(ScoreInput, request.data)
        session = self.get_object()
        services.score_set(
            actor=request.user, session=session, project_id=data["project"], scores=data["scores"]
        )
        mine = selectors.own_scores(user=request.user, session=session)
        return Response({"project": data["project"], "scores": mine.get(data["project"], {})})

    @extend_schema(request=ConflictInput, responses={201: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["post"])
    def conflicts(self, request, pk=None):
        data = parse(ConflictInput, request.data)
        conflict = services.conflict_declare(
            actor=request.user,
            session=self.get_object(),
            project_id=data["project"],
            reason=data["reason"],
        )
        return Response({"project": conflict.project_id}, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["get"], url_path="my-scores")
    def my_scores(self, request, pk=None):
        session = self.get_object()
        services.juror_seat(request.user, session)
        return Response({"scores": selectors.own_scores(user=request.user, session=session)})

    @extend_schema(request=None, responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["get"])
    def results(self, request, pk=None):
        return Response(sheets.ranking(self.get_object()))

    @extend_schema(request=None, responses={(200, XLSX_TYPE): bytes})
    @action(detail=True, methods=["get"])
    def export(self, request, pk=None):
        session = self.get_object()
        response = HttpResponse(sheets.result_xlsx(session), content_type=XLSX_TYPE)
        filename = f"session-{session.pk}-results.xlsx"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


# --- joint requests (双向约谈 / 点题) ---------------------------------------------------------


class JointRequestSerializer(serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display")
    level_display = serializers.CharField(source="get_level_display")
    community_name = serializers.CharField(source="community.name")
    opener_name = serializers.SerializerMethodField()
    assignee_name = serializers.SerializerMethodField()
    progress = serializers.SerializerMethodField()
    rating_mean = serializers.SerializerMethodField()
    signed = serializers.SerializerMethodField()
    photos = serializers.SerializerMethodField()
    moves = serializers.SerializerMethodField()

    class Meta:
        model = JointRequest
        fields = ["id", "topic", "description", "level", "level_display", "department"]
        fields += ["status", "status_display", "community", "community_name", "opener_name"]
        fields += ["threshold", "signature_count", "progress", "signing_until", "reached_at"]
        fields += ["assignee", "assignee_name", "reply_due", "reply_text", "meeting_at"]
        fields += ["meeting_place", "replied_at", "round", "rating_mean", "decline_reason"]
        fields += ["project", "signed", "photos", "moves", "created_at"]
        read_only_fields = fields

    def get_opener_name(self, request) -> str:
        http = self.context["request"]
        return selectors.joint_opener_display(request, http.user, http)

    def get_assignee_name(self, request) -> str:
        return str(request.assignee) if request.assignee_id else ""

    def get_progress(self, request) -> int:
        return selectors.joint_progress(request)

    def get_rating_mean(self, request) -> float | None:
        return selectors.joint_rating_mean(request)

    def get_signed(self, request) -> bool:
        return selectors.joint_signed_by(request, self.context["request"].user)

    def get_photos(self, request) -> list[str]:
        return [p.image.url for p in request.photos.all()]

    def get_moves(self, request) -> list[str]:
        return JointRequest.workflow.moves_from(request.status)


class JointSignatureSerializer(serializers.Serializer):
    name = serializers.CharField()
    signed_at = serializers.DateTimeField()
    entered = serializers.BooleanField()
    entered_by = serializers.CharField()


class JointRequestDetailSerializer(JointRequestSerializer):
    signatures = serializers.SerializerMethodField()

    class Meta(JointRequestSerializer.Meta):
        fields = JointRequestSerializer.Meta.fields + ["signatures"]
        read_only_fields = fields

    @extend_schema_field(JointSignatureSerializer(many=True))
    def get_signatures(self, request) -> list[dict]:
        http = self.context["request"]
        return selectors.joint_signature_names(request, http.user, http)


class JointOpenInput(serializers.Serializer):
    topic = serializers.CharField(required=False, allow_blank=True, default="")
    level = serializers.CharField(required=False, allow_blank=True, default="")
    description = serializers.CharField(required=False, allow_blank=True, default="")
    department = serializers.CharField(required=False, allow_blank=True, default="")
    resident = serializers.IntegerField(required=False, allow_null=True)


class JointResidentInput(serializers.Serializer):
    resident = serializers.IntegerField(required=False, allow_null=True)


class JointAcceptInput(serializers.Serializer):
    assignee = serializers.IntegerField()
    reply_due = serializers.CharField(required=False, allow_blank=True, default="")
    note = serializers.CharField(required=False, allow_blank=True, default="")


class JointReplyInput(serializers.Serializer):
    text = serializers.CharField(required=False, allow_blank=True, default="")
    meeting_at = serializers.CharField(required=False, allow_blank=True, default="")
    meeting_place = serializers.CharField(required=False, allow_blank=True, default="")


class JointRateInput(serializers.Serializer):
    stars = serializers.CharField(required=False, allow_blank=True, default="")
    comment = serializers.CharField(required=False, allow_blank=True, default="")
    resident = serializers.IntegerField(required=False, allow_null=True)


class JointReopenInput(serializers.Serializer):
    reply_due = serializers.CharField(required=False, allow_blank=True, default="")
    note = serializers.CharField(required=False, allow_blank=True, default="")


class JointAdoptInput(serializers.Serializer):
    goal = serializers.CharField(required=False, allow_blank=True, default="")
    category = serializers.CharField(required=False, allow_blank=True, default="")
    due_on = serializers.CharField(required=False, allow_blank=True, default="")
    party_org = serializers.IntegerField(required=False, allow_null=True)


class JointAdoptOutput(serializers.Serializer):
    request = serializers.IntegerField()
    project = serializers.IntegerField()


def _resident(user, pk):
    return _scoped_pk(user, Resident, pk, field="resident", code="unknown_resident")


class JointRequestViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Joint requests (双向约谈 / 点题) the user may read (`selectors.joint_requests_visible_to`:
    the scoping rule, plus a resident's own community). One POST per step; the services
    decide who may (403) and when (409)."""

    queryset = JointRequest.objects.all()
    serializer_class = JointRequestSerializer
    filterset_fields = ["status", "level", "community"]
    ordering_fields = ["created_at", "signature_count"]
    lookup_value_regex = "[0-9]+"

    def get_queryset(self):
        qs = selectors.joint_requests_visible_to(user=self.request.user)
        return qs.prefetch_related("photos").order_by("-created_at", "-pk")

    def get_serializer_class(self):
        if self.action == "retrieve":
            return JointRequestDetailSerializer
        return JointRequestSerializer

    def _render(self, request, code=status.HTTP_200_OK, *, fresh=False):
        """The request as committed (read again), or as it is in memory when `fresh`: a
        service that read back what it changed (signing) spares the query."""
        if not fresh:
            request = JointRequest.objects.select_related(*selectors.JOINT_RELATED).get(
                pk=request.pk
            )
        data = JointRequestDetailSerializer(request, context={"request": self.request}).data
        return Response(data, status=code)

    @extend_schema(request=JointOpenInput, responses={201: JointRequestDetailSerializer})
    def create(self, request, *args, **kwargs):
        data = parse(JointOpenInput, request.data)
        joint = services.joint_open(
            actor=request.user,
            resident=_resident(request.user, data.get("resident")),
            topic=data["topic"],
            level=data["level"],
            description=data["description"],
            department=data["department"],
            photos=request.FILES.getlist("photos"),
        )
        return self._render(joint, status.HTTP_201_CREATED)

    def _public(self) -> JointRequest:
        # Requests are public on the board: signing one of another community is the
        # service's clear `not_same_community`, not a 404.
        qs = JointRequest.objects.select_related(*selectors.JOINT_RELATED)
        return get_or_404(qs, self.kwargs["pk"])

    @extend_schema(request=JointResidentInput, responses={201: JointRequestDetailSerializer})
    @action(detail=True, methods=["post"])
    def sign(self, request, pk=None):
        data = parse(JointResidentInput, request.data)
        joint = self._public()
        resident = _resident(request.user, data.get("resident"))
        services.joint_sign(actor=request.user, request=joint, resident=resident)
        return self._render(joint, status.HTTP_201_CREATED, fresh=True)

    @extend_schema(request=JointResidentInput, responses=JointRequestDetailSerializer)
    @action(detail=True, methods=["post"])
    def unsign(self, request, pk=None):
        data = parse(JointResidentInput, request.data)
        joint = self.get_object()
        resident = _resident(request.user, data.get("resident"))
        services.joint_unsign(actor=request.user, request=joint, resident=resident)
        return self._render(joint)

    @extend_schema(request=JointAcceptInput, responses=JointRequestDetailSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        data = parse(JointAcceptInput, request.data)
        joint = self.get_object()
        services.joint_accept(
            actor=request.user,
            request=joint,
            assignee=User.objects.filter(pk=data["assignee"], is_active=True).first(),
            reply_due=data["reply_due"],
            note=data["note"],
        )
        return self._render(joint)

    @extend_schema(request=ReasonInput, responses=JointRequestDetailSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        reason = parse(ReasonInput, request.data)["reason"]
        joint = self.get_object()
        services.joint_decline(actor=request.user, request=joint, reason=reason)
        return self._render(joint)

    @extend_schema(request=JointReplyInput, responses=JointRequestDetailSerializer)
    @action(detail=True, methods=["post"])
    def reply(self, request, pk=None):
        data = parse(JointReplyInput, request.data)
        joint = self.get_object()
        services.joint_reply(actor=request.user, request=joint, **data)
        return self._render(joint)

    @extend_schema(request=JointRateInput, responses={201: JointRequestDetailSerializer})
    @action(detail=True, methods=["post"])
    def rate(self, request, pk=None):
        data = parse(JointRateInput, request.data)
        joint = self.get_object()
        services.joint_rate(
            actor=request.user,
            request=joint,
            stars=data["stars"],
            comment=data["comment"],
            resident=_resident(request.user, data.get("resident")),
        )
        return self._render(joint, status.HTTP_201_CREATED)

    @extend_schema(request=JointReopenInput, responses=JointRequestDetailSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        data = parse(JointReopenInput, request.data)
        joint = self.get_object()
        services.joint_reopen(actor=request.user, request=joint, **data)
        return self._render(joint)

    @extend_schema(request=ProjectNoteInput, responses=JointRequestDetailSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        note = parse(ProjectNoteInput, request.data)["note"]
        joint = self.get_object()
        services.joint_close(actor=request.user, request=joint, note=note)
        return self._render(joint)

    @extend_schema(request=JointAdoptInput, responses={201: JointAdoptOutput})
    @action(detail=True, methods=["post"])
    def adopt(self, request, pk=None):
        data = parse(JointAdoptInput, request.data)
        joint = self.get_object()
        org = _scoped_pk(
            request.user, PartyOrg, data.get("party_org"), field="party_org", code="unknown_org"
        )
        project = services.joint_adopt(
            actor=request.user,
            request=joint,
            party_org=org,
            goal=data["goal"],
            category=data["category"],
            due_on=data["due_on"],
        )
        return Response({"request": joint.pk, "project": project.pk}, status.HTTP_201_CREATED)


def _date_param(params, name: str, default):
    value = params.get(name)
    if not value:
        return default
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(_("请填写正确的日期。"), code="invalid_date") from None


class JointBoardView(APIView):
    """The community's request board, readable without login: open requests with their
    signature counts and progress (masked names), and statistics for a date range.
    `?community=<id>&start=YYYY-MM-DD&end=YYYY-MM-DD` (default: the last 365 days)."""

    permission_classes = [AllowAny]

    @extend_schema(responses=OpenApiTypes.OBJECT)
    @on_replica
    def get(self, request):
        params = request.query_params
        community = get_or_404(
            Area.objects.filter(kind=Area.Kind.COMMUNITY), params.get("community")
        )
        end = _date_param(params, "end", timezone.localdate())
        start = _date_param(params, "start", end - timedelta(days=365))
        if start > end:
            raise InvalidInput(_("开始日期不能晚于结束日期。"), code="invalid_range")
        requests = selectors.joint_board(community=community)
        return Response(
            {
                "community": {"id": community.pk, "name": community.name},
                "requests": [selectors.joint_board_row(r) for r in requests],
                "stats": selectors.joint_stats(community=community, start=start, end=end),
            }
        )


class WorkingGroupMemberSerializer(serializers.ModelSerializer):
    community = serializers.IntegerField(source="group.community_id")
    community_name = serializers.CharField(source="group.community.name")
    user_name = serializers.CharField(source="user.__str__")

    class Meta:
        model = WorkingGroupMember
        fields = ["id", "community", "community_name", "user", "user_name", "created_at"]
        read_only_fields = fields


class WorkingGroupMemberInput(serializers.Serializer):
    community = serializers.IntegerField()
    user = serializers.IntegerField()


class WorkingGroupMemberViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """The members a community's secretary names to its joint-request working group
    (secretaries over the community belong to it without a row)."""

    queryset = WorkingGroupMember.objects.select_related("group__community", "user").order_by(
        "group__community__path", "pk"
    )
    serializer_class = WorkingGroupMemberSerializer
    filterset_fields = ["group__community"]

    @extend_schema(request=WorkingGroupMemberInput, responses={201: WorkingGroupMemberSerializer})
    def create(self, request, *args, **kwargs):
        data = parse(WorkingGroupMemberInput, request.data)
        community = _scoped_pk(
            request.user, Area, data["community"], field="community", code="unknown_community"
        )
        user = User.objects.filter(pk=data["user"], is_active=True).first()
        if user is None:
            raise InvalidInput(
                _("找不到该用户。"), code="unknown_user", errors={"user": ["unknown_user"]}
            )
        seat = services.working_group_name(actor=request.user, community=community, user=user)
        return Response(WorkingGroupMemberSerializer(seat).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        services.working_group_remove(actor=self.request.user, seat=instance)
