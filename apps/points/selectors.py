"""Reads of the points ledger: a member's entries and the star rating (党员星级), always
scoped to a user where a user asks."""

import datetime as dt

from django.db import connection
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from apps.accounts.scoping import scoped
from apps.core.errors import NotFound
from apps.core.masking import mask_name
from apps.core.validators import parse_id
from apps.register.models import Area, Member

from . import rollups
from .models import PointsEntry, PointsMonth

# Stars rank the points of the last twelve months.
STAR_WINDOW = dt.timedelta(days=365)


def star_sql(
    *,
    since: dt.datetime,
    community_prefix: str,
    residence_prefix: str | None,
    community_ids: list[int] | None = None,
):
    """SQL (and params) ranking members against their community by points since `since`.

    PERCENT_RANK over each community's totals; quintiles become stars 1–5. When
    `residence_prefix` is given only members living there are returned (a grid's report),
    but they are still ranked against their whole community. `community_ids` narrows the
    ranking to those communities (whole communities, so their ranks are the same). Columns:
    member_id, total, star, community_id.
    """
    member, area, points = Member._meta.db_table, Area._meta.db_table, PointsEntry._meta.db_table
    months = PointsMonth._meta.db_table
    residence_join = ""
    # The window's whole months from the rollup, its partial first month from the ledger.
    cut = rollups.next_month_start(since)
    params: list = [since, cut, cut.date(), community_prefix + "%"]
    only = ""
    if community_ids is not None:
        # IN (…), not = ANY(%s): the embedded SQLite default runs this too
        only = f"AND m.community_id IN ({', '.join(['%s'] * len(community_ids)) or 'NULL'})"
        params += community_ids
    if residence_prefix is not None:
        residence_join = f"JOIN {area} r ON r.id = ranked.residence_id AND r.path LIKE %s"
        params.append(residence_prefix + "%")
    sql = f"""
        WITH totals AS (
            SELECT m.id AS member_id, m.community_id, m.residence_id,
                   COALESCE(pm.total, 0)
                 + COALESCE((SELECT SUM(p.points) FROM {points} p WHERE p.member_id = m.id
                             AND p.created_at >= %s AND p.created_at < %s), 0) AS total
            FROM {member} m
            JOIN {area} c ON c.id = m.community_id
            LEFT JOIN (SELECT member_id, SUM(points) AS total FROM {months}
                       WHERE month >= %s GROUP BY member_id) pm ON pm.member_id = m.id
            WHERE c.path LIKE %s {only}
        ), ranked AS (
            SELECT member_id, community_id, residence_id, total,
                   PERCENT_RANK() OVER (PARTITION BY community_id ORDER BY total) AS pr
            FROM totals
        )
        SELECT ranked.member_id, ranked.total,
               CASE WHEN ranked.pr >= 0.8 THEN 5 WHEN ranked.pr >= 0.6 THEN 4
                    WHEN ranked.pr >= 0.4 THEN 3 WHEN ranked.pr >= 0.2 THEN 2 ELSE 1 END AS star,
               ranked.community_id
        FROM ranked {residence_join}
    """
    return sql, params


def star_rows(*, path: str, since: dt.datetime) -> list[dict]:
    sql, params = star_sql(since=since, community_prefix=path, residence_prefix=None)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [{"member_id": r[0], "total": r[1], "star": r[2]} for r in cursor.fetchall()]


RANKING_KINDS = (Area.Kind.COMMUNITY, Area.Kind.GRID)


def ranking_nodes(*, user) -> QuerySet:
    """The communities and grids whose ranking `user` may see: those in their scope (a grid
    worker's own grid, a secretary's community and its grids, ...)."""
    return scoped(user, Area).filter(kind__in=RANKING_KINDS).order_by("path")


def ranking_node(*, user, node_id) -> Area:
    """The community or grid `node_id` if `user` may see its ranking; else (and for any other
    kind of node or a malformed id) NotFound, the answer for a node that does not exist."""
    node = None
    if (pk := parse_id(node_id)) is not None:
        node = ranking_nodes(user=user).filter(pk=pk).first()
    if node is None:
        raise NotFound(code="area_not_found")
    return node


def members_ranked(*, community: Area, since: dt.datetime | None = None) -> list[Member]:
    """Members of a community (or of a grid: those of the grid's community who live in it)
    with their points over the last 12 months and star rating. Stars always rank a member
    against their whole community."""
    since = since or timezone.now() - STAR_WINDOW
    members = Member.objects.filter(community=community)
    if community.kind == Area.Kind.GRID:
        grid, community = community, Area.objects.get(path=community.path[: -Area.steplen])
        members = Member.objects.filter(community=community, residence__path__startswith=grid.path)
    stars = {row["member_id"]: row for row in star_rows(path=community.path, since=since)}
    members = list(
        members.annotate(
            total=Coalesce(
                Sum("points_entries__points", filter=Q(points_entries__created_at__gte=since)),
                0,
            ),
            entries=Count("points_entries", filter=Q(points_entries__created_at__gte=since)),
        ).order_by("-total", "pk")
    )
    for m in members:
        m.star = stars.get(m.pk, {}).get("star", 1)
        m.stars = "★" * m.star
        m.masked_name = mask_name(m.name)  # a public list: masked names only
    return members


def points_of(*, user) -> QuerySet:
    return scoped(user, PointsEntry).select_related("rule", "member").order_by("-created_at")
