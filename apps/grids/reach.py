"""Households reached over whole months, exactly, from (nodes × months) rows: `ReachMonth`.

"How many distinct households were visited in months A..B" cannot be summed from per-month
counts (a household visited in March and in May counts once). It can from *first visits*:
for each household and each month m it was visited in, let `gap` be the number of months
since its previous visited month (capped at `MAX_GAP`, which also stands for "never before").
A household is reached in A..B exactly once: in its first visited month m of the range, the
one whose previous visit was before A, i.e. `gap >= m - A + 1`. So for each node (a grid, a
community) and month m we keep the cumulative counts

    firsts[k] = the node's households visited in m whose previous visit was >= k months earlier

(an integer array, 1-based as in SQL), and households reached in A..B is
`SUM(firsts[m - A + 1])` over the node's rows for m in A..B: one array element per row,
16 or 160 communities × 12 months for a street's or a district's year.

The months a household was visited in come from `HouseholdVisitYear` (its months bit mask by
year, and the building of that year's row), so a node's figure counts the households its
year rows place there, as the mask scan the report falls back on does. Kept on PostgreSQL in
the transaction of the visit that sets a new month bit (`marking`, under an advisory lock on
the household: a household's rows of several years are read together), rebuilt by
`rebuild()`. Not kept on SQLite (no arrays): the report scans the masks there.
"""

import datetime as dt
from collections import Counter, defaultdict

from django.db import connection, connections

from apps.register.models import Area

from .models import HouseholdVisitYear, ReachMonth

TABLE = ReachMonth._meta.db_table
MAX_GAP = 121  # > the 120 whole months a period of at most ten years can span
LOCK_SPACE = 0x7E4C  # pg_advisory_xact_lock(LOCK_SPACE, household_id)
# The levels above the building that keep rows, coarsest first: (depth, path length).
LEVELS = tuple(
    (Area.depth_of(kind), Area.path_length(kind)) for kind in (Area.Kind.COMMUNITY, Area.Kind.GRID)
)

_MERGE = f"""
INSERT INTO {TABLE} AS t (depth, path, month, firsts) VALUES %s
ON CONFLICT (depth, month, path) DO UPDATE SET firsts = (
    SELECT array_agg(a + b ORDER BY k) FROM unnest(t.firsts, excluded.firsts)
    WITH ORDINALITY AS u(a, b, k))
"""


def kept() -> bool:
    return connection.vendor == "postgresql"


def level_for(plen: int) -> tuple[int, int] | None:
    """The coarsest level (depth, path length) whose rows fall within one child of `plen`."""
    return next(((d, n) for d, n in LEVELS if plen <= n), None)


def _month_index(year: int, month: int) -> int:
    return year * 12 + month - 1


def _first_of(index: int) -> dt.date:
    return dt.date(index // 12, index % 12 + 1, 1)


def entries(rows: list[tuple[int, int, str]]) -> Counter:
    """(depth, node path, month index, gap) -> count, for one household's year rows
    `(year, months mask, building path)`."""
    visited = sorted(
        (_month_index(year, bit + 1), path)
        for year, mask, path in rows
        for bit in range(12)
        if mask >> bit & 1
    )
    out: Counter = Counter()
    previous = None
    for index, path in visited:
        gap = MAX_GAP if previous is None else min(index - previous, MAX_GAP)
        for depth, length in LEVELS:
            out[depth, path[:length], index, gap] += 1
        previous = index
    return out


def merge(delta: Counter) -> tuple[str, list] | None:
    """The statement that adds `(depth, path, month index, gap) -> n` to the cumulative
    arrays (None when nothing moves)."""
    arrays: dict[tuple, list[int]] = defaultdict(lambda: [0] * MAX_GAP)
    for (depth, path, index, gap), n in delta.items():
        if n:
            row = arrays[depth, _first_of(index), path]
            for k in range(gap):
                row[k] += n
    if not arrays:
        return None
    keys = sorted(arrays)  # one lock order for every writer
    params = []
    for depth, month, path in keys:
        params += [depth, path, month, arrays[depth, month, path]]
    return _MERGE % ", ".join(["(%s, %s, %s, %s)"] * len(keys)), params


def lock(household_id: int, area_id: int) -> tuple[list[tuple], str]:
    """Serialise the household's reach updates (a visit back-dated into another year reads
    this year's row too); its year rows `(year, months, area_id, path)` as they are now, and
    the path of `area_id`."""
    years, areas = HouseholdVisitYear._meta.db_table, Area._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_SPACE, household_id])
        cursor.execute(
            f"SELECT h.year, h.months, h.area_id, "
            f"(SELECT path FROM {areas} a WHERE a.id = h.area_id) FROM {years} h "
            f"WHERE h.household_id = %s "
            f"UNION ALL SELECT NULL, NULL, id, path FROM {areas} WHERE id = %s",
            [household_id, area_id],
        )
        rows = cursor.fetchall()
    path = next(p for y, _m, a, p in rows if y is None)
    return [row for row in rows if row[0] is not None], path


