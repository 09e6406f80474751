from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api import TextField, parse
from apps.core.errors import InvalidInput, NotFound
from apps.register.models import Area

from . import selectors, services
from .models import Notification, Preference


class NotificationSerializer(serializers.ModelSerializer):
    event = serializers.CharField(source="event.name", read_only=True)
    url = serializers.SerializerMethodField()
    photo = serializers.SerializerMethodField()
    read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "event", "title", "body", "url", "photo", "created_at", "read_at", "read"]

    def get_url(self, obj) -> str:
        return selectors.notification_link(obj)

    def get_photo(self, obj) -> str:
        return selectors.notification_photo(obj)

    def get_read(self, obj) -> bool:
        return obj.read_at is not None


class NotificationViewSet(viewsets.ReadOnlyModelViewSet):
    """The user's inbox: `?unread=1` for unread only."""

    serializer_class = NotificationSerializer
    queryset = Notification.objects.none()  # for the schema; requests use the user's inbox

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        unread = self.request.query_params.get("unread") in {"1", "true"}
        inbox = selectors.inbox_for(user=self.request.user, unread_only=unread)
        return inbox.select_related("event")

    @extend_schema(
        responses=inline_serializer("UnreadCount", {"unread": serializers.IntegerField()})
    )
    @action(detail=False, url_path="unread-count")
    def unread_count(self, request):
        return Response({"unread": selectors.unread_count(user=request.user)})

    @extend_schema(request=None, responses=NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        try:
            notification_id = int(pk)
        except (TypeError, ValueError):
            raise NotFound() from None
        notification = services.notification_mark_read(
            user=request.user, notification_id=notification_id
        )
        return Response(NotificationSerializer(notification).data)

    @extend_schema(
        request=None,
        responses=inline_serializer(
            "ReadAll",
            {"marked": serializers.IntegerField(), "unread": serializers.IntegerField()},
        ),
    )
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        count = services.notifications_mark_all_read(user=request.user)
        return Response({"marked": count, "unread": 0})

    @extend_schema(
        request=None,
        responses={202: inline_serializer("TestSent", {"event": serializers.IntegerField()})},
    )
    @action(detail=False, methods=["post"], url_path="test")
    def send_test(self, request):
        event = services.notification_test_send(user=request.user)
        return Response({"event": event.pk}, status=202)


class PreferenceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Preference
        fields = ["language", "wechat_openid", "muted"]


class PreferenceInput(serializers.Serializer):
    # Types only (DRF's CharField also refuses NUL bytes, which PostgreSQL cannot store);
    # the service decides which values are valid.
    language = TextField(required=False, max_length=10)
    wechat_openid = TextField(required=False, allow_blank=True, max_length=64)
    muted = serializers.DictField(child=serializers.JSONField(), required=False)


class PreferenceView(APIView):
    serializer_class = PreferenceSerializer

    def get(self, request):
        return Response(PreferenceSerializer(selectors.preference_for(user=request.user)).data)

    @extend_schema(request=PreferenceInput, responses=PreferenceSerializer)
    def put(self, request):
        data = parse(PreferenceInput, request.data, request=request)
        preference = services.preference_update(
            user=request.user,
            language=data.get("language"),
            wechat_openid=data.get("wechat_openid"),
            muted=data.get("muted"),
        )
        return Response(PreferenceSerializer(preference).data)

    patch = put


class BroadcastSerializer(serializers.Serializer):
    area = serializers.IntegerField()
    title = serializers.CharField(max_length=100)
    body = serializers.CharField(max_length=1000, allow_blank=True, required=False, default="")


class BroadcastView(APIView):
    """Staff send a notice to every member in an area's subtree (202: fan-out is async)."""

    serializer_class = BroadcastSerializer

    def post(self, request):
        form = BroadcastSerializer(data=request.data)
        if not form.is_valid():
            raise InvalidInput(errors=form.errors, code="invalid_notice")
        area = Area.objects.filter(pk=form.validated_data["area"]).first()
        if area is None:
            raise NotFound()
        event = services.notice_broadcast(
            actor=request.user,
            area=area,
            title=form.validated_data["title"],
            body=form.validated_data["body"],
        )
        return Response({"event": event.pk}, status=202)
