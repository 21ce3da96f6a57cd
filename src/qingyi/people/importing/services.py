"""Roster import from .xlsx and the file format it shares with the roster export.

The flow: ``roster_import_upload`` reads and checks the file, validates every row against
the rules and the database *without writing any person*, and stores a ``RosterImport`` for
the preview; ``roster_import_apply`` re-validates (the data may have changed since) and
writes inside one transaction — every row, or only the valid ones when the admin says so.

Reading is streamed with openpyxl's read-only mode and stops as soon as the file holds too
many rows. Validation costs a constant number of queries whatever the number of rows, and
the writes use simple_history's bulk helpers, so each person keeps a history entry naming
the admin. Field rules come from ``qingyi.people.validation`` (the same messages as the
forms); this module only adds what belongs to files: columns, cell types, dates, names of
organisations and departments, and duplicates.

Decisions: a formula in a cell is refused (its cached value may be stale or missing — the
admin pastes values instead); merged cells at or below the header row refuse the file (a
merge leaves all but one of its cells empty); an empty cell leaves an existing person's
value unchanged; an ID number containing ``*`` (a masked export) is ignored; a person is
never moved to another organisation by an import (that is a transfer); an unknown
department is an error, not created.
"""

from __future__ import annotations

import datetime as dt
import io
import posixpath
import re
import unicodedata
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any
from xml.etree import ElementTree

import openpyxl
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import MaxLengthValidator
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.forms import Field as FormField
from django.template.defaultfilters import filesizeformat
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from qingyi.core import scoping
from qingyi.organizations.models import Department, Organization
from qingyi.people.models import Person, RosterImport, mask_id_number
from qingyi.people.services import EDITABLE_FIELDS
from qingyi.people.validation import person_errors

# --- The columns --------------------------------------------------------------------------

TEXT, CODE, ID_NUMBER, DATE, CHOICE = "text", "code", "id_number", "date", "choice"


@dataclass(frozen=True)
class Column:
    """One column of the roster file: its field, its Chinese header and accepted aliases."""

    field: str
    header: str
    aliases: tuple[str, ...] = ()
    kind: str = TEXT
    required: bool = False
    max_length: int | None = None


# The Chinese header comes first and is what the export writes; the aliases cover the
# usual variants, the headers of 智慧团建's roster export and English headers.
COLUMNS: tuple[Column, ...] = (
    Column("name", "姓名", ("名字", "name", "full name"), TEXT, required=True, max_length=50),
    Column("gender", "性别", ("gender", "sex"), CHOICE, required=True),
    Column("birth_date", "出生日期", ("出生年月日", "出生年月", "生日", "birth date", "date of birth",
                                     "birthday"), DATE, required=True),
    Column("ethnicity", "民族", ("ethnicity", "ethnic group"), TEXT, max_length=20),
    Column("id_number", "身份证号", ("身份证号码", "身份证", "公民身份号码", "公民身份证号码", "证件号码",
                                    "证件号", "id number", "id card number"), ID_NUMBER),
    Column("political_status", "政治面貌", ("political status",), CHOICE, required=True),
    Column("league_joined_on", "入团时间", ("入团日期", "入团年月", "入团年月日", "joined the league on",
                                           "league joined on", "league joining date"), DATE),
    Column("development_number", "团员发展编号", ("发展团员编号", "团员编号", "发展编号",
                                               "development number", "league development number"),
           CODE, max_length=12),
    Column("employee_number", "工号", ("职工号", "员工号", "员工编号", "职工编号", "人员编号", "工作证号",
                                      "employee number", "staff number"), CODE, max_length=32),
    Column("department", "科室", ("所在科室", "部门", "所在部门", "科室部门", "department"), TEXT,
           max_length=100),
    Column("profession", "职业/岗位类别", ("岗位类别", "职业类别", "职业", "岗位", "人员类别", "profession",
                                         "occupation"), CHOICE),
    Column("education", "学历", ("最高学历", "全日制学历", "文化程度", "education"), CHOICE),
    Column("professional_title", "职称", ("专业技术职称", "专业技术职务", "职称级别", "professional title"),
           CHOICE),
    Column("phone", "手机号", ("手机号码", "手机", "联系电话", "联系方式", "电话", "phone", "mobile",
                              "mobile phone", "phone number"), CODE, max_length=20),
    Column("organization", "所在团组织", ("所在团支部", "所属团组织", "团组织名称", "团组织", "所在组织",
                                         "团支部", "organisation", "organization"), TEXT, max_length=100),
)  # fmt: skip
COLUMN_BY_FIELD = {column.field: column for column in COLUMNS}
IDENTIFIER_FIELDS = ("employee_number", "id_number")
# Written by the export, read by nobody: the import passes over it in silence.
STATUS_HEADER = "状态"
EXPORT_ONLY_HEADERS = (STATUS_HEADER, "status")

