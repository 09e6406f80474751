"""Downloadable .xlsx import templates: the roster's headers (required ones marked), an
example row, drop-down lists for enumerations, text format for phone and ID number (so
Excel keeps every digit), and a second sheet explaining each column."""

import io

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

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
    book = Workbook()
    sheet = book.active
    sheet.title = str(roster.label)
    required = Font(bold=True, color="C0392B")
    header_fill = PatternFill("solid", fgColor="F3F4F6")
    for index, column in enumerate(roster.columns, 1):
        letter = get_column_letter(index)
        cell = sheet.cell(row=1, column=index, value=column.zh)
        cell.font = required if column.required else Font(bold=True)
        cell.fill = header_fill
        note = f"{'必填。' if column.required else ''}{TYPE_HELP.get(column.type, '文本')}"
        cell.comment = Comment(note, "同心")
        example = sheet.cell(row=2, column=index, value=column.example)
        sheet.column_dimensions[letter].width = max(12, len(column.example) * 2 + 2)
        if column.type in (PHONE, ID_NUMBER):
            example.number_format = "@"
            for row in range(3, 1001):
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
    sheet.freeze_panes = "A2"

    help_sheet = book.create_sheet("填写说明")
    help_sheet.append(["列名", "英文列名", "是否必填", "填写要求", "示例"])
    for column in roster.columns:
        help_sheet.append(
            [
                column.zh,
                column.en,
                "必填" if column.required else "",
                TYPE_HELP.get(column.type, "文本")
                + ("：" + "、".join(column.labels()) if column.type == CHOICE else ""),
                column.example,
            ]
        )
    help_sheet.append([])
    help_sheet.append(["重复导入按此识别同一条记录：", str(roster.key_help)])
    help_sheet.append(
        ["请删除示例行后再填写；只读取第一个工作表；任何一行有错误时整批都不会导入。"]
    )
    for letter, width in zip("ABCDE", (16, 18, 10, 48, 28), strict=True):
        help_sheet.column_dimensions[letter].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
