"""PostgreSQL triggers that keep `AreaState` (apps/grids/models.py): one statement-level
trigger per table and operation, over its transition table, so that a COPY or a bulk UPDATE
costs one set-based delta per statement, not one per row.

Each trigger computes the delta of the rows it saw by building (the household's area) and
adds it with `INSERT … ON CONFLICT DO UPDATE SET n = n + excluded.n`: concurrent writes add
up in the database. Before reading a parent (a resident's household, a pairing's resident)
it locks it FOR SHARE, so that a concurrent move of that parent (an UPDATE) waits for this
transaction or is seen by it: the delta lands on the building the row ends up in.

Deletes rely on Django deleting children before their parent (its collector), as it does:
a resident's delta is read while its household still exists.
"""

from .models import AreaState, GroupHousehold, Household, Pairing, Resident

STATE = AreaState._meta.db_table
HOUSEHOLD = Household._meta.db_table
RESIDENT = Resident._meta.db_table
PAIRING = Pairing._meta.db_table
COVER = GroupHousehold._meta.db_table
COLUMNS = AreaState.COUNTERS

_APPLY = f"""
    INSERT INTO {STATE} AS s (area_id, {", ".join(COLUMNS)})
    SELECT area_id, {", ".join(f"SUM({c})" for c in COLUMNS)} FROM d
    WHERE area_id IS NOT NULL GROUP BY area_id
    HAVING {" OR ".join(f"SUM({c}) <> 0" for c in COLUMNS)}
    ORDER BY area_id
    ON CONFLICT (area_id) DO UPDATE SET
    {", ".join(f"{c} = s.{c} + excluded.{c}" for c in COLUMNS)};
"""


def _signed(rows: str, sign: str) -> str:
    return f"SELECT area_id, {', '.join(f'{sign}{c} AS {c}' for c in COLUMNS)} FROM {rows}"


# What one row adds, by table; `x` is the transition table (old_rows or new_rows).
_ROW_STATE = {
    HOUSEHOLD: f"""SELECT x.id, x.area_id, 1 AS households,
        (SELECT COUNT(*) FROM {COVER} g WHERE g.household_id = x.id) AS covered,
        (SELECT COUNT(*) FROM {RESIDENT} r WHERE r.household_id = x.id AND r.vulnerable)
            AS vulnerable,
        (SELECT COUNT(*) FROM {RESIDENT} r JOIN {PAIRING} p ON p.resident_id = r.id AND p.active
            WHERE r.household_id = x.id AND r.vulnerable) AS paired,
        (SELECT COUNT(*) FROM {RESIDENT} r JOIN {PAIRING} p ON p.resident_id = r.id AND p.active
            WHERE r.household_id = x.id) AS pairings
        FROM %(rows)s x""",
    RESIDENT: f"""SELECT x.id, h.area_id, 0 AS households, 0 AS covered,
        CASE WHEN x.vulnerable THEN 1 ELSE 0 END AS vulnerable,
        CASE WHEN x.vulnerable THEN (SELECT COUNT(*) FROM {PAIRING} p
            WHERE p.resident_id = x.id AND p.active) ELSE 0 END AS paired,
        (SELECT COUNT(*) FROM {PAIRING} p WHERE p.resident_id = x.id AND p.active) AS pairings
        FROM %(rows)s x JOIN {HOUSEHOLD} h ON h.id = x.household_id""",
    PAIRING: f"""SELECT x.id, h.area_id, 0 AS households, 0 AS covered, 0 AS vulnerable,
        CASE WHEN x.active AND r.vulnerable THEN 1 ELSE 0 END AS paired,
        CASE WHEN x.active THEN 1 ELSE 0 END AS pairings
        FROM %(rows)s x JOIN {RESIDENT} r ON r.id = x.resident_id
        JOIN {HOUSEHOLD} h ON h.id = r.household_id""",
    COVER: f"""SELECT x.id, h.area_id, 0 AS households, 1 AS covered, 0 AS vulnerable,
        0 AS paired, 0 AS pairings
        FROM %(rows)s x JOIN {HOUSEHOLD} h ON h.id = x.household_id""",
}
# The columns whose change moves a row's contribution (an UPDATE of others adds nothing).
_MOVES = {
    HOUSEHOLD: ("area_id",),
    RESIDENT: ("household_id", "vulnerable"),
    PAIRING: ("resident_id", "active"),
    COVER: ("household_id",),
}
# Parents locked FOR SHARE before they are read (see the module's docstring).
_LOCKS = {
    HOUSEHOLD: [],
    RESIDENT: [f"SELECT 1 FROM {HOUSEHOLD} WHERE id IN (SELECT household_id FROM %(rows)s x)"],
    PAIRING: [
        f"SELECT 1 FROM {RESIDENT} WHERE id IN (SELECT resident_id FROM %(rows)s x)",
        f"SELECT 1 FROM {HOUSEHOLD} WHERE id IN (SELECT r.household_id FROM {RESIDENT} r "
        f"JOIN %(rows)s x ON x.resident_id = r.id)",
    ],
    COVER: [f"SELECT 1 FROM {HOUSEHOLD} WHERE id IN (SELECT household_id FROM %(rows)s x)"],
}


