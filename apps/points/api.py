"""The points ledger's API: a member's entries and the community's star ranking."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.core.api import ERROR_RESPONSES, ScopedViewSetMixin

from . import selectors
from .models import PointsEntry


class PointsEntrySerializer(serializers.ModelSerializer):
    rule = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = PointsEntry
        fields = ["id", "member", "rule", "points", "created_at"]


class StarRowSerializer(serializers.Serializer):
    member = serializers.IntegerField()
    name = serializers.CharField(help_text="masked (张*梅), whoever asks")
    points = serializers.IntegerField()
    star = serializers.IntegerField(min_value=1, max_value=5)


class PointsViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    queryset = PointsEntry.objects.select_related("rule").order_by("-created_at", "-pk")
    serializer_class = PointsEntrySerializer
    filterset_fields = ["member"]
    scope_actions = {"stars": "view"}

    @extend_schema(
        parameters=[
            OpenApiParameter("community", OpenApiTypes.INT, description="a community in scope"),
            OpenApiParameter("grid", OpenApiTypes.INT, description="a grid in scope"),
        ],
        responses={200: StarRowSerializer(many=True), **ERROR_RESPONSES},
    )
    @action(detail=False, methods=["get"], pagination_class=None, filter_backends=[])
    def stars(self, request):
        params = request.query_params
        node_id = params.get("community") or params.get("grid")
        if node_id is None:  # the caller's first community or grid
            node_id = getattr(selectors.ranking_nodes(user=request.user).first(), "pk", None)
        node = selectors.ranking_node(user=request.user, node_id=node_id)
        members = selectors.members_ranked(community=node)
        # A public list, as on the ranking page: masked names only, whoever asks.
        rows = [(m.pk, m.masked_name, m.total, m.star) for m in members]
        keys = ("member", "name", "points", "star")
        return Response([dict(zip(keys, row, strict=True)) for row in rows])
