"""Reading untrusted spreadsheets (.xlsx and CSV): the guards every import shares.

Whoever may import can upload anything, so every file is read as hostile. The guards, in
the order they run:

- size: ``read_upload`` refuses more than ``QINGYI_IMPORT_MAX_BYTES`` without reading more;
- format: an old .xls or an encrypted workbook (OLE), not a zip, no workbook part;
- archive: the declared unpacked size;
- XML: every XML part is parsed once, streaming, through defusedxml with DTDs forbidden,
  so entity tricks (billion laughs, external entities) are refused before openpyxl opens
  the file; a corrupt compressed part (zlib or CRC error) reads as a damaged file;
- volume, counted from the XML's tags while streaming and refused as soon as a limit is
  passed: the first sheet's rows (its highest row number: openpyxl yields the blank rows up
  to it), its cells, and the shared strings (openpyxl loads them all when it opens the
  workbook: a small file can hold millions);
- width: rows are read up to column ``MAX_COLUMNS`` (openpyxl would pad every row up to
  its last cell, column XFD in a crafted file);
- time: a ``Budget`` (``QINGYI_IMPORT_SECONDS``), checked while scanning, reading and
  validating; an import that runs out of time is refused and writes nothing.

openpyxl parses through defusedxml when it is installed; ``open_workbook`` refuses to run
when it is not. Nothing here knows about the domain: callers read the rows they need.
"""

from __future__ import annotations

import csv
import io
import posixpath
import re
import time
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from xml.etree.ElementTree import ParseError

import openpyxl
import openpyxl.xml
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# A workbook may unpack to this many times the upload limit (sheets compress ~10:1).
UNPACKED_FACTOR = 30
# Blank rows read beyond the row limit before giving up (a title above the header, blank
# rows between data rows), as a multiple of the limit plus a margin.
PHYSICAL_ROWS_FACTOR = 2
PHYSICAL_ROWS_MARGIN = 110
CHUNK = 1 << 16
# Columns read: openpyxl pads every row up to its last cell, so one cell in column XFD
# would make each row 16,384 cells long. No import needs more than this many columns.
MAX_COLUMNS = 200
# The budget is checked every this many rows read.
CHECK_EVERY = 256
XML_SUFFIXES = (".xml", ".rels", ".vml")
# Errors of a damaged archive or XML part, whoever reads it (zipfile, zlib, expat, openpyxl).
DAMAGED_ERRORS = (
    zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, KeyError, ParseError, NotImplementedError,
)  # fmt: skip
_CELL_REF = re.compile(r"([A-Za-z]{1,3})(\d+)")


# --- Limits ---------------------------------------------------------------------------------


def max_rows() -> int:
    return int(settings.QINGYI_IMPORT_MAX_ROWS)


def max_bytes() -> int:
    return int(settings.QINGYI_IMPORT_MAX_BYTES)


def max_cells() -> int:
    return int(settings.QINGYI_IMPORT_MAX_CELLS)


def max_strings() -> int:
    return int(settings.QINGYI_IMPORT_MAX_STRINGS)


def physical_rows() -> int:
    """The rows read, blank ones included, before a sheet is refused as too long."""
    return max_rows() * PHYSICAL_ROWS_FACTOR + PHYSICAL_ROWS_MARGIN


def refuse(message: str) -> ValidationError:
    return ValidationError(message, code="file")


def damaged() -> ValidationError:
    return refuse(
        _("The workbook cannot be read; it may be damaged. Open it in Excel or WPS and save it again.")
    )


def xml_refused() -> ValidationError:
    return refuse(
        _(
            "The workbook contains XML declarations (a DTD or entities) that spreadsheets never use, "
            "so it was refused. Open it in Excel or WPS and save it again."
        )
    )


def too_many_rows() -> ValidationError:
    return refuse(
        _("The file has more than %(max)d rows; import at most %(max)d rows at a time.") % {"max": max_rows()}
    )


def _too_many_cells() -> ValidationError:
    return refuse(
        _("The sheet has more than %(max)s cells. Delete the unused rows and columns, or split the file.")
        % {"max": f"{max_cells():,}"}
    )


def _too_many_strings() -> ValidationError:
    return refuse(
        _("The workbook holds more than %(max)s different texts; split the file.")
        % {"max": f"{max_strings():,}"}
    )


