"""Roster import from .xlsx: the file checks, the row checks, the preview, the apply, the scope."""

from __future__ import annotations

import datetime as dt
import io
import time
import tracemalloc
import zipfile

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl.utils.datetime import to_excel

from qingyi.organizations.models import Department, Organization
from qingyi.people import importing
from qingyi.people.models import Person, RosterImport
from qingyi.people.validation import person_errors
from tests.factories import DepartmentFactory, PersonFactory, id_number_for, years_ago

FULL_WIDTH = {ord(c): ord(c) + 0xFEE0 for c in "0123456789-"}
HEADERS = [
    "姓名", "性别", "出生日期", "民族", "身份证号", "政治面貌", "入团时间", "团员发展编号",
    "工号", "科室", "职业/岗位类别", "学历", "职称", "手机号", "所在团组织",
]  # fmt: skip


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    from django.utils import translation

    with translation.override("en"):
        yield


def good_row(n: int = 1, **changes) -> dict:
    """A valid row by header; ``changes`` by header too (a value of None empties the cell)."""
    birth = years_ago(24, days=10 + n)
    joined = birth.replace(year=birth.year + 16)
    row = {
        "姓名": f"新人{n}",
        "性别": "女",
        "出生日期": birth.isoformat(),
        "民族": "汉族",
        "身份证号": id_number_for(birth, 100 + n),
        "政治面貌": "共青团员",
        "入团时间": joined.isoformat(),
        "团员发展编号": f"{joined.year}5001{n:04d}",
        "工号": f"N{n:05d}",
        "科室": "",
        "职业/岗位类别": "护士",
        "学历": "本科",
        "职称": "初级",
        "手机号": f"139{n:08d}",
        "所在团组织": "护理一支部",
    }
    row.update(changes)
    return row


