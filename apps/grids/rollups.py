"""The grid report's rollups (`AreaDay`, `HouseholdVisitYear`), kept in the transaction of the
change that moves them and rebuilt from the raw tables by `manage.py rebuild_rollups`.

Every bump is one `INSERT … ON CONFLICT DO UPDATE SET n = n + excluded.n` (PostgreSQL and
SQLite alike): concurrent visits to one building add up in the database, never read-modify-
write in Python, so none is lost. A problem's counters are a function of its state
(`problem_counts`); a transition bumps by the difference between after and before.
"""

import datetime as dt

from django.db import connection, transaction
from django.db.models import Count, F, IntegerField, OuterRef, Q, Subquery, Sum
from django.db.models.functions import (
    Cast,
    ExtractMonth,
    ExtractYear,
    Substr,
    TruncDate,
    TruncMonth,
)
from django.utils import timezone

from apps.core.rollups import rebuilder, triggers_skipped
from apps.register.models import Area

from . import reach
from .models import (
    AreaDay,
    AreaState,
    CommunityMonth,
    GridMonth,
    HouseholdVisitYear,
    Pairing,
    PairingMonth,
    Problem,
    ReachMonth,
    Visit,
)

GRID_PATH_LEN = Area.path_length(Area.Kind.GRID)
COMMUNITY_PATH_LEN = Area.path_length(Area.Kind.COMMUNITY)
# The month rollups above the building: (model, its path column, the path's length).
MONTH_ROLLUPS = (
    (GridMonth, "grid_path", GRID_PATH_LEN),
    (CommunityMonth, "community_path", COMMUNITY_PATH_LEN),
)
GRASSROOTS = tuple(int(level) for level in Problem.GRASSROOTS)
LEVELS = tuple(int(level) for level in Problem.Level)


def local_day(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


def _upsert_sql(table: str, keys: list[str], columns: list[str], merge: dict[str, str]) -> str:
    names = keys + columns
    sets = ", ".join(f"{c} = {merge[c] % {'c': c, 't': table}}" for c in columns)
    return (
        f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join(['%s'] * len(names))}) "
        f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {sets}"
    )


def bump(area_id: int, day: dt.date, **deltas: int) -> None:
    """Add `deltas` to the counters of (building, day) and of (its grid, month), creating
    the rows if need be."""
    deltas = {k: v for k, v in deltas.items() if v}
    if not deltas:
        return
    columns = sorted(deltas)
    for column in columns:
        if column not in AreaDay.COUNTERS:
            raise ValueError(column)
    table = AreaDay._meta.db_table
    # the counters not named take the columns' database default, 0
    sql = _upsert_sql(
        table, ["area_id", "day"], columns, dict.fromkeys(columns, "%(t)s.%(c)s + excluded.%(c)s")
    )
    values = [deltas[c] for c in columns]
    statements = [(sql, [area_id, day, *values])]
    for model, path, length in MONTH_ROLLUPS:
        table = model._meta.db_table
        sets = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in columns)
        statements.append(
            (
                f"INSERT INTO {table} ({path}, month, {', '.join(columns)}) "
                f"SELECT substr(path, 1, %s), %s, {', '.join(['%s'] * len(columns))} "
                f"FROM {Area._meta.db_table} WHERE id = %s "
                f"ON CONFLICT ({path}, month) DO UPDATE SET {sets}",
                [length, day.replace(day=1), *values, area_id],
            )
        )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # one round trip: the others as CTEs of the first
            (first, params), rest = statements[0], statements[1:]
            ctes = ", ".join(f"m{i} AS ({sql} RETURNING 1)" for i, (sql, _p) in enumerate(rest))
            cursor.execute(f"WITH {ctes} {first}", [v for _s, p in rest for v in p] + params)
        else:
            for sql, params in statements:
                cursor.execute(sql, params)


