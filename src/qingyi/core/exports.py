"""Safe spreadsheet output shared by every export.

A cell whose text begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return may be
taken for a formula by Excel or WPS (CSV/formula injection, OWASP): such text is written
with a leading single quote so it stays text. Characters that XML cannot hold are dropped.
Workbooks are written in openpyxl's write-only mode, row by row, so a large export does not
build the whole sheet in memory.
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from django.utils.functional import Promise
from django.utils.http import content_disposition_header
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# Excel's own limits: a sheet name, the text of one cell.
SHEET_TITLE_MAX = 31
CELL_TEXT_MAX = 32_767


def neutralise(value: Any) -> Any:
    """The value made safe for a spreadsheet cell: text that could start a formula gets a quote,
    lazy text is rendered, text is cut at Excel's limit, a number Excel cannot hold (NaN,
    infinity) is written as text."""
    if isinstance(value, Promise):
        value = str(value)
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if value.startswith(FORMULA_PREFIXES):
            value = "'" + value
        return value[:CELL_TEXT_MAX]
    if isinstance(value, float | Decimal) and not math.isfinite(value):
        return str(value)
    return value


@dataclass
class Sheet:
    title: str
    headers: Sequence[str]
    rows: Iterable[Sequence[Any]]
    widths: Sequence[int] = field(default_factory=tuple)


def _write_sheet(workbook: Workbook, sheet: Sheet) -> None:
    # Sheet titles cannot hold []:*?/\ and are at most 31 characters.
    title = "".join(ch for ch in sheet.title if ch not in "[]:*?/\\")[:SHEET_TITLE_MAX] or "Sheet"
    worksheet = workbook.create_sheet(title=title)
    for index, width in enumerate(sheet.widths, start=1):
        worksheet.column_dimensions[get_column_letter(index)].width = width
    worksheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header_cells = []
    for header in sheet.headers:
        cell = WriteOnlyCell(worksheet, value=neutralise(header))
        cell.font = bold
        header_cells.append(cell)
    worksheet.append(header_cells)
    for row in sheet.rows:
        worksheet.append([neutralise(value) for value in row])


def write_xlsx(
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    title: str = "Sheet1",
    widths: Sequence[int] = (),
    more_sheets: Iterable[Sheet] = (),
) -> bytes:
    """An .xlsx workbook of one header row and the rows, every text cell neutralised."""
    workbook = Workbook(write_only=True)
    _write_sheet(workbook, Sheet(title, headers, rows, widths))
    for sheet in more_sheets:
        _write_sheet(workbook, sheet)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    """A download of an .xlsx workbook, with a file name that may be Chinese."""
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    response["Cache-Control"] = "no-store"
    return response