# Choice labels accepted in the file; the first of each is the one the export writes.
# The stored value and the English label are accepted too.
CHOICE_LABELS: dict[str, dict[str, tuple[str, ...]]] = {
    "gender": {
        Person.Gender.MALE: ("男", "男性", "m"),
        Person.Gender.FEMALE: ("女", "女性", "f"),
    },
    "political_status": {
        Person.PoliticalStatus.LEAGUE_MEMBER: ("共青团员", "团员"),
        Person.PoliticalStatus.PARTY_MEMBER: ("中共党员", "党员", "中共党员(保留团籍)"),
        Person.PoliticalStatus.PROBATIONARY_PARTY_MEMBER: ("中共预备党员", "预备党员",
                                                           "中共预备党员(保留团籍)"),
        Person.PoliticalStatus.MASSES: ("群众",),
    },
    "profession": {
        Person.Profession.DOCTOR: ("医生", "医师", "临床医生"),
        Person.Profession.NURSE: ("护士", "护理", "护理人员"),
        Person.Profession.TECHNICIAN: ("医技", "医技人员", "技师"),
        Person.Profession.PHARMACIST: ("药师", "药剂", "药学", "药学人员"),
        Person.Profession.ADMINISTRATION: ("行政", "管理", "行政管理", "行政人员", "管理人员"),
        Person.Profession.LOGISTICS: ("后勤", "后勤人员", "工勤"),
        Person.Profession.STUDENT: ("学生", "在校学生"),
        Person.Profession.OTHER: ("其他",),
    },
    "education": {
        Person.Education.SECONDARY: ("中专", "高中", "中专/高中", "高中/中专", "中学", "初中", "中职"),
        Person.Education.JUNIOR_COLLEGE: ("大专", "专科", "大学专科"),
        Person.Education.BACHELOR: ("本科", "大学本科", "大学"),
        Person.Education.MASTER: ("硕士研究生", "硕士", "研究生"),
        Person.Education.DOCTORATE: ("博士研究生", "博士"),
    },
    # Grades, and the usual titles of each grade in a hospital (卫生专业技术资格).
    "professional_title": {
        Person.Title.NONE: ("无", "未定级"),
        Person.Title.JUNIOR: ("初级", "员级", "助理级", "住院医师", "医师", "护士", "护师", "技士", "技师",
                              "药士", "药师"),
        Person.Title.INTERMEDIATE: ("中级", "主治医师", "主管护师", "主管技师", "主管药师"),
        Person.Title.ASSOCIATE_SENIOR: ("副高级", "副高", "副主任医师", "副主任护师", "副主任技师",
                                        "副主任药师"),
        Person.Title.SENIOR: ("正高级", "正高", "高级", "主任医师", "主任护师", "主任技师", "主任药师"),
    },
}  # fmt: skip
STATUS_LABELS = {
    Person.Status.ACTIVE: "在册",
    Person.Status.TRANSFERRED_OUT: "已转出",
    Person.Status.AGED_OUT: "超龄离团",
    Person.Status.LEFT: "已离团",
}
CHOICE_FIELDS = {
    "gender": Person.Gender,
    "political_status": Person.PoliticalStatus,
    "profession": Person.Profession,
    "education": Person.Education,
    "professional_title": Person.Title,
}


def _key(text: Any) -> str:
    """A header or label reduced for comparison: width-folded, lower case, no spaces or marks."""
    folded = unicodedata.normalize("NFKC", str(text)).strip().lower()
    return re.sub(r"[\s_*:/、]+", "", folded)