def build_xlsx(rows, headers=None, *, above=(), merges=(), extra=None) -> bytes:
    """An .xlsx of a header row and data rows (dicts by header, or lists), built with openpyxl."""
    headers = headers or HEADERS
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "花名册"
    for line in above:
        sheet.append(list(line))
    sheet.append(list(headers))
    for row in rows:
        sheet.append([row.get(h) for h in headers] if isinstance(row, dict) else list(row))
    for ref in merges:
        sheet.merge_cells(ref)
    if extra:
        extra(sheet)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload_file(content: bytes, name: str = "花名册.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def upload(actor, content: bytes, organization=None, name="花名册.xlsx") -> RosterImport:
    return importing.roster_import_upload(
        file=upload_file(content, name), actor=actor, organization=organization
    )


def errors_of(roster_import: RosterImport) -> list[dict]:
    return [e for e in roster_import.errors if e["level"] == "error"]


def refused(actor, content: bytes, **kwargs) -> str:
    """Upload a file that must be refused as a whole; return the message, check nothing was stored."""
    people, imports = Person.objects.count(), RosterImport.objects.count()
    with pytest.raises(ValidationError) as info:
        upload(actor, content, **kwargs)
    assert Person.objects.count() == people and RosterImport.objects.count() == imports
    return " ".join(info.value.messages)


@pytest.fixture
def nursing(db):
    return DepartmentFactory(name="护理部")


# --- Happy paths ----------------------------------------------------------------------------


def test_valid_file_is_previewed_then_imported_with_history(personas, nursing):
    rows = [
        good_row(1, 科室="护理部"),
        good_row(
            2, 所在团组织="护理二支部", 性别="男", 政治面貌="中共预备党员", 学历="硕士研究生", 职称="主管护师"
        ),
        good_row(3, 所在团组织=None),  # no organisation: the import's own
    ]
    roster_import = upload(personas.committee_admin, build_xlsx(rows))
    assert (roster_import.status, roster_import.total_rows, roster_import.valid_rows) == ("preview", 3, 3)
    assert errors_of(roster_import) == []
    assert not Person.objects.filter(name__startswith="新人").exists()  # nothing written on upload

    applied = importing.roster_import_apply(
        roster_import=roster_import, actor=personas.committee_admin, only_valid=False
    )
    assert (applied.status, applied.created_count, applied.updated_count) == ("applied", 3, 0)
    first = Person.objects.get(name="新人1")
    assert first.organization == personas.tree.branch_a and first.department == nursing
    assert first.birth_date == years_ago(24, days=11) and first.profession == "nurse"
    second = Person.objects.get(name="新人2")
    assert second.organization == personas.tree.branch_b
    assert (second.gender, second.political_status, second.education, second.professional_title) == (
        "male",
        "probationary_party_member",
        "master",
        "intermediate",
    )
    assert Person.objects.get(name="新人3").organization == personas.tree.committee
    history = first.history.get()
    assert history.history_user == personas.committee_admin
    assert history.history_type == "+" and f"#{roster_import.pk}" in history.history_change_reason


def test_existing_person_is_matched_by_employee_number_and_updated_with_history(personas):
    person = personas.person_a
    before = person.history.count()
    row = {"姓名": person.name, "性别": "女", "出生日期": person.birth_date, "政治面貌": "共青团员",
           "工号": person.employee_number, "手机号": "13700001111", "学历": "大专"}  # fmt: skip
    roster_import = upload(personas.admin_a, build_xlsx([row], headers=list(row)))
    assert roster_import.valid_rows == 1, roster_import.errors
    applied = importing.roster_import_apply(
        roster_import=roster_import, actor=personas.admin_a, only_valid=False
    )
    assert (applied.created_count, applied.updated_count) == (0, 1)
    person.refresh_from_db()
    assert (person.phone, person.education, person.version) == ("13700001111", "junior_college", 2)
    assert person.id_number  # absent column: left as it was
    assert person.history.count() == before + 1
    latest = person.history.first()
    assert latest.history_user == personas.admin_a and latest.history_type == "~"
    assert latest.prev_record.phone != "13700001111"


def test_existing_person_is_matched_by_id_number_when_there_is_no_employee_number(personas):
    person = personas.person_a
    row = good_row(1, 姓名=person.name, 身份证号=person.id_number, 出生日期=person.birth_date, 工号=None,
                   入团时间=person.league_joined_on, 团员发展编号=person.development_number)  # fmt: skip
    roster_import = upload(personas.admin_a, build_xlsx([row]))
    assert roster_import.valid_rows == 1, roster_import.errors
    applied = importing.roster_import_apply(
        roster_import=roster_import, actor=personas.admin_a, only_valid=False
    )
    assert (applied.created_count, applied.updated_count) == (0, 1)
    person.refresh_from_db()
    assert person.phone == "13900000001" and person.employee_number  # empty cell keeps the old value


def test_unchanged_rows_write_nothing(personas):
    person = personas.person_a
    row = {"姓名": person.name, "性别": "女", "出生日期": person.birth_date, "政治面貌": "共青团员",
           "工号": person.employee_number}  # fmt: skip
    roster_import = upload(personas.admin_a, build_xlsx([row], headers=list(row)))
    applied = importing.roster_import_apply(
        roster_import=roster_import, actor=personas.admin_a, only_valid=False
    )
    assert (applied.created_count, applied.updated_count) == (0, 0)
    assert person.history.count() == 1


def test_only_the_valid_rows_when_the_admin_says_so(personas):
    rows = [good_row(1), good_row(2, 出生日期="1998-02-30"), good_row(3)]
    roster_import = upload(personas.admin_a, build_xlsx(rows))
    assert (roster_import.total_rows, roster_import.valid_rows) == (3, 2)

    with pytest.raises(ValidationError, match="1 of 3 rows have errors"):
        importing.roster_import_apply(roster_import=roster_import, actor=personas.admin_a, only_valid=False)
    assert not Person.objects.filter(name__startswith="新人").exists()
    roster_import.refresh_from_db()
    assert roster_import.status == "preview"

    applied = importing.roster_import_apply(
        roster_import=roster_import, actor=personas.admin_a, only_valid=True
    )
    assert (applied.status, applied.created_count) == ("applied", 2)
    assert set(Person.objects.filter(name__startswith="新人").values_list("name", flat=True)) == {
        "新人1",
        "新人3",
    }


def test_apply_revalidates_and_writes_nothing_when_the_data_changed(personas):
    rows = [good_row(1), good_row(2)]
    roster_import = upload(personas.admin_a, build_xlsx(rows))
    assert roster_import.valid_rows == 2
    # Meanwhile someone adds a person with the second row's ID number.
    PersonFactory(organization=personas.tree.branch_b, name="抢先者", id_number=rows[1]["身份证号"],
                  birth_date=years_ago(24, days=12))  # fmt: skip
    with pytest.raises(ValidationError, match="rows have errors"):
        importing.roster_import_apply(roster_import=roster_import, actor=personas.admin_a, only_valid=False)
    assert not Person.objects.filter(name__startswith="新人").exists()
    roster_import.refresh_from_db()
    assert roster_import.valid_rows == 1
    (error,) = errors_of(roster_import)
    assert error["row"] == 3 and "belongs to someone outside your organisations" in error["message"]


def test_an_import_is_applied_once(personas):
    roster_import = upload(personas.admin_a, build_xlsx([good_row(1)]))
    importing.roster_import_apply(roster_import=roster_import, actor=personas.admin_a, only_valid=False)
    with pytest.raises(ValidationError, match="already been applied"):
        importing.roster_import_apply(roster_import=roster_import, actor=personas.admin_a, only_valid=False)
    assert Person.objects.filter(name="新人1").count() == 1


def test_a_discarded_import_cannot_be_applied(personas):
    roster_import = upload(personas.admin_a, build_xlsx([good_row(1)]))
    importing.roster_import_discard(roster_import=roster_import, actor=personas.admin_a)
    with pytest.raises(ValidationError, match="applied or discarded"):
        importing.roster_import_apply(roster_import=roster_import, actor=personas.admin_a, only_valid=False)
    assert not Person.objects.filter(name="新人1").exists()


# --- Headers and layouts ----------------------------------------------------------------------


def test_aliases_english_headers_and_a_title_row_are_understood(personas):
    birth = years_ago(22)
    zhtj = [
        "姓名",
        "性别",
        "出生年月日",
        "公民身份号码",
        "政治面貌",
        "入团年月",
        "发展团员编号",
        "手机号码",
        "所在团支部",
        "籍贯",
    ]
    joined = birth.replace(year=birth.year + 15)
    row = ["团员丙", "女", birth, id_number_for(birth, 5), "共青团员", joined, f"{joined.year}50010077",
           "13911112222", "护理一支部", "重庆"]  # fmt: skip
    roster_import = upload(
        personas.admin_a, build_xlsx([row], zhtj, above=[["XX医院团员花名册"]], merges=["A1:J1"])
    )
    assert roster_import.valid_rows == 1, roster_import.errors
    warnings = [e["message"] for e in roster_import.errors if e["level"] == "warning"]
    assert any("not imported: 籍贯" in w for w in warnings)

    english = ["Name", "Gender", "Birth date", "Political status", "Employee number", "Joined the league on",
               "Development number", "Organisation"]  # fmt: skip
    row = [
        "Li Hua",
        "female",
        birth.isoformat(),
        "League member",
        "EN001",
        joined.isoformat(),
        f"{joined.year}50010078",
        "护理一支部",
    ]
    roster_import = upload(personas.admin_a, build_xlsx([row], english))
    assert roster_import.valid_rows == 1, roster_import.errors


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        (["姓名", "工号", "手机号"], "Required columns are missing: 性别、出生日期、政治面貌"),
        (["名单", "备注"], "Required columns are missing: 姓名、性别、出生日期、政治面貌"),
        (["姓名", "性别", "出生日期", "政治面貌", "手机号"], "needs a column 工号 or 身份证号"),
        (["姓名", "性别", "出生日期", "政治面貌", "工号", "手机号", "联系电话"], "both give the 手机号"),
    ],
)
def test_wrong_or_missing_headers_are_named(personas, headers, message):
    content = build_xlsx([["x"] * len(headers)], headers)
    assert message in refused(personas.admin_a, content)


