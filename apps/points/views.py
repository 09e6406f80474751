from django.shortcuts import render

from apps.core.views import page
from apps.register.models import Member

from . import selectors


@page
def ranking(request):
    """The star ranking of a community or a grid in the user's scope (a member's own
    community by default, else the first one they may see)."""
    nodes = selectors.ranking_nodes(user=request.user)
    member = Member.objects.filter(user=request.user).select_related("community").first()
    pk = request.GET.get("community")
    if pk is None and member and nodes.filter(pk=member.community_id).exists():
        pk = member.community_id
    if pk is None:
        pk = getattr(nodes.first(), "pk", None)
    community = selectors.ranking_node(user=request.user, node_id=pk)
    context = {
        "communities": nodes,
        "community": community,
        "members": selectors.members_ranked(community=community),
        "me": member,
    }
    return render(request, "points/ranking.html", context)
