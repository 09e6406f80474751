"""Read a roster file (CSV, xlsx, xls or ods) into a header and rows of cells, with the
guards that keep a bad file from costing memory or a 500: size, row count, declared
dimensions, formulas, blank lines.

Spreadsheets are read with python-calamine (Rust), about 10x faster than openpyxl; it reads
Excel 2007+ (.xlsx), Excel 97–2003 (.xls, what WPS and many street offices still send) and
OpenDocument (.ods). Before calamine sees a sheet we look at it ourselves, because calamine
allocates the sheet's declared dimensions (an .ods row or cell "repeated" a million times is
a few bytes) and silently returns a formula's cached value: the xlsx sheet's XML, the ods
content.xml, and the xls BIFF records (through olefile).
"""

import csv
import io
import re
import struct
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from xml.etree import ElementTree

import olefile
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from python_calamine import CalamineError, CalamineWorkbook

from apps.core.conf import conf
from apps.core.errors import InvalidInput


@dataclass
class Table:
    headers: list[str]
    rows: list[tuple[int, list]]  # (spreadsheet row number, cells)
    blank_rows: int = 0
    notices: list[str] = field(default_factory=list)


def file_format(name: str) -> str:
    suffix = PurePosixPath(name.lower()).suffix
    if suffix in (".xlsx", ".xlsm"):
        return "xlsx"
    if suffix in (".xls", ".ods", ".csv"):
        return suffix[1:]
    if suffix == ".txt":
        return "csv"
    raise InvalidInput(_("只支持 .xlsx、.xls、.ods 和 .csv 文件。"), code="unsupported_format")


def read_table(data: bytes, name: str) -> Table:
    if len(data) > conf("ROSTERS_MAX_FILE_MB") * 1024 * 1024:
        raise InvalidInput(
            _("文件超过 %(mb)s MB 上限，请拆分后分批导入。") % {"mb": conf("ROSTERS_MAX_FILE_MB")},
            code="file_too_large",
        )
    if not data.strip():
        raise InvalidInput(_("文件是空的。"), code="empty_file")
    kind = file_format(name)
    if kind == "csv":
        return _table(1, _read_csv(data))
    return _table(*_read_sheet(data, kind))


def _read_csv(data: bytes):
    # Excel in China saves "CSV" as GB18030; everything else is UTF-8 (with or without BOM).
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError as exc:
            raise InvalidInput(
                _("无法识别 CSV 文件的编码，请另存为 UTF-8 或 Excel 文件。"), code="bad_encoding"
            ) from exc
    if "\x00" in text:
        raise InvalidInput(_("文件内容无法识别为表格。"), code="unreadable_file")
    return csv.reader(io.StringIO(text, newline=""))


_DIMENSION = re.compile(rb'<(?:\w+:)?dimension ref="([A-Z]+)?(\d+)?(?::([A-Z]+)(\d+))?"')
_FORMULA = re.compile(rb'<(?:\w+:)?c r="([A-Z]+)(\d+)"[^>]*>\s*<(?:\w+:)?f[\s>/]')
_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def _first_sheet_member(archive: zipfile.ZipFile) -> str:
    """The zip member of the workbook's first sheet (the one calamine reads by index 0)."""
    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    sheet = next(el for el in workbook.iter() if el.tag.endswith("}sheet"))
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    target = next(el.get("Target") for el in rels if el.get("Id") == sheet.get(_REL_NS))
    return target.lstrip("/") if target.startswith("/") else f"xl/{target}"


def _check_archive(archive: zipfile.ZipFile) -> None:
    """Refuse a zip bomb from the zip's directory, before anything is decompressed: every
    member (the shared strings too, not only the sheet) counts towards the unpacked limit,
    and none may unpack more than `ROSTERS_MAX_COMPRESSION_RATIO` times its packed size
    (ordinary workbooks stay under ~30x; a 2.9 MB bomb of 1 GB is ~350x)."""
    limit = conf("ROSTERS_MAX_UNPACKED_MB") * 1024 * 1024
    ratio = conf("ROSTERS_MAX_COMPRESSION_RATIO")
    total = 0
    for info in archive.infolist():
        total += info.file_size
        if info.file_size > 1024 * 1024 and info.file_size > ratio * max(info.compress_size, 1):
            raise InvalidInput(
                _("文件解压后异常膨胀（疑似压缩炸弹），已拒绝导入。"), code="zip_bomb"
            )
    if total > limit:
        raise InvalidInput(
            _("文件解压后超过 %(mb)s MB 上限，请拆分后分批导入。")
            % {"mb": conf("ROSTERS_MAX_UNPACKED_MB")},
            code="unpacked_too_large",
        )