# --- Bad files --------------------------------------------------------------------------------


def test_a_csv_file_is_refused(personas):
    content = ",".join(HEADERS).encode("utf-8") + b"\n" + "新人,女".encode()
    assert "not an Excel .xlsx file" in refused(personas.admin_a, content, name="roster.csv")


def test_a_renamed_text_file_is_refused(personas):
    assert "not an Excel .xlsx file" in refused(personas.admin_a, b"just some text\n", name="roster.xlsx")


def test_a_zip_that_is_not_a_workbook_is_refused(personas):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")
    assert "not an Excel .xlsx file" in refused(personas.admin_a, buffer.getvalue())


def test_an_old_xls_file_is_refused_with_advice(personas):
    content = importing.OLE_SIGNATURE + b"\0" * 600
    assert "Excel 97–2003 (.xls)" in refused(personas.admin_a, content, name="roster.xls")


def test_a_damaged_workbook_is_refused(personas):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", "<not-really/>")
        archive.writestr("[Content_Types].xml", "<Types/>")
    assert "cannot be read" in refused(personas.admin_a, buffer.getvalue())


def test_an_empty_file_is_refused(personas):
    assert "The file is empty." in refused(personas.admin_a, b"")


def test_an_empty_sheet_is_refused(personas):
    workbook = openpyxl.Workbook()
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert "The sheet is empty." in refused(personas.admin_a, buffer.getvalue())