def _build_header_index() -> dict[str, Column]:
    index: dict[str, Column] = {}
    for column in COLUMNS:
        for alias in (column.header, column.field, *column.aliases):
            index.setdefault(_key(alias), column)
    return index


HEADER_INDEX = _build_header_index()
_EXPORT_ONLY_KEYS = {_key(header) for header in EXPORT_ONLY_HEADERS}
_PARENTHESES = re.compile(r"\(.*?\)")


def column_for_header(text: Any) -> Column | None:
    """The column a header names, if any (ignoring 必填 stars and hints in parentheses)."""
    key = _key(text)
    if not key:
        return None
    return HEADER_INDEX.get(key) or HEADER_INDEX.get(_PARENTHESES.sub("", key))


def _choice_index(field_name: str) -> dict[str, str]:
    choices = CHOICE_FIELDS[field_name]
    index: dict[str, str] = {}
    for value, labels in CHOICE_LABELS[field_name].items():
        for label in labels:
            index.setdefault(_key(label), value)
    for value, label in choices.choices:
        index.setdefault(_key(value), value)
        index.setdefault(_key(label), value)  # the label in the active language
    with translation.override("en"):
        for value, label in choices.choices:
            index.setdefault(_key(label), value)
    return index


def choice_label(field_name: str, value: str) -> str:
    """The Chinese label the export writes for a stored choice value."""
    if not value:
        return ""
    labels = CHOICE_LABELS[field_name].get(value)
    return labels[0] if labels else value


def column_help() -> list[dict[str, Any]]:
    """The columns as the upload page explains them."""
    rows = []
    for column in COLUMNS:
        accepted = ""
        if column.kind == CHOICE:
            accepted = " / ".join(labels[0] for labels in CHOICE_LABELS[column.field].values())
        elif column.kind == DATE:
            accepted = "1998-05-03, 1998/5/3, 1998.5.3, 1998年5月3日, 19980503"
        rows.append(
            {
                "header": column.header,
                "label": Person._meta.get_field(column.field).verbose_name
                if column.field != "organization"
                else _("organisation"),
                "aliases": "、".join(a for a in column.aliases if not a.isascii())[:60],
                "required": column.required,
                "accepted": accepted,
            }
        )
    return rows


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
        text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", _to_text(value))).upper()
        return MASKED if "*" in text else text
    if column.kind == CODE:
        text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", _unquote(_to_text(value).strip())))
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
    return _check_length(_unquote(_to_text(value).strip()), column)


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


# --- Validation against the rules and the database ----------------------------------------

CHUNK = 500
UNIQUE_FIELDS = ("employee_number", "id_number", "development_number")


