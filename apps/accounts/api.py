"""Accounts API: token login and logout, and "who am I"."""

import functools

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api import ERROR_RESPONSES, ErrorSerializer, ScopedViewSetMixin, parse

from . import selectors, services
from .models import DeviceToken, PhoneCode, RoleAssignment, User
from .services import client_address, token_obtain, token_revoke


class AnonymousView(APIView):
    """An endpoint for callers not yet signed in: no authentication, anyone may call it."""

    authentication_classes: list = []
    permission_classes = [AllowAny]


def anonymous_post(serializer, *, ok: dict, invalid: str, throttled: str = "login_throttled"):
    """The POST of an `AnonymousView`: the body parsed by `serializer` (a bad one is a 400 in
    the one error shape), then `handler(self, request, data)`. The schema lists the answer
    `ok` ({status: serializer or None}), the 400 codes `invalid` and the 429 `throttled`."""

    def decorate(handler):
        @extend_schema(
            request=serializer,
            responses={
                **ok,
                400: OpenApiResponse(ErrorSerializer, description=invalid),
                429: OpenApiResponse(ErrorSerializer, description=throttled),
            },
            auth=[],
        )
        @functools.wraps(handler)
        def post(self, request):
            return handler(self, request, parse(serializer, request.data, request=request))

        return post

    return decorate


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(label=_("用户名或手机号"), max_length=150)
    password = serializers.CharField(label=_("密码"), max_length=128, trim_whitespace=False)
    device = serializers.CharField(
        label=_("设备名称"), max_length=64, required=False, allow_blank=True, default=""
    )


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()


class TokenView(AnonymousView):
    """Exchange a username (or mobile number) and password for an API token."""

    @anonymous_post(
        TokenRequestSerializer, ok={200: TokenSerializer}, invalid="invalid_credentials / invalid"
    )
    def post(self, request, data):
        token = token_obtain(
            request=request,
            identifier=data["username"],
            password=data["password"],
            device=data["device"],
        )
        return Response({"token": token})


class SmsCodeRequestSerializer(serializers.Serializer):
    phone = serializers.CharField(label=_("手机号"), max_length=20)
    purpose = serializers.ChoiceField(
        label=_("用途"), choices=PhoneCode.Purpose.choices, default=PhoneCode.Purpose.LOGIN
    )


class SmsCodeSentSerializer(serializers.Serializer):
    detail = serializers.CharField()
    expires_in = serializers.IntegerField()


