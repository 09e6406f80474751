"""Database triggers that keep `Pairing.area` — the building of the paired resident's
household — on PostgreSQL and SQLite alike, for every writer (services, the admin, bulk
updates, COPY): a pairing is scoped, listed and counted by its own indexed column instead of
through resident → household → area joins that read a district's whole table to find one
street's newest rows.

- a pairing inserted, or given another resident: its area is read from the resident;
- a resident moved to another household, or a household to another area: their pairings
  follow.
"""

from .models import Household, Pairing, Resident

PAIRING = Pairing._meta.db_table
RESIDENT = Resident._meta.db_table
HOUSEHOLD = Household._meta.db_table

_AREA_OF_RESIDENT = (
    f"(SELECT h.area_id FROM {RESIDENT} r JOIN {HOUSEHOLD} h ON h.id = r.household_id "
    "WHERE r.id = NEW.resident_id)"
)
_RESIDENT_MOVED = (
    f"UPDATE {PAIRING} SET area_id = (SELECT area_id FROM {HOUSEHOLD} "
    "WHERE id = NEW.household_id) WHERE resident_id = NEW.id"
)
_HOUSEHOLD_MOVED = (
    f"UPDATE {PAIRING} SET area_id = NEW.area_id "
    f"WHERE resident_id IN (SELECT id FROM {RESIDENT} WHERE household_id = NEW.id)"
)
NAMES = ("pairing_area_set", "pairing_area_resident_moved", "pairing_area_household_moved")


def create_sql(vendor: str) -> list[str]:
    if vendor == "postgresql":
        return [
            "CREATE OR REPLACE FUNCTION pairing_area_set() RETURNS trigger LANGUAGE plpgsql AS $$"
            f"\nBEGIN NEW.area_id := {_AREA_OF_RESIDENT}; RETURN NEW; END $$;",
            f"CREATE TRIGGER pairing_area_set BEFORE INSERT OR UPDATE OF resident_id ON {PAIRING} "
            "FOR EACH ROW EXECUTE FUNCTION pairing_area_set();",
            "CREATE OR REPLACE FUNCTION pairing_area_resident_moved() RETURNS trigger "
            f"LANGUAGE plpgsql AS $$\nBEGIN {_RESIDENT_MOVED}; RETURN NULL; END $$;",
            "CREATE TRIGGER pairing_area_resident_moved "
            f"AFTER UPDATE OF household_id ON {RESIDENT} FOR EACH ROW "
            "WHEN (OLD.household_id IS DISTINCT FROM NEW.household_id) "
            "EXECUTE FUNCTION pairing_area_resident_moved();",
            "CREATE OR REPLACE FUNCTION pairing_area_household_moved() RETURNS trigger "
            f"LANGUAGE plpgsql AS $$\nBEGIN {_HOUSEHOLD_MOVED}; RETURN NULL; END $$;",
            f"CREATE TRIGGER pairing_area_household_moved AFTER UPDATE OF area_id ON {HOUSEHOLD} "
            "FOR EACH ROW WHEN (OLD.area_id IS DISTINCT FROM NEW.area_id) "
            "EXECUTE FUNCTION pairing_area_household_moved();",
        ]
    # SQLite: a BEFORE trigger cannot set NEW, so the pairing is updated after the write
    set_area = f"UPDATE {PAIRING} SET area_id = {_AREA_OF_RESIDENT} WHERE id = NEW.id"
    return [
        f"CREATE TRIGGER pairing_area_set AFTER INSERT ON {PAIRING} BEGIN {set_area}; END;",
        f"CREATE TRIGGER pairing_area_set_moved AFTER UPDATE OF resident_id ON {PAIRING} "
        f"BEGIN {set_area}; END;",
        f"CREATE TRIGGER pairing_area_resident_moved AFTER UPDATE OF household_id ON {RESIDENT} "
        f"WHEN OLD.household_id IS NOT NEW.household_id BEGIN {_RESIDENT_MOVED}; END;",
        f"CREATE TRIGGER pairing_area_household_moved AFTER UPDATE OF area_id ON {HOUSEHOLD} "
        f"WHEN OLD.area_id IS NOT NEW.area_id BEGIN {_HOUSEHOLD_MOVED}; END;",
    ]


def drop_sql(vendor: str) -> list[str]:
    if vendor == "postgresql":
        return [
            f"DROP TRIGGER IF EXISTS {name} ON {table}; DROP FUNCTION IF EXISTS {name}();"
            for name, table in zip(NAMES, (PAIRING, RESIDENT, HOUSEHOLD), strict=True)
        ]
    return [f"DROP TRIGGER IF EXISTS {name};" for name in (*NAMES, "pairing_area_set_moved")]
