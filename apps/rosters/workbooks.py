"""Downloadable .xlsx import templates: the first sheet (the one imported) has only the
roster's headers (required ones marked), drop-down lists for enumerations and text format
for phone and ID number (so Excel keeps every digit); a 填写说明 sheet explains each column
and a 示例 sheet holds an example row, which is never imported. The examples name places and
branches of the demo (海城社区, 海城第1网格党支部); the help says they must exist."""

from functools import partial

from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from apps.core.exports import Table, xlsx_bytes

from .columns import AREA, BOOL, CHOICE, DATE, ID_NUMBER, PARTY_ORG, PHONE, ROSTERS

ROWS_WITH_LISTS = 20_000
TYPE_HELP = {
    CHOICE: "从下拉列表选择",
    BOOL: "是 / 否",
    DATE: "日期，如 2001-07-01",
    PHONE: "11位手机号",
    ID_NUMBER: "18位身份证号（文本格式）",
    AREA: "区域路径，如 大榭街道/海城社区",
    PARTY_ORG: "党组织路径，如 大榭街道党工委/海城社区党支部",
}


def roster_template(kind: str) -> bytes:
    roster = ROSTERS[kind]
    headers = [column.zh for column in roster.columns]
    template = Table(
        str(roster.label), headers, [], finish=partial(_template_finish, roster.columns)
    )
    example = Table(
        "示例", headers, [[column.example for column in roster.columns]], finish=_example_finish
    )
    help_rows = [
        [
            column.zh,
            column.en,
            "必填" if column.required else "",
            TYPE_HELP.get(column.type, "文本")
            + ("：" + "、".join(column.labels()) if column.type == CHOICE else ""),
            column.example,
        ]
        for column in roster.columns
    ]
    help_rows += [
        [],
        ["重复导入按此识别同一条记录：", str(roster.key_help)],
        ["在第一个工作表填写，一行一条；「示例」工作表只作参考，不会导入。"],
        [
            "社区、网格、楼幢、支部等须填写系统中已有的名称"
            "（名称重复时写完整路径，如 大榭街道/海城社区）。"
        ],
        ["任何一行有错误时整批都不会导入，预览会列出每一行的问题。"],
    ]
    help_sheet = Table(
        "填写说明",
        ["列名", "英文列名", "是否必填", "填写要求", "示例"],
        help_rows,
        finish=_help_finish,
    )
    return xlsx_bytes([template, help_sheet, example])


def _template_finish(columns, sheet) -> None:
    """Required headers in red with a note, text format for phone and ID number (so Excel
    keeps every digit), drop-down lists for enumerations."""
    required = Font(bold=True, color="C0392B")
    header_fill = PatternFill("solid", fgColor="F3F4F6")
    for index, column in enumerate(columns, 1):
        letter = get_column_letter(index)
        cell = sheet.cell(row=1, column=index)
        cell.font = required if column.required else Font(bold=True)
        cell.fill = header_fill
        note = f"{'必填。' if column.required else ''}{TYPE_HELP.get(column.type, '文本')}"
        cell.comment = Comment(note, "同心")
        sheet.column_dimensions[letter].width = max(12, len(column.example) * 2 + 2)
        if column.type in (PHONE, ID_NUMBER):
            for row in range(2, 1001):
                sheet.cell(row=row, column=index).number_format = "@"
        if column.type in (CHOICE, BOOL):
            options = column.labels() if column.type == CHOICE else ["是", "否"]
            validation = DataValidation(
                type="list",
                formula1='"' + ",".join(options) + '"',
                allow_blank=not column.required,
                showErrorMessage=True,
                errorTitle="无效的选项",
                error="请从下拉列表中选择：" + "、".join(options),
            )
            validation.add(f"{letter}2:{letter}{ROWS_WITH_LISTS}")
            sheet.add_data_validation(validation)


def _example_finish(sheet) -> None:
    for index in range(1, sheet.max_column + 1):
        sheet.column_dimensions[get_column_letter(index)].width = 18


def _help_finish(sheet) -> None:
    for letter, width in zip("ABCDE", (16, 18, 10, 48, 28), strict=True):
        sheet.column_dimensions[letter].width = width
