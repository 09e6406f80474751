"""The one table writer behind every download: the grid report, the roster exports and
templates, the import error file.

    xlsx_bytes([Table("汇总", headers, rows), ...])  # one sheet per table
    csv_bytes(Table("", headers, rows))  # UTF-8 with BOM, so that Excel opens it
    table_bytes(tables, fmt)  # either, by format name ("xlsx" / "csv": one table)

Callers pass rows already scoped and masked. A header row is bold and stays in view.
Every cell goes through `safe_cell`: a text that a spreadsheet would evaluate (starting with
= + - @, a tab or a carriage return) is prefixed with a single quote, so it stays text
("'=HYPERLINK(…)"), and characters an .xlsx cannot hold (control characters) are dropped,
whatever is stored.
"""

import csv
import io
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from django.utils.functional import Promise

SHEET_TITLE_FORBIDDEN = str.maketrans({c: "_" for c in "\\/?*[]:"})

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"
FORMATS = {"xlsx": XLSX_TYPE, "csv": CSV_TYPE}


@dataclass
class Table:
    title: str
    headers: Sequence
    rows: Iterable[Sequence]
    # Called with the finished openpyxl worksheet, for what a plain table lacks (drop-down
    # lists, comments, column widths). A table with a hook is built in memory; without one,
    # openpyxl's write-only mode streams the rows.
    finish: Callable | None = None


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# What XML 1.0 (so openpyxl) refuses: C0 controls but tab, line feed and carriage return.
ILLEGAL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def safe_cell(value):
    """A cell's value as written to any spreadsheet: text neutralised (see above), numbers,
    dates and None as they are."""
    if isinstance(value, Promise):
        value = str(value)
    if not isinstance(value, str):
        return value
    value = ILLEGAL_CHARACTERS.sub("", value)
    return f"'{value}" if value.startswith(FORMULA_START) else value


def _xlsx_row(sheet, values: Sequence, *, bold: bool = False) -> list:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    cells = []
    for value in values:
        cell = WriteOnlyCell(sheet, safe_cell(value))
        if cell.data_type == "f":
            cell.data_type = "s"  # never a formula (safe_cell has neutralised it anyway)
        if bold:
            cell.font = Font(bold=True)
        cells.append(cell)
    return cells


def xlsx_bytes(tables: Iterable[Table]) -> bytes:
    """One worksheet per table, in order."""
    from openpyxl import Workbook

    tables = list(tables)
    streaming = not any(t.finish for t in tables)
    book = Workbook(write_only=streaming)
    if not streaming:
        book.remove(book.active)
    for table in tables:
        sheet = book.create_sheet(str(table.title).translate(SHEET_TITLE_FORBIDDEN)[:31] or None)
        if table.headers:
            sheet.freeze_panes = "A2"  # before any row: write-only mode writes it with the first
            sheet.append(_xlsx_row(sheet, table.headers, bold=True))
        for row in table.rows:
            sheet.append(_xlsx_row(sheet, row))
        if table.finish:
            table.finish(sheet)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(table: Table) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([safe_cell(h) for h in table.headers])
    writer.writerows([safe_cell(v) for v in row] for row in table.rows)
    return out.getvalue().encode("utf-8-sig")


def table_bytes(tables: Sequence[Table], fmt: str) -> bytes:
    if fmt == "csv":
        if len(tables) != 1:
            raise ValueError("a .csv file holds one table")
        return csv_bytes(tables[0])
    if fmt == "xlsx":
        return xlsx_bytes(tables)
    raise ValueError(f"unknown table format {fmt!r}")