def test_headers_without_data_rows_are_refused(personas):
    assert "no data rows" in refused(personas.admin_a, build_xlsx([[None] * len(HEADERS), []]))


def test_a_file_over_the_size_limit_is_refused(personas, settings):
    content = build_xlsx([good_row(1)])
    settings.QINGYI_IMPORT_MAX_BYTES = len(content) - 1
    message = refused(personas.admin_a, content)
    assert "at most" in message and "Split it" in message


def test_more_rows_than_the_limit_are_refused(personas, settings):
    settings.QINGYI_IMPORT_MAX_ROWS = 3
    message = refused(personas.admin_a, build_xlsx([good_row(n) for n in range(1, 5)]))
    assert "more than 3 rows" in message
    settings.QINGYI_IMPORT_MAX_ROWS = 4
    assert upload(personas.admin_a, build_xlsx([good_row(n) for n in range(1, 5)])).total_rows == 4


def _huge_xlsx(rows: int, *, dimension: bool) -> bytes:
    """A minimal .xlsx of ``rows`` data rows, written directly (openpyxl would take seconds)."""
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    cells = "".join(f'<c t="inlineStr"><is><t>{h}</t></is></c>' for h in [*HEADERS[:3], "工号", "政治面貌"])
    body = [f'<row r="1">{cells}</row>']
    body.extend(
        f'<row r="{r}"><c t="inlineStr"><is><t>人{r}</t></is></c><c t="inlineStr"><is><t>女</t></is></c>'
        f'<c t="inlineStr"><is><t>1998-05-03</t></is></c><c t="inlineStr"><is><t>E{r}</t></is></c>'
        f'<c t="inlineStr"><is><t>群众</t></is></c></row>'
        for r in range(2, rows + 2)
    )
    dim = f'<dimension ref="A1:E{rows + 1}"/>' if dimension else ""
    sheet = f"<worksheet {ns}>{dim}<sheetData>{''.join(body)}</sheetData></worksheet>"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
        )
        archive.writestr(
            "_rels/.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        archive.writestr(
            "xl/workbook.xml",
            f'<workbook {ns} xmlns:r="{rel}">'
            '<sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
            "</Relationships>",
        )
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
    return buffer.getvalue()


@pytest.mark.parametrize("dimension", [True, False], ids=["with-dimension", "without-dimension"])
def test_a_100000_row_file_is_refused_quickly_without_loading_it(personas, dimension):
    content = _huge_xlsx(100_000, dimension=dimension)
    started = time.perf_counter()
    message = refused(personas.admin_a, content)
    elapsed = time.perf_counter() - started
    assert "more than 20000 rows" in message
    assert elapsed < 1.5, elapsed  # reading 100,000 rows with openpyxl takes several seconds
    tracemalloc.start()
    try:
        refused(personas.admin_a, content)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 16 * 1024 * 1024, peak  # the sheet alone unpacks to ~25 MB


def test_the_minimal_writer_makes_files_the_importer_reads(personas):
    roster_import = upload(personas.admin_a, _huge_xlsx(3, dimension=True))
    assert roster_import.total_rows == 3 and roster_import.valid_rows == 3, roster_import.errors


def test_merged_cells_in_the_data_are_refused_with_their_ranges(personas):
    rows = [good_row(1), good_row(2, 科室=None), good_row(3)]
    content = build_xlsx(rows, merges=["J2:J3", "N3:O4"])
    message = refused(personas.admin_a, content)
    assert "merged cells (J2:J3, N3:O4)" in message


def test_a_formula_cell_is_refused_with_its_cell(personas):
    rows = [good_row(1, 出生日期="=DATE(1998,5,3)"), good_row(2)]
    roster_import = upload(personas.admin_a, build_xlsx(rows))
    assert roster_import.valid_rows == 1
    (error,) = errors_of(roster_import)
    assert (error["row"], error["cell"], error["column"]) == (2, "C2", "出生日期")
    assert "formula" in error["message"]
    with pytest.raises(ValidationError):
        importing.roster_import_apply(roster_import=roster_import, actor=personas.admin_a, only_valid=False)
    assert not Person.objects.filter(name__startswith="新人").exists()


