"""PostgreSQL triggers that keep the grid report's current-state tables (apps/grids/models.py):
`AreaState` (households, covered ones, vulnerable residents, paired ones, active pairings)
and `PairingMonth` (active pairings by the local month of their last visit). One
statement-level trigger per state table, source table and operation, over its transition
table, so that a COPY or a bulk UPDATE costs one set-based delta per statement, not one per
row.

Each trigger computes the delta of the rows it saw by building (the household's area) and
adds it to the building's row and to the rows of the grid and the community above it (so a
district's report reads 160 community rows, not 40,000 buildings') with
`INSERT … ON CONFLICT DO UPDATE SET n = n + excluded.n`, in one key order: concurrent writes
add up in the database. Before reading a parent (a resident's household, a pairing's
resident) it locks it FOR SHARE, so that a concurrent move of that parent (an UPDATE) waits
for this transaction or is seen by it: the delta lands on the building the row ends up in.

Deletes rely on Django deleting children before their parent (its collector), as it does:
a resident's delta is read while its household still exists.

`rebuild_rollups` (and `seed_demo`'s bulk load) set `core.rollups.TRIGGERS_OFF` for their
transaction: the triggers then skip (every state table is recomputed afterwards).
"""

from dataclasses import dataclass

from django.conf import settings

from apps.core.rollups import TRIGGERS_OFF
from apps.register.models import Area

from .models import AreaState, GroupHousehold, Household, Pairing, PairingMonth, Resident
from .reach import LEVELS

AREA = Area._meta.db_table
HOUSEHOLD = Household._meta.db_table
RESIDENT = Resident._meta.db_table
PAIRING = Pairing._meta.db_table
COVER = GroupHousehold._meta.db_table
# The ancestors that get a row too: grid and community (path prefixes of the building's).
ANCESTOR_LENGTHS = tuple(length for _depth, length in LEVELS)


def _month(column: str) -> str:
    """The local month (its first day) of a timestamp column."""
    return f"date_trunc('month', {column} AT TIME ZONE '{settings.TIME_ZONE}')::date"


@dataclass(frozen=True)
class StateTable:
    model: type
    keys: tuple[str, ...]  # area_id first
    rows: dict[str, str]  # source table -> SQL of what its rows `%(rows)s` add
    moves: dict[str, tuple[str, ...]]  # the columns whose change moves a row's contribution
    full: str  # the whole state from the raw tables, set-based: (keys, counters) rows

    @property
    def table(self) -> str:
        return self.model._meta.db_table

    @property
    def columns(self) -> tuple[str, ...]:
        return self.model.COUNTERS

    def _expanded(self, d: str) -> str:
        """`d`'s rows, and the same rows on each ancestor (grid, community) of the building."""
        rest = ", ".join(f"d.{c}" for c in (*self.keys[1:], *self.columns))
        ancestors = ", ".join(f"substr(b.path, 1, {n})" for n in ANCESTOR_LENGTHS)
        return (
            f"SELECT d.area_id, {rest} FROM {d} d UNION ALL "
            f"SELECT up.id, {rest} FROM {d} d JOIN {AREA} b ON b.id = d.area_id "
            f"JOIN {AREA} up ON up.path IN ({ancestors}) AND up.depth < b.depth"
        )

    def _apply(self, d: str) -> str:
        keys, cols = ", ".join(self.keys), self.columns
        return f"""
            INSERT INTO {self.table} AS s ({keys}, {", ".join(cols)})
            SELECT {keys}, {", ".join(f"SUM({c})" for c in cols)} FROM ({self._expanded(d)}) x
            WHERE area_id IS NOT NULL GROUP BY {keys}
            HAVING {" OR ".join(f"SUM({c}) <> 0" for c in cols)}
            ORDER BY {keys}
            ON CONFLICT ({keys}) DO UPDATE SET
            {", ".join(f"{c} = s.{c} + excluded.{c}" for c in cols)};
        """

    def _signed(self, rows: str, sign: str) -> str:
        values = ", ".join(f"{sign}{c} AS {c}" for c in self.columns)
        return f"SELECT {', '.join(self.keys)}, {values} FROM {rows}"

    def body(self, source: str, op: str) -> str:
        state = self.rows[source]
        locks = "".join(f"PERFORM 1 FROM ({q} ORDER BY id FOR SHARE) l;\n" for q in LOCKS[source])
        if op == "INSERT":
            locks = locks % {"rows": "new_rows"}
            d = self._signed(f"({state % {'rows': 'new_rows'}}) n", "")
        elif op == "DELETE":
            locks = ""
            d = self._signed(f"({state % {'rows': 'old_rows'}}) o", "-")
        else:
            changed = " OR ".join(f"o.{c} IS DISTINCT FROM n.{c}" for c in self.moves[source])
            join = f"FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE {changed}"
            moved_old, moved_new = f"(SELECT o.* {join})", f"(SELECT n.* {join})"
            d = (
                self._signed(f"({state % {'rows': moved_old}}) o", "-")
                + " UNION ALL "
                + self._signed(f"({state % {'rows': moved_new}}) n", "")
            )
            locks = locks % {"rows": moved_new}
        skip = f"IF current_setting('{TRIGGERS_OFF}', true) = 'on' THEN RETURN NULL; END IF;\n"
        return f"{skip}{locks}WITH d AS ({d}) {self._apply('d')}"

    def name(self, source: str, op: str) -> str:
        return f"{self.table.removeprefix('grids_')}_{source.removeprefix('grids_')}_{op.lower()}"

    def rebuild_sql(self) -> str:
        """Every row (buildings and their ancestors) from the raw tables."""
        keys, cols = ", ".join(self.keys), self.columns
        return (
            f"WITH d AS ({self.full}) INSERT INTO {self.table} ({keys}, {', '.join(cols)}) "
            f"SELECT {keys}, {', '.join(f'SUM({c})' for c in cols)} FROM ({self._expanded('d')}) x "
            f"WHERE area_id IS NOT NULL GROUP BY {keys} "
            f"HAVING {' OR '.join(f'SUM({c}) <> 0' for c in cols)}"
        )


