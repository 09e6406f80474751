"""Build roster files in tests."""

import csv
import datetime
import io

from apps.core.validators import id_number_check_digit


def id_number(serial: int, born: str = "") -> str:
    """A valid ID number, unique per serial (the birth date moves every 1,000)."""
    if not born:
        born = (datetime.date(1980, 1, 1) + datetime.timedelta(days=serial // 1000)).strftime(
            "%Y%m%d"
        )
    first17 = f"330206{born}{serial % 1000:03d}"
    return first17 + id_number_check_digit(first17)


def csv_bytes(rows: list[list], encoding: str = "utf-8-sig") -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_bytes(rows: list[list]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


MEMBER_HEADER = [
    "姓名",
    "性别",
    "手机号",
    "身份证号",
    "所在支部",
    "报到社区",
    "党员类型",
    "入党日期",
]


def member_row(n: int, **over) -> list:
    row = {
        "姓名": f"党员{n}",
        "性别": "男" if n % 2 else "女",
        "手机号": f"137{n:08d}",
        "身份证号": id_number(n),
        "所在支部": "海城社区党支部",
        "报到社区": "大榭街道/海城社区",
        "党员类型": "在职",
        "入党日期": "2001-07-01",
    }
    row.update(over)
    return [row[h] for h in MEMBER_HEADER]


def xls_bytes(rows: list[list], formula_at: tuple[int, int] | None = None) -> bytes:
    """An Excel 97–2003 workbook written by xlwt (what WPS and old Excel save)."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("名册")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            formula = formula_at == (r, c)
            sheet.write(r, c, xlwt.Formula("1+2") if formula else value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def ods_bytes(
    rows: list[list], formula_at: tuple[int, int] | None = None, repeat_last: int = 0
) -> bytes:
    """An OpenDocument spreadsheet written by odfpy; `repeat_last` repeats the last row that
    many times (a few bytes that declare a huge sheet), LibreOffice's trailing empty rows
    are always added."""
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    doc = OpenDocumentSpreadsheet()
    table = Table(name="名册")
    for r, row in enumerate(rows):
        last = r == len(rows) - 1
        element = TableRow(numberrowsrepeated=repeat_last) if last and repeat_last else TableRow()
        for c, value in enumerate(row):
            if formula_at == (r, c):
                cell = TableCell(formula="of:=1+2", valuetype="float", value=3)
            else:
                cell = TableCell(valuetype="string")
                cell.addElement(P(text=str(value)))
            element.addElement(cell)
        element.addElement(TableCell(numbercolumnsrepeated=1000))
        table.addElement(element)
    trailing = TableRow(numberrowsrepeated=1_048_000)
    trailing.addElement(TableCell(numbercolumnsrepeated=1024))
    table.addElement(trailing)
    doc.spreadsheet.addElement(table)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