# --- Dates ------------------------------------------------------------------------------------

SERIAL = to_excel(dt.datetime(1998, 5, 3))  # 35918


@pytest.mark.parametrize(
    "value",
    [
        "1998-05-03", "1998-5-3", "1998/5/3", "1998/05/03", "1998.5.3", "1998年5月3日", "1998 年 5 月 3 日",
        "19980503", "1998-05-03".translate(FULL_WIDTH), "1998-05-03 00:00:00", 19980503,
        dt.datetime(1998, 5, 3, 0, 0), dt.date(1998, 5, 3), SERIAL, float(SERIAL),
    ],
)  # fmt: skip
def test_dates_in_common_chinese_formats(value):
    assert importing.parse_date(value) == dt.date(1998, 5, 3)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("1998-02-30", "not a real date"),
        ("1998年13月1日", "not a real date"),
        ("19980230", "not a real date"),
        ("1998-05", "has no day"),
        ("1998年5月", "has no day"),
        (1998, "only a year"),
        ("5/3/98", "not a date"),
        ("yesterday", "not a date"),
        (-3, "not a date"),
    ],
)
def test_impossible_dates_are_refused(value, message):
    with pytest.raises(importing.CellError, match=message):
        importing.parse_date(value)


def test_dates_of_a_1904_workbook_are_read_right():
    serial = to_excel(dt.datetime(1998, 5, 3), openpyxl.utils.datetime.CALENDAR_MAC_1904)
    assert importing.parse_date(serial, epoch=openpyxl.utils.datetime.CALENDAR_MAC_1904) == dt.date(
        1998, 5, 3
    )


def test_excel_date_cells_and_serial_numbers_in_a_file(personas):
    birth = years_ago(24, days=30)
    rows = [
        good_row(1, 出生日期=dt.datetime.combine(birth, dt.time()), 身份证号=id_number_for(birth, 1)),
        good_row(
            2, 出生日期=to_excel(dt.datetime.combine(birth, dt.time())), 身份证号=id_number_for(birth, 2)
        ),
    ]
    roster_import = upload(personas.admin_a, build_xlsx(rows))
    assert roster_import.valid_rows == 2, roster_import.errors
    importing.roster_import_apply(roster_import=roster_import, actor=personas.admin_a, only_valid=False)
    assert set(Person.objects.filter(name__startswith="新人").values_list("birth_date", flat=True)) == {birth}


def test_an_impossible_date_is_a_row_error_with_its_cell(personas):
    roster_import = upload(personas.admin_a, build_xlsx([good_row(1, 出生日期="1998-02-30")]))
    (error,) = errors_of(roster_import)
    assert error == {"row": 2, "cell": "C2", "column": "出生日期", "value": "1998-02-30",
                     "message": "“1998-02-30” is not a real date.", "level": "error"}  # fmt: skip


# --- Row errors -------------------------------------------------------------------------------


def _only_error(actor, row, **kwargs) -> dict:
    roster_import = upload(actor, build_xlsx([row], **kwargs))
    assert roster_import.valid_rows == 0
    errors = errors_of(roster_import)
    assert errors, "expected an error"
    return errors[0] if len(errors) == 1 else {"messages": [e["message"] for e in errors], **errors[0]}


def _rule_message(field: str, **data) -> str:
    """The message the forms give (``person_errors``), to show the import uses the same rules."""
    return person_errors(data)[field][0]


def test_rule_errors_use_the_same_messages_as_the_forms(personas):
    birth = years_ago(8)
    error = _only_error(personas.admin_a, good_row(1, 出生日期=birth, 身份证号=None))
    assert error["message"] == _rule_message("birth_date", birth_date=birth)
    assert "impossible" in error["message"] and error["cell"] == "C2"

    error = _only_error(personas.admin_a, good_row(2, 团员发展编号="12345"))
    assert error["message"] == "A development number has exactly 12 digits." and error["cell"] == "H2"

    row = good_row(3)
    error = _only_error(personas.admin_a, good_row(3, 团员发展编号="2001" + row["团员发展编号"][4:]))
    assert "starts with 2001" in error["message"]

    error = _only_error(personas.admin_a, good_row(4, 手机号="12345"))
    assert error["message"] == _rule_message("phone", phone="12345") and error["cell"] == "N2"

    error = _only_error(personas.admin_a, good_row(5, 身份证号="500118199001011234"))
    assert "check digit" in error["message"] and error["column"] == "身份证号"

    error = _only_error(personas.admin_a, good_row(6, 出生日期="1990-01-01"))
    assert "does not match the ID number" in " ".join(error.get("messages", [error["message"]]))


