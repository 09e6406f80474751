"""The fast import path: one `Importer` per roster.

    parse (parsing.py) → convert + validate every row in Python with cached lookups
    → match natural keys against the database in a few chunked queries
    → diff: new / updated / unchanged → write in bulk, in one transaction.

Why not django-import-export's import: its default path costs five queries a row
(savepoint, lookup, FK lookup, insert, release: ~415 rows/s), and even tuned it resolves
foreign keys per row and commits the rows that passed. Here lookups are dicts built once
per import, every bad row is collected before anything is written, and writes are bulk:
PostgreSQL `COPY` for new rows (SQLite: `bulk_create`), one `INSERT … ON CONFLICT (id) DO
UPDATE` per batch for changed rows. Existing rows are matched by natural key in Python
first, so the partial unique indexes (phone != '') need no ON CONFLICT predicate.
django-import-export still provides the resources (export, admin, the benchmark's peer).
"""

import datetime
from collections.abc import Callable

from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.scoping import CHANGE, can
from apps.core.conf import conf
from apps.core.errors import InvalidInput
from apps.core.history import pin_history_context
from apps.register.models import Area, Household, Member, Organisation, PartyOrg, Resident

from . import validation as v
from .columns import (
    AREA,
    BOOL,
    CHOICE,
    DATE,
    ID_NUMBER,
    PARTY_ORG,
    PHONE,
    ROSTERS,
    Column,
    header_map,
    normalise_header,
)
from .parsing import Table

Progress = Callable[[str, int, int], None]


class ImportResult:
    def __init__(self, kind: str, total: int = 0):
        self.kind = kind
        self.total = total
        self.new = self.updated = self.unchanged = 0
        self.errors: list[dict] = []
        self.changes: list[dict] = []
        self.notices: list[str] = []
        self.written = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        return _("%(new)s 条新增，%(updated)s 条更新，%(unchanged)s 条未变") % {
            "new": self.new,
            "updated": self.updated,
            "unchanged": self.unchanged,
        }

    def as_dict(self) -> dict:
        return {
            "kind": self.kind,
            "total": self.total,
            "new": self.new,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "errors": self.errors,
            "changes": self.changes,
            "notices": self.notices,
            "written": self.written,
        }


class _Skip(Exception):
    """The row has an error already recorded."""


