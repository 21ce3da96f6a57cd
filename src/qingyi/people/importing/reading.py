"""Reading the workbook safely: size, archive and XML checks, the header row, the data cells."""

from __future__ import annotations

import datetime as dt
import io
import posixpath
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from xml.etree import ElementTree

import openpyxl
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

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

OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# The rows searched for the header row (a title row above the headers is common).
HEADER_SCAN_ROWS = 10
# A workbook may unpack to this many times the upload limit (sheets compress ~10:1).
UNPACKED_FACTOR = 30
_PREFIXED_ROW = re.compile(rb"<\w+:row[\s>]")
_MERGE_CELL = re.compile(rb"<(?:\w+:)?mergeCell\b[^>]*?\bref=\"([A-Za-z]{1,3}\d+(?::[A-Za-z]{1,3}\d+)?)\"")
_CELL_REF = re.compile(r"([A-Za-z]{1,3})(\d+)")


def _refuse(message: str) -> ValidationError:
    return ValidationError(message, code="file")


def max_rows() -> int:
    return int(settings.QINGYI_IMPORT_MAX_ROWS)


def max_bytes() -> int:
    return int(settings.QINGYI_IMPORT_MAX_BYTES)


def read_upload(file) -> bytes:
    """The uploaded file's bytes, refusing it when it is empty or larger than the limit."""
    limit = max_bytes()
    size = getattr(file, "size", None)
    if size is not None and size > limit:
        raise _too_big(size, limit)
    if hasattr(file, "seek"):
        file.seek(0)
    content = file.read(limit + 1)
    if len(content) > limit:
        raise _too_big(len(content), limit)
    if not content:
        raise _refuse(_("The file is empty."))
    return content


def _too_big(size: int, limit: int) -> ValidationError:
    return _refuse(
        _("The file is %(size)s; at most %(limit)s can be imported. Split it into smaller files.")
        % {"size": filesizeformat(size), "limit": filesizeformat(limit)}
    )


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


def _first_worksheet_path(archive: zipfile.ZipFile) -> str | None:
    """The archive path of the workbook's first worksheet (the one openpyxl lists first)."""
    # Safe to parse: _open_archive refused any part declaring a DTD.
    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))  # noqa: S314
    relations = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))  # noqa: S314
    targets = {
        relation.get("Id"): (relation.get("Type", ""), relation.get("Target", ""))
        for relation in relations.iter()
        if relation.tag.endswith("Relationship")
    }
    for sheet in workbook.iter():
        if not sheet.tag.endswith("}sheet"):
            continue
        relation_id = next((value for key, value in sheet.attrib.items() if key.endswith("}id")), None)
        kind, target = targets.get(relation_id, ("", ""))
        if kind.endswith("/worksheet") and target:
            return target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
    return None


@dataclass
class _SheetScan:
    rows: int  # <row> elements, blank ones included
    merges: list[tuple[str, int, int]]  # (range, top row, bottom row)


def _scan_sheet(archive: zipfile.ZipFile, path: str) -> _SheetScan:
    """Count the rows and find the merged ranges of a worksheet from its XML, in chunks.

    This runs before openpyxl opens the sheet, so an oversized file is refused at the cost of
    a decompression, never loaded; and merges, which read-only openpyxl cannot see, are found.
    """
    rows = 0
    merges: list[tuple[str, int, int]] = []
    tail = b""
    with archive.open(path) as stream:
        while True:
            chunk = stream.read(1 << 20)
            buffer = tail + chunk
            # Keep an unfinished tag for the next chunk.
            cut = buffer.rfind(b"<")
            split = cut if chunk and cut >= 0 and buffer.find(b">", cut) < 0 else len(buffer)
            part, tail = buffer[:split], buffer[split:]
            rows += part.count(b"<row ") + part.count(b"<row>")
            if b":row" in part:  # a namespace prefix, as some writers use
                rows += len(_PREFIXED_ROW.findall(part))
            if b"mergeCell" in part:
                for match in _MERGE_CELL.finditer(part):
                    ref = match.group(1).decode("ascii").upper()
                    numbers = [int(m.group(2)) for m in _CELL_REF.finditer(ref)]
                    merges.append((ref, min(numbers), max(numbers)))
            if not chunk:
                break
    return _SheetScan(rows, merges)


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _header_text(value: Any) -> str:
    return "" if value is None else re.sub(r"\s+", " ", str(value)).strip()


