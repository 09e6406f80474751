"""GET /api/stats/numbers/?node=<area id>&from=YYYY-MM-DD&to=YYYY-MM-DD[&export=xlsx]"""

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.exports import FORMATS
from apps.core.periods import parse_period

from . import selectors


def xlsx_response(data: dict) -> HttpResponse:
    response = HttpResponse(selectors.numbers_xlsx(data), content_type=FORMATS["xlsx"])
    name = f"numbers-{data['node']['id']}-{data['from']}-{data['to']}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


class NumbersView(APIView):
    """The numbers the seeds report (wishes, volunteers, projects) for a node and period."""

    @extend_schema(
        parameters=[
            OpenApiParameter("node", int, required=True),
            OpenApiParameter("from", str),
            OpenApiParameter("to", str),
            OpenApiParameter("export", str, enum=["xlsx"]),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request):
        node = selectors.stats_node(user=request.user, node_id=request.query_params.get("node"))
        period = parse_period(request.query_params.get("from"), request.query_params.get("to"))
        data = selectors.numbers(node=node, period=period)
        if request.query_params.get("export") == "xlsx":
            return xlsx_response(data)
        return Response(data)