class Importer:
    roster_kind = ""
    model = None
    attnames: dict[str, str] = {}  # column field → model attname when they differ
    ref_kinds: dict[str, frozenset] = {}  # AREA/PARTY_ORG column → allowed node kinds

    def __init__(self, *, user=None, refs: v.Refs | None = None, progress: Progress | None = None):
        self.user = user  # None: an operator at the command line, no scope limits
        self.refs = refs or v.Refs()
        self.progress = progress or (lambda stage, done, total: None)
        self.roster = ROSTERS[self.roster_kind]
        self._allowed: dict = {}

    # ---- columns ---------------------------------------------------------------------------
    def _columns(self, headers: list[str]) -> list[tuple[str, int, Callable, str]]:
        accepted = header_map(self.roster)
        found: dict[str, tuple[int, str]] = {}
        unknown = []
        for index, header in enumerate(headers):
            if not header:
                continue
            column = accepted.get(normalise_header(header))
            if column is None:
                unknown.append(header)
            elif column.field in found:
                raise InvalidInput(
                    _("表头“%(a)s”和“%(b)s”是同一列，请删除其中一列。")
                    % {"a": found[column.field][1], "b": header},
                    code="duplicate_column",
                )
            else:
                found[column.field] = (index, header)
        missing = [c.zh for c in self.roster.columns if c.required and c.field not in found]
        if missing:
            raise InvalidInput(
                _("缺少必需的列：%(cols)s。请使用导入模板的表头。") % {"cols": "、".join(missing)},
                code="missing_columns",
            )
        if unknown:
            self.result.notices.append(
                _("未识别的列已忽略：%(cols)s。") % {"cols": "、".join(unknown)}
            )
        self.headers = {f: h for f, (_i, h) in found.items()}
        return [
            (c.field, found[c.field][0], self._converter(c), found[c.field][1])
            for c in self.roster.columns
            if c.field in found
        ]

    def _converter(self, column: Column) -> Callable:
        if column.type == CHOICE:
            return v.make_choice(column)
        if column.type in (AREA, PARTY_ORG):
            tree = self.refs.areas if column.type == AREA else self.refs.party_orgs
            kinds = self.ref_kinds.get(column.field)

            def resolve(cell, tree=tree, kinds=kinds):
                value = v.text(cell)
                return tree.resolve(value, kinds) if value else None

            return resolve
        simple = {PHONE: v.phone, ID_NUMBER: v.id_number, DATE: v.date, BOOL: v.boolean}
        return simple.get(column.type) or v.make_text(column)

    def error(self, row: int, field: str | None, message: str) -> None:
        header = self.headers.get(field, "") if field else ""
        self.result.errors.append({"row": row, "column": header, "message": str(message)})

    # ---- the pipeline ----------------------------------------------------------------------
    def run(self, table: Table, *, dry_run: bool = False) -> ImportResult:
        self.result = ImportResult(self.roster_kind, len(table.rows))
        v.refresh_today()
        self.result.notices.extend(table.notices)
        columns = self._columns(table.headers)
        if not table.rows:
            raise InvalidInput(_("文件中没有数据行。"), code="no_rows")
        concrete = {f.attname for f in self.model._meta.concrete_fields}
        self.present = [
            a
            for a in dict.fromkeys(self.attnames.get(f, f) for f, *_rest in columns)
            if a in concrete
        ]
        self.header_of = {self.attnames.get(f, f): self.headers[f] for f, *_rest in columns}
        required = [c.field for c in self.roster.columns if c.required]
        total, batch = len(table.rows), conf("ROSTERS_BATCH_SIZE")
        records: list[tuple[int, dict]] = []
        seen: dict = {}
        for i, (number, cells) in enumerate(table.rows):
            values, bad = {}, False
            width = len(cells)
            for field, index, convert, _header in columns:
                try:
                    values[field] = convert(cells[index] if index < width else None)
                except v.BadCell as exc:
                    self.error(number, field, str(exc))
                    bad = True
            for field in required:
                if field not in values or values[field] in ("", None):
                    if field in values:
                        self.error(number, field, _("必填。"))
                    bad = True
            if bad:
                continue
            try:
                record = self.clean(number, values)
                for field, key in self.keys(record):
                    first = seen.setdefault(key, number)
                    if first != number:
                        self.error(number, field, _("与第 %(row)s 行重复。") % {"row": first})
                        raise _Skip
            except _Skip:
                continue
            records.append((number, record))
            if i % batch == 0:
                self.progress("validating", i, total)
        self.progress("validating", total, total)
        new, updated = self._diff(records)
        self.result.errors.sort(key=lambda e: e["row"])
        if self.result.errors or dry_run:
            return self.result
        try:
            with transaction.atomic():
                pin_history_context()  # the COPY bypasses Django's cursor
                self.write(new, updated)
        except IntegrityError as exc:
            raise InvalidInput(
                _("导入时数据已被其他操作修改，没有写入任何数据。请重新预览后再导入。"),
                code="conflict",
            ) from exc
        self.result.written = True
        return self.result

    def _diff(self, records):
        existing = self.existing(records)
        new, updated = [], []
        preview = conf("ROSTERS_PREVIEW_CHANGES")
        for number, record in records:
            try:
                match = self.match(number, record, existing)
                if not self.allowed(number, record, match[1] if match else None):
                    continue
            except _Skip:
                continue
            if match is None:
                new.append(record)
                self.result.new += 1
                if len(self.result.changes) < preview:
                    diffs = [
                        (a, None, record[a])
                        for a in self.present
                        if record.get(a) not in ("", None)
                    ]
                    self._change(number, "new", record, diffs)
                continue
            pk, current = match
            diffs = [(a, current[a], record[a]) for a in self.present if current[a] != record[a]]
            if diffs:
                updated.append((pk, record))
                self.result.updated += 1
                if len(self.result.changes) < preview:
                    self._change(number, "updated", record, diffs)
            else:
                self.result.unchanged += 1
        return new, updated

    def _change(self, number, action, record, diffs):
        self.result.changes.append(
            {
                "row": number,
                "action": action,
                "label": self.label(record),
                "fields": [
                    {
                        "column": self.header_of.get(a, a),
                        "old": self.display(a, old),
                        "new": self.display(a, new),
                    }
                    for a, old, new in diffs
                ],
            }
        )

    def display(self, attname: str, value) -> str:
        """A value as the user wrote it: labels for choices, readable paths for references."""
        if value is None or value == "":
            return ""
        field = self.model._meta.get_field(attname)
        target = field.related_model if field.is_relation else None
        if target is Area:
            return self.refs.areas.display(value)
        if target is PartyOrg:
            return self.refs.party_orgs.display(value)
        if target is not None:
            return self.related_label(value)
        if field.choices:
            return str(dict(field.choices).get(value, value))
        if isinstance(value, bool):
            return _("是") if value else _("否")
        if isinstance(value, datetime.date):
            return value.isoformat()
        return str(value)

    def related_label(self, pk) -> str:
        return str(pk)

    def may(self, area_id=None, party_org_id=None) -> bool:
        """Whether the importing user may change rows hanging at these nodes (cached)."""
        if self.user is None:
            return True
        key = (area_id, party_org_id)
        if key not in self._allowed:
            self._allowed[key] = can(
                self.user,
                CHANGE,
                self.model,
                area=self.refs.areas.node(area_id),
                party_org=self.refs.party_orgs.node(party_org_id) if party_org_id else None,
            )
        return self._allowed[key]

    def forbid(self, number: int, field: str, area_id: int) -> bool:
        self.error(
            number,
            field,
            _("您无权导入到“%(node)s”（不在您管辖的范围内）。")
            % {"node": self.refs.areas.display(area_id)},
        )
        return False

    # ---- per roster --------------------------------------------------------------------------
    def clean(self, number: int, values: dict) -> dict:
        """Column values → model attnames; may record an error and raise _Skip."""
        return {self.attnames.get(k, k): val for k, val in values.items()}

    def keys(self, record: dict) -> list[tuple[str, tuple]]:
        """(column field, natural key) pairs; duplicates of any key in the file are errors."""
        raise NotImplementedError

    def existing(self, records) -> dict:
        """natural key → (pk, {attname: current value}) for the rows the file names."""
        raise NotImplementedError

    def match(self, number, record, existing):
        found = {
            existing[key][0]: existing[key] for _f, key in self.keys(record) if key in existing
        }
        if len(found) > 1:
            self.error(number, None, _("手机号和身份证号分别属于数据库中的两条不同记录，请核对。"))
            raise _Skip
        return next(iter(found.values()), None)

    def allowed(self, number: int, record: dict, current: dict | None) -> bool:
        return True

    def label(self, record: dict) -> str:
        return record.get("name", "")

    # ---- writing ------------------------------------------------------------------------------
    def write(self, new: list[dict], updated: list[tuple[int, dict]]) -> None:
        total = len(new) + len(updated)
        done = self.insert(new, 0, total)
        self.update(updated, done, total)

    def _insert_fields(self) -> list:
        return [
            f
            for f in self.model._meta.concrete_fields
            if not f.primary_key and not getattr(f, "generated", False)
        ]

    def insert(self, records: list[dict], done: int, total: int) -> int:
        fields = self._insert_fields()
        now = timezone.now()
        defaults = {
            f.attname: (now if f.attname in ("created_at", "updated_at") else f.get_default())
            for f in fields
        }
        batch = conf("ROSTERS_BATCH_SIZE")
        if connection.vendor == "postgresql":
            # COPY: the fastest way in; one statement streams every row.
            attnames = [f.attname for f in fields]
            columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
            table = connection.ops.quote_name(self.model._meta.db_table)
            sql = f"COPY {table} ({columns}) FROM STDIN"
            # wrap_database_errors: a raw psycopg error becomes Django's IntegrityError.
            with (
                connection.wrap_database_errors,
                connection.cursor() as cursor,
                cursor.cursor.copy(sql) as copy,
            ):
                for i, record in enumerate(records, 1):
                    copy.write_row([record.get(a, defaults[a]) for a in attnames])
                    if i % batch == 0:
                        self.progress("writing", done + i, total)
            self.progress("writing", done + len(records), total)
            return done + len(records)
        for start in range(0, len(records), batch):
            chunk = records[start : start + batch]
            self.model.objects.bulk_create([self.model(**{**defaults, **r}) for r in chunk])
            self.progress("writing", done + start + len(chunk), total)
        return done + len(records)

    def update(self, updated: list[tuple[int, dict]], done: int, total: int) -> None:
        if not updated:
            return
        fields = [self.model._meta.get_field(a).name for a in self.present]
        if any(f.attname == "updated_at" for f in self.model._meta.concrete_fields):
            fields.append("updated_at")
        batch = conf("ROSTERS_BATCH_SIZE")
        for start in range(0, len(updated), batch):
            chunk = updated[start : start + batch]
            self.model.objects.bulk_create(
                [self.model(pk=pk, **record) for pk, record in chunk],
                update_conflicts=True,
                unique_fields=["pk"],
                update_fields=fields,
            )
            self.progress("writing", done + start + len(chunk), total)