def _body(table: str, op: str) -> str:
    state = _ROW_STATE[table]
    locks = "".join(f"PERFORM 1 FROM ({q} ORDER BY id FOR SHARE) l;\n" for q in _LOCKS[table])
    if op == "INSERT":
        locks = locks % {"rows": "new_rows"}
        d = _signed(f"({state % {'rows': 'new_rows'}}) n", "")
    elif op == "DELETE":
        locks = ""
        d = _signed(f"({state % {'rows': 'old_rows'}}) o", "-")
    else:
        changed = " OR ".join(f"o.{c} IS DISTINCT FROM n.{c}" for c in _MOVES[table])
        moved = f"(SELECT o.* FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE {changed})"
        moved_new = f"(SELECT n.* FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE {changed})"
        d = (
            _signed(f"({state % {'rows': moved}}) o", "-")
            + " UNION ALL "
            + _signed(f"({state % {'rows': moved_new}}) n", "")
        )
        locks = locks % {"rows": moved_new}
    return f"{locks}WITH d AS ({d}) {_APPLY}"


def _name(table: str, op: str) -> str:
    return f"areastate_{table.removeprefix('grids_')}_{op.lower()}"


def create_sql() -> list[str]:
    statements = []
    for table in _ROW_STATE:
        for op in ("INSERT", "UPDATE", "DELETE"):
            name = _name(table, op)
            refs = {
                "INSERT": "NEW TABLE AS new_rows",
                "DELETE": "OLD TABLE AS old_rows",
                "UPDATE": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
            }[op]
            statements.append(
                f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
                f"BEGIN\n{_body(table, op)}\nRETURN NULL;\nEND $$;"
            )
            statements.append(f"DROP TRIGGER IF EXISTS {name} ON {table};")
            statements.append(
                f"CREATE TRIGGER {name} AFTER {op} ON {table} REFERENCING {refs} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {name}();"
            )
    return statements


def drop_sql() -> list[str]:
    out = []
    for table in _ROW_STATE:
        for op in ("INSERT", "UPDATE", "DELETE"):
            name = _name(table, op)
            out += [
                f"DROP TRIGGER IF EXISTS {name} ON {table};",
                f"DROP FUNCTION IF EXISTS {name}();",
            ]
    return out


REBUILD_SQL = f"""
INSERT INTO {STATE} (area_id, {", ".join(COLUMNS)})
SELECT area_id, {", ".join(f"SUM({c})" for c in COLUMNS)} FROM (
  SELECT area_id, 1 AS households, 0 AS covered, 0 AS vulnerable, 0 AS paired, 0 AS pairings
    FROM {HOUSEHOLD}
  UNION ALL SELECT h.area_id, 0, 1, 0, 0, 0
    FROM {COVER} g JOIN {HOUSEHOLD} h ON h.id = g.household_id
  UNION ALL SELECT h.area_id, 0, 0, 1, 0, 0
    FROM {RESIDENT} r JOIN {HOUSEHOLD} h ON h.id = r.household_id WHERE r.vulnerable
  UNION ALL SELECT h.area_id, 0, 0, 0, CASE WHEN r.vulnerable THEN 1 ELSE 0 END, 1
    FROM {PAIRING} p JOIN {RESIDENT} r ON r.id = p.resident_id
    JOIN {HOUSEHOLD} h ON h.id = r.household_id WHERE p.active
) s GROUP BY area_id
"""
