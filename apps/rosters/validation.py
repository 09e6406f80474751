"""Cell converters and reference lookups for roster rows.

Each converter turns one cell (a str from CSV; str, float, date or bool from calamine)
into the model's value or raises `BadCell` with a Chinese reason. References by readable
path are resolved through `Refs`, which loads each tree once per import (one query), so
validating 100,000 rows costs no query per row.
"""

import datetime
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from apps.core.validators import (
    PHONE_RE,
    id_number_is_valid,
    validate_id_number,
)
from apps.register.models import Area, PartyOrg

from .columns import FALSE_WORDS, TRUE_WORDS, Column, choice_map


class BadCell(ValueError):
    """A cell that cannot be imported; the message is the reason shown to the user."""


_today = datetime.date.today()


def refresh_today() -> None:
    """Called once per import: date.today() per cell cost 4% of an import."""
    global _today
    _today = datetime.date.today()


def text(cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, str):
        return cell.strip()
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))  # Excel stores 13912345678 and 101 as floats
    if isinstance(cell, datetime.datetime):
        return cell.date().isoformat() if not cell.time() else cell.isoformat(sep=" ")
    if isinstance(cell, datetime.date):
        return cell.isoformat()
    return str(cell).strip()


def make_text(column: Column):
    limit = column.max_length

    def convert(cell):
        value = text(cell)
        if limit and len(value) > limit:
            raise BadCell(_("不能超过 %(n)s 个字。") % {"n": limit})
        return value

    return convert


def phone(cell) -> str:
    value = text(cell).replace(" ", "").replace("-", "")
    if value and not PHONE_RE.match(value):
        raise BadCell(_("手机号应为以1开头的11位数字。"))
    return value


def id_number(cell) -> str:
    if isinstance(cell, float):
        # Excel turned an 18-digit number into a float and lost its last digits.
        raise BadCell(_("身份证号被 Excel 当成了数字，请把该列设为文本格式后重新填写。"))
    value = text(cell).upper()
    if value and not id_number_is_valid(value, today=_today):
        try:
            validate_id_number(value)  # the core validator says what is wrong
        except ValidationError as exc:
            raise BadCell(exc.messages[0]) from None
    return value


_EXCEL_EPOCH = datetime.date(1899, 12, 30)
_DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T].*)?$")
_COMPACT_DATE_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


def date(cell) -> datetime.date | None:
    """Dates as Excel stores them (a date cell or a serial number) or as people type them:
    2001-07-01, 2001/7/1, 2001.7.1, 2001年7月1日, 20010701."""
    if cell is None or cell == "":
        return None
    if isinstance(cell, datetime.datetime):
        return cell.date()
    if isinstance(cell, datetime.date):
        return cell
    if isinstance(cell, int | float) and not isinstance(cell, bool) and 1 <= cell < 2958466:
        return _EXCEL_EPOCH + datetime.timedelta(days=int(cell))
    value = text(cell)
    if not value:
        return None
    if len(value) == 10 and value[4] == "-":
        try:  # the common case, at C speed
            result = datetime.date.fromisoformat(value)
        except ValueError:
            pass
        else:
            if result.year >= 1900 and result <= _today:
                return result
            raise BadCell(_("日期超出合理范围：%(value)s。") % {"value": value})
    match = _DATE_RE.match(value) or _COMPACT_DATE_RE.match(value)
    if match:
        try:
            result = datetime.date(*(int(g) for g in match.groups()))
        except ValueError:
            raise BadCell(_("日期不存在：%(value)s。") % {"value": value}) from None
        if result.year >= 1900 and result <= _today:
            return result
        raise BadCell(_("日期超出合理范围：%(value)s。") % {"value": value})
    raise BadCell(_("无法识别的日期：%(value)s（请写成 2001-07-01）。") % {"value": value})