class Budget:
    """The time an import may take (``QINGYI_IMPORT_SECONDS``); ``check`` refuses it once spent."""

    def __init__(self, seconds: float | None = None):
        self.seconds = float(settings.QINGYI_IMPORT_SECONDS if seconds is None else seconds)
        self.deadline = time.monotonic() + self.seconds

    def check(self) -> None:
        if time.monotonic() > self.deadline:
            raise refuse(
                _(
                    "The file took longer than %(seconds)d seconds to check, so it was refused and nothing "
                    "was written. Split it into smaller files."
                )
                % {"seconds": round(self.seconds)}
            )


# --- The upload -----------------------------------------------------------------------------


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
        raise refuse(_("The file is empty."))
    return content


def _too_big(size: int, limit: int) -> ValidationError:
    return refuse(
        _("The file is %(size)s; at most %(limit)s can be imported. Split it into smaller files.")
        % {"size": filesizeformat(size), "limit": filesizeformat(limit)}
    )


# --- Scanning the XML ---------------------------------------------------------------------


class _Prolog:
    """A parser target that notes the root element: the prolog, where a DTD can stand, is over."""

    def __init__(self) -> None:
        self.root = False

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        self.root = True

    def close(self) -> None:
        return None


# Tags counted while streaming a part (text cannot hold a raw "<", so these only match
# tags; a CDATA section can only make a count larger). Plain tags are counted with
# ``bytes.count``; the regular expressions run only when a namespace prefix is present.
_ROW_TAGS = (b"<row ", b"<row>", b"<row\t", b"<row\n", b"<row\r")
_CELL_TAGS = (b"<c ", b"<c>", b"<c/", b"<c\t", b"<c\n", b"<c\r")
_STRING_TAGS = (b"<si>", b"<si ", b"<si/", b"<si\t", b"<si\n", b"<si\r")
_PREFIXED_ROW = re.compile(rb"<\w+:row[\s/>]")
_PREFIXED_CELL = re.compile(rb"<\w+:c[\s/>]")
_PREFIXED_STRING = re.compile(rb"<\w+:si[\s/>]")
_ROW_NUMBER = re.compile(rb"<(?:\w+:)?row\s[^>]*?\br\s*=\s*[\"'](\d+)")
_PLAIN_ROW_NUMBER = re.compile(rb"<row\s[^>]*?\br\s*=\s*[\"'](\d+)")
_MERGE_CELL = re.compile(rb"<(?:\w+:)?mergeCell\b[^>]*?\bref=[\"']([A-Za-z]{1,3}\d+(?::[A-Za-z]{1,3}\d+)?)")


def _count_tags(part: bytes, plain: tuple[bytes, ...], prefixed: re.Pattern, marker: bytes) -> int:
    count = sum(part.count(tag) for tag in plain)
    if marker in part:
        count += len(prefixed.findall(part))
    return count


@dataclass
class _Counts:
    rows: int = 0  # the highest row number (openpyxl yields the blank rows up to it)
    row_tags: int = 0
    cells: int = 0
    strings: int = 0
    merges: list[tuple[str, int, int]] = field(default_factory=list)