def _check_sheet(archive: zipfile.ZipFile, member: str) -> None:
    info = archive.getinfo(member)
    if info.file_size > conf("ROSTERS_MAX_UNPACKED_MB") * 1024 * 1024:
        raise InvalidInput(_("工作表解压后过大，请检查文件。"), code="sheet_too_large")
    with archive.open(member) as stream:
        head = stream.read(4096)
        match = _DIMENSION.search(head)
        if match and match.group(4):
            rows = int(match.group(4))
            columns = _column_number(match.group(3))
            if rows > conf("ROSTERS_MAX_ROWS") + 100 or columns > conf("ROSTERS_MAX_COLUMNS"):
                raise InvalidInput(
                    _(
                        "工作表声明的范围过大（%(rows)s 行 × %(cols)s 列）。请只复制数据区域到"
                        "新的工作表后再导入。"
                    )
                    % {"rows": rows, "cols": columns},
                    code="absurd_dimensions",
                )
        tail = b""
        chunk = head
        while chunk:
            window = tail + chunk
            formula = _FORMULA.search(window)
            if formula:
                raise InvalidInput(
                    _(
                        "第 %(row)s 行 %(col)s 列含有公式。请把公式转换为数值"
                        "（选择性粘贴为数值）后再导入。"
                    )
                    % {"row": formula.group(2).decode(), "col": formula.group(1).decode()},
                    code="formula",
                )
            tail = window[-200:]
            chunk = stream.read(1 << 20)


def _formula_error(row: int, col: int) -> InvalidInput:
    return InvalidInput(
        _("第 %(row)s 行 %(col)s 列含有公式。请把公式转换为数值（选择性粘贴为数值）后再导入。")
        % {"row": row, "col": _column_letters(col)},
        code="formula",
    )


def _dimensions_error(rows: int, columns: int) -> InvalidInput:
    return InvalidInput(
        _(
            "工作表声明的范围过大（%(rows)s 行 × %(cols)s 列）。请只复制数据区域到"
            "新的工作表后再导入。"
        )
        % {"rows": rows, "cols": columns},
        code="absurd_dimensions",
    )


def _column_letters(number: int) -> str:
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _too_big(rows: int, columns: int) -> bool:
    return rows > conf("ROSTERS_MAX_ROWS") + 100 or columns > conf("ROSTERS_MAX_COLUMNS")


_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"


def _check_ods(archive: zipfile.ZipFile) -> None:
    """Formulas and the size the first table really fills, from content.xml as a stream.
    Rows and cells may be "repeated": trailing empty ones (LibreOffice writes a million)
    cost calamine nothing, but a repeated row or cell with content is allocated in full."""
    tables = rows = columns = 0
    row_filled = False
    with archive.open("content.xml") as stream:
        for event, el in ElementTree.iterparse(stream, events=("start", "end")):
            if el.tag == f"{_TABLE}table" and event == "start":
                tables += 1
            if tables != 1:
                if tables > 1:
                    return
                continue
            if el.tag == f"{_TABLE}table-row":
                if event == "start":
                    columns, row_filled = 0, False
                    continue
                repeat = int(el.get(f"{_TABLE}number-rows-repeated", 1))
                if row_filled and _too_big(rows + repeat, 0):
                    raise _dimensions_error(rows + repeat, columns)
                rows += repeat
                el.clear()
            elif el.tag in (f"{_TABLE}table-cell", f"{_TABLE}covered-table-cell"):
                if event == "start":
                    if el.get(f"{_TABLE}formula"):
                        raise _formula_error(rows + 1, columns + 1)
                    continue
                repeat = int(el.get(f"{_TABLE}number-columns-repeated", 1))
                if el.get(f"{_OFFICE}value-type") or len(el):
                    row_filled = True
                    if _too_big(0, columns + repeat):
                        raise _dimensions_error(rows + 1, columns + repeat)
                columns += repeat


