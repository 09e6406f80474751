"""The daily star snapshot (`StarDay`): members per star (1–5) of each community on each local
day, for reports over many communities (a street's 16, a district's 160) that would otherwise
rank every member on every request.

Today's rows are made by the beat task just after local midnight (`star_days_take`), or by
the first read that finds a community without one (`community_stars`): one ranking query
(`selectors.star_sql`, the same ranking the live pages use) for all the missing communities,
stored with `INSERT … ON CONFLICT DO NOTHING` so that concurrent first reads agree on the row
that won. A row is exact as of its `computed_at`; points awarded later that day show in the
next day's row.
"""

import datetime as dt

from django.db import connections
from django.utils import timezone

from apps.core.db import PRIMARY, read_alias
from apps.register.models import Area

from .models import StarDay
from .selectors import STAR_WINDOW, star_sql

COMMUNITY_DEPTH = Area.depth_of(Area.Kind.COMMUNITY)
STARS = range(1, 6)
Counts = tuple[int, int, int, int, int]  # members with 1, 2, 3, 4, 5 stars


def community_prefix(node: Area | None) -> str:
    """The path prefix of the communities at or under `node` (a grid: its community)."""
    if node is None:
        return ""
    return node.path[: Area.steplen * min(node.depth, COMMUNITY_DEPTH)]


def community_stars(node: Area | None, *, now: dt.datetime | None = None) -> dict[int, Counts]:
    """Star counts by community id, as of the local day of `now` (default: today), for every
    community at or under `node` (None: all). Read from the day's snapshot rows; communities
    without one are ranked in one query and stored."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    counts = _read(community_prefix(node), day)
    missing = [pk for pk, row in counts.items() if row is None]
    if missing:
        counts.update(_take(missing, day=day, now=now))
    return counts


def star_days_take(*, now: dt.datetime | None = None) -> int:
    """Make the day's snapshot of every community that has none yet (the beat task). Safe to
    run twice: rows already there are kept. Returns the number of communities read."""
    return len(community_stars(None, now=now))


def star_days_retake(*, now: dt.datetime | None = None) -> int:
    """Recompute the day's snapshot of every community, replacing rows already there
    (`manage.py rebuild_rollups`, after the points months were rebuilt)."""
    now = now or timezone.now()
    ids = list(
        Area.objects.using(PRIMARY)
        .filter(kind=Area.Kind.COMMUNITY)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return len(_take(ids, day=timezone.localdate(now), now=now, replace=True))


def _read(prefix: str, day: dt.date) -> dict[int, Counts | None]:
    """The communities under `prefix` with their `day` row (None where it has none), read
    where reads go right now (the replica in a report)."""
    area, table = Area._meta.db_table, StarDay._meta.db_table
    columns = ", ".join(f"s.{name}" for name in StarDay.STARS)
    sql = (
        f"SELECT c.id, s.id, {columns} FROM {area} c "
        f"LEFT JOIN {table} s ON s.community_id = c.id AND s.day = %s "
        f"WHERE c.path LIKE %s AND c.kind = %s"
    )
    with connections[read_alias()].cursor() as cursor:
        cursor.execute(sql, [day, prefix + "%", Area.Kind.COMMUNITY.value])
        return {
            row[0]: (tuple(row[2:]) if row[1] is not None else None) for row in cursor.fetchall()
        }


def _take(
    ids: list[int], *, day: dt.date, now: dt.datetime, replace: bool = False
) -> dict[int, Counts]:
    """Rank the members of the communities `ids` as of `now` and store their `day` rows, on
    the primary: one statement. A row another transaction stored first is kept (and
    returned), unless `replace`. Rows go in by community id, so that two concurrent takes
    wait for each other rather than deadlock."""
    if not ids:
        return {}
    table, area = StarDay._meta.db_table, Area._meta.db_table
    ranked, params = star_sql(
        since=now - STAR_WINDOW, community_prefix="", residence_prefix=None, community_ids=ids
    )
    sums = ", ".join(f"SUM(CASE WHEN star = {s} THEN 1 ELSE 0 END) AS s{s}" for s in STARS)
    values = ", ".join(f"COALESCE(n.s{s}, 0)" for s in STARS)
    columns = ", ".join(StarDay.STARS)
    in_ids = ", ".join(["%s"] * len(ids))
    if replace:
        updates = ", ".join(f"{c} = excluded.{c}" for c in (*StarDay.STARS, "computed_at"))
        conflict = f"DO UPDATE SET {updates}"
    else:
        conflict = "DO NOTHING"
    sql = f"""
        INSERT INTO {table} (community_id, day, {columns}, computed_at)
        SELECT c.id, %s, {values}, %s
        FROM {area} c
        LEFT JOIN (SELECT community_id, {sums} FROM ({ranked}) r GROUP BY community_id) n
               ON n.community_id = c.id
        WHERE c.id IN ({in_ids})
        ORDER BY c.id
        ON CONFLICT (community_id, day) {conflict}
        RETURNING community_id, {columns}
    """
    with connections[PRIMARY].cursor() as cursor:
        cursor.execute(sql, [day, now, *params, *ids])
        taken = {row[0]: tuple(row[1:]) for row in cursor.fetchall()}
        lost = [pk for pk in ids if pk not in taken]
        if lost:  # a concurrent first read stored these first: theirs is the day's row
            cursor.execute(
                f"SELECT community_id, {columns} FROM {table} "
                f"WHERE day = %s AND community_id IN ({', '.join(['%s'] * len(lost))})",
                [day, *lost],
            )
            taken.update((row[0], tuple(row[1:])) for row in cursor.fetchall())
    return taken
