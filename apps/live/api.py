"""`GET /api/live/sync/`: what an open page missed, for a page that reconnects and for the
polling fallback when the websocket is unavailable (and for API clients)."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core import live
from apps.core.api import ErrorSerializer
from apps.core.errors import InvalidInput
from apps.core.validators import parse_id

from . import selectors

# A page never asks about more than a day back: older pages reload.
MAX_LOOKBACK_MS = 24 * 3600 * 1000


class SyncSerializer(serializers.Serializer):
    now = serializers.IntegerField(help_text="server time (ms), the next `since`")
    wishes = serializers.DictField(child=serializers.CharField())
    published = serializers.ListField(child=serializers.IntegerField())
    unread = serializers.IntegerField()


def _since(value) -> int:
    since = parse_id(value) if value not in (None, "") else None
    if since is None and value not in (None, "", "0"):
        raise InvalidInput(_("参数 since 无效。"), code="invalid_since")
    now = live.now_ms()
    return min(max(since or 0, now - MAX_LOOKBACK_MS), now)


def _ids(value: str) -> list[int]:
    ids = [parse_id(part) for part in (value or "").split(",") if part]
    if None in ids or len(ids) > selectors.MAX_IDS:
        raise InvalidInput(_("参数 ids 无效。"), code="invalid_ids")
    return list(dict.fromkeys(ids))


class SyncView(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("since", int, description="ms since the epoch (the last `now`)"),
            OpenApiParameter("ids", str, description="comma-separated wish ids on the page"),
        ],
        responses={
            200: SyncSerializer,
            400: OpenApiResponse(ErrorSerializer, description="invalid_ids / invalid_since"),
        },
    )
    def get(self, request):
        since = _since(request.query_params.get("since"))
        ids = _ids(request.query_params.get("ids", ""))
        return Response(selectors.sync(user=request.user, since_ms=since, ids=ids))
