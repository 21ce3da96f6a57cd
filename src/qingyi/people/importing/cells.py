"""Cells to values: text, codes, ID numbers, dates and choices, and the parsed rows."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

import openpyxl
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext as _
from openpyxl.utils.datetime import from_excel

from qingyi.core.text import clean_name, fold_code, fold_id_number
from qingyi.people.importing.columns import (
    CHOICE,
    CHOICE_FIELDS,
    CHOICE_LABELS,
    CODE,
    COLUMN_BY_FIELD,
    DATE,
    ID_NUMBER,
    Column,
    _choice_index,
    _key,
)
from qingyi.people.importing.reading import CellError, Issue, SheetData, _is_blank

# --- Cells to values -----------------------------------------------------------------------

_DATE_YMD = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]0{1,2}:0{2}(?::0{2})?)?$"
)
_DATE_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_DATE_MONTH = re.compile(r"^(\d{4})\s*(?:[-/.年]\s*(\d{1,2})\s*月?|(\d{2}))$")
# Serial numbers Excel can show as dates (1900-01-01 … 9999-12-31).
_SERIAL_MAX = 2958465
_UNQUOTE = tuple("'" + prefix for prefix in ("=", "+", "-", "@"))


class _Masked:
    """An ID number written masked (5001**********1234): treated as not given."""


MASKED = _Masked()


def _number_text(value: int | float) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def _unquote(text: str) -> str:
    """Undo the export's protection of text that looks like a formula."""
    return text[1:] if text.startswith(_UNQUOTE) else text


def _check_length(text: str, column: Column) -> str:
    if column.max_length:
        try:
            MaxLengthValidator(column.max_length)(text)
        except ValidationError as exc:
            raise CellError(" ".join(exc.messages)) from None
    return text


def _make_date(year: int, month: int, day: int, shown: str) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise CellError(_("“%(value)s” is not a real date.") % {"value": shown}) from None


def parse_date(value: Any, *, epoch: dt.datetime = openpyxl.utils.datetime.CALENDAR_WINDOWS_1900) -> dt.date:
    """A date from a cell: a date cell, an Excel serial number or text in a common Chinese format."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        raise CellError(_("“%(value)s” is not a date; write it as 1998-05-03.") % {"value": value})
    if isinstance(value, int | float):
        if float(value).is_integer() and 10_000_000 <= value <= 99_991_231:
            return _parse_date_text(str(int(value)))
        if float(value).is_integer() and 1000 <= value <= 2999:
            raise CellError(
                _("“%(value)s” is only a year; give the full date, e.g. 1998-05-03.") % {"value": int(value)}
            )
        if not 1 <= value <= _SERIAL_MAX:
            raise CellError(
                _("“%(value)s” is not a date; write it as 1998-05-03.") % {"value": _number_text(value)}
            )
        converted = from_excel(value, epoch)
        return converted.date() if isinstance(converted, dt.datetime) else converted
    if isinstance(value, dt.time | dt.timedelta):
        raise CellError(_("This cell holds a time, not a date."))
    return _parse_date_text(str(value))


def _parse_date_text(text: str) -> dt.date:
    shown = text.strip()
    folded = unicodedata.normalize("NFKC", shown).strip()
    match = _DATE_YMD.match(folded) or _DATE_COMPACT.match(folded)
    if match:
        year, month, day = (int(part) for part in match.groups())
        return _make_date(year, month, day, shown)
    if _DATE_MONTH.match(folded):
        raise CellError(_("“%(value)s” has no day; give the full date, e.g. 1998-05-03.") % {"value": shown})
    raise CellError(_("“%(value)s” is not a date; write it as 1998-05-03.") % {"value": shown})


def _to_text(value: Any) -> str:
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        return _number_text(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


def _convert(value: Any, column: Column, *, epoch: dt.datetime, choices: dict[str, str]) -> Any:
    if column.kind == DATE:
        return parse_date(value, epoch=epoch)
    if column.kind == ID_NUMBER:
        if isinstance(value, float):
            raise CellError(
                _(
                    "The ID number was stored as a number, so Excel has dropped its last digits. "
                    "Format the column as text and type the ID numbers again."
                )
            )
        text = fold_id_number(_to_text(value))
        return MASKED if "*" in text else text
    if column.kind == CODE:
        text = fold_code(_unquote(_to_text(value).strip()))
        return _check_length(text, column)
    if column.kind == CHOICE:
        text = _to_text(value).strip()
        found = choices.get(_key(text))
        if found is None:
            accepted = " / ".join(labels[0] for labels in CHOICE_LABELS[column.field].values())
            raise CellError(
                _("“%(value)s” is not a known %(column)s; use one of: %(choices)s.")
                % {"value": text, "column": column.header, "choices": accepted}
            )
        return found
    text = _unquote(_to_text(value).strip())
    if column.field == "name":  # the one rule for names typed anywhere (core.text)
        text = clean_name(text)
    return _check_length(text, column)


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        value = value.date()
    text = value.isoformat() if isinstance(value, dt.date) else _to_text(value)
    return text if len(text) <= 60 else text[:57] + "…"


@dataclass
class ParsedRow:
    number: int
    values: dict[str, Any]  # the fields given in the file, converted
    shown: dict[str, str]  # what each cell showed, for messages
    issues: list[Issue]
    bad_fields: set[str] = field(default_factory=set)  # cells that could not be read
    masked_id: bool = False


def parse_rows(sheet: SheetData) -> list[ParsedRow]:
    """Convert every cell; a cell that cannot be converted is an issue of its row."""
    choices = {name: _choice_index(name) for name in CHOICE_FIELDS if name in sheet.columns}
    columns = list(sheet.columns.values())
    parsed = []
    for number, cells in sheet.rows:
        row = ParsedRow(number, {}, {}, [])
        for sheet_column, (value, data_type) in zip(columns, cells, strict=True):
            column = COLUMN_BY_FIELD[sheet_column.field]
            shown = _shown(value)
            row.shown[column.field] = shown

            def issue(message: str, sheet_column=sheet_column, shown=shown, row=row) -> None:
                row.bad_fields.add(sheet_column.field)
                cell = f"{sheet_column.letter}{row.number}"
                row.issues.append(Issue(message, row.number, cell, sheet_column.header, shown))

            if data_type == "f":
                issue(
                    _(
                        "This cell holds a formula; replace it with its value "
                        "(copy the column, then paste values only)."
                    )
                )
                continue
            if data_type == "e":
                issue(_("This cell holds an Excel error (%(value)s).") % {"value": shown})
                continue
            if _is_blank(value):
                continue
            try:
                converted = _convert(value, column, epoch=sheet.epoch, choices=choices.get(column.field, {}))
            except CellError as exc:
                issue(str(exc))
                continue
            if converted is MASKED:
                row.masked_id = True
            elif converted != "":
                row.values[column.field] = converted
        parsed.append(row)
    return parsed
