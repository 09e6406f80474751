"""The one table writer: .xlsx (a sheet per table) and .csv (UTF-8 with BOM, for Excel)."""

import io

import pytest
from django.utils.translation import gettext_lazy
from openpyxl import load_workbook

from apps.core.exports import Table, csv_bytes, table_bytes, xlsx_bytes

HEADERS = ["网格", "走访户数"]
ROWS = [["海城第1网格", 120], ["榭南第1网格", 98]]


def test_xlsx_round_trips_one_sheet_per_table_with_its_title():
    data = xlsx_bytes([Table("走访", HEADERS, ROWS), Table("星级", ["星级", "人数"], [[5, 2]])])
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["走访", "星级"]
    assert list(book["走访"].iter_rows(values_only=True)) == [tuple(HEADERS), *map(tuple, ROWS)]
    assert list(book["星级"].iter_rows(values_only=True)) == [("星级", "人数"), (5, 2)]
    assert book["走访"]["A1"].font.b and book["走访"].freeze_panes == "A2"


def test_csv_starts_with_a_bom_and_the_header():
    data = csv_bytes(Table("", HEADERS, ROWS))
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig").splitlines() == [
        "网格,走访户数",
        "海城第1网格,120",
        "榭南第1网格,98",
    ]


def test_a_cell_that_looks_like_a_formula_stays_text():
    data = xlsx_bytes([Table("t", ["名称"], [['=HYPERLINK("http://x")']])])
    cell = load_workbook(io.BytesIO(data)).active["A2"]
    # Neutralised too (issue 13): a text cell alone was still evaluated once edited in Excel.
    assert (cell.value, cell.data_type) == ('\'=HYPERLINK("http://x")', "s")


def test_lazy_translations_and_unsafe_sheet_titles_are_written_as_text():
    data = xlsx_bytes([Table("a/b:c", [gettext_lazy("名称")], [[gettext_lazy("是")]])])
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet.title == "a_b_c"
    assert list(sheet.iter_rows(values_only=True)) == [("名称",), ("是",)]


def test_the_finish_hook_gets_the_worksheet():
    def widen(sheet):
        sheet.column_dimensions["A"].width = 40

    data = xlsx_bytes([Table("t", HEADERS, ROWS, finish=widen)])
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet.column_dimensions["A"].width == 40
    assert sheet["A2"].value == "海城第1网格"


def test_table_bytes_picks_the_format_and_csv_holds_one_table():
    assert table_bytes([Table("", HEADERS, ROWS)], "csv").startswith(b"\xef\xbb\xbf")
    assert table_bytes([Table("t", HEADERS, ROWS)], "xlsx").startswith(b"PK")
    with pytest.raises(ValueError):
        table_bytes([Table("a", HEADERS, ROWS), Table("b", HEADERS, ROWS)], "csv")


# --- issue 13, finding 7: formula injection ---------------------------------------------

FORMULAS = ['=HYPERLINK("http://evil","点我")', "+1+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1"]


def test_csv_neutralises_cells_that_a_spreadsheet_would_evaluate():
    data = csv_bytes(Table("", ["名称"], [[v] for v in FORMULAS] + [[-5], ["普通"]]))
    import csv

    cells = [row[0] for row in csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""))]
    assert cells[1:] == [f"'{v}" for v in FORMULAS] + ["-5", "普通"]


def test_xlsx_keeps_such_cells_as_neutralised_text():
    data = xlsx_bytes([Table("名单", ["名称"], [[v] for v in FORMULAS] + [[-5]])])
    sheet = load_workbook(io.BytesIO(data))["名单"]
    cells = [row[0] for row in sheet.iter_rows(min_row=2)]
    # (an .xlsx reads a carriage return back as a line feed)
    values = [c.value.replace("\n", "\r") if c.data_type == "s" else c.value for c in cells]
    assert values == [f"'{v}" for v in FORMULAS] + [-5]
    assert {c.data_type for c in cells[:-1]} == {"s"}


def test_admin_export_of_a_roster_neutralises_formulas(world):
    from apps.register.models import Organisation
    from apps.rosters.resources import OrganisationResource

    Organisation.objects.create(area=world.community_a, name='=HYPERLINK("x")', kind="enterprise")
    dataset = OrganisationResource(user=None).export(Organisation.objects.all())
    assert dataset.dict[0]["名称"] == '\'=HYPERLINK("x")'