def sms_code_sent_message() -> str:
    from django.utils.translation import gettext

    return gettext("如果该手机号已注册，验证码已发出，%(minutes)s 分钟内有效。") % {
        "minutes": max(1, services.conf("SMS_CODE_TTL_S") // 60)
    }


class SmsCodeView(AnonymousView):
    """Ask for an SMS code to log in (`purpose=login`) or to reset the password (`reset`).
    The answer is the same whether or not the phone has an account."""

    @anonymous_post(
        SmsCodeRequestSerializer,
        ok={202: SmsCodeSentSerializer},
        invalid="invalid_phone / sms_unavailable",
        throttled="sms_code_throttled",
    )
    def post(self, request, data):
        services.phone_code_request(
            phone=data["phone"], purpose=data["purpose"], address=client_address(request)
        )
        body = {"detail": sms_code_sent_message(), "expires_in": services.conf("SMS_CODE_TTL_S")}
        return Response(body, status=202)


class SmsLoginSerializer(serializers.Serializer):
    phone = serializers.CharField(label=_("手机号"), max_length=20)
    code = serializers.CharField(label=_("验证码"), max_length=12)
    device = serializers.CharField(
        label=_("设备名称"), max_length=64, required=False, allow_blank=True, default=""
    )


class SmsLoginView(AnonymousView):
    """Exchange a phone number and the SMS code sent to it for an API token."""

    @anonymous_post(
        SmsLoginSerializer,
        ok={200: TokenSerializer},
        invalid="invalid_code / code_expired / code_attempts_exceeded / invalid_phone",
    )
    def post(self, request, data):
        token = services.phone_code_token_obtain(
            request=request, phone=data["phone"], code=data["code"], device=data["device"]
        )
        return Response({"token": token})


class PasswordResetSerializer(serializers.Serializer):
    phone = serializers.CharField(label=_("手机号"), max_length=20)
    code = serializers.CharField(label=_("验证码"), max_length=12)
    new_password = serializers.CharField(label=_("新密码"), max_length=128, trim_whitespace=False)


class PasswordResetView(AnonymousView):
    """忘记密码: set a new password with the SMS code (`purpose=reset`); signs the account
    out everywhere (sessions and API tokens)."""

    @anonymous_post(
        PasswordResetSerializer,
        ok={204: None},
        invalid="invalid_code / code_expired / weak_password",
    )
    def post(self, request, data):
        services.password_reset_by_code(
            request=request,
            phone=data["phone"],
            code=data["code"],
            new_password=data["new_password"],
        )
        return Response(status=204)


class TokenRevokeView(APIView):
    """POST /api/auth/logout/: revoke the token this request came with (this device only)."""

    @extend_schema(request=None, responses={204: None, **ERROR_RESPONSES})
    def post(self, request):
        if isinstance(request.auth, DeviceToken):
            token_revoke(token=request.auth)
        return Response(status=204)


class DeviceTokenSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    current = serializers.SerializerMethodField()

    class Meta:
        model = DeviceToken
        fields = ["id", "name", "created", "expiry", "current"]

    def get_current(self, token) -> bool:
        return token.pk == getattr(self.context["request"].auth, "pk", None)


class DeviceTokenViewSet(mixins.ListModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """/api/auth/tokens/: the caller's signed-in devices; DELETE one to sign it out."""

    serializer_class = DeviceTokenSerializer
    queryset = DeviceToken.objects.none()  # for the schema; requests see their own tokens
    lookup_field = "public_id"
    lookup_value_regex = "[0-9a-f-]{36}"
    filter_backends: list = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        live = Q(expiry__isnull=True) | Q(expiry__gt=timezone.now())
        return DeviceToken.objects.filter(live, user=self.request.user).order_by("-created")

    def perform_destroy(self, instance):
        token_revoke(token=instance)


class NodeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField()


class RoleSerializer(serializers.ModelSerializer):
    role_label = serializers.CharField(source="get_role_display")
    area = NodeSerializer(allow_null=True)
    party_org = NodeSerializer(allow_null=True)

    class Meta:
        model = RoleAssignment
        fields = ["role", "role_label", "area", "party_org"]


class MeSerializer(serializers.ModelSerializer):
    roles = RoleSerializer(source="role_assignments", many=True)
    resident_id = serializers.SerializerMethodField()
    member_id = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "username", "name", "phone", "is_superuser", "roles"]
        fields += ["resident_id", "member_id"]

    def get_resident_id(self, user) -> int | None:
        resident = getattr(user, "resident", None)
        return resident.pk if resident else None

    def get_member_id(self, user) -> int | None:
        member = getattr(user, "member", None)
        return member.pk if member else None


class MeView(APIView):
    """The logged-in user, with every role and the node it is held at."""

    @extend_schema(responses={200: MeSerializer, **ERROR_RESPONSES})
    def get(self, request):
        user = (
            User.objects.select_related("resident", "member")
            .prefetch_related("role_assignments__area", "role_assignments__party_org")
            .get(pk=request.user.pk)
        )
        return Response(MeSerializer(user).data)


# --- role administration -----------------------------------------------------------------


class AdministeredNodeField(serializers.PrimaryKeyRelatedField):
    """A node id among those the caller administers; any other id (out of their subtree,
    or one that does not exist) gets the same "does not exist"."""

    def get_queryset(self):
        request = self.context.get("request")
        return selectors.nodes_administered(getattr(request, "user", None), self.queryset.model)


class RoleAssignmentSerializer(serializers.ModelSerializer):
    user_name = serializers.CharField(source="user.__str__", read_only=True)
    username = serializers.CharField(source="user.username", read_only=True)
    role_label = serializers.CharField(source="get_role_display", read_only=True)
    area_name = serializers.CharField(
        source="area.name", read_only=True, default=None, allow_null=True
    )
    party_org_name = serializers.CharField(
        source="party_org.name", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = RoleAssignment
        fields = ["id", "user", "username", "user_name", "role", "role_label", "area"]
        fields += ["area_name", "party_org", "party_org_name", "created_at"]
        read_only_fields = fields


class RoleGrantSerializer(serializers.Serializer):
    user = serializers.PrimaryKeyRelatedField(queryset=User.objects.all(), label=_("用户"))
    role = serializers.ChoiceField(choices=RoleAssignment._meta.get_field("role").choices)
    area = AdministeredNodeField(
        queryset=selectors.Area.objects.all(), required=False, allow_null=True, default=None
    )
    party_org = AdministeredNodeField(
        queryset=selectors.PartyOrg.objects.all(), required=False, allow_null=True, default=None
    )


@extend_schema(tags=["role-assignments"])
class RoleAssignmentViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """/api/role-assignments/: the roles held at the nodes the caller administers
    (administrators and secretaries); POST grants one, DELETE revokes it."""

    queryset = RoleAssignment.objects.select_related("user", "area", "party_org").order_by("pk")
    serializer_class = RoleAssignmentSerializer
    filterset_fields = ["role", "user"]

    @extend_schema(request=RoleGrantSerializer, responses={201: RoleAssignmentSerializer})
    def create(self, request, *args, **kwargs):
        data = parse(RoleGrantSerializer, request.data, request=request)
        assignment = services.role_grant(actor=request.user, **data)
        return Response(RoleAssignmentSerializer(assignment).data, status=201)

    def perform_destroy(self, instance):
        services.role_revoke(actor=self.request.user, assignment=instance)
