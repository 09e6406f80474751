"""Finding 12 of issue 14: rosters in Excel 97–2003 (.xls) and OpenDocument (.ods) go through
the same reader, checks and limits as .xlsx. The files are written here (xlwt, odfpy)."""

import pytest

from apps.core.errors import InvalidInput
from apps.register.models import Member
from apps.rosters.parsing import file_format, read_table
from apps.rosters.services import roster_import

from .helpers import MEMBER_HEADER, member_row, ods_bytes, xls_bytes, xlsx_bytes

pytestmark = pytest.mark.django_db

WRITERS = {"xls": xls_bytes, "ods": ods_bytes}


@pytest.mark.parametrize("fmt", ["xls", "ods"])
def test_members_import_from_xls_and_ods_like_xlsx(world, fmt):
    rows = [MEMBER_HEADER, member_row(1), [], member_row(2)]
    data = WRITERS[fmt](rows)
    result = roster_import(kind="members", data=data, filename=f"党员.{fmt}")
    assert (result.new, result.updated, result.unchanged) == (2, 0, 0), result.errors
    assert result.written
    assert "已跳过 1 个空行。" in result.notices
    same = roster_import(kind="members", data=xlsx_bytes(rows), filename="党员.xlsx")
    assert (same.new, same.unchanged) == (0, 2)
    assert Member.objects.filter(phone__startswith="137").count() == 2


@pytest.mark.parametrize("fmt", ["xls", "ods"])
def test_bad_rows_are_reported_with_spreadsheet_row_numbers(world, fmt):
    data = WRITERS[fmt]([MEMBER_HEADER, member_row(1), member_row(2, 手机号="1234")])
    result = roster_import(kind="members", data=data, filename=f"m.{fmt}", dry_run=True)
    assert [(e["row"], e["column"]) for e in result.errors] == [(3, "手机号")]


@pytest.mark.parametrize("fmt", ["xls", "ods"])
def test_formulas_are_refused_with_their_cell(world, fmt):
    data = WRITERS[fmt]([MEMBER_HEADER, member_row(1)], formula_at=(1, 7))
    with pytest.raises(InvalidInput) as caught:
        read_table(data, f"m.{fmt}")
    assert caught.value.code == "formula"
    assert "第 2 行 H 列含有公式" in caught.value.detail


def test_a_repeated_ods_row_declaring_a_huge_sheet_is_refused_before_calamine(world, settings):
    settings.TONGXIN = {**settings.TONGXIN, "ROSTERS_MAX_ROWS": 1000}
    data = ods_bytes([MEMBER_HEADER, member_row(1)], repeat_last=50_000)
    assert len(data) < 10_000
    with pytest.raises(InvalidInput) as caught:
        read_table(data, "m.ods")
    assert caught.value.code == "absurd_dimensions"


def test_the_row_limit_applies_to_xls(world, settings):
    settings.TONGXIN = {**settings.TONGXIN, "ROSTERS_MAX_ROWS": 3}
    data = xls_bytes([MEMBER_HEADER, *[member_row(i) for i in range(1, 5)]])
    with pytest.raises(InvalidInput) as caught:
        read_table(data, "m.xls")
    assert caught.value.code == "too_many_rows"


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("m.xls", b"PK\x03\x04 not an excel 97 file"),
        ("m.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600),
        ("m.ods", b"PK\x03\x04 broken zip"),
        ("m.ods", xlsx_bytes([["姓名"], ["张三"]])),  # a zip without content.xml
    ],
)
def test_unreadable_xls_and_ods_are_a_clear_error(name, data):
    with pytest.raises(InvalidInput) as caught:
        read_table(data, name)
    assert caught.value.code == "unreadable_file"


def test_formats_by_extension():
    assert [file_format(n) for n in ("a.XLS", "b.ods", "c.xlsx", "d.csv")] == [
        "xls",
        "ods",
        "xlsx",
        "csv",
    ]
    with pytest.raises(InvalidInput) as caught:
        file_format("e.numbers")
    assert "只支持 .xlsx、.xls、.ods 和 .csv 文件" in caught.value.detail
