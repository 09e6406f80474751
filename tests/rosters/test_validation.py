"""Every validation rule and guard: each bad cell is reported with its row, column and a
Chinese reason, and nothing is written."""

import datetime
import io
import random
import re
import zipfile

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.test import override_settings

from apps.core.errors import InvalidInput
from apps.core.validators import id_number_check_digit, id_number_is_valid, validate_id_number
from apps.register.models import Area, Member
from apps.rosters import validation
from apps.rosters.services import roster_import
from tests import factories as f

from .helpers import MEMBER_HEADER, csv_bytes, id_number, member_row, xlsx_bytes

pytestmark = pytest.mark.django_db


def run(rows, *, header=MEMBER_HEADER, kind="members", name="m.csv", **kw):
    data = xlsx_bytes([header, *rows]) if name.endswith(".xlsx") else csv_bytes([header, *rows])
    return roster_import(kind=kind, data=data, filename=name, **kw)


def only_error(result) -> dict:
    assert len(result.errors) == 1, result.errors
    return result.errors[0]


@pytest.mark.parametrize(
    ("column", "value", "reason"),
    [
        ("手机号", "23912345678", "以1开头的11位数字"),
        ("手机号", "1391234567", "以1开头的11位数字"),
        ("身份证号", "33020619800101001", "18位"),
        ("身份证号", id_number(1)[:17] + ("0" if id_number(1)[17] != "0" else "1"), "校验位"),
        (
            "身份证号",
            "330206" + "19801301" + "001" + id_number_check_digit("33020619801301001"),
            "出生日期",
        ),
        ("性别", "未知", "男、女"),
        ("党员类型", "预备", "在职、离退休、流动、积极分子"),
        ("入党日期", "去年", "无法识别的日期"),
        ("入党日期", "2001-02-30", "日期不存在"),
        ("入党日期", "2999-01-01", "超出合理范围"),
        ("报到社区", "不存在社区", "找不到"),
        ("所在支部", "不存在支部", "找不到"),
        ("姓名", "", "必填"),
        ("姓名", "名" * 51, "不能超过 50 个字"),
    ],
)
def test_bad_cell_is_reported_with_row_column_and_reason(world, column, value, reason):
    result = run([member_row(1), member_row(2, **{column: value})])
    error = only_error(result)
    assert (error["row"], error["column"]) == (3, column)
    assert reason in error["message"]
    assert not result.written and not Member.objects.filter(phone="13700000001").exists()


def test_phone_or_id_number_is_required(world):
    error = only_error(run([member_row(1, 手机号="", 身份证号="")]))
    assert "至少填写一项" in error["message"]


def test_duplicates_inside_the_file_name_the_first_row(world):
    result = run([member_row(1), member_row(2), member_row(3, 手机号="13700000001")])
    error = only_error(result)
    assert (error["row"], error["column"]) == (4, "手机号") and "第 2 行" in error["message"]
    result = run([member_row(1), member_row(2, 身份证号=id_number(1))])
    assert only_error(result)["column"] == "身份证号"


def test_enumerations_accept_chinese_labels_and_aliases(world):
    rows = [
        member_row(1, 党员类型="在职", 性别="男"),
        member_row(2, 党员类型="离退休", 性别="女"),
        member_row(3, 党员类型="流动"),
        member_row(4, 党员类型="积极分子"),
        member_row(5, 党员类型="入党积极分子"),
    ]
    run(rows)
    kinds = dict(Member.objects.filter(phone__startswith="137").values_list("phone", "kind"))
    assert list(kinds.values()) == ["employed", "retired", "mobile", "activist", "activist"]


@pytest.mark.parametrize(
    "cell",
    ["2001-07-01", "2001/7/1", "2001.07.01", "2001年7月1日", "20010701", "2001-07-01 00:00:00"],
)
def test_dates_in_common_text_forms(cell):
    assert validation.date(cell) == datetime.date(2001, 7, 1)


def test_dates_as_excel_stores_them():
    assert validation.date(37073.0) == datetime.date(2001, 7, 1)  # a serial number
    assert validation.date(datetime.datetime(2001, 7, 1)) == datetime.date(2001, 7, 1)
    assert validation.date(datetime.date(2001, 7, 1)) == datetime.date(2001, 7, 1)
    assert validation.date("") is None


def test_xlsx_cells_typed_by_excel_are_understood(world):
    # Excel stores phone numbers and dates typed into cells as numbers and dates.
    row = member_row(1)
    row[2], row[7] = 13700000001, datetime.date(2001, 7, 1)
    result = run([row], name="m.xlsx")
    assert result.ok and result.new == 1
    member = Member.objects.get(phone="13700000001")
    assert member.joined_on == datetime.date(2001, 7, 1)


def test_id_number_turned_into_a_number_by_excel_is_explained(world):
    row = member_row(1)
    row[3] = 330206198001010000.0
    error = only_error(run([row], name="m.xlsx"))
    assert "文本格式" in error["message"]


def test_fast_id_check_agrees_with_the_validator_that_explains():
    rng = random.Random(6)
    for _ in range(3000):
        first17 = f"{rng.randrange(10**16, 10**17):017d}"
        value = first17 + rng.choice("0123456789X")
        try:
            validate_id_number(value)
            core_ok = True
        except ValidationError:
            core_ok = False
        assert id_number_is_valid(value) == core_ok, value


