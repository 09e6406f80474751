"""`copy_insert(Model, objs)`: bulk_create's contract (the objects get their ids) through
PostgreSQL `COPY` — what `seed_demo --scale 100` needs for its millions of rows (the roster
import streams COPY the same way, apps.rosters.importers). On SQLite it is bulk_create.

Ids come from the table's own sequence, reserved in one statement (`setval(nextval + n - 1)`),
so they are never handed out twice; `auto_now`/`auto_now_add` fields are filled as a save
would (`pre_save`); generated columns are left to the database. The audit triggers run
once per COPY (statement level), as for any insert.
"""

from django.db import connections

BATCH = 5000


def reserve_ids(model, n: int, *, using: str = "default") -> range:
    """`n` fresh ids of `model`'s sequence (PostgreSQL)."""
    connection = connections[using]
    table = model._meta.db_table
    column = model._meta.pk.column
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT setval(s, nextval(s) + %s - 1) FROM pg_get_serial_sequence(%s, %s) AS s",
            [n, table, column],
        )
        last = cursor.fetchone()[0]
    return range(last - n + 1, last + 1)


def copy_insert(model, objs: list, *, using: str = "default") -> list:
    """Insert `objs` (unsaved instances of `model`) and give them their ids; returns `objs`."""
    connection = connections[using]
    if not objs:
        return objs
    if connection.vendor != "postgresql":
        return model.objects.using(using).bulk_create(objs, batch_size=BATCH)
    pk = model._meta.pk
    fields = [f for f in model._meta.concrete_fields if not getattr(f, "generated", False)]
    missing = [o for o in objs if o.pk is None]
    for obj, pk_value in zip(missing, reserve_ids(model, len(missing), using=using), strict=True):
        setattr(obj, pk.attname, pk_value)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    sql = f"COPY {connection.ops.quote_name(model._meta.db_table)} ({columns}) FROM STDIN"
    with (
        connection.wrap_database_errors,
        connection.cursor() as cursor,
        cursor.cursor.copy(sql) as copy,
    ):
        for obj in objs:
            copy.write_row([f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields])
            obj._state.adding = False
            obj._state.db = using
    return objs


def copy_rows(model, columns: list[str], rows, *, using: str = "default") -> int:
    """COPY plain tuples (already database values, ids included or defaulted by the table)
    into `model`'s table: the fastest path, for rows nobody needs as objects afterwards."""
    connection = connections[using]
    table = model._meta.db_table
    if connection.vendor != "postgresql":
        objs = [model(**dict(zip(columns, row, strict=True))) for row in rows]
        return len(model.objects.using(using).bulk_create(objs, batch_size=BATCH))
    names = ", ".join(connection.ops.quote_name(model._meta.get_field(c).column) for c in columns)
    n = 0
    with (
        connection.wrap_database_errors,
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {connection.ops.quote_name(table)} ({names}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)
            n += 1
    return n