# BIFF record types (Microsoft's [MS-XLS]): a sheet's beginning, a formula cell, the
# workbook's list of sheets with each one's offset, and a sheet's declared used range.
_BOF, _EOF, _FORMULA_RECORD, _BOUNDSHEET, _DIMENSIONS = 0x0809, 0x000A, 0x0006, 0x0085, 0x0200


def _biff_records(stream: bytes, offset: int = 0):
    while offset + 4 <= len(stream):
        kind, length = struct.unpack_from("<HH", stream, offset)
        yield kind, stream[offset + 4 : offset + 4 + length]
        offset += 4 + length


def _check_xls(data: bytes) -> None:
    """Formulas and declared dimensions of the first sheet, from its BIFF8 records."""
    with olefile.OleFileIO(data) as ole:
        name = "Workbook" if ole.exists("Workbook") else "Book"
        stream = ole.openstream(name).read()
    first_sheet = next(
        struct.unpack_from("<I", body)[0]
        for kind, body in _biff_records(stream)
        if kind == _BOUNDSHEET and body[5:6] == b"\x00"  # a worksheet, not a chart
    )
    for kind, body in _biff_records(stream, first_sheet):
        if kind == _FORMULA_RECORD:
            row, col = struct.unpack_from("<HH", body)
            raise _formula_error(row + 1, col + 1)
        if kind == _DIMENSIONS and len(body) >= 12:
            _first, last_row, _first_col, last_col = struct.unpack_from("<IIHH", body)
            if _too_big(last_row, last_col):
                raise _dimensions_error(last_row, last_col)
        if kind == _EOF:
            return


def _check_workbook(data: bytes, kind: str) -> None:
    if kind == "xls":
        if not olefile.isOleFile(data):
            raise ValueError("not an OLE2 file")
        _check_xls(data)
        return
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        _check_archive(archive)
        if kind == "ods":
            _check_ods(archive)
        else:
            _check_sheet(archive, _first_sheet_member(archive))


UNREADABLE = {  # lazy: translated when shown
    "xlsx": gettext_lazy("无法读取该 Excel 文件，请确认是 .xlsx 格式。"),
    "xls": gettext_lazy("无法读取该 Excel 97–2003 文件，请确认是 .xls 格式（或另存为 .xlsx）。"),
    "ods": gettext_lazy("无法读取该 OpenDocument 表格，请确认是 .ods 格式（或另存为 .xlsx）。"),
}


def _read_sheet(data: bytes, kind: str):
    """The first sheet of an xlsx, xls or ods workbook, checked first."""
    try:
        _check_workbook(data, kind)
        sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0)
    except InvalidInput:
        raise
    except (
        zipfile.BadZipFile,
        KeyError,
        StopIteration,
        ElementTree.ParseError,
        CalamineError,
        OSError,
        ValueError,
        struct.error,
    ) as exc:
        raise InvalidInput(str(UNREADABLE[kind]), code="unreadable_file") from exc
    # calamine's rows start at the sheet's first used row; keep spreadsheet row numbers.
    start = sheet.start[0] if sheet.start else 0
    return start + 1, sheet.iter_rows()


def _table(first: int, raw) -> Table:
    """Header = the first non-blank row; row numbers are the spreadsheet's own."""
    headers: list[str] | None = None
    rows: list[tuple[int, list]] = []
    blank = 0
    max_rows = conf("ROSTERS_MAX_ROWS")
    number = first - 1
    for item in raw:
        number += 1
        if any(item):  # C-speed; a row of empty strings (or only zeros) counts as blank
            if headers is None:
                headers = [str(cell or "").strip() for cell in item]
            else:
                if len(rows) >= max_rows:
                    raise InvalidInput(
                        _("文件超过 %(n)s 行的上限，请拆分后分批导入。") % {"n": max_rows},
                        code="too_many_rows",
                    )
                rows.append((number, item))
        elif headers is not None:
            blank += 1
    if headers is None:
        raise InvalidInput(_("文件中没有表头。"), code="no_header")
    # Blank lines between data rows are skipped; trailing ones are not worth mentioning.
    last = rows[-1][0] if rows else number
    trailing = number - last if rows else blank
    blank -= trailing
    table = Table(headers, rows, blank)
    if blank:
        table.notices.append(_("已跳过 %(n)s 个空行。") % {"n": blank})
    return table
