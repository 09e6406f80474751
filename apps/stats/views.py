"""The numbers page: the same data as /api/stats/numbers/, with server-rendered bars."""

from django.shortcuts import render

from apps.core.periods import parse_period
from apps.core.views import page

from . import selectors
from .api import xlsx_response


def _numbers(request) -> dict:
    first = selectors.stats_nodes(user=request.user).first()
    node_id = request.GET.get("node") or (first.pk if first else None)
    node = selectors.stats_node(user=request.user, node_id=node_id)
    period = parse_period(request.GET.get("from"), request.GET.get("to"))
    return selectors.numbers(node=node, period=period)


def _bars(rows: list[tuple[str, float]]) -> list[dict]:
    top = max((value for _, value in rows), default=0) or 1
    return [{"label": label, "value": value, "max": top} for label, value in rows]


@page
def numbers(request):
    data = _numbers(request)
    labels = selectors.wish_labels()
    wishes = data["wishes"]
    context = {
        "data": data,
        "nodes": selectors.stats_nodes(user=request.user),
        "funnel": _bars([(labels[k], wishes[k]) for k in selectors.WISH_FIELDS]),
        "categories": _bars([(r["category"], r["claimed"]) for r in wishes["by_category"]]),
        "projects": _bars([(r["label"], r["count"]) for r in data["projects"]]),
        "joint": _bars([(r["label"], r["count"]) for r in data["joint_requests"]]),
    }
    return render(request, "stats/numbers.html", context)


@page
def numbers_xlsx(request):
    return xlsx_response(_numbers(request))