def boolean(cell) -> bool:
    if isinstance(cell, bool):
        return cell
    value = text(cell).lower()
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    raise BadCell(_("应填“是”或“否”，不能是“%(value)s”。") % {"value": value})


def make_choice(column: Column):
    accepted = choice_map(column)
    labels = "、".join(column.labels())

    def convert(cell):
        value = text(cell)
        if not value:
            return ""
        try:
            return accepted[value.lower()]
        except KeyError:
            raise BadCell(
                _("“%(value)s”不是有效的选项，应为：%(labels)s。")
                % {"value": value, "labels": labels}
            ) from None

    return convert


def split_path(value: str) -> list[str]:
    return [part.strip() for part in re.split(r"[/／\\>]", value) if part.strip()]


class Tree:
    """One materialised-path tree (Area or PartyOrg) loaded once, addressable by readable
    path: every trailing part of a node's full name path (`海城社区`, `大榭街道/海城社区`)
    maps to the nodes it names."""

    def __init__(self, model):
        self.model = model
        rows = list(model.objects.order_by("path").values_list("id", "path", "name", "kind"))
        step = model.steplen
        id_by_path = {path: pk for pk, path, _, _ in rows}
        self.kind: dict[int, str] = {}
        self.path: dict[int, str] = {}  # materialised path, for scoping
        self.names: dict[int, list[str]] = {}
        self.parent: dict[int, int | None] = {}
        self.by_suffix: dict[str, list[int]] = {}
        self.child: dict[tuple[int | None, str], int] = {}
        self._resolved: dict = {}
        for pk, path, name, kind in rows:
            parent = id_by_path.get(path[:-step]) if len(path) > step else None
            self.kind[pk], self.path[pk], self.parent[pk] = kind, path, parent
            names = [*self.names[parent], name] if parent else [name]
            self.names[pk] = names
            self.child.setdefault((parent, name), pk)
            for i in range(len(names)):
                self.by_suffix.setdefault("/".join(names[i:]), []).append(pk)

    def display(self, pk: int | None) -> str:
        return "/".join(self.names[pk]) if pk else ""

    def resolve(self, value: str, kinds: frozenset | None = None) -> int:
        key = (value, kinds)
        if key not in self._resolved:  # a roster names the same few nodes over and over
            try:
                self._resolved[key] = self._resolve(value, kinds)
            except BadCell as exc:
                self._resolved[key] = exc
        found = self._resolved[key]
        if isinstance(found, BadCell):
            raise found
        return found

    def _resolve(self, value: str, kinds: frozenset | None) -> int:
        parts = split_path(value)
        candidates = self.by_suffix.get("/".join(parts), [])
        if kinds:
            candidates = [pk for pk in candidates if self.kind[pk] in kinds]
        if len(candidates) == 1:
            return candidates[0]
        if not candidates:
            # The first upload of a template usually fails here: say what to write.
            raise BadCell(
                _(
                    "找不到“%(value)s”。请填写系统中已有的名称，"
                    "重名时写出上级路径，如 大榭街道/海城社区。"
                )
                % {"value": value}
            )
        raise BadCell(
            _("“%(value)s”不唯一（%(n)s 处同名），请写出上级路径，如 %(example)s。")
            % {"value": value, "n": len(candidates), "example": self.display(candidates[0])}
        )

    def node(self, pk: int | None):
        """A stand-in with the `.path` that apps.accounts.scoping needs."""
        return _Node(self.path[pk]) if pk else None


class _Node:
    __slots__ = ("path",)

    def __init__(self, path: str):
        self.path = path


class Refs:
    """Both trees, loaded lazily once per import."""

    def __init__(self):
        self._areas = self._party_orgs = None

    @property
    def areas(self) -> Tree:
        if self._areas is None:
            self._areas = Tree(Area)
        return self._areas

    @property
    def party_orgs(self) -> Tree:
        if self._party_orgs is None:
            self._party_orgs = Tree(PartyOrg)
        return self._party_orgs