def test_required_values_and_unknown_choices(personas):
    error = _only_error(personas.admin_a, good_row(1, 姓名=None))
    assert (error["message"], error["column"]) == ("This field is required.", "姓名")
    error = _only_error(personas.admin_a, good_row(2, 政治面貌="学霸"))
    assert error["message"].startswith("“学霸” is not a known 政治面貌; use one of: 共青团员")
    error = _only_error(personas.admin_a, good_row(3, 姓名="很" * 51))
    assert "at most 50 characters" in error["message"]


def test_a_row_must_say_who_the_person_is(personas):
    error = _only_error(personas.admin_a, good_row(1, 工号=None, 身份证号=None))
    assert "Give an employee number or an ID number" in error["message"]
    error = _only_error(personas.admin_a, good_row(2, 工号=None, 身份证号="5001**********1234"))
    assert "ID number is masked" in error["message"]


def test_an_id_number_stored_as_a_number_is_refused(personas):
    error = _only_error(personas.admin_a, good_row(1, 身份证号=5.00118199805031e17))
    assert "stored as a number" in error["message"]


def test_unknown_archived_and_ambiguous_organisations(personas):
    error = _only_error(personas.committee_admin, good_row(1, 所在团组织="不存在支部"))
    assert error["message"] == "There is no organisation called “不存在支部”."

    archived = Organization.objects.add_child(
        personas.tree.general,
        create_kwargs={"name": "旧支部", "kind": "branch", "archived_at": dt.datetime.now(dt.UTC)},
    )
    assert archived.pk
    error = _only_error(personas.committee_admin, good_row(2, 所在团组织="旧支部"))
    assert "archived" in error["message"]

    Organization.objects.add_child(
        personas.tree.general, create_kwargs={"name": "行政支部", "kind": "branch"}
    )
    error = _only_error(personas.committee_admin, good_row(3, 所在团组织="行政支部"))
    assert "Several organisations are called “行政支部”" in error["message"]


def test_an_unknown_department_is_an_error_not_created(personas):
    error = _only_error(personas.admin_a, good_row(1, 科室="心内科"))
    assert "There is no department called “心内科”" in error["message"]
    assert not Department.objects.filter(name="心内科").exists()


def test_duplicates_within_the_file_mark_every_row(personas):
    rows = [good_row(1), good_row(2, 工号="N00001"), good_row(3)]
    roster_import = upload(personas.admin_a, build_xlsx(rows))
    assert roster_import.valid_rows == 1
    messages = {(e["row"], e["message"]) for e in errors_of(roster_import)}
    assert (2, "This employee number appears again in row 3.") in messages
    assert (3, "This employee number repeats row 2.") in messages


def test_many_duplicates_each_name_one_row_so_errors_stay_linear(personas):
    rows = [good_row(n, 工号="SAME1") for n in range(1, 7)]
    roster_import = upload(personas.admin_a, build_xlsx(rows))
    messages = {(e["row"], e["message"]) for e in errors_of(roster_import)}
    assert (2, "This employee number appears again in row 3 and 4 other rows.") in messages
    assert {(n, "This employee number repeats row 2.") for n in range(3, 8)} <= messages
    assert roster_import.error_count == len(roster_import.errors) == 6


def test_numbers_already_on_the_roster_belong_to_someone_else(personas):
    other = personas.person_a
    me = PersonFactory(organization=personas.tree.branch_a, name="本人", birth_date=other.birth_date)
    row = {
        "姓名": me.name,
        "性别": "女",
        "出生日期": me.birth_date,
        "政治面貌": "共青团员",
        "工号": me.employee_number,
        "身份证号": other.id_number,
        "团员发展编号": other.development_number,
    }
    roster_import = upload(personas.admin_a, build_xlsx([row], headers=list(row)))
    messages = {e["message"] for e in errors_of(roster_import)}
    assert (
        f"The employee number belongs to {me.name} but the ID number to {other.name}; "
        "one row cannot be two people. Correct the one that is wrong."
    ) in messages
    if other.development_number:
        assert f"This development number already belongs to {other.name}." in messages
    # A new person with another's development number.
    new_row = good_row(7)
    holder = PersonFactory(organization=personas.tree.branch_a, development_number=new_row["团员发展编号"])
    error = _only_error(personas.admin_a, new_row)
    assert error["message"] == f"This development number already belongs to {holder.name}."