def _chunks(items: list, size: int = 5000):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _among(model, field: str, values: list) -> list[Q]:
    """Conditions `field IN values`, cheap for 100,000 values. On PostgreSQL: one text
    parameter split by the server (Django spends ~10 µs on each IN parameter, psycopg ~4 µs
    on each array element); the values are validated phones, ID numbers or ids, never
    containing a comma. Elsewhere: chunks of 5,000."""
    if not values:
        return []
    if connection.vendor == "postgresql":
        cast = "bigint" if model._meta.get_field(field).is_relation else "text"
        joined = ",".join(map(str, values))
        subquery = RawSQL(f"SELECT unnest(string_to_array(%s, ','))::{cast}", (joined,))
        return [Q(**{f"{field}__in": subquery})]
    return [Q(**{f"{field}__in": chunk}) for chunk in _chunks(values)]


class MemberImporter(Importer):
    roster_kind = "members"
    model = Member
    attnames = {"branch": "branch_id", "community": "community_id", "residence": "residence_id"}
    ref_kinds = {
        "community": frozenset({Area.Kind.COMMUNITY}),
        "residence": frozenset({Area.Kind.GRID, Area.Kind.BUILDING}),
        "branch": frozenset(
            {PartyOrg.Kind.BRANCH, PartyOrg.Kind.GENERAL_BRANCH, PartyOrg.Kind.COMMITTEE}
        ),
    }
    compared = (
        "name",
        "gender",
        "phone",
        "id_number",
        "branch_id",
        "community_id",
        "residence_id",
        "kind",
        "joined_on",
    )

    def clean(self, number, values):
        if not values.get("phone") and not values.get("id_number"):
            field = "phone" if "phone" in self.headers else "id_number"
            self.error(number, field, _("手机号和身份证号至少填写一项。"))
            raise _Skip
        return super().clean(number, values)

    def keys(self, record):
        keys = []
        if record.get("phone"):
            keys.append(("phone", ("phone", record["phone"])))
        if record.get("id_number"):
            keys.append(("id_number", ("id", record["id_number"])))
        return keys

    def existing(self, records):
        phones = [r["phone"] for _n, r in records if r.get("phone")]
        ids = [r["id_number"] for _n, r in records if r.get("id_number")]
        result = {}
        for q in _among(Member, "phone", phones) + _among(Member, "id_number", ids):
            for row in Member.objects.filter(q).values("id", *self.compared):
                pk = row.pop("id")
                if row["phone"]:
                    result[("phone", row["phone"])] = (pk, row)
                if row["id_number"]:
                    result[("id", row["id_number"])] = (pk, row)
        return result

    def allowed(self, number, record, current):
        if not self.may(record["community_id"]):
            return self.forbid(number, "community", record["community_id"])
        if current and not self.may(current["community_id"], current["branch_id"]):
            self.error(number, "phone", _("该党员在您管辖范围之外，不能修改。"))
            return False
        return True


