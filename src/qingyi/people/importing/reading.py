"""Reading the roster sheet: the header row, the columns, the data cells.

The file's safety checks (size, format, XML, rows, cells, strings, time) are the shared
ones of ``qingyi.core.workbooks``; this module only knows the roster's columns.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from qingyi.core import workbooks
from qingyi.people.importing.columns import (
    _EXPORT_ONLY_KEYS,
    COLUMN_BY_FIELD,
    COLUMNS,
    IDENTIFIER_FIELDS,
    _key,
    column_for_header,
)

# --- Issues ---------------------------------------------------------------------------------


@dataclass
class Issue:
    """One problem found in the file: a row's error, or a warning about the whole sheet."""

    message: str
    row: int | None = None
    cell: str = ""
    column: str = ""
    value: str = ""
    level: str = "error"

    def as_json(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "cell": self.cell,
            "column": self.column,
            "value": self.value,
            "message": self.message,
            "level": self.level,
        }


class CellError(ValueError):
    pass


# --- Reading the workbook -------------------------------------------------------------------

# The rows searched for the header row (a title row above the headers is common).
HEADER_SCAN_ROWS = 10
_refuse = workbooks.refuse


@dataclass
class SheetColumn:
    field: str
    index: int  # 0-based position in the row
    header: str  # as written in the file

    @property
    def letter(self) -> str:
        return get_column_letter(self.index + 1)


@dataclass
class SheetData:
    """The data rows of the first worksheet, with the columns that were recognised."""

    title: str
    header_row: int
    columns: dict[str, SheetColumn]
    # (row number, ((value, data type), ...) in the order of ``columns``)
    rows: list[tuple[int, tuple[tuple[Any, str], ...]]]
    epoch: dt.datetime
    warnings: list[Issue] = field(default_factory=list)


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _header_text(value: Any) -> str:
    return "" if value is None else re.sub(r"\s+", " ", str(value)).strip()


def _column_list(columns: Iterable[str]) -> str:
    return "、".join(columns)


def read_sheet(content: bytes, *, budget: workbooks.Budget | None = None) -> SheetData:
    """Read the first worksheet: find the header row, check the columns, collect the data rows.

    The file passes the shared guards of ``qingyi.core.workbooks`` first (format, XML,
    rows, cells, strings, time). Raises ``ValidationError`` (code "file") when the file as a
    whole cannot be imported.
    """
    budget = budget or workbooks.Budget()
    with workbooks.open_workbook(content, budget=budget, data_only=False) as (workbook, scan):
        return _read_first_sheet(workbook, scan.merges, budget=budget)


def _read_first_sheet(workbook, merges: list[tuple[str, int, int]], *, budget: workbooks.Budget) -> SheetData:
    limit = workbooks.max_rows()
    worksheet = workbook.worksheets[0]
    # The declared dimension may be wrong (too small cuts columns off); read what is there.
    worksheet.reset_dimensions()

    warnings: list[Issue] = []
    if len(workbook.worksheets) > 1:
        warnings.append(
            Issue(
                _("Only the first sheet, “%(sheet)s”, was read; the other sheets were not.")
                % {"sheet": worksheet.title},
                level="warning",
            )
        )

    rows = workbooks.iter_rows(worksheet, budget=budget)
    header_row = 0
    header_cells: tuple = ()
    first_text_row: tuple[int, tuple] | None = None
    number = 0
    for number, cells in enumerate(rows, start=1):
        if number > HEADER_SCAN_ROWS:
            break
        if all(_is_blank(cell.value) for cell in cells):
            continue
        if first_text_row is None:
            first_text_row = (number, cells)
        recognised = {column_for_header(cell.value) for cell in cells} - {None}
        if COLUMN_BY_FIELD["name"] in recognised and len(recognised) >= 2:
            header_row, header_cells = number, cells
            break
    if not header_row:
        if first_text_row is None:
            raise _refuse(_("The sheet is empty."))
        header_row, header_cells = first_text_row

    columns: dict[str, SheetColumn] = {}
    ignored: list[str] = []
    for index, cell in enumerate(header_cells):
        text = _header_text(cell.value)
        if not text:
            continue
        column = column_for_header(text)
        if column is None:
            if _key(text) not in _EXPORT_ONLY_KEYS:
                ignored.append(text)
            continue
        if column.field in columns:
            first = columns[column.field]
            raise _refuse(
                _(
                    "Columns %(first)s (%(first_header)s) and %(second)s (%(second_header)s) "
                    "both give the %(what)s; keep one."
                )
                % {
                    "first": first.letter,
                    "first_header": first.header,
                    "second": get_column_letter(index + 1),
                    "second_header": text,
                    "what": column.header,
                }
            )
        columns[column.field] = SheetColumn(column.field, index, text)
    missing = [column.header for column in COLUMNS if column.required and column.field not in columns]
    if missing:
        found = [_header_text(cell.value) for cell in header_cells if not _is_blank(cell.value)]
        raise _refuse(
            _("Required columns are missing: %(missing)s. The header row (row %(row)d) has: %(found)s.")
            % {"missing": _column_list(missing), "row": header_row, "found": _column_list(found[:20]) or "—"}
        )
    if not any(name in columns for name in IDENTIFIER_FIELDS):
        raise _refuse(
            _("The file needs a column %(employee)s or %(id)s so that people can be recognised.")
            % {
                "employee": COLUMN_BY_FIELD["employee_number"].header,
                "id": COLUMN_BY_FIELD["id_number"].header,
            }
        )
    if ignored:
        warnings.append(
            Issue(
                _("These columns are not imported: %(columns)s.") % {"columns": _column_list(ignored)},
                row=header_row,
                level="warning",
            )
        )
    merged_here = [ref for ref, _top, bottom in merges if bottom >= header_row]
    if merged_here:
        shown = ", ".join(merged_here[:10]) + (" …" if len(merged_here) > 10 else "")
        raise _refuse(
            _(
                "The sheet has merged cells (%(ranges)s). "
                "Unmerge them and fill in every cell, then upload again."
            )
            % {"ranges": shown}
        )

    positions = [column.index for column in columns.values()]
    data: list[tuple[int, tuple[tuple[Any, str], ...]]] = []
    for row_number, cells in enumerate(rows, start=header_row + 1):
        picked = tuple(
            (cells[i].value, cells[i].data_type) if i < len(cells) else (None, "n") for i in positions
        )
        if all(_is_blank(value) for value, _kind in picked):
            continue
        data.append((row_number, picked))
        if len(data) > limit:
            raise workbooks.too_many_rows()
    if not data:
        raise _refuse(_("The sheet has a header row but no data rows."))
    return SheetData(worksheet.title, header_row, columns, data, workbook.epoch, warnings)