def test_a_row_matching_by_id_number_but_with_another_employee_number_is_refused(personas):
    other = personas.person_a
    row = good_row(1, 身份证号=other.id_number, 出生日期=other.birth_date, 姓名=other.name)
    error = _only_error(personas.admin_a, row)
    assert f"belongs to {other.name}, whose employee number is {other.employee_number}" in error["message"]


def test_an_import_does_not_move_people(personas):
    person = PersonFactory(organization=personas.tree.branch_a, name="留守者")
    row = {"姓名": person.name, "性别": "女", "出生日期": person.birth_date, "政治面貌": "共青团员",
           "工号": person.employee_number, "所在团组织": "护理二支部"}  # fmt: skip
    error = _only_error(personas.committee_admin, row, headers=list(row))
    assert "goes through a transfer" in error["message"]


# --- Scope ------------------------------------------------------------------------------------


def test_branch_a_admin_cannot_import_into_branch_b(personas):
    roster_import = upload(personas.admin_a, build_xlsx([good_row(1, 所在团组织="护理二支部"), good_row(2)]))
    assert roster_import.organization == personas.tree.branch_a
    (error,) = errors_of(roster_import)
    assert error["row"] == 2 and "outside the organisations you may import into" in error["message"]
    importing.roster_import_apply(roster_import=roster_import, actor=personas.admin_a, only_valid=True)
    assert not Person.objects.filter(organization=personas.tree.branch_b, name__startswith="新人").exists()
    with pytest.raises(PermissionDenied):
        upload(personas.admin_a, build_xlsx([good_row(3)]), organization=personas.tree.branch_b)


def test_branch_a_admin_cannot_update_branch_b_people_nor_learn_their_names(personas):
    other = personas.person_b
    row = {
        "姓名": "改名",
        "性别": "女",
        "出生日期": other.birth_date,
        "政治面貌": "共青团员",
        "工号": other.employee_number,
    }
    roster_import = upload(personas.admin_a, build_xlsx([row], headers=list(row)))
    (error,) = errors_of(roster_import)
    assert "belongs to someone outside your organisations" in error["message"]
    assert other.name not in str(roster_import.errors)
    other.refresh_from_db()
    assert other.name == "乙支部人"


def test_committee_admin_choosing_branch_a_cannot_write_into_branch_b(personas):
    roster_import = upload(
        personas.committee_admin,
        build_xlsx([good_row(1, 所在团组织="护理二支部")]),
        organization=personas.tree.branch_a,
    )
    (error,) = errors_of(roster_import)
    assert "outside “护理一支部”" in error["message"]


def test_people_without_the_import_permission_cannot_upload(personas):
    for actor in (personas.coordinator, personas.member, personas.outsider):
        with pytest.raises(PermissionDenied):
            upload(actor, build_xlsx([good_row(1)]))


# --- Pages ------------------------------------------------------------------------------------


def test_upload_preview_and_apply_through_the_pages(personas, login):
    client = login(personas.admin_a)
    page = client.get(reverse("people:import"))
    assert page.status_code == 200 and "出生日期" in page.content.decode()
    content = build_xlsx([good_row(1), good_row(2, 手机号="12345")])
    response = client.post(
        reverse("people:import"),
        {"file": upload_file(content), "organization": personas.tree.branch_a.pk},
    )
    roster_import = RosterImport.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "people:import_preview", args=[roster_import.pk]
    )
    body = client.get(response.url).content.decode()
    assert "is not a phone number" in body and 'id="apply-valid"' in body and 'id="apply-all"' not in body
    assert not Person.objects.filter(name__startswith="新人").exists()

    client.post(reverse("people:import_apply", args=[roster_import.pk]))  # everything: refused
    assert not Person.objects.filter(name__startswith="新人").exists()
    response = client.post(reverse("people:import_apply", args=[roster_import.pk]), {"only_valid": "1"})
    assert response.status_code == 302
    assert list(Person.objects.filter(name__startswith="新人").values_list("name", flat=True)) == ["新人1"]
    body = client.get(reverse("people:import_preview", args=[roster_import.pk])).content.decode()
    assert "Imported on" in body and 'id="apply-valid"' not in body

    errors = client.get(reverse("people:import_errors", args=[roster_import.pk]))
    sheet = openpyxl.load_workbook(io.BytesIO(errors.content)).active
    assert [c.value for c in sheet[2]][:3] == [3, "N3", "手机号"]