def _building(importer: Importer, number: int, values: dict) -> int:
    """The building named by the 社区/网格/楼幢 columns, or an error on the row."""
    areas = importer.refs.areas
    grid = areas.child.get((values["community"], values["grid"]))
    if grid is None or areas.kind[grid] != Area.Kind.GRID:
        importer.error(
            number,
            "grid",
            _("“%(community)s”下没有网格“%(grid)s”。")
            % {"community": areas.display(values["community"]), "grid": values["grid"]},
        )
        raise _Skip
    building = areas.child.get((grid, values["building"]))
    if building is None:
        importer.error(
            number,
            "building",
            _("“%(grid)s”下没有楼幢“%(building)s”。")
            % {"grid": areas.display(grid), "building": values["building"]},
        )
        raise _Skip
    return building


class HouseholdImporter(Importer):
    roster_kind = "households"
    model = Household
    # community/grid/building name one building: the household's area.
    attnames = {"community": "area_id", "grid": "area_id", "building": "area_id"}
    ref_kinds = {"community": frozenset({Area.Kind.COMMUNITY})}

    def clean(self, number, values):
        record = {
            "area_id": _building(self, number, values),
            "unit": values.get("unit", ""),
            "room": values["room"],
        }
        if "address" in values:
            record["address"] = values["address"]
        return record

    def keys(self, record):
        return [("room", (record["area_id"], record["unit"], record["room"]))]

    def existing(self, records):
        buildings = sorted({r["area_id"] for _n, r in records})
        result = {}
        for q in _among(Household, "area_id", buildings):
            for row in Household.objects.filter(q).values(
                "id", "area_id", "unit", "room", "address"
            ):
                result[(row["area_id"], row["unit"], row["room"])] = (row.pop("id"), row)
        return result

    def allowed(self, number, record, current):
        return self.may(record["area_id"]) or self.forbid(number, "community", record["area_id"])

    def label(self, record):
        return self.refs.areas.display(record["area_id"]) + f" {record['unit']}-{record['room']}"