def test_ambiguous_name_asks_for_the_path(world):
    f.area("海城社区", Area.Kind.COMMUNITY, f.area("白峰街道", Area.Kind.STREET, world.district))
    error = only_error(run([member_row(1, 报到社区="海城社区")]))
    assert "不唯一" in error["message"] and "大榭街道/海城社区" in error["message"]
    assert run([member_row(1, 报到社区="大榭街道/海城社区")]).ok


def test_reference_of_the_wrong_kind_is_unknown(world):
    error = only_error(run([member_row(1, 报到社区="海城第1网格")]))
    assert error["column"] == "报到社区" and "找不到" in error["message"]


def test_unknown_grid_and_building_for_households(world):
    header = ["社区", "网格", "楼幢", "单元", "室"]
    result = run(
        [
            ["海城社区", "第9网格", "1幢", "1", "101"],
            ["海城社区", "海城第1网格", "9幢", "1", "102"],
        ],
        header=header,
        kind="households",
    )
    assert [(e["row"], e["column"]) for e in result.errors] == [(2, "网格"), (3, "楼幢")]


def test_english_headers_are_accepted(world):
    header = ["Name", "gender", "PHONE", "ID number", "Branch", "Community", "Member type"]
    result = run([member_row(1)[:7]], header=header)
    assert result.ok and result.new == 1


def test_missing_required_columns_are_named(world):
    with pytest.raises(InvalidInput) as exc:
        run([["张三", "13700000001"]], header=["姓名", "手机号"])
    assert exc.value.code == "missing_columns"
    assert "所在支部" in exc.value.detail and "报到社区" in exc.value.detail


def test_unknown_columns_are_ignored_with_a_notice(world):
    result = run([[*member_row(1), "x"]], header=[*MEMBER_HEADER, "备注"])
    assert result.ok and any("备注" in n for n in result.notices)


def test_the_same_column_twice_is_refused(world):
    with pytest.raises(InvalidInput) as exc:
        run([[*member_row(1), "x"]], header=[*MEMBER_HEADER, "Phone"])
    assert exc.value.code == "duplicate_column"


def test_blank_lines_are_skipped_and_counted(world):
    result = run([member_row(1), [""] * 8, [""] * 8, member_row(2), [""] * 8])
    assert result.ok and result.new == 2
    assert any("2 个空行" in n for n in result.notices)


def test_gb18030_csv_from_excel_is_read(world):
    data = csv_bytes([MEMBER_HEADER, member_row(1)], encoding="gb18030")
    assert roster_import(kind="members", data=data, filename="m.csv").new == 1


@pytest.mark.parametrize(
    ("data", "name", "code"),
    [
        (b"", "m.csv", "empty_file"),
        (b"x", "m.pdf", "unsupported_format"),
        (b"not a zip", "m.xlsx", "unreadable_file"),
        (csv_bytes([MEMBER_HEADER]), "m.csv", "no_rows"),
    ],
)
def test_unreadable_files_get_a_clear_message(world, data, name, code):
    with pytest.raises(InvalidInput) as exc:
        roster_import(kind="members", data=data, filename=name)
    assert exc.value.code == code and exc.value.detail


@override_settings(TONGXIN={**django_settings.TONGXIN, "ROSTERS_MAX_ROWS": 3})
def test_too_many_rows(world):
    with pytest.raises(InvalidInput) as exc:
        run([member_row(i) for i in range(4)])
    assert exc.value.code == "too_many_rows" and "3" in exc.value.detail


@override_settings(TONGXIN={**django_settings.TONGXIN, "ROSTERS_MAX_FILE_MB": 0})
def test_file_too_large(world):
    with pytest.raises(InvalidInput) as exc:
        run([member_row(1)])
    assert exc.value.code == "file_too_large"


def _patch_sheet(data: bytes, old: bytes, new: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content, n = re.subn(old, new, content, count=1)
                assert n == 1
            target.writestr(item, content)
    return out.getvalue()


def test_absurd_declared_dimensions_are_refused_before_reading(world):
    data = xlsx_bytes([MEMBER_HEADER, member_row(1)])
    data = _patch_sheet(data, rb'<dimension ref="A1:H2"\s*/>', b'<dimension ref="A1:XFD1048576"/>')
    with pytest.raises(InvalidInput) as exc:
        roster_import(kind="members", data=data, filename="m.xlsx")
    assert exc.value.code == "absurd_dimensions" and "1048576" in exc.value.detail


def test_formulas_are_refused_with_their_cell():
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(MEMBER_HEADER)
    book.active.append(member_row(1)[:7] + ["=TODAY()"])
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(InvalidInput) as exc:
        roster_import(kind="members", data=out.getvalue(), filename="m.xlsx")
    assert exc.value.code == "formula" and "第 2 行 H 列" in exc.value.detail


@pytest.mark.parametrize(
    ("cell", "value"), [("是", True), ("否", False), ("", False), ("Y", True), ("0", False)]
)
def test_yes_no_cells(cell, value):
    assert validation.boolean(cell) is value


def test_a_yes_no_cell_with_anything_else_is_explained(world):
    header = ["姓名", "社区", "网格", "楼幢", "单元", "室", "独居"]
    rows = [["陈阿婆", "海城社区", "海城第1网格", "1幢", "1", "101", "也许"]]
    result = run(rows, header=header, kind="residents")
    error = only_error(result)
    assert error["column"] == "独居" and "应填“是”或“否”" in error["message"]