def _mark_month(household_id: int, area_id: int, day: dt.date) -> None:
    bit = 1 << (day.month - 1)
    if reach.kept():
        before, path = reach.lock(household_id, area_id)
        if (day.year, area_id) in {(y, a) for y, m, a, _p in before if m & bit}:
            return  # already marked: nothing moves
    table = HouseholdVisitYear._meta.db_table
    sql = _upsert_sql(
        table,
        ["household_id", "year"],
        ["area_id", "months"],
        {"area_id": "excluded.%(c)s", "months": "%(t)s.%(c)s | excluded.%(c)s"},
    )
    params = [household_id, day.year, area_id, bit]
    if reach.kept():  # and the first-visit arrays, in the same statement
        arrays = reach.marking(before, year=day.year, bit=bit, path=path)
        if arrays is not None:
            sql = f"WITH marked AS ({sql} RETURNING 1) {arrays[0]}"
            params += arrays[1]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def state_kept() -> bool:
    """Whether `AreaState` is kept (by PostgreSQL triggers, migration grids 0012). On SQLite
    it is not: the report computes the current state live there."""
    return connection.vendor == "postgresql"


# --- what the services call -------------------------------------------------------------


def visit_logged(visit: Visit) -> None:
    day = local_day(visit.visited_at)
    bump(visit.area_id, day, visits=1, pairing_visits=1 if visit.pairing_id else 0)
    _mark_month(visit.household_id, visit.area_id, day)
    if visit.pairing_id:  # (PostgreSQL: its triggers move the pairing in PairingMonth)
        Pairing.objects.filter(
            Q(last_visited_at__isnull=True) | Q(last_visited_at__lt=visit.visited_at),
            pk=visit.pairing_id,
        ).update(last_visited_at=visit.visited_at)


def problem_counts(
    *, status: str, found_level: int, level: int, resolved_level: int | None
) -> dict[str, int]:
    """What one problem in this state adds to the counters of the day it was found."""
    counts = {
        "problems_found": 1,
        "problems_resolved": int(status == Problem.Status.RESOLVED),
        "problems_escalated": int(level > found_level),
        "resolved_grassroots": int(resolved_level in GRASSROOTS),
    }
    for n in LEVELS:
        counts[f"reached_{n}"] = int(found_level <= n <= level)
        counts[f"resolved_{n}"] = int(resolved_level == n)
        counts[f"escalated_{n}"] = int(found_level <= n < level)
    return counts


def problem_state(problem: Problem) -> dict:
    return {
        "status": problem.status,
        "found_level": problem.found_level,
        "level": problem.level,
        "resolved_level": problem.resolved_level,
    }


def problem_created(problem: Problem) -> None:
    bump(problem.area_id, local_day(problem.created_at), **problem_counts(**problem_state(problem)))


def problem_changed(problem: Problem, before: dict) -> None:
    """After a transition that applied (its UPDATE was guarded by the state in `before`)."""
    after = problem_counts(**problem_state(problem))
    old = problem_counts(**before)
    bump(
        problem.area_id,
        local_day(problem.created_at),
        **{k: after[k] - old[k] for k in after},
    )
    if problem.status == Problem.Status.RESOLVED and before["status"] != Problem.Status.RESOLVED:
        bump(
            problem.area_id,
            local_day(problem.resolved_at),
            closed=1,
            closed_grassroots=int(problem.resolved_level in GRASSROOTS),
        )


# --- rebuild -------------------------------------------------------------------------------


def _insert_select(table: str, columns: list[str], queryset, upsert: bool) -> None:
    sql, params = queryset.query.sql_with_params()
    statement = f"INSERT INTO {table} ({', '.join(columns)}) SELECT * FROM ({sql}) s WHERE 1 = 1"
    if upsert:
        keys, counters = columns[:2], columns[2:]
        sets = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in counters)
        statement += f" ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {sets}"
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


