"""Rollup counters kept in the transaction of the change: one
`INSERT … ON CONFLICT (keys) DO UPDATE SET n = table.n + excluded.n` per bump (PostgreSQL and
SQLite ≥ 3.24 alike). Concurrent bumps of one row add up in the database — never a read-modify-
write in Python — so none is lost. Counter columns need `db_default=0`."""

from contextlib import contextmanager

from django.db import connection, models

# Rollups kept by PostgreSQL triggers (apps/grids/state_sql.py) skip while this setting is
# "on" in the transaction: a rebuild, or a bulk load that is followed by one (seed_demo).
TRIGGERS_OFF = "tongxin.rebuilding"


@contextmanager
def triggers_skipped():
    """Within a transaction: the rollup triggers skip until the block ends (the caller then
    rebuilds what they keep). Nothing on SQLite, which has none."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config(%s, 'on', true)", [TRIGGERS_OFF])
    yield  # (on an error the transaction rolls back, and the setting with it)
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config(%s, 'off', true)", [TRIGGERS_OFF])


def counter_fields(names) -> dict[str, models.IntegerField]:
    """One counter column per name, in order: an integer that is 0 by default, in Python and
    in the database (so a bump names only the counters it moves)."""
    return {name: models.IntegerField(default=0, db_default=0) for name in names}


def counters(*names: str) -> type[models.Model]:
    """An abstract model with the counter columns `names` (`counter_fields`) and
    `COUNTERS = names`: a rollup model declares its counters once, by inheriting it."""
    meta = type("Meta", (), {"abstract": True})
    attrs = {"__module__": __name__, "COUNTERS": names, "Meta": meta}
    return type("Counters", (models.Model,), {**attrs, **counter_fields(names)})


class DayCounters(models.Model):
    """A rollup row of one building (the area a change is recorded at) and one local day,
    indexed by day (`<model>_day`). Its unique key is (area, day) and the subclass's other
    keys, if any: `unique_per_day(name, *keys)` in the subclass's `Meta(DayCounters.Meta)`."""

    area = models.ForeignKey(
        "register.Area", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    day = models.DateField()

    class Meta:
        abstract = True
        indexes = [models.Index(fields=["day"], name="%(class)s_day")]

    @staticmethod
    def unique_per_day(name: str, *keys: str) -> models.UniqueConstraint:
        """The unique constraint `name` on (area, day, *keys): the conflict target of the
        row's upserts."""
        return models.UniqueConstraint(fields=["area", "day", *keys], name=name)


def upsert_add(model: type[models.Model], keys: dict, deltas: dict[str, int]) -> None:
    """Add `deltas` to the row of `model` identified by `keys` (its unique constraint's
    columns, by attname), creating the row if need be. Zero deltas are skipped."""
    deltas = {k: v for k, v in deltas.items() if v}
    if not deltas:
        return
    table = model._meta.db_table
    columns = [model._meta.get_field(name).column for name in (*keys, *deltas)]
    key_columns, counter_columns = columns[: len(keys)], columns[len(keys) :]
    sets = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in counter_columns)
    sql = (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))}) "
        f"ON CONFLICT ({', '.join(key_columns)}) DO UPDATE SET {sets}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*keys.values(), *deltas.values()])


# name -> a function that rebuilds that app's rollups from its raw tables and returns row
# counts. Each app registers its own (apps/<app>/rollups.py, imported by its AppConfig.ready),
# so that `manage.py rebuild_rollups` needs to know none of them.
REBUILDERS: dict = {}


def rebuilder(name: str):
    def register(fn):
        REBUILDERS[name] = fn
        return fn

    return register


def rebuild_all() -> dict[str, dict]:
    return {name: fn() for name, fn in REBUILDERS.items()}