def _name_key(name: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", name or ""))


def _unique_label(field_name: str) -> str:
    # The same labels as the services' uniqueness messages.
    return {
        "id_number": _("ID number"),
        "employee_number": _("employee number"),
        "development_number": _("development number"),
    }[field_name]


@dataclass
class Plan:
    """What an import would do: the people to create and to update, and every issue."""

    total: int
    issues: list[Issue]
    creates: list[Person]
    updates: list[tuple[Person, list[str]]]
    unchanged: int
    invalid_rows: set[int]

    @property
    def valid_rows(self) -> int:
        return self.total - len(self.invalid_rows)

    @property
    def errors(self) -> list[Issue]:
        return [issue for issue in self.issues if issue.level == "error"]

    def issues_as_json(self) -> list[dict[str, Any]]:
        return [issue.as_json() for issue in self.issues]


class _Lookup:
    """Everything a row is checked against, loaded in a few queries."""

    def __init__(self, rows: list[ParsedRow], *, actor, organization: Organization):
        self.organization = organization
        self.import_paths = scoping.scope_paths(actor, scoping.PEOPLE_IMPORT)
        self.visible: dict[str, list[Organization]] = defaultdict(list)
        for org in scoping.organizations_visible_to(actor).only("pk", "name", "path", "depth", "archived_at"):
            self.visible[_name_key(org.name)].append(org)
        roots = {path[: Organization.steplen] for path in scoping.scope_paths(actor, scoping.ORG_VIEW)}
        self.known_names = {
            _name_key(name)
            for name in Organization.objects.filter(scoping.path_q(sorted(roots), "path")).values_list(
                "name", flat=True
            )
        }
        self.departments = {
            _name_key(d.name): d for d in Department.objects.only("pk", "name", "archived_at")
        }
        wanted: dict[str, set[str]] = {name: set() for name in UNIQUE_FIELDS}
        for row in rows:
            for name in UNIQUE_FIELDS:
                if row.values.get(name):
                    wanted[name].add(row.values[name])
        self.people_by: dict[str, dict[str, Person]] = {name: {} for name in UNIQUE_FIELDS}
        for name in IDENTIFIER_FIELDS:
            values = sorted(wanted[name])
            for start in range(0, len(values), CHUNK):
                chunk = values[start : start + CHUNK]
                for person in Person.objects.select_related("organization").filter(**{f"{name}__in": chunk}):
                    self.people_by[name][getattr(person, name)] = person
        values = sorted(wanted["development_number"])
        self.development_owner: dict[str, tuple[int, str]] = {}
        for start in range(0, len(values), CHUNK):
            chunk = values[start : start + CHUNK]
            for number, pk, name in Person.objects.filter(development_number__in=chunk).values_list(
                "development_number", "pk", "name"
            ):
                self.development_owner[number] = (pk, name)

    def owner(self, field_name: str, value: str) -> tuple[int, str] | None:
        if field_name == "development_number":
            return self.development_owner.get(value)
        person = self.people_by[field_name].get(value)
        return (person.pk, person.name) if person else None

    def in_scope(self, org: Organization) -> bool:
        return any(org.path.startswith(path) for path in self.import_paths)

    def resolve_organization(self, name: str) -> tuple[Organization | None, str]:
        key = _name_key(name)
        candidates = self.visible.get(key, [])
        if not candidates:
            if key in self.known_names:
                return None, _("“%(name)s” is outside the organisations you may import into.") % {
                    "name": name
                }
            return None, _("There is no organisation called “%(name)s”.") % {"name": name}
        inside = [
            org for org in candidates if org.path.startswith(self.organization.path) and self.in_scope(org)
        ]
        if not inside:
            return None, _("“%(name)s” is outside “%(org)s”, the organisation this import is for.") % {
                "name": name,
                "org": self.organization.name,
            }
        live = [org for org in inside if org.archived_at is None]
        if not live:
            return None, _("“%(name)s” is archived; people cannot be added to it.") % {"name": name}
        if len(live) > 1:
            return None, _("Several organisations are called “%(name)s”; rename one of them first.") % {
                "name": name
            }
        return live[0], ""

    def resolve_department(self, name: str) -> tuple[Department | None, str]:
        department = self.departments.get(_name_key(name))
        if department is None:
            return None, _(
                "There is no department called “%(name)s”. "
                "Check the spelling, or ask the committee admin to add it."
            ) % {"name": name}
        if department.archived_at is not None:
            return None, _("The department “%(name)s” is archived.") % {"name": name}
        return department, ""


def plan_import(sheet: SheetData, *, actor, organization: Organization, today: dt.date | None = None) -> Plan:
    """Validate every row against the rules and the database; write nothing."""
    today = today or timezone.localdate()
    rows = parse_rows(sheet)
    lookup = _Lookup(rows, actor=actor, organization=organization)
    plan = Plan(len(rows), list(sheet.warnings), [], [], 0, set())

    # Numbers that appear in more than one row make every such row an error: which one is
    # right cannot be told.
    seen: dict[str, dict[str, list[int]]] = {name: defaultdict(list) for name in UNIQUE_FIELDS}
    # The person each row matches (by employee number, else ID number), and rows per person.
    matches: dict[int, Person | None] = {}
    rows_of: dict[int, list[int]] = defaultdict(list)
    for row in rows:
        for name in UNIQUE_FIELDS:
            if row.values.get(name):
                seen[name][row.values[name]].append(row.number)
        match = next(
            (
                lookup.people_by[name][row.values[name]]
                for name in IDENTIFIER_FIELDS
                if row.values.get(name) in lookup.people_by[name]
            ),
            None,
        )
        matches[row.number] = match
        if match is not None:
            rows_of[match.pk].append(row.number)

    for row in rows:
        issues = _row_issues(row, sheet, lookup, seen, matches[row.number], rows_of, today)
        if issues:
            plan.invalid_rows.add(row.number)
            plan.issues.extend(issues)
    for row in rows:
        if row.number not in plan.invalid_rows:
            _plan_row(plan, row, lookup, matches[row.number])
    plan.issues.sort(key=lambda issue: (issue.level != "warning", issue.row or 0))
    return plan


def _row_issues(
    row: ParsedRow,
    sheet: SheetData,
    lookup: _Lookup,
    seen: dict[str, dict[str, list[int]]],
    match: Person | None,
    rows_of: dict[int, list[int]],
    today: dt.date,
) -> list[Issue]:
    issues = list(row.issues)
    values = row.values

    def add(field_name: str, message: str) -> None:
        column = sheet.columns.get(field_name)
        cell = f"{column.letter}{row.number}" if column else ""
        header = column.header if column else COLUMN_BY_FIELD[field_name].header
        issues.append(Issue(message, row.number, cell, header, row.shown.get(field_name, "")))

    # Who is this?
    identifiers_given = any(values.get(name) for name in IDENTIFIER_FIELDS)
    if not identifiers_given and not row.bad_fields & set(IDENTIFIER_FIELDS):
        if row.masked_id:
            add(
                "id_number",
                _("The ID number is masked; export with full ID numbers, or give the employee number."),
            )
        else:
            add(
                "employee_number" if "employee_number" in sheet.columns else "id_number",
                _("Give an employee number or an ID number so that the person can be recognised."),
            )
    for name in UNIQUE_FIELDS:
        value = values.get(name)
        if value and len(seen[name][value]) > 1:
            others = ", ".join(str(n) for n in seen[name][value] if n != row.number)
            add(
                name,
                _("This %(label)s also appears in row %(rows)s.")
                % {"label": _unique_label(name), "rows": others},
            )
        owner = lookup.owner(name, value) if value else None
        if owner and (match is None or owner[0] != match.pk):
            add(
                name,
                _("This %(label)s already belongs to %(name)s.")
                % {"label": _unique_label(name), "name": owner[1]},
            )

    if match is not None:
        matched_by = (
            "employee_number" if values.get("employee_number") == match.employee_number else "id_number"
        )
        if not lookup.in_scope(match.organization):
            # Outside the admin's scope: say so without naming the person.
            add(
                matched_by,
                _("This %(label)s belongs to someone outside your organisations; a transfer brings them in.")
                % {"label": _unique_label(matched_by)},
            )
            return issues
        if not match.organization.path.startswith(lookup.organization.path):
            add(
                "organization",
                _(
                    "%(name)s belongs to “%(org)s”, outside “%(import_org)s”, "
                    "the organisation this import is for."
                )
                % {
                    "name": match.name,
                    "org": match.organization.name,
                    "import_org": lookup.organization.name,
                },
            )
        if (
            matched_by == "id_number"
            and values.get("employee_number")
            and match.employee_number
            and values["employee_number"] != match.employee_number
        ):
            add(
                "employee_number",
                _("The ID number belongs to %(name)s, whose employee number is %(number)s, not this one.")
                % {"name": match.name, "number": match.employee_number},
            )
        if len(rows_of[match.pk]) > 1:
            others = ", ".join(str(n) for n in rows_of[match.pk] if n != row.number)
            add(
                matched_by,
                _("This row and row %(rows)s are the same person (%(name)s).")
                % {"rows": others, "name": match.name},
            )

    # Where do they belong?
    if values.get("organization"):
        org, message = lookup.resolve_organization(values["organization"])
        if message:
            add("organization", message)
        elif match is not None and org is not None and org.pk != match.organization_id:
            add(
                "organization",
                _("%(name)s belongs to “%(org)s”; moving to another organisation goes through a transfer.")
                % {"name": match.name, "org": match.organization.name},
            )
    if values.get("department"):
        _department, message = lookup.resolve_department(values["department"])
        if message:
            add("department", message)

    # The field rules, on the person as they would be after the import.
    given = {name: values[name] for name in EDITABLE_FIELDS if name in values and name != "department"}
    if match is None:
        required = str(FormField.default_error_messages["required"])
        for column in COLUMNS:
            if column.required and column.field not in values and column.field not in row.bad_fields:
                add(column.field, required)
        merged = given
    else:
        merged = {name: getattr(match, name) for name in EDITABLE_FIELDS if name != "department"}
        merged.update(given)
    for name, messages in person_errors(merged, today=today).items():
        if name not in row.bad_fields:
            for message in messages:
                add(name, message)
    return issues


def _plan_row(plan: Plan, row: ParsedRow, lookup: _Lookup, match: Person | None) -> None:
    values = row.values
    given = {name: values[name] for name in EDITABLE_FIELDS if name in values and name != "department"}
    org = lookup.resolve_organization(values["organization"])[0] if values.get("organization") else None
    department = lookup.resolve_department(values["department"])[0] if values.get("department") else None
    if match is None:
        person = Person(organization=org or lookup.organization, department=department, **given)
        for name in UNIQUE_FIELDS:
            if not getattr(person, name):
                setattr(person, name, None)
        plan.creates.append(person)
        return
    changed = [name for name, value in given.items() if getattr(match, name) != value]
    for name in changed:
        setattr(match, name, given[name])
    if department is not None and department.pk != match.department_id:
        match.department = department
        changed.append("department")
    if changed:
        plan.updates.append((match, changed))
    else:
        plan.unchanged += 1


# --- Services -------------------------------------------------------------------------------


def roster_imports_for(user) -> QuerySet[RosterImport]:
    """The user's own imports, in organisations where they may still import (files not loaded)."""
    return scoping.scope(
        RosterImport.objects.filter(uploaded_by_id=user.pk).select_related("organization").defer("content"),
        user,
        scoping.PEOPLE_IMPORT,
        path_field="organization__path",
    )


def default_import_organization(actor) -> Organization | None:
    """The organisation an import goes to when the admin does not choose: their one scope."""
    paths = scoping.scope_paths(actor, scoping.PEOPLE_IMPORT)
    if len(paths) != 1:
        return None
    return Organization.objects.filter(path=paths[0]).first()


def _check_organization(actor, organization: Organization) -> None:
    scoping.require_perm(actor, scoping.PEOPLE_IMPORT, organization)
    if organization.is_archived:
        raise ValidationError(
            _("“%(name)s” is archived; people cannot be added to it.") % {"name": organization.name}
        )


def roster_import_upload(*, file, actor, organization: Organization | None = None) -> RosterImport:
    """Check an uploaded roster and store it for the preview; no person is written.

    Raises ``ValidationError`` when the file as a whole cannot be imported (not an .xlsx,
    empty, too big, too many rows, missing columns, merged cells ...). Errors of single
    rows are stored on the returned ``RosterImport``.
    """
    if organization is None:
        organization = default_import_organization(actor)
        if organization is None:
            if not scoping.has_perm(actor, scoping.PEOPLE_IMPORT):
                raise PermissionDenied
            raise ValidationError(_("Choose the organisation to import into."))
    _check_organization(actor, organization)
    content = read_upload(file)
    plan = plan_import(read_sheet(content), actor=actor, organization=organization)
    file_name = PurePath(str(getattr(file, "name", "") or "roster.xlsx")).name[:255]
    return RosterImport.objects.create(
        organization=organization,
        file_name=file_name,
        content=content,
        total_rows=plan.total,
        valid_rows=plan.valid_rows,
        errors=plan.issues_as_json(),
        uploaded_by=actor,
    )


def _write(plan: Plan, *, actor, reason: str) -> None:
    now = timezone.now()
    if plan.creates:
        bulk_create_with_history(
            plan.creates, Person, batch_size=CHUNK, default_user=actor, default_change_reason=reason
        )
    if plan.updates:
        fields: set[str] = {"version", "updated_at"}
        people = []
        for person, changed in plan.updates:
            fields.update(changed)
            person.version += 1
            person.updated_at = now
            people.append(person)
        bulk_update_with_history(
            people, Person, sorted(fields), batch_size=CHUNK, default_user=actor, default_change_reason=reason
        )


APPLY_FIELDS = [
    "total_rows", "valid_rows", "errors", "status",
    "created_count", "updated_count", "applied_at", "updated_at",
]  # fmt: skip


def roster_import_apply(*, roster_import: RosterImport, actor, only_valid: bool) -> RosterImport:
    """Re-validate a previewed import and write it in one transaction: all rows or none.

    With ``only_valid`` the rows that are still valid are written and the others skipped;
    without it, any error refuses the whole import. The refreshed errors are kept either way.
    """
    if roster_import.uploaded_by_id != actor.pk:
        raise PermissionDenied
    refusal = ""
    # Reading the workbook is pure and slow: do it before taking the database's write lock.
    content = RosterImport.objects.filter(pk=roster_import.pk).values_list("content", flat=True).get()
    sheet = read_sheet(bytes(content))
    with transaction.atomic():
        current = RosterImport.objects.select_for_update().defer("content").get(pk=roster_import.pk)
        organization = Organization.objects.get(pk=current.organization_id)
        _check_organization(actor, organization)
        if current.status != RosterImport.Status.PREVIEW:
            raise ValidationError(_("This import has already been applied or discarded."))
        plan = plan_import(sheet, actor=actor, organization=organization)
        current.total_rows = plan.total
        current.valid_rows = plan.valid_rows
        current.errors = plan.issues_as_json()
        bad = len(plan.invalid_rows)
        if bad and not only_valid:
            refusal = _(
                "Nothing was imported: %(bad)d of %(total)d rows have errors. Correct the file and upload it "
                "again, or import only the valid rows."
            ) % {"bad": bad, "total": plan.total}
        elif not plan.valid_rows:
            refusal = _("Nothing was imported: no row is valid.")
        else:
            reason = (_("Roster import #%(pk)d") % {"pk": current.pk})[:100]
            try:
                with transaction.atomic():
                    _write(plan, actor=actor, reason=reason)
            except IntegrityError:
                raise ValidationError(
                    _("Someone else has just saved a person with the same numbers; check and try again.")
                ) from None
            current.status = RosterImport.Status.APPLIED
            current.created_count = len(plan.creates)
            current.updated_count = len(plan.updates)
            current.applied_at = timezone.now()
        current.save(update_fields=APPLY_FIELDS)
    if refusal:
        raise ValidationError(refusal)
    return current


def roster_import_discard(*, roster_import: RosterImport, actor) -> RosterImport:
    if roster_import.uploaded_by_id != actor.pk:
        raise PermissionDenied
    with transaction.atomic():
        current = RosterImport.objects.select_for_update().defer("content").get(pk=roster_import.pk)
        if current.status != RosterImport.Status.PREVIEW:
            raise ValidationError(_("This import has already been applied or discarded."))
        current.status = RosterImport.Status.DISCARDED
        current.save(update_fields=["status", "updated_at"])
    return current


# --- Export ---------------------------------------------------------------------------------

EXPORT_HEADERS = (*(column.header for column in COLUMNS), STATUS_HEADER)
EXPORT_WIDTHS = (10, 6, 12, 8, 22, 14, 12, 16, 12, 14, 14, 12, 10, 14, 18, 10)


def roster_export_rows(people: QuerySet[Person], *, reveal_paths: Sequence[str] = ()) -> Iterator[list[Any]]:
    """The roster in the import's column order; ID numbers masked outside ``reveal_paths``."""
    for person in people.select_related("organization", "department").iterator(chunk_size=2000):
        id_number = person.id_number or ""
        if id_number and not any(person.organization.path.startswith(path) for path in reveal_paths):
            id_number = mask_id_number(id_number)
        yield [
            person.name,
            choice_label("gender", person.gender),
            person.birth_date,
            person.ethnicity,
            id_number,
            choice_label("political_status", person.political_status),
            person.league_joined_on,
            person.development_number or "",
            person.employee_number or "",
            person.department.name if person.department else "",
            choice_label("profession", person.profession),
            choice_label("education", person.education),
            choice_label("professional_title", person.professional_title),
            person.phone,
            person.organization.name,
            STATUS_LABELS.get(person.status, person.status),
        ]


def template_rows() -> Iterable[Sequence[Any]]:
    """The instructions sheet of the empty template: each column, whether required, accepted values."""
    for column in column_help():
        yield [
            column["header"],
            _("required") if column["required"] else "",
            column["accepted"],
            column["aliases"],
        ]