def _check_part(
    archive: zipfile.ZipFile,
    name: str,
    budget: Budget,
    *,
    sheet: _Counts | None = None,
    strings: _Counts | None = None,
) -> None:
    """Stream one part: its prolog through defusedxml, its tags counted, the whole decompressed.

    The prolog (everything before the root element, comments of any length included) is
    parsed by defusedxml with DTDs forbidden: a DTD, entity declarations or external
    references refuse the file. Decompressing the whole part finds a corrupt compressed
    stream (zlib) or a wrong checksum (CRC) before openpyxl reads it.
    """
    prolog = _Prolog()
    parser = DefusedXMLParser(target=prolog, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    xml = name.lower().endswith(XML_SUFFIXES)
    row_limit, cell_limit, string_limit = physical_rows(), max_cells(), max_strings()
    tail = b""
    with archive.open(name) as stream:
        while True:
            chunk = stream.read(CHUNK)
            if xml and not prolog.root and chunk:
                # Small feeds: the parser stops being fed as soon as the root element starts.
                for start in range(0, len(chunk), 4096):
                    parser.feed(chunk[start : start + 4096])
                    if prolog.root:
                        break
            if sheet is not None or strings is not None:
                buffer = tail + chunk
                # Keep an unfinished tag for the next chunk.
                cut = buffer.rfind(b"<")
                split = cut if chunk and cut >= 0 and buffer.find(b">", cut) < 0 else len(buffer)
                part, tail = buffer[:split], buffer[split:]
                if sheet is not None:
                    _count_sheet(part, sheet, row_limit=row_limit, cell_limit=cell_limit)
                if strings is not None:
                    strings.strings += _count_tags(part, _STRING_TAGS, _PREFIXED_STRING, b":si")
                    if strings.strings > string_limit:
                        raise _too_many_strings()
            budget.check()
            if not chunk:
                break
    if xml and not prolog.root:
        raise damaged()  # no root element: not XML


def _count_sheet(part: bytes, counts: _Counts, *, row_limit: int, cell_limit: int) -> None:
    prefixed = b":row" in part
    numbers = (_ROW_NUMBER if prefixed else _PLAIN_ROW_NUMBER).findall(part)
    if numbers:
        counts.rows = max(counts.rows, max(int(number) for number in numbers))
    counts.row_tags += _count_tags(part, _ROW_TAGS, _PREFIXED_ROW, b":row")
    if max(counts.rows, counts.row_tags) > row_limit:
        raise too_many_rows()
    counts.cells += _count_tags(part, _CELL_TAGS, _PREFIXED_CELL, b":c")
    if counts.cells > cell_limit:
        raise _too_many_cells()
    if b"mergeCell" in part:
        for match in _MERGE_CELL.finditer(part):
            ref = match.group(1).decode("ascii").upper()
            numbers = [int(m.group(2)) for m in _CELL_REF.finditer(ref)]
            counts.merges.append((ref, min(numbers), max(numbers)))


# The workbook part and its relations list the sheets: small, read whole.
SMALL_PART_BYTES = 4 * 1024 * 1024


def _read_xml(archive: zipfile.ZipFile, name: str):
    """A small XML part as a tree, through defusedxml."""
    if archive.getinfo(name).file_size > SMALL_PART_BYTES:
        raise damaged()
    parser = DefusedXMLParser(forbid_dtd=True, forbid_entities=True, forbid_external=True)
    parser.feed(archive.read(name))
    return parser.close()


def _first_worksheet_path(archive: zipfile.ZipFile) -> str | None:
    """The archive path of the workbook's first worksheet (the one openpyxl lists first)."""
    workbook = _read_xml(archive, "xl/workbook.xml")
    relations = _read_xml(archive, "xl/_rels/workbook.xml.rels")
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


# --- Opening a workbook -------------------------------------------------------------------


@dataclass
class SheetScan:
    """What the scan learnt of the first worksheet before openpyxl opened it."""

    path: str
    rows: int  # the highest row number (or the number of rows, if higher)
    cells: int  # the cell elements
    merges: list[tuple[str, int, int]] = field(default_factory=list)  # (range, top row, bottom row)
    strings: int = 0


def _not_xlsx() -> ValidationError:
    return refuse(
        _(
            "This is not an Excel .xlsx file (CSV and other formats are not accepted). "
            "Open it in Excel or WPS and save it as “Excel Workbook (.xlsx)”."
        )
    )


def _open_archive(content: bytes) -> zipfile.ZipFile:
    if content.startswith(OLE_SIGNATURE):
        raise refuse(
            _(
                "This is an old Excel 97–2003 (.xls) file or a password-protected workbook. "
                "Open it in Excel or WPS, remove any password and save it as “Excel Workbook (.xlsx)”."
            )
        )
    if not zipfile.is_zipfile(io.BytesIO(content)):
        raise _not_xlsx()
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        infos = archive.infolist()
    except DAMAGED_ERRORS:
        raise _not_xlsx() from None
    if "xl/workbook.xml" not in {info.filename for info in infos}:
        raise _not_xlsx()
    if sum(info.file_size for info in infos) > max_bytes() * UNPACKED_FACTOR:
        raise refuse(_("The workbook is too large once unpacked. Split it into smaller files."))
    return archive


def scan_workbook(archive: zipfile.ZipFile, budget: Budget) -> SheetScan:
    """Check every part and count the first sheet and the shared strings; refuse early."""
    try:
        path = _first_worksheet_path(archive)
        if path is None:
            raise refuse(_("The workbook has no worksheet."))
        sheet, strings = _Counts(), _Counts()
        _check_part(archive, path, budget, sheet=sheet)
        for info in archive.infolist():
            if info.filename == path or info.is_dir():
                continue
            shared = info.filename.lower().endswith("sharedstrings.xml")
            _check_part(archive, info.filename, budget, strings=strings if shared else None)
    except DefusedXmlException:
        raise xml_refused() from None
    except DAMAGED_ERRORS:
        raise damaged() from None
    return SheetScan(path, max(sheet.rows, sheet.row_tags), sheet.cells, sheet.merges, strings.strings)


def _require_defusedxml() -> None:
    if not openpyxl.xml.DEFUSEDXML:
        raise ImproperlyConfigured(
            "openpyxl does not parse through defusedxml (is it installed? is OPENPYXL_DEFUSEDXML false?); "
            "imports are refused until it does."
        )


@contextmanager
def open_workbook(content: bytes, *, budget: Budget, data_only: bool) -> Iterator[tuple[Any, SheetScan]]:
    """The workbook (openpyxl, read-only) and the scan of its first sheet, once every guard passed.

    Raises ``ValidationError`` (code "file") with a message for the uploader otherwise.
    """
    _require_defusedxml()
    with _open_archive(content) as archive:
        scan = scan_workbook(archive, budget)
    try:
        workbook = openpyxl.load_workbook(
            io.BytesIO(content), read_only=True, data_only=data_only, keep_links=False
        )
    except DefusedXmlException:
        raise xml_refused() from None
    except Exception:  # openpyxl raises many kinds of error on a damaged file
        raise damaged() from None
    try:
        if not workbook.worksheets:
            raise refuse(_("The workbook has no worksheet."))
        yield workbook, scan
    finally:
        workbook.close()


def iter_rows(worksheet, *, budget: Budget, values_only: bool = False) -> Iterator[tuple]:
    """The worksheet's rows (their first ``MAX_COLUMNS`` cells), under the budget.

    A part that fails to read is a damaged file.
    """
    rows = worksheet.iter_rows(max_col=MAX_COLUMNS, values_only=values_only)
    count = 0
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except DefusedXmlException:
            raise xml_refused() from None
        except DAMAGED_ERRORS:
            raise damaged() from None
        count += 1
        if count % CHECK_EVERY == 0:
            budget.check()
        yield row


# --- CSV ----------------------------------------------------------------------------------

_UTF8_BOM = b"\xef\xbb\xbf"
# Three Chinese characters in a row, encoded in UTF-8: in GB18030 text this sequence of
# bytes is all but impossible, so finding it in a file that is not UTF-8 means mixed text.
_UTF8_HANZI_RUN = re.compile(rb"(?:[\xe4-\xe9][\x80-\xbf]{2}){3}")


def decode_csv(content: bytes) -> str:
    """The text of a CSV file that is cleanly UTF-8, or cleanly GB18030 (as Excel saves it in China).

    A file that is partly one and partly the other (rows pasted from two files) is refused:
    decoding it either way would import garbled text.
    """
    mixed = refuse(
        _(
            "The CSV file mixes two text encodings (UTF-8 and GB18030/GBK), so some text would be garbled. "
            "Open it in Excel or WPS and save it again as “CSV UTF-8”, or upload an .xlsx file."
        )
    )
    neither = refuse(
        _(
            "The CSV file is neither UTF-8 nor GB18030 text. "
            "Save it again as “CSV UTF-8”, or upload an .xlsx file."
        )
    )
    if content.startswith(_UTF8_BOM):
        content = content[len(_UTF8_BOM) :]
        try:
            return content.decode("utf-8")
        except UnicodeDecodeError:
            raise mixed from None
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        pass
    # Not UTF-8 as a whole: GB18030 only when no line is UTF-8 Chinese and the whole decodes.
    for line in content.splitlines():
        if line.isascii():
            continue
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            if _UTF8_HANZI_RUN.search(line):
                raise mixed from None
            continue
        if any("\u4e00" <= char <= "\u9fff" for char in text):
            raise mixed
    try:
        return content.decode("gb18030")
    except UnicodeDecodeError:
        raise neither from None


def read_csv(content: bytes, *, budget: Budget) -> list[list[str]]:
    """The rows of a CSV file, refused when it is not cleanly one encoding or too large."""
    text = decode_csv(content)
    row_limit, cell_limit = physical_rows(), max_cells()
    rows: list[list[str]] = []
    cells = 0
    try:
        for row in csv.reader(io.StringIO(text, newline="")):
            rows.append(row)
            cells += len(row)
            if len(rows) > row_limit:
                raise too_many_rows()
            if cells > cell_limit:
                raise _too_many_cells()
            if len(rows) % CHECK_EVERY == 0:
                budget.check()
    except csv.Error:
        message = _("The CSV file cannot be read (a field is too long or a quote is not closed).")
        raise refuse(message) from None
    return rows