@rebuilder("grids")
def rebuild() -> dict[str, int]:
    """Recompute every rollup from the raw tables, set-based (a few INSERT … SELECT), in one
    transaction: readers see the old rollups until it commits."""
    tz = timezone.get_current_timezone()
    table = AreaDay._meta.db_table
    with transaction.atomic(), triggers_skipped():
        AreaDay.objects.all().delete()
        for model, _path, _length in MONTH_ROLLUPS:
            model.objects.all().delete()
        HouseholdVisitYear.objects.all().delete()
        visits = (
            Visit.objects.order_by()
            .annotate(d=TruncDate("visited_at", tzinfo=tz))
            .values("area_id", "d")
            .annotate(n=Count("pk"), p=Count("pairing_id"))
            .values_list("area_id", "d", "n", "p")
        )
        _insert_select(table, ["area_id", "day", "visits", "pairing_visits"], visits, False)

        resolved = Q(status=Problem.Status.RESOLVED)
        aggs = {
            "problems_found": Count("pk"),
            "problems_resolved": Count("pk", filter=resolved),
            "problems_escalated": Count("pk", filter=Q(level__gt=F("found_level"))),
            "resolved_grassroots": Count("pk", filter=Q(resolved_level__in=GRASSROOTS)),
        }
        for n in LEVELS:
            aggs[f"reached_{n}"] = Count("pk", filter=Q(found_level__lte=n, level__gte=n))
            aggs[f"resolved_{n}"] = Count("pk", filter=Q(resolved_level=n))
            aggs[f"escalated_{n}"] = Count("pk", filter=Q(found_level__lte=n, level__gt=n))
        found = (
            Problem.objects.order_by()
            .annotate(d=TruncDate("created_at", tzinfo=tz))
            .values("area_id", "d")
            .annotate(**aggs)
            .values_list("area_id", "d", *aggs)
        )
        _insert_select(table, ["area_id", "day", *aggs], found, True)
        closed = (
            Problem.objects.filter(resolved, resolved_at__isnull=False)
            .order_by()
            .annotate(d=TruncDate("resolved_at", tzinfo=tz))
            .values("area_id", "d")
            .annotate(n=Count("pk"), g=Count("pk", filter=Q(resolved_level__in=GRASSROOTS)))
            .values_list("area_id", "d", "n", "g")
        )
        _insert_select(table, ["area_id", "day", "closed", "closed_grassroots"], closed, True)

        sums = {c: Sum(c) for c in AreaDay.COUNTERS}
        for model, path, length in MONTH_ROLLUPS:
            months = (
                AreaDay.objects.order_by()
                .annotate(g=Substr("area__path", 1, length), m=TruncMonth("day"))
                .values("g", "m")
                .annotate(**sums)
                .values_list("g", "m", *sums)
            )
            _insert_select(model._meta.db_table, [path, "month", *sums], months, False)

        months = (
            Visit.objects.order_by()
            .annotate(
                y=Cast(ExtractYear("visited_at", tzinfo=tz), IntegerField()),
                m=Cast(ExtractMonth("visited_at", tzinfo=tz), IntegerField()),
            )
            .values_list("household_id", "area_id", "y", "m")
            .distinct()
        )
        sql, params = months.query.sql_with_params()
        hvy = HouseholdVisitYear._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {hvy} (household_id, area_id, year, months) "
                f"SELECT household_id, MIN(area_id), y, SUM(1 << (m - 1)) FROM ({sql}) s "
                "GROUP BY household_id, y",
                params,
            )
        if reach.kept():
            reach.rebuild()
        last = Visit.objects.filter(pairing=OuterRef("pk")).order_by("-visited_at")
        Pairing.objects.update(last_visited_at=Subquery(last.values("visited_at")[:1]))
        if state_kept():
            from .state_sql import STATE_TABLES

            with connection.cursor() as cursor:
                for state in STATE_TABLES:
                    cursor.execute(f"DELETE FROM {state.table}")
                    cursor.execute(state.rebuild_sql())
    return {
        "area_days": AreaDay.objects.count(),
        "grid_months": GridMonth.objects.count(),
        "community_months": CommunityMonth.objects.count(),
        "household_years": HouseholdVisitYear.objects.count(),
        "area_states": AreaState.objects.count(),
        "pairing_months": PairingMonth.objects.count(),
        "reach_months": ReachMonth.objects.count(),
    }