def test_a_valid_file_is_imported_whole_or_discarded_through_the_pages(personas, login):
    client = login(personas.admin_a)
    first = upload(personas.admin_a, build_xlsx([good_row(1)]))
    body = client.get(reverse("people:import_preview", args=[first.pk])).content.decode()
    assert 'id="apply-all"' in body and 'id="apply-valid"' not in body
    client.post(reverse("people:import_apply", args=[first.pk]))
    assert Person.objects.filter(name="新人1").exists()

    second = upload(personas.admin_a, build_xlsx([good_row(2)]))
    response = client.post(reverse("people:import_discard", args=[second.pk]))
    assert response.status_code == 302 and response.url == reverse("people:import")
    second.refresh_from_db()
    assert second.status == "discarded" and not Person.objects.filter(name="新人2").exists()
    body = client.get(reverse("people:import_preview", args=[second.pk])).content.decode()
    assert 'id="apply-all"' not in body and "Discarded" in body
    page = client.get(reverse("people:import")).content.decode()
    assert page.count("花名册.xlsx") == 2  # the admin's recent imports


def test_a_bad_file_is_explained_on_the_upload_page(personas, login):
    client = login(personas.admin_a)
    response = client.post(
        reverse("people:import"),
        {"file": upload_file(b"a,b\n1,2\n", "roster.csv"), "organization": personas.tree.branch_a.pk},
    )
    assert response.status_code == 200 and "not an Excel .xlsx file" in response.content.decode()
    assert not RosterImport.objects.exists()


def test_an_admin_sees_only_their_own_imports(personas, login):
    roster_import = upload(personas.admin_a, build_xlsx([good_row(1)]))
    client = login(personas.admin_b)
    for name in ("people:import_preview", "people:import_errors"):
        assert client.get(reverse(name, args=[roster_import.pk])).status_code == 404
    for name in ("people:import_apply", "people:import_discard"):
        assert client.post(reverse(name, args=[roster_import.pk]), {"only_valid": "1"}).status_code == 404
    assert "花名册.xlsx" not in client.get(reverse("people:import")).content.decode()
    roster_import.refresh_from_db()
    assert roster_import.status == "preview" and not Person.objects.filter(name="新人1").exists()
    with pytest.raises(PermissionDenied):
        importing.roster_import_apply(roster_import=roster_import, actor=personas.admin_b, only_valid=True)
    # Even the committee admin does not see another admin's import.
    assert (
        login(personas.committee_admin)
        .get(reverse("people:import_preview", args=[roster_import.pk]))
        .status_code
        == 404
    )


@pytest.mark.parametrize("persona", ["coordinator", "member", "outsider"])
def test_import_pages_are_forbidden_without_the_permission(personas, login, persona):
    client = login(getattr(personas, persona))
    assert client.get(reverse("people:import")).status_code == 403
    assert client.get(reverse("people:import_template")).status_code == 403


def test_the_template_has_the_headers_and_is_accepted_back(personas, login):
    response = login(personas.admin_a).get(reverse("people:import_template"))
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert [c.value for c in workbook.worksheets[0][1]] == HEADERS
    assert workbook.worksheets[1].max_row == len(HEADERS) + 1  # the instructions
    sheet = workbook.worksheets[0]
    sheet.append([good_row(1)[h] for h in HEADERS])
    buffer = io.BytesIO()
    workbook.save(buffer)
    roster_import = upload(personas.admin_a, buffer.getvalue())
    assert roster_import.valid_rows == 1, roster_import.errors


def test_validation_takes_a_constant_number_of_queries(personas, django_assert_max_num_queries):
    small = build_xlsx([good_row(n) for n in range(1, 3)])
    large = build_xlsx([good_row(n) for n in range(1, 200)])
    with django_assert_max_num_queries(12):
        upload(personas.admin_a, small)
    with django_assert_max_num_queries(12):
        roster_import = upload(personas.admin_a, large)
    assert roster_import.valid_rows == 199, errors_of(roster_import)[:3]