def _column_list(columns: Iterable[str]) -> str:
    return "、".join(columns)


def _open_archive(content: bytes) -> zipfile.ZipFile:
    if content.startswith(OLE_SIGNATURE):
        raise _refuse(
            _(
                "This is an old Excel 97–2003 (.xls) file or a password-protected workbook. "
                "Open it in Excel or WPS, remove any password and save it as “Excel Workbook (.xlsx)”."
            )
        )
    not_xlsx = _refuse(
        _(
            "This is not an Excel .xlsx file (CSV and other formats are not accepted). "
            "Open it in Excel or WPS and save it as “Excel Workbook (.xlsx)”."
        )
    )
    if not zipfile.is_zipfile(io.BytesIO(content)):
        raise not_xlsx
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise not_xlsx from None
    if "xl/workbook.xml" not in {info.filename for info in infos}:
        raise not_xlsx
    if sum(info.file_size for info in infos) > max_bytes() * UNPACKED_FACTOR:
        raise _refuse(_("The workbook is too large once unpacked. Split it into smaller files."))
    # Workbooks never declare a DTD; one would only serve entity-expansion attacks on the
    # XML parsers (ours and openpyxl's). A DTD can only stand before the root element.
    try:
        for info in infos:
            if info.filename.endswith((".xml", ".rels")):
                with archive.open(info) as part:
                    head = part.read(4096)
                if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                    raise _damaged()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
        raise _damaged() from None
    return archive


def _damaged() -> ValidationError:
    return _refuse(
        _("The workbook cannot be read; it may be damaged. Open it in Excel or WPS and save it again.")
    )


def read_sheet(content: bytes) -> SheetData:
    """Read the first worksheet: find the header row, check the columns, collect the data rows.

    Raises ``ValidationError`` (code "file") when the file as a whole cannot be imported.
    """
    limit = max_rows()
    # Rows read (blank ones included) before giving up: a sheet formatted down to its last
    # row must not keep the server busy.
    physical_limit = limit * 2 + HEADER_SCAN_ROWS + 100
    too_many = _refuse(
        _("The file has more than %(max)d rows; import at most %(max)d rows at a time.") % {"max": limit}
    )
    with _open_archive(content) as archive:
        try:
            path = _first_worksheet_path(archive)
            scan = _scan_sheet(archive, path) if path else None
        except (KeyError, ElementTree.ParseError, zipfile.BadZipFile, OSError, ValueError, EOFError):
            raise _damaged() from None
        if scan is None:
            raise _refuse(_("The workbook has no worksheet."))
        if scan.rows > physical_limit:
            raise too_many
        try:
            workbook = openpyxl.load_workbook(
                io.BytesIO(content), read_only=True, data_only=False, keep_links=False
            )
        except Exception:  # openpyxl raises many kinds of error on a damaged file
            raise _damaged() from None
        try:
            if not workbook.worksheets:
                raise _refuse(_("The workbook has no worksheet."))
            return _read_first_sheet(workbook, scan.merges, limit=limit, too_many=too_many)
        finally:
            workbook.close()


def _read_first_sheet(
    workbook, merges: list[tuple[str, int, int]], *, limit: int, too_many: ValidationError
) -> SheetData:
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

    rows = worksheet.iter_rows()
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
            raise too_many
    if not data:
        raise _refuse(_("The sheet has a header row but no data rows."))
    return SheetData(worksheet.title, header_row, columns, data, workbook.epoch, warnings)
