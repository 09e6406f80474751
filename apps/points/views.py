from django.shortcuts import render

from apps.core.views import get_or_404, page
from apps.register.models import Area, Member
from apps.register.selectors import visible_nodes

from . import selectors


@page
def ranking(request):
    communities = visible_nodes(user=request.user, kinds=(Area.Kind.COMMUNITY,))
    member = Member.objects.filter(user=request.user).select_related("community").first()
    pk = request.GET.get("community") or (member.community_id if member else None)
    if pk is None and communities:
        pk = communities[0].pk
    community = get_or_404(communities, pk)
    context = {
        "communities": communities,
        "community": community,
        "members": selectors.members_ranked(community=community),
        "me": member,
    }
    return render(request, "points/ranking.html", context)