class ResidentImporter(Importer):
    roster_kind = "residents"
    model = Resident
    attnames = {f: "household_id" for f in ("community", "grid", "building", "unit", "room")}
    ref_kinds = {"community": frozenset({Area.Kind.COMMUNITY})}
    compared = (
        "name",
        "gender",
        "phone",
        "id_number",
        "household_id",
        *Resident.HARDSHIP_FLAGS,
        "hardship_note",
    )

    def _households(self):
        if not hasattr(self, "_by_room"):
            rows = Household.objects.values_list("id", "area_id", "unit", "room")
            self._by_room = {(a, u, r): pk for pk, a, u, r in rows}
            self._building_of = {pk: a for pk, a, _u, _r in rows}
        return self._by_room

    def clean(self, number, values):
        building = _building(self, number, values)
        unit, room = values.get("unit", ""), values["room"]
        household = self._households().get((building, unit, room))
        if household is None:
            self.error(
                number,
                "room",
                _("该户不存在：%(building)s %(unit)s单元 %(room)s室。请先导入户籍名册。")
                % {"building": self.refs.areas.display(building), "unit": unit, "room": room},
            )
            raise _Skip
        record = {k: val for k, val in values.items() if k not in self.attnames}
        record["household_id"] = household
        return record

    def keys(self, record):
        keys = [("name", ("home", record["household_id"], record["name"]))]
        if record.get("id_number"):
            keys.append(("id_number", ("id", record["id_number"])))
        return keys

    def existing(self, records):
        ids = [r["id_number"] for _n, r in records if r.get("id_number")]
        homes = sorted({r["household_id"] for _n, r in records})
        result = {}
        for q in _among(Resident, "id_number", ids) + _among(Resident, "household_id", homes):
            for row in Resident.objects.filter(q).values("id", *self.compared):
                pk = row.pop("id")
                result[("home", row["household_id"], row["name"])] = (pk, row)
                if row["id_number"]:
                    result[("id", row["id_number"])] = (pk, row)
        return result

    def allowed(self, number, record, current):
        building = self._building_of[record["household_id"]]
        if not self.may(building):
            return self.forbid(number, "community", building)
        if current and not self.may(self._building_of[current["household_id"]]):
            self.error(number, "id_number", _("该居民在您管辖范围之外，不能修改。"))
            return False
        return True

    def related_label(self, pk) -> str:
        self._households()
        key = next((k for k, v in self._by_room.items() if v == pk), None)
        if key is None:
            return str(pk)
        return f"{self.refs.areas.display(key[0])} {key[1]}-{key[2]}"


