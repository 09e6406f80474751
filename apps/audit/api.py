"""GET /api/audit/history/<app.model>/<id>/: an object's history, for who may see it on
its page (secretaries and administrators over it); anyone else gets a 404."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api import ERROR_RESPONSES
from apps.core.errors import NotFound
from apps.core.history import object_history

from . import selectors


class ChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    old = serializers.JSONField(allow_null=True)
    new = serializers.JSONField(allow_null=True)


class HistoryEntrySerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    action = serializers.ChoiceField(choices=["insert", "update", "delete"])
    user = serializers.CharField()
    ip = serializers.CharField()
    url = serializers.CharField()
    task = serializers.CharField()
    import_job = serializers.IntegerField(allow_null=True)
    changes = ChangeSerializer(many=True)


class HistoryView(APIView):
    @extend_schema(responses={200: HistoryEntrySerializer(many=True), **ERROR_RESPONSES})
    def get(self, request, label: str, pk: int):
        obj = selectors.tracked_object(request.user, label, pk)
        rows = object_history(request, obj)
        if rows is None:
            raise NotFound()
        return Response(HistoryEntrySerializer(rows, many=True).data)
