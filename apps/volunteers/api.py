"""`/api/volunteer-*`: posts, registrations, the proposal, teams, activities, occurrences,
sign-ups and service records. Each action parses its input, calls one service and renders;
every lookup is scoped (out of scope = 404); the services decide who may move what."""

from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.scoping import scoped
from apps.core.api import ScopedViewSetMixin, parse
from apps.core.errors import InvalidInput, NotFound
from apps.core.history import note_access
from apps.core.validators import parse_id
from apps.register.models import Area, Member

from . import selectors, services
from .certificates import PDFRenderer, certificate_pdf, pdf_response
from .models import (
    Activity,
    Certificate,
    Need,
    Occurrence,
    Post,
    ServiceRecord,
    SignUp,
    StandardPost,
    Team,
    VolunteerRegistration,
)


def _in_scope(user, model, pk, *, field: str, code: str, queryset=None):
    """A referenced row the user may see, or a 400 naming the field (never a 500)."""
    rows = scoped(user, queryset if queryset is not None else model)
    pk = parse_id(pk)
    obj = rows.filter(pk=pk).first() if pk is not None else None
    if obj is None:
        message = _("找不到所选的对象。")
        raise InvalidInput(message, code=code, errors={field: [message]})
    return obj


def _community(user, pk) -> Area:
    """A community by id. Not scoped: the services answer 403 to whoever may not act there
    (areas are not personal data)."""
    pk = parse_id(pk)
    community = (
        Area.objects.filter(pk=pk, kind=Area.Kind.COMMUNITY).first() if pk is not None else None
    )
    if community is None:
        message = _("找不到该社区。")
        raise InvalidInput(message, code="unknown_community", errors={"community": [message]})
    return community


# --- serializers ----------------------------------------------------------------------------


class VolunteerPostSerializer(serializers.ModelSerializer):
    class Meta:
        model = Post
        fields = ["id", "community", "standard", "name", "category", "description", "schedule"]
        fields += ["place", "capacity", "filled", "skills", "enabled"]
        read_only_fields = fields


class NamesMemberMixin:
    """A serializer that shows a party member's (or resident's) name in full: each object
    shown is a personal-data access. `named` maps an output field to the person's attribute."""

    named: dict = {}

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        for key, attr in self.named.items():
            person = getattr(instance, attr, None)
            if data.get(key) and person is not None:
                note_access(request, person, ["name"])
        return data


class VolunteerRegistrationSerializer(NamesMemberMixin, serializers.ModelSerializer):
    named = {"member_name": "member"}
    member_name = serializers.CharField(source="member.name")
    status_display = serializers.CharField(source="get_status_display")
    post = serializers.SerializerMethodField()

    class Meta:
        model = VolunteerRegistration
        fields = ["id", "member", "member_name", "community", "skills", "available_times"]
        fields += ["choice_1", "choice_2", "choice_3", "status", "status_display"]
        fields += ["volunteer_number", "post", "created_at"]
        read_only_fields = fields

    def get_post(self, registration) -> int | None:
        active = [a for a in registration.assignments.all() if a.status == "active"]
        return active[0].post_id if active else None


class VolunteerTeamSerializer(serializers.ModelSerializer):
    class Meta:
        model = Team
        fields = ["id", "community", "name", "specialty", "leader", "members"]
        read_only_fields = fields


class VolunteerOccurrenceSerializer(serializers.ModelSerializer):
    title = serializers.CharField(source="activity.title")
    place = serializers.CharField(source="activity.place")

    class Meta:
        model = Occurrence
        fields = ["id", "activity", "title", "place", "starts_at", "ends_at", "capacity"]
        fields += ["taken", "status", "cancel_reason"]
        read_only_fields = fields


class VolunteerActivitySerializer(serializers.ModelSerializer):
    occurrences = VolunteerOccurrenceSerializer(many=True, read_only=True)

    class Meta:
        model = Activity
        fields = ["id", "community", "title", "post", "team", "place", "description", "weekly"]
        fields += ["occurrences"]
        read_only_fields = fields


class VolunteerSignUpSerializer(serializers.ModelSerializer):
    class Meta:
        model = SignUp
        fields = ["id", "occurrence", "member", "status", "arrival", "created_at"]
        read_only_fields = fields