class OrganisationImporter(Importer):
    roster_kind = "organisations"
    model = Organisation
    attnames = {"area": "area_id"}
    compared = (
        "name",
        "kind",
        "area_id",
        "credit_code",
        "contact_name",
        "contact_phone",
        "wish_notifications",
    )

    def keys(self, record):
        keys = [("name", ("name", record["area_id"], record["name"]))]
        if record.get("credit_code"):
            keys.append(("credit_code", ("code", record["credit_code"])))
        return keys

    def existing(self, records):
        result = {}
        for row in Organisation.objects.values("id", *self.compared):
            pk = row.pop("id")
            result[("name", row["area_id"], row["name"])] = (pk, row)
            if row["credit_code"]:
                result[("code", row["credit_code"])] = (pk, row)
        return result

    def allowed(self, number, record, current):
        if not self.may(record["area_id"]):
            return self.forbid(number, "area", record["area_id"])
        if current and not self.may(current["area_id"]):
            self.error(number, "name", _("该组织在您管辖范围之外，不能修改。"))
            return False
        return True


class PartyOrgImporter(Importer):
    """Party organisations are a treebeard tree and a few hundred rows: they are written one
    by one in file order (a parent may be a row above), not in bulk."""

    roster_kind = "party_orgs"
    model = PartyOrg
    attnames = {"area": "area_id"}

    def _converter(self, column):
        if column.field == "parent":
            return v.text  # may name a row above; resolved in clean()
        return super()._converter(column)

    def clean(self, number, values):
        tree = self.refs.party_orgs
        if not hasattr(self, "_pending"):
            self._pending: dict[str, int] = {}  # full path of a new org in the file → row
        parent_text = values.get("parent") or ""
        parent_id = parent_path = None
        if parent_text:
            try:
                parent_id = tree.resolve(parent_text)
                parent_path = tree.display(parent_id)
            except v.BadCell as exc:
                wanted = "/".join(v.split_path(parent_text))
                pending = [p for p in self._pending if p == wanted or p.endswith("/" + wanted)]
                if len(pending) != 1:
                    self.error(number, "parent", str(exc))
                    raise _Skip from None
                parent_path = pending[0]
        path = f"{parent_path}/{values['name']}" if parent_path else values["name"]
        record = {
            "name": values["name"],
            "kind": values["kind"],
            "area_id": values.get("area"),
            "_parent_id": parent_id,
            "_parent_path": parent_path,
            "_path": path,
            "_new_parent": parent_path is not None and parent_id is None,
        }
        self._pending[path] = number  # a possible parent for the rows below
        return record

    def keys(self, record):
        return [("name", ("path", record["_path"]))]

    def existing(self, records):
        tree = self.refs.party_orgs
        pks = {}
        for _n, record in records:
            if not record["_new_parent"]:
                pk = tree.child.get((record["_parent_id"], record["name"]))
                if pk:
                    pks[pk] = ("path", record["_path"])
        rows = PartyOrg.objects.filter(id__in=list(pks)).values("id", "name", "kind", "area_id")
        return {pks[row["id"]]: (row.pop("id"), row) for row in rows}

    def allowed(self, number, record, current):
        if record["_new_parent"] or self.user is None:
            return True  # the parent row above was checked
        if self.may(record["area_id"], record["_parent_id"]):
            return True
        self.error(number, "parent", _("您无权在该组织下导入（不在您管辖的范围内）。"))
        return False

    def label(self, record):
        return record["_path"]

    def write(self, new, updated):
        created: dict[str, PartyOrg] = {}
        total = len(new) + len(updated)
        for i, record in enumerate(new, 1):
            fields = {"name": record["name"], "kind": record["kind"], "area_id": record["area_id"]}
            if record["_parent_path"] is None:
                node = PartyOrg.objects.add_root(fields)
            else:
                parent = created.get(record["_parent_path"]) or PartyOrg.objects.get(
                    pk=record["_parent_id"]
                )
                node = PartyOrg.objects.add_child(parent, fields)
            created[record["_path"]] = node
            self.progress("writing", i, total)
        for pk, record in updated:
            PartyOrg.objects.filter(pk=pk).update(**{a: record[a] for a in self.present})
        self.progress("writing", total, total)


# For other apps' importers (registered with apps.rosters.kinds.register_kind).
Skip = _Skip
among = _among

IMPORTERS: dict[str, type[Importer]] = {
    "members": MemberImporter,
    "households": HouseholdImporter,
    "residents": ResidentImporter,
    "party_orgs": PartyOrgImporter,
    "organisations": OrganisationImporter,
}