def marking(before: list[tuple], *, year: int, bit: int, path: str) -> tuple[str, list] | None:
    """The arrays' change when month `bit` of `year` is marked, at the building `path`, for the
    household whose year rows were `before` (from `lock`)."""
    after = [(y, m, p) for y, m, _a, p in before if y != year]
    old = next((m for y, m, _a, _p in before if y == year), 0)
    after.append((year, old | bit, path))
    delta = entries(after)
    delta.subtract(entries([(y, m, p) for y, m, _a, p in before]))
    return merge(delta)


def rebuild() -> int:
    """Recompute every row from `HouseholdVisitYear`: the gaps by SQL (a window over each
    household's visited months), the cumulative arrays here, one COPY."""
    lengths = ", ".join(f"({n})" for _d, n in LEVELS)
    depth_of = {n: d for d, n in LEVELS}
    counts: dict[tuple, dict[int, int]] = defaultdict(dict)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE}")
        cursor.execute(
            f"""
            WITH m AS (
                SELECT h.household_id, a.path, h.year * 12 + b AS mi
                FROM {HouseholdVisitYear._meta.db_table} h
                JOIN {Area._meta.db_table} a ON a.id = h.area_id
                CROSS JOIN generate_series(0, 11) b
                WHERE h.months & (1 << b) <> 0
            ), e AS (
                SELECT path, mi, LEAST(COALESCE(
                    mi - LAG(mi) OVER (PARTITION BY household_id ORDER BY mi), %s), %s) AS gap
                FROM m
            )
            SELECT l.n, substr(e.path, 1, l.n), e.mi, e.gap, COUNT(*)
            FROM e CROSS JOIN (VALUES {lengths}) l(n) GROUP BY 1, 2, 3, 4
            """,
            [MAX_GAP, MAX_GAP],
        )
        for length, path, index, gap, n in cursor.fetchall():
            counts[depth_of[length], path, index][gap] = n
        rows = []
        for (depth, path, index), by_gap in counts.items():
            firsts, running = [0] * MAX_GAP, 0
            for k in range(MAX_GAP, 0, -1):
                running += by_gap.get(k, 0)
                firsts[k - 1] = running
            rows.append((depth, path, _first_of(index), firsts))
        with cursor.cursor.copy(f"COPY {TABLE} (depth, path, month, firsts) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    return len(rows)


def reached(prefix: str, plen: int, first: dt.date, last: dt.date, *, using: str) -> dict:
    """Households reached in the whole months `first`..`last` (first days), by child prefix."""
    depth, _length = level_for(plen)
    with connections[using].cursor() as cursor:
        cursor.execute(
            f"SELECT substr(path, 1, %s), "
            f"SUM(firsts[(EXTRACT(YEAR FROM month)::int * 12 + EXTRACT(MONTH FROM month)::int"
            f" - 1) - %s + 1]) FROM {TABLE} "
            "WHERE depth = %s AND month >= %s AND month <= %s AND path LIKE %s GROUP BY 1",
            [plen, _month_index(first.year, first.month), depth, first, last, prefix + "%"],
        )
        return {child: int(n or 0) for child, n in cursor.fetchall()}