class VolunteerRecordSerializer(serializers.ModelSerializer):
    class Meta:
        model = ServiceRecord
        fields = ["id", "member", "occurrence", "hours", "served_on", "status", "checked_in_at"]
        fields += ["confirmed_at"]
        read_only_fields = fields


# Input serializers only parse types; the services decide what is valid.
class VolunteerPostInput(serializers.Serializer):
    community = serializers.IntegerField()
    standard = serializers.IntegerField(required=False, allow_null=True)
    name = serializers.CharField(required=False, allow_blank=True, default="")
    capacity = serializers.IntegerField(required=False, default=10)
    schedule = serializers.CharField(required=False, allow_blank=True, default="")
    place = serializers.CharField(required=False, allow_blank=True, default="")
    description = serializers.CharField(required=False, allow_blank=True, default="")
    skills = serializers.ListField(child=serializers.CharField(), required=False, default=list)


class VolunteerPostUpdateInput(serializers.Serializer):
    capacity = serializers.IntegerField(required=False)
    schedule = serializers.CharField(required=False, allow_blank=True)
    place = serializers.CharField(required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True)
    enabled = serializers.BooleanField(required=False)
    skills = serializers.ListField(child=serializers.CharField(), required=False)


class VolunteerRegistrationInput(serializers.Serializer):
    community = serializers.IntegerField()
    choices = serializers.ListField(child=serializers.IntegerField(), max_length=3)
    skills = serializers.ListField(child=serializers.CharField(), required=False, default=list)
    available_times = serializers.CharField(required=False, allow_blank=True, default="")


class VolunteerPostChoiceInput(serializers.Serializer):
    post = serializers.IntegerField(required=False, allow_null=True)


class VolunteerReasonInput(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class VolunteerTeamInput(serializers.Serializer):
    community = serializers.IntegerField()
    name = serializers.CharField(required=False, allow_blank=True, default="")
    specialty = serializers.CharField(required=False, allow_blank=True, default="")
    leader = serializers.IntegerField(required=False, allow_null=True)
    members = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)


class VolunteerActivityInput(serializers.Serializer):
    community = serializers.IntegerField()
    title = serializers.CharField(required=False, allow_blank=True, default="")
    place = serializers.CharField(required=False, allow_blank=True, default="")
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    capacity = serializers.IntegerField()
    weeks = serializers.IntegerField(required=False, default=1)
    post = serializers.IntegerField(required=False, allow_null=True)
    team = serializers.IntegerField(required=False, allow_null=True)
    description = serializers.CharField(required=False, allow_blank=True, default="")


class VolunteerTokenInput(serializers.Serializer):
    token = serializers.CharField(required=False, allow_blank=True, default="")


class VolunteerMemberInput(serializers.Serializer):
    member = serializers.IntegerField()


class VolunteerAmendInput(serializers.Serializer):
    hours = serializers.CharField()
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class VolunteerLinesInput(serializers.Serializer):
    community = serializers.IntegerField()
    lines = serializers.ListField(
        child=serializers.ListField(
            child=serializers.IntegerField(allow_null=True), min_length=2, max_length=2
        )
    )


# --- viewsets -------------------------------------------------------------------------------


class _Base(ScopedViewSetMixin, viewsets.GenericViewSet):
    filter_backends: list = []

    def _render(self, obj, code=status.HTTP_200_OK, serializer=None) -> Response:
        serializer = serializer or self.get_serializer_class()
        return Response(serializer(obj, context={"request": self.request}).data, status=code)