# Parents locked FOR SHARE before they are read (see the module's docstring).
LOCKS = {
    HOUSEHOLD: [],
    RESIDENT: [f"SELECT 1 FROM {HOUSEHOLD} WHERE id IN (SELECT household_id FROM %(rows)s x)"],
    PAIRING: [
        f"SELECT 1 FROM {RESIDENT} WHERE id IN (SELECT resident_id FROM %(rows)s x)",
        f"SELECT 1 FROM {HOUSEHOLD} WHERE id IN (SELECT r.household_id FROM {RESIDENT} r "
        f"JOIN %(rows)s x ON x.resident_id = r.id)",
    ],
    COVER: [f"SELECT 1 FROM {HOUSEHOLD} WHERE id IN (SELECT household_id FROM %(rows)s x)"],
}

AREA_STATE = StateTable(
    model=AreaState,
    keys=("area_id",),
    # What one row adds, by table; `x` is the transition table (old_rows or new_rows).
    rows={
        HOUSEHOLD: f"""SELECT x.id, x.area_id, 1 AS households,
            (SELECT COUNT(*) FROM {COVER} g WHERE g.household_id = x.id) AS covered,
            (SELECT COUNT(*) FROM {RESIDENT} r WHERE r.household_id = x.id AND r.vulnerable)
                AS vulnerable,
            (SELECT COUNT(*) FROM {RESIDENT} r JOIN {PAIRING} p
                ON p.resident_id = r.id AND p.active
                WHERE r.household_id = x.id AND r.vulnerable) AS paired,
            (SELECT COUNT(*) FROM {RESIDENT} r JOIN {PAIRING} p
                ON p.resident_id = r.id AND p.active
                WHERE r.household_id = x.id) AS pairings
            FROM %(rows)s x""",
        RESIDENT: f"""SELECT x.id, h.area_id, 0 AS households, 0 AS covered,
            CASE WHEN x.vulnerable THEN 1 ELSE 0 END AS vulnerable,
            CASE WHEN x.vulnerable THEN (SELECT COUNT(*) FROM {PAIRING} p
                WHERE p.resident_id = x.id AND p.active) ELSE 0 END AS paired,
            (SELECT COUNT(*) FROM {PAIRING} p WHERE p.resident_id = x.id AND p.active)
                AS pairings
            FROM %(rows)s x JOIN {HOUSEHOLD} h ON h.id = x.household_id""",
        PAIRING: f"""SELECT x.id, h.area_id, 0 AS households, 0 AS covered, 0 AS vulnerable,
            CASE WHEN x.active AND r.vulnerable THEN 1 ELSE 0 END AS paired,
            CASE WHEN x.active THEN 1 ELSE 0 END AS pairings
            FROM %(rows)s x JOIN {RESIDENT} r ON r.id = x.resident_id
            JOIN {HOUSEHOLD} h ON h.id = r.household_id""",
        COVER: f"""SELECT x.id, h.area_id, 0 AS households, 1 AS covered, 0 AS vulnerable,
            0 AS paired, 0 AS pairings
            FROM %(rows)s x JOIN {HOUSEHOLD} h ON h.id = x.household_id""",
    },
    moves={
        HOUSEHOLD: ("area_id",),
        RESIDENT: ("household_id", "vulnerable"),
        PAIRING: ("resident_id", "active"),
        COVER: ("household_id",),
    },
    full=f"""
        SELECT area_id, 1 AS households, 0 AS covered, 0 AS vulnerable, 0 AS paired,
            0 AS pairings FROM {HOUSEHOLD}
        UNION ALL SELECT h.area_id, 0, 1, 0, 0, 0
            FROM {COVER} g JOIN {HOUSEHOLD} h ON h.id = g.household_id
        UNION ALL SELECT h.area_id, 0, 0, 1, 0, 0
            FROM {RESIDENT} r JOIN {HOUSEHOLD} h ON h.id = r.household_id WHERE r.vulnerable
        UNION ALL SELECT h.area_id, 0, 0, 0, CASE WHEN r.vulnerable THEN 1 ELSE 0 END, 1
            FROM {PAIRING} p JOIN {RESIDENT} r ON r.id = p.resident_id
            JOIN {HOUSEHOLD} h ON h.id = r.household_id WHERE p.active""",
)

