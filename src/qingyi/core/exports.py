"""Safe spreadsheet output shared by every export.

A cell whose text begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return may be
taken for a formula by Excel or WPS (CSV/formula injection, OWASP): such text is written
with a leading single quote so it stays text. Characters that XML cannot hold are dropped.
Workbooks are written by XlsxWriter in constant-memory mode, row by row, so a large export does
not build the whole sheet in memory; large exports of text and number columns only (the hours
export) by rustpy-xlsxwriter, nine times faster (``write_xlsx_table``).
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import math
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import xlsxwriter
from django.http import HttpResponse
from django.utils.functional import Promise
from django.utils.http import content_disposition_header
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from rustpy_xlsxwriter import FastExcel

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


# Number formats of date and time cells (what openpyxl wrote before, so the files read alike).
DATE_FORMATS = (
    (dt.datetime, "yyyy-mm-dd h:mm:ss"),
    (dt.date, "yyyy-mm-dd"),
    (dt.time, "h:mm:ss"),
    (dt.timedelta, "[h]:mm:ss"),
)


def _sheet_title(title: str, taken: set[str]) -> str:
    """A valid, unused sheet title: no []:*?/\\, at most 31 characters, a number appended to a
    repeated one (as openpyxl did: "名单", "名单1", …)."""
    base = "".join(ch for ch in title if ch not in "[]:*?/\\")[:SHEET_TITLE_MAX] or "Sheet"
    candidate, n = base, 0
    while candidate.lower() in taken:
        n += 1
        suffix = str(n)
        candidate = base[: SHEET_TITLE_MAX - len(suffix)] + suffix
    taken.add(candidate.lower())
    return candidate


def _write_sheet(workbook: xlsxwriter.Workbook, sheet: Sheet, formats: dict, taken: set[str]) -> None:
    worksheet = workbook.add_worksheet(_sheet_title(sheet.title, taken))
    for index, width in enumerate(sheet.widths):
        worksheet.set_column(index, index, width)
    worksheet.freeze_panes(1, 0)
    bold = formats["bold"]
    for col, header in enumerate(sheet.headers):
        value = neutralise(header)
        if value is not None:
            worksheet.write_string(0, col, str(value), bold)
    write_string, write_number = worksheet.write_string, worksheet.write_number
    write_boolean, write_datetime = worksheet.write_boolean, worksheet.write_datetime
    for row_index, row in enumerate(sheet.rows, start=1):
        for col, value in enumerate(row):
            if value is None:
                continue
            if type(value) is int:  # the common cell that needs no neutralising
                write_number(row_index, col, value)
                continue
            value = neutralise(value)
            kind = type(value)
            if kind is str:
                if value:
                    write_string(row_index, col, value)
            elif kind is bool:
                write_boolean(row_index, col, value)
            elif kind is int or kind is float or kind is Decimal:
                write_number(row_index, col, value)
            elif isinstance(value, dt.date | dt.time | dt.timedelta):
                if isinstance(value, dt.datetime | dt.time) and value.tzinfo is not None:
                    raise TypeError("Excel cannot hold a time zone: convert to local time first.")
                fmt = next(f for cls, f in formats["dates"] if isinstance(value, cls))
                write_datetime(row_index, col, value, fmt)
            elif isinstance(value, int | float | Decimal):  # subclasses (IntEnum, …)
                write_number(row_index, col, value)
            else:
                raise ValueError(f"Cannot write {kind.__name__} to a spreadsheet cell.")


def write_xlsx(
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    title: str = "Sheet1",
    widths: Sequence[int] = (),
    more_sheets: Iterable[Sheet] = (),
) -> bytes:
    """An .xlsx workbook of one header row and the rows, every text cell neutralised.

    Written by XlsxWriter in constant-memory mode (each row goes to a temporary file as it is
    written, strings inline): 2,000 rows of 8 cells took 80–150 ms of CPU against openpyxl's
    write-only mode's 290 ms on the same loaded machine (bench/bench_peer_http.py)."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        buffer,
        {
            "constant_memory": True,
            # Text stays text: no guessing of numbers, formulas or links from strings.
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
        },
    )
    formats = {
        "bold": workbook.add_format({"bold": True}),
        "dates": [(cls, workbook.add_format({"num_format": fmt})) for cls, fmt in DATE_FORMATS],
    }
    taken: set[str] = set()
    try:
        _write_sheet(workbook, Sheet(title, headers, rows, widths), formats, taken)
        for sheet in more_sheets:
            _write_sheet(workbook, sheet, formats, taken)
    finally:
        workbook.close()
    return buffer.getvalue()


def write_xlsx_table(
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    title: str = "Sheet1",
    widths: Sequence[int] = (),
    numbers: Collection[int] = (),
) -> bytes:
    """A one-sheet workbook of text columns and the number columns at ``numbers`` (indexes),
    as write_xlsx writes it (bold frozen header, widths, text neutralised), for the large
    exports whose cells are only text and numbers: written by rustpy-xlsxwriter (Rust's
    rust_xlsxwriter, streamed row by row), 2,000 rows of 8 cells in 16 ms of CPU against
    XlsxWriter's 140 ms. Text cells may be None (left empty); number cells must be finite
    numbers (written as Excel's numbers, which are floats)."""
    keys = [str(neutralise(header)) for header in headers]
    if len(set(keys)) != len(keys):
        raise ValueError("The column headers of a table must differ.")
    numeric = [index in set(numbers) for index in range(len(keys))]

    def records():
        # The writer reads a column's type from the first row: every cell of a column is
        # given the same one here (text, or a float).
        for row in rows:
            record = {}
            for key, is_number, value in zip(keys, numeric, row, strict=True):
                if is_number:
                    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
                        raise TypeError(f"{key}: a number was expected, not {value!r}.")
                    if not math.isfinite(value):
                        raise ValueError(f"{key}: {value} is not a number Excel can hold.")
                    record[key] = float(value)
                else:
                    record[key] = "" if value is None else str(neutralise(value))
            yield record

    table = records()
    first = next(table, None)
    if first is None:
        # The writer takes its columns from the first row: with none it would write a sheet
        # without even the header row. An empty table is small: the general writer serves it.
        return write_xlsx(headers, [], title=title, widths=widths)
    buffer = io.BytesIO()
    (
        FastExcel(buffer)
        .format(bold_headers=True)
        .freeze(row=1, col=0)
        .sheet(
            _sheet_title(title, set()),
            itertools.chain([first], table),
            column_widths=list(widths) or None,
        )
        .save()
    )
    return buffer.getvalue()


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    """A download of an .xlsx workbook, with a file name that may be Chinese."""
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    response["Cache-Control"] = "no-store"
    return response