class PostViewSet(_Base, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    queryset = Post.objects.select_related("community").order_by("pk")
    serializer_class = VolunteerPostSerializer

    @extend_schema(request=VolunteerPostInput, responses={201: VolunteerPostSerializer})
    def create(self, request):
        data = parse(VolunteerPostInput, request.data)
        community = _community(request.user, data.pop("community"))
        standard = data.pop("standard", None)
        if standard is not None:
            standard = StandardPost.objects.filter(pk=standard).first()
            if standard is None:
                raise InvalidInput(_("找不到该标准岗位。"), code="unknown_standard_post")
        post = services.post_enable(
            actor=request.user, community=community, standard=standard, **data
        )
        return self._render(post, status.HTTP_201_CREATED)

    @extend_schema(request=VolunteerPostUpdateInput, responses=VolunteerPostSerializer)
    def partial_update(self, request, pk=None):
        data = parse(VolunteerPostUpdateInput, request.data)
        return self._render(
            services.post_update(actor=request.user, post=self.get_object(), **data)
        )


class RegistrationViewSet(_Base, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    queryset = (
        VolunteerRegistration.objects.select_related("member", "community")
        .prefetch_related("assignments")
        .order_by("pk")
    )
    serializer_class = VolunteerRegistrationSerializer
    scope_actions = {"approve": "change", "reject": "change", "assign": "change", "end": "view"}

    @extend_schema(
        request=VolunteerRegistrationInput, responses={201: VolunteerRegistrationSerializer}
    )
    def create(self, request):
        data = parse(VolunteerRegistrationInput, request.data)
        community = _community(request.user, data["community"])
        registration = services.registration_submit(
            actor=request.user,
            community=community,
            choices=data["choices"],
            skills=data["skills"],
            available_times=data["available_times"],
        )
        return self._render(registration, status.HTTP_201_CREATED)

    def _post(self, registration, pk):
        if pk is None:
            return None
        return _in_scope(
            self.request.user,
            Post,
            pk,
            field="post",
            code="unknown_post",
            queryset=Post.objects.filter(community=registration.community_id),
        )

    @extend_schema(request=VolunteerPostChoiceInput, responses=VolunteerRegistrationSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        registration = self.get_object()
        post = self._post(registration, parse(VolunteerPostChoiceInput, request.data).get("post"))
        services.registration_approve(actor=request.user, registration=registration, post=post)
        return self._render(self.get_queryset().get(pk=registration.pk))

    @extend_schema(request=VolunteerPostChoiceInput, responses=VolunteerRegistrationSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        """Move an approved volunteer to another post (the old one ends at once)."""
        registration = self.get_object()
        post = self._post(registration, parse(VolunteerPostChoiceInput, request.data).get("post"))
        assignment = registration.assignments.filter(status="active").first()
        if assignment is None or post is None:
            raise InvalidInput(_("该报到没有在岗岗位或未选择新岗位。"), code="not_assigned")
        services.assignment_change(actor=request.user, assignment=assignment, post=post)
        return self._render(self.get_queryset().get(pk=registration.pk))

    @extend_schema(request=VolunteerReasonInput, responses=VolunteerRegistrationSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        reason = parse(VolunteerReasonInput, request.data)["reason"]
        registration = services.registration_reject(
            actor=request.user, registration=self.get_object(), reason=reason
        )
        return self._render(registration)

    @extend_schema(request=VolunteerReasonInput, responses=VolunteerRegistrationSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        note = parse(VolunteerReasonInput, request.data)["reason"]
        registration = services.registration_end(
            actor=request.user, registration=self.get_object(), note=note
        )
        return self._render(registration)


class ProposalView(APIView):
    """GET ?community=: the proposed assignments (nothing written); POST: accept them."""

    @extend_schema(request=None, responses=None)
    def get(self, request):
        community = _community(request.user, request.query_params.get("community"))
        lines = services.proposal_make(actor=request.user, community=community)
        return Response({"lines": lines})

    @extend_schema(request=VolunteerLinesInput, responses=None)
    def post(self, request):
        data = parse(VolunteerLinesInput, request.data)
        community = _community(request.user, data["community"])
        made = services.proposal_accept(
            actor=request.user, community=community, lines=data["lines"]
        )
        return Response({"approved": len(made)}, status=status.HTTP_201_CREATED)


class TeamViewSet(_Base, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    queryset = Team.objects.prefetch_related("members").order_by("pk")
    serializer_class = VolunteerTeamSerializer

    @extend_schema(request=VolunteerTeamInput, responses={201: VolunteerTeamSerializer})
    def create(self, request):
        data = parse(VolunteerTeamInput, request.data)
        community = _community(request.user, data["community"])
        members = Member.objects.filter(pk__in=data["members"] + [data.get("leader") or 0])
        members = list(scoped(request.user, members))
        leader = next((m for m in members if m.pk == data.get("leader")), None)
        team = services.team_create(
            actor=request.user,
            community=community,
            name=data["name"],
            specialty=data["specialty"],
            leader=leader,
            members=[m for m in members if m is not leader],
        )
        return self._render(team, status.HTTP_201_CREATED)


class ActivityViewSet(_Base, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    queryset = Activity.objects.prefetch_related("occurrences").order_by("-pk")
    serializer_class = VolunteerActivitySerializer

    @extend_schema(request=VolunteerActivityInput, responses={201: VolunteerActivitySerializer})
    def create(self, request):
        data = parse(VolunteerActivityInput, request.data)
        community = _community(request.user, data.pop("community"))
        for field, model in (("post", Post), ("team", Team)):
            if data.get(field):
                data[field] = _in_scope(
                    request.user, model, data[field], field=field, code=f"unknown_{field}"
                )
        activity = services.activity_create(actor=request.user, community=community, **data)
        return self._render(activity, status.HTTP_201_CREATED)


class OccurrenceViewSet(_Base, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    queryset = Occurrence.objects.select_related("activity__community").order_by("starts_at")
    serializer_class = VolunteerOccurrenceSerializer
    # The services decide who may sign up, check in or organise (403) once the occurrence
    # is visible to the user.
    scope_actions = {"signup": "view", "checkin": "view", "cancel": "view", "attendance": "view"}

    @extend_schema(request=None, responses={201: VolunteerSignUpSerializer})
    @action(detail=True, methods=["post"])
    def signup(self, request, pk=None):
        signup = services.signup_create(actor=request.user, occurrence=self.get_object())
        return self._render(signup, status.HTTP_201_CREATED, VolunteerSignUpSerializer)

    @extend_schema(request=VolunteerReasonInput, responses=VolunteerOccurrenceSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        reason = parse(VolunteerReasonInput, request.data)["reason"]
        occurrence = services.occurrence_cancel(
            actor=request.user, occurrence=self.get_object(), reason=reason
        )
        return self._render(occurrence)

    @extend_schema(request=VolunteerTokenInput, responses={201: VolunteerRecordSerializer})
    @action(detail=True, methods=["post"])
    def checkin(self, request, pk=None):
        token = parse(VolunteerTokenInput, request.data)["token"]
        record = services.checkin(actor=request.user, occurrence=self.get_object(), token=token)
        return self._render(record, status.HTTP_201_CREATED, VolunteerRecordSerializer)

    @extend_schema(request=VolunteerMemberInput, responses={201: VolunteerRecordSerializer})
    @action(detail=True, methods=["post"])
    def attendance(self, request, pk=None):
        occurrence = self.get_object()
        member_id = parse(VolunteerMemberInput, request.data)["member"]
        member = Member.objects.filter(
            pk=member_id, signups__occurrence=occurrence, signups__status="signed_up"
        ).first()
        if member is None:
            raise InvalidInput(_("该党员没有报名这场活动。"), code="not_signed_up")
        record = services.attendance_mark(actor=request.user, occurrence=occurrence, member=member)
        return self._render(record, status.HTTP_201_CREATED, VolunteerRecordSerializer)


class SignUpViewSet(_Base, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    queryset = SignUp.objects.select_related("member", "occurrence__activity").order_by("pk")
    serializer_class = VolunteerSignUpSerializer
    scope_actions = {"cancel": "view"}

    @extend_schema(request=None, responses=VolunteerSignUpSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._render(services.signup_cancel(actor=request.user, signup=self.get_object()))


class RecordViewSet(_Base, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    queryset = ServiceRecord.objects.select_related("member", "occurrence__activity").order_by("pk")
    serializer_class = VolunteerRecordSerializer
    scope_actions = {"confirm": "view", "decline": "view", "amend": "view"}

    @extend_schema(request=None, responses=VolunteerRecordSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        return self._render(services.record_confirm(actor=request.user, record=self.get_object()))

    @extend_schema(request=VolunteerReasonInput, responses=VolunteerRecordSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        reason = parse(VolunteerReasonInput, request.data)["reason"]
        record = services.record_decline(
            actor=request.user, record=self.get_object(), reason=reason
        )
        return self._render(record)

    @extend_schema(request=VolunteerAmendInput, responses=VolunteerRecordSerializer)
    @action(detail=True, methods=["post"])
    def amend(self, request, pk=None):
        data = parse(VolunteerAmendInput, request.data)
        record = services.record_amend(
            actor=request.user, record=self.get_object(), hours=data["hours"], reason=data["reason"]
        )
        return self._render(record)


class VolunteerCertificateSerializer(NamesMemberMixin, serializers.ModelSerializer):
    named = {"name": "member"}

    class Meta:
        model = Certificate
        fields = ["id", "serial", "verify_code", "member", "name", "id_type", "id_number_masked"]
        fields += ["volunteer_number", "lines", "total_hours", "organisation", "responsible"]
        fields += ["handler", "contact", "issued_on"]
        read_only_fields = fields


class VolunteerCertificateInput(serializers.Serializer):
    member = serializers.IntegerField(required=False, allow_null=True)


class CertificateViewSet(_Base, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    queryset = Certificate.objects.select_related("member").order_by("-pk")
    serializer_class = VolunteerCertificateSerializer

    @extend_schema(
        request=VolunteerCertificateInput, responses={201: VolunteerCertificateSerializer}
    )
    def create(self, request):
        member_id = parse(VolunteerCertificateInput, request.data).get("member")
        if member_id:
            member = Member.objects.select_related("community").filter(pk=member_id).first()
        else:
            member = Member.objects.select_related("community").filter(user=request.user).first()
        if member is None:
            raise InvalidInput(_("找不到该党员。"), code="unknown_member")
        certificate = services.certificate_issue(actor=request.user, member=member)
        return self._render(certificate, status.HTTP_201_CREATED)

    @extend_schema(
        request=None,
        responses={(200, "application/pdf"): OpenApiTypes.BINARY},
        description="The certificate as a PDF (志愿服务记录证明), with its verification QR code.",
    )
    @action(detail=True, methods=["get"], renderer_classes=[JSONRenderer, PDFRenderer])
    def pdf(self, request, pk=None):
        cert = self.get_object()
        verify = reverse("volunteers:verify", args=[cert.verify_code])
        pdf = certificate_pdf(cert, verify_url=request.build_absolute_uri(verify))
        note_access(request, cert.member, ["name"], channel="export", row_count=1)
        return pdf_response(pdf, f"{cert.serial}.pdf")

    @extend_schema(request=None, responses=None)
    @action(
        detail=False,
        methods=["get"],
        url_path=r"verify/(?P<code>[-\w]+)",
        permission_classes=[],
        authentication_classes=[],
    )
    def verify(self, request, code=None):
        """Public: whether a certificate with this verification code exists."""
        from apps.core.masking import mask_name

        cert = Certificate.objects.filter(verify_code=code).first()
        if cert is None:
            raise NotFound()
        return Response(
            {
                "serial": cert.serial,
                "name": mask_name(cert.name),
                "total_hours": str(cert.total_hours),
                "organisation": cert.organisation,
                "issued_on": cert.issued_on,
            }
        )


class VolunteerReportInput(serializers.Serializer):
    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False)


def report_range(data: dict):
    """[from, to]: by default this year so far; at most ten years."""
    from datetime import date

    from django.utils import timezone

    today = timezone.localdate()
    date_from = data.get("date_from") or date(today.year, 1, 1)
    date_to = data.get("date_to") or today
    if date_to < date_from or (date_to - date_from).days > 3660:
        message = _("请选择正确的日期范围。")
        raise InvalidInput(message, code="invalid_range", errors={"date_from": [message]})
    return date_from, date_to


class ReportView(APIView):
    """Hours and person-times by community, post and team (`?date_from=&date_to=`)."""

    @extend_schema(parameters=[VolunteerReportInput], responses=None)
    def get(self, request):
        date_from, date_to = report_range(parse(VolunteerReportInput, request.query_params))
        return Response(
            selectors.hours_report(user=request.user, date_from=date_from, date_to=date_to)
        )


class VolunteerNeedSerializer(NamesMemberMixin, serializers.ModelSerializer):
    named = {"volunteer_name": "volunteer"}
    volunteer_name = serializers.CharField(source="volunteer.name", default="")

    class Meta:
        model = Need
        fields = ["id", "area", "resident", "title", "skills", "place", "wanted_at", "status"]
        fields += ["volunteer", "volunteer_name", "answer_by", "rating", "rating_comment"]
        read_only_fields = fields


class VolunteerNeedInput(serializers.Serializer):
    area = serializers.IntegerField(required=False, allow_null=True)
    resident = serializers.IntegerField(required=False, allow_null=True)
    title = serializers.CharField(required=False, allow_blank=True, default="")
    skills = serializers.ListField(child=serializers.CharField(), required=False, default=list)
    place = serializers.CharField(required=False, allow_blank=True, default="")
    wanted_at = serializers.DateTimeField()


class VolunteerRateInput(serializers.Serializer):
    rating = serializers.CharField(required=False, allow_blank=True, default="")
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class NeedViewSet(_Base, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Needs in the user's scope (staff), their own (residents), and the ones offered to or
    taken by the volunteer themself."""

    queryset = Need.objects.select_related("area", "volunteer", "resident").order_by("-pk")
    serializer_class = VolunteerNeedSerializer
    scope_actions = {
        "dispatch_to": "view",
        "candidates": "view",
        "accept": "view",
        "decline": "view",
        "complete": "view",
        "confirm": "view",
    }

    def get_queryset(self):
        mine = Need.objects.filter(volunteer__user=self.request.user)
        return (super().get_queryset() | self.queryset.filter(pk__in=mine.values("pk"))).distinct()

    @extend_schema(request=VolunteerNeedInput, responses={201: VolunteerNeedSerializer})
    def create(self, request):
        from apps.register.models import Resident

        data = parse(VolunteerNeedInput, request.data)
        resident = None
        if data.get("resident"):
            resident = (
                Resident.objects.select_related("household__area")
                .filter(pk=data["resident"])
                .first()
            )
            if resident is None or not (
                resident.user_id == request.user.pk
                or scoped(request.user, Resident).filter(pk=resident.pk).exists()
            ):
                raise InvalidInput(_("找不到该居民。"), code="unknown_resident")
        area = (
            resident.household.area
            if resident
            else Area.objects.filter(pk=data.get("area") or 0).first()
        )
        if area is None:
            raise InvalidInput(_("找不到所选的对象。"), code="unknown_area")
        need = services.need_create(
            actor=request.user,
            area=area,
            resident=resident,
            title=data["title"],
            skills=data["skills"],
            place=data["place"],
            wanted_at=data["wanted_at"],
        )
        return self._render(need, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=None)
    @action(detail=True, methods=["get"])
    def candidates(self, request, pk=None):
        need = self.get_object()
        services._check_need_staff(request.user, need)
        candidates = services.need_candidates(need=need)
        for row in candidates:  # named in full: an access (the id is enough to log it)
            note_access(request, Member(pk=row["member"]), ["name"])
        return Response({"candidates": candidates})

    @extend_schema(request=VolunteerMemberInput, responses=VolunteerNeedSerializer)
    @action(detail=True, methods=["post"], url_path="dispatch")
    def dispatch_to(self, request, pk=None):  # not `dispatch`: that is the view's own method
        need = self.get_object()
        member_id = parse(VolunteerMemberInput, request.data)["member"]
        member = Member.objects.filter(pk=member_id).first()
        if member is None:
            raise InvalidInput(_("找不到该党员。"), code="unknown_member")
        return self._render(services.need_dispatch(actor=request.user, need=need, member=member))

    @extend_schema(request=None, responses=VolunteerNeedSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        return self._render(services.need_accept(actor=request.user, need=self.get_object()))

    @extend_schema(request=VolunteerReasonInput, responses=VolunteerNeedSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        reason = parse(VolunteerReasonInput, request.data)["reason"]
        need = services.need_decline(actor=request.user, need=self.get_object(), reason=reason)
        return self._render(need)

    @extend_schema(request=VolunteerReasonInput, responses=VolunteerNeedSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        note = parse(VolunteerReasonInput, request.data)["reason"]
        need = services.need_complete(actor=request.user, need=self.get_object(), note=note)
        return self._render(need)

    @extend_schema(request=VolunteerRateInput, responses=VolunteerNeedSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        data = parse(VolunteerRateInput, request.data)
        need = services.need_confirm(
            actor=request.user,
            need=self.get_object(),
            rating=data["rating"],
            comment=data["comment"],
        )
        return self._render(need)