PAIRING_MONTHS = StateTable(
    model=PairingMonth,
    keys=("area_id", "month"),
    rows={
        HOUSEHOLD: f"""SELECT x.id, x.area_id, {_month("p.last_visited_at")} AS month,
            COUNT(*) AS pairings
            FROM %(rows)s x JOIN {RESIDENT} r ON r.household_id = x.id
            JOIN {PAIRING} p ON p.resident_id = r.id AND p.active
                AND p.last_visited_at IS NOT NULL
            GROUP BY x.id, x.area_id, 3""",
        RESIDENT: f"""SELECT x.id, h.area_id, {_month("p.last_visited_at")} AS month,
            COUNT(*) AS pairings
            FROM %(rows)s x JOIN {HOUSEHOLD} h ON h.id = x.household_id
            JOIN {PAIRING} p ON p.resident_id = x.id AND p.active
                AND p.last_visited_at IS NOT NULL
            GROUP BY x.id, h.area_id, 3""",
        PAIRING: f"""SELECT x.id, h.area_id, {_month("x.last_visited_at")} AS month,
            1 AS pairings
            FROM %(rows)s x JOIN {RESIDENT} r ON r.id = x.resident_id
            JOIN {HOUSEHOLD} h ON h.id = r.household_id
            WHERE x.active AND x.last_visited_at IS NOT NULL""",
    },
    moves={
        HOUSEHOLD: ("area_id",),
        RESIDENT: ("household_id",),
        PAIRING: ("resident_id", "active", "last_visited_at"),
    },
    full=f"""
        SELECT h.area_id, {_month("p.last_visited_at")} AS month, 1 AS pairings
        FROM {PAIRING} p JOIN {RESIDENT} r ON r.id = p.resident_id
        JOIN {HOUSEHOLD} h ON h.id = r.household_id
        WHERE p.active AND p.last_visited_at IS NOT NULL""",
)

STATE_TABLES = (AREA_STATE, PAIRING_MONTHS)
_REFS = {
    "INSERT": "NEW TABLE AS new_rows",
    "DELETE": "OLD TABLE AS old_rows",
    "UPDATE": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
}


def create_sql(tables=STATE_TABLES) -> list[str]:
    statements = []
    for state in tables:
        for source in state.rows:
            for op, refs in _REFS.items():
                name = state.name(source, op)
                statements += [
                    f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$"
                    f"\nBEGIN\n{state.body(source, op)}\nRETURN NULL;\nEND $$;",
                    f"DROP TRIGGER IF EXISTS {name} ON {source};",
                    f"CREATE TRIGGER {name} AFTER {op} ON {source} REFERENCING {refs} "
                    f"FOR EACH STATEMENT EXECUTE FUNCTION {name}();",
                ]
    return statements


def drop_sql(tables=STATE_TABLES) -> list[str]:
    out = []
    for state in tables:
        for source in state.rows:
            for op in _REFS:
                name = state.name(source, op)
                out += [
                    f"DROP TRIGGER IF EXISTS {name} ON {source};",
                    f"DROP FUNCTION IF EXISTS {name}();",
                ]
    return out
