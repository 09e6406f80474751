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
