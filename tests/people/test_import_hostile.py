"""Roster files that must not hurt data or the server (issue 7): identity, volume, time, XML."""

from __future__ import annotations

import datetime as dt
import json
import time
import tracemalloc

import openpyxl.xml
import openpyxl.xml.functions
import pytest
from defusedxml import ElementTree as DefusedElementTree
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from qingyi.core import workbooks
from qingyi.organizations import scoping
from qingyi.people import importing
from qingyi.people.models import Person, RosterImport
from tests.factories import PersonFactory, id_number_for, years_ago
from tests.hostile_files import (
    BILLION_LAUGHS,
    EXTERNAL_ENTITY,
    LONG_COMMENT,
    corrupt_part,
    raw_xlsx,
    sheet_xml,
    strings_xml,
    text_cell,
)
from tests.people.test_import import HEADERS, build_xlsx, errors_of, good_row, refused, upload, upload_file

MINIMAL_HEADERS = ["姓名", "性别", "出生日期", "工号", "政治面貌"]


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    from django.utils import translation

    with translation.override("en"):
        yield


def preview_html(client, roster_import: RosterImport) -> str:
    return client.get(reverse("people:import_preview", args=[roster_import.pk])).content.decode()


def snapshot() -> tuple:
    """The people (every field that an import writes) and the imports, to prove nothing was written."""
    people = tuple(Person.objects.order_by("pk").values_list())
    return people, RosterImport.objects.count()


# --- 1. Silent overwrite: a row changes a person only when its identity agrees ----------------


def test_a_new_hire_with_a_mistyped_employee_number_does_not_become_the_existing_person(personas):
    doctor = PersonFactory(organization=personas.tree.branch_a, name="王医生", gender="male")
    birth = years_ago(23, days=40)
    row = good_row(
        1,
        姓名="李新人",
        性别="女",
        出生日期=birth,
        身份证号=id_number_for(birth, 222),
        工号=doctor.employee_number,
    )
    before = snapshot()
    roster_import = upload(personas.admin_a, build_xlsx([row]))
    (error,) = [e for e in errors_of(roster_import) if e["column"] == "身份证号"]
    assert error["message"] == (
        "The employee number belongs to 王医生, whose ID number is not this one. If this row is another "
        "person, correct the employee number; if it is 王医生, correct the ID number."
    )
    assert roster_import.valid_rows == 0 and roster_import.to_update == 0
    with pytest.raises(ValidationError):
        importing.roster_import_apply(roster_import=roster_import, actor=personas.admin_a, only_valid=False)
    assert snapshot()[0] == before[0]  # the doctor is still the doctor


def test_an_employee_number_with_another_name_and_birth_date_is_a_conflict(personas):
    person = PersonFactory(organization=personas.tree.branch_a, name="张三", id_number=None)
    row = {"姓名": "李四", "性别": "女", "出生日期": years_ago(25), "政治面貌": "共青团员",
           "工号": person.employee_number, "手机号": "13700002222"}  # fmt: skip
    before = snapshot()
    roster_import = upload(personas.admin_a, build_xlsx([row], headers=list(row)))
    messages = [e["message"] for e in errors_of(roster_import)]
    assert (
        "The employee number belongs to 张三, but this row's name and birth date are not theirs. "
        "If this row is another person, correct the employee number."
    ) in messages
    with pytest.raises(ValidationError):
        importing.roster_import_apply(roster_import=roster_import, actor=personas.admin_a, only_valid=True)
    assert snapshot()[0] == before[0]


def test_an_employee_number_alone_does_not_say_who_the_row_is(personas):
    person = personas.person_a
    row = {"姓名": None, "性别": None, "出生日期": None, "政治面貌": None,
           "工号": person.employee_number, "手机号": "13700003333"}  # fmt: skip
    before = snapshot()
    roster_import = upload(personas.admin_a, build_xlsx([row], headers=list(row)))
    (error,) = [e for e in errors_of(roster_import) if e["column"] == "工号"]
    assert error["message"].startswith(f"The employee number belongs to {person.name}; give the ID number")
    assert snapshot()[0] == before[0]


def test_the_same_name_and_birth_date_confirm_an_employee_number_without_id_number(personas):
    person = PersonFactory(organization=personas.tree.branch_a, name="赵六", id_number=None)
    row = {"姓名": " 赵 六", "性别": "女", "出生日期": person.birth_date, "政治面貌": "共青团员",
           "工号": person.employee_number, "身份证号": id_number_for(person.birth_date, 7)}  # fmt: skip
    roster_import = upload(personas.admin_a, build_xlsx([row], headers=list(row)))
    assert roster_import.valid_rows == 1, roster_import.errors
    assert roster_import.to_update == 1


def test_a_conflict_outside_the_scope_says_the_same_whether_or_not_the_identity_agrees(personas):
    other = personas.person_b
    agreeing = {"姓名": other.name, "性别": "女", "出生日期": other.birth_date, "政治面貌": "共青团员",
                "工号": other.employee_number}  # fmt: skip
    differing = {**agreeing, "姓名": "别人", "出生日期": years_ago(30)}
    first = errors_of(upload(personas.admin_a, build_xlsx([agreeing], headers=list(agreeing))))
    second = errors_of(upload(personas.admin_a, build_xlsx([differing], headers=list(differing))))
    assert (
        [e["message"] for e in first]
        == [e["message"] for e in second]
        == ["This employee number belongs to someone outside your organisations; a transfer brings them in."]
    )


def test_the_preview_shows_adds_and_changes_with_old_and_new_values(personas, login):
    person = personas.person_a
    old_phone = "13900001111"
    Person.objects.filter(pk=person.pk).update(phone=old_phone)
    change = {"姓名": person.name, "身份证号": person.id_number, "出生日期": person.birth_date,
              "工号": person.employee_number, "手机号": "13712345678", "学历": "大专"}  # fmt: skip
    add = good_row(5)
    rows = [{**dict.fromkeys(HEADERS), **change}, add]
    roster_import = upload(personas.admin_a, build_xlsx(rows))
    assert (roster_import.to_create, roster_import.to_update) == (1, 1), roster_import.errors
    page = login(personas.admin_a).get(reverse("people:import_preview", args=[roster_import.pk]))
    html = page.content.decode()
    assert 'data-row="2" data-action="change"' in html and 'data-row="3" data-action="add"' in html
    assert f"<del>{old_phone}</del> → <strong>13712345678</strong>" in html  # may see: in full
    assert "Changes a person" in html and "Adds a person" in html
    assert Person.objects.get(pk=person.pk).phone == old_phone  # previewed, not written


def test_the_preview_masks_id_numbers_and_phones_without_the_sensitive_permission(
    personas, login, monkeypatch
):
    person = personas.person_a
    row = {"姓名": person.name, "出生日期": person.birth_date, "工号": person.employee_number,
           "性别": "女", "政治面貌": "共青团员", "手机号": "13712345678"}  # fmt: skip
    add = good_row(6)
    roster_import = upload(personas.admin_a, build_xlsx([row, add], headers=HEADERS))
    without = frozenset(scoping.ROLE_PERMISSIONS[scoping.Role.ORG_ADMIN] - {scoping.PEOPLE_SENSITIVE})
    monkeypatch.setitem(scoping.ROLE_PERMISSIONS, scoping.Role.ORG_ADMIN, without)
    html = (
        login(personas.admin_a)
        .get(reverse("people:import_preview", args=[roster_import.pk]))
        .content.decode()
    )
    from qingyi.people.masking import mask_id_number, mask_phone

    assert mask_phone("13712345678") in html and "13712345678" not in html
    assert add["身份证号"] not in html and mask_id_number(add["身份证号"]) in html


# --- 2. Memory: errors linear in the file, stored data bounded, old imports purged -------------


def test_5000_rows_with_one_employee_number_cost_linear_memory(personas, settings):
    rows = [good_row(n, 工号="SAME0001") for n in range(1, 2001)]
    content = build_xlsx(rows)
    settings.QINGYI_IMPORT_STORED_ISSUES = 100
    tracemalloc.start()
    try:
        roster_import = upload(personas.admin_a, content)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert roster_import.error_count == 2000
    assert len(roster_import.errors) == 100  # stored: capped; the total is kept
    assert len(json.dumps(roster_import.errors)) < 40_000
    # Each message names one other row: the old messages named all 1,999 (~50 MB traced).
    assert peak < 40 * 1024 * 1024, peak
    assert {e["message"] for e in roster_import.errors[1:]} >= {"This employee number repeats row 2."}


def test_the_preview_says_how_many_errors_are_not_listed(personas, login, settings):
    settings.QINGYI_IMPORT_STORED_ISSUES = 2
    roster_import = upload(personas.admin_a, build_xlsx([good_row(n, 工号="SAME") for n in range(1, 6)]))
    html = (
        login(personas.admin_a)
        .get(reverse("people:import_preview", args=[roster_import.pk]))
        .content.decode()
    )
    assert "5 errors" in html and "3 more errors are not listed" in html


def test_old_imports_are_purged_on_upload_and_by_the_command(personas, settings):
    settings.QINGYI_IMPORT_RETENTION_DAYS = 30
    old = upload(personas.admin_a, build_xlsx([good_row(1)]))
    recent = upload(personas.admin_a, build_xlsx([good_row(2)]))
    RosterImport.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=31))
    upload(personas.admin_a, build_xlsx([good_row(3)]))
    assert not RosterImport.objects.filter(pk=old.pk).exists()
    assert RosterImport.objects.filter(pk=recent.pk).exists()
    RosterImport.objects.filter(pk=recent.pk).update(created_at=timezone.now() - dt.timedelta(days=40))
    call_command("purge_roster_imports", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert not RosterImport.objects.filter(pk=recent.pk).exists() and RosterImport.objects.count() == 1


def test_the_file_is_dropped_once_applied_or_discarded(personas):
    applied = upload(personas.admin_a, build_xlsx([good_row(1)]))
    importing.roster_import_apply(roster_import=applied, actor=personas.admin_a, only_valid=False)
    discarded = upload(personas.admin_a, build_xlsx([good_row(2)]))
    importing.roster_import_discard(roster_import=discarded, actor=personas.admin_a)
    for pk in (applied.pk, discarded.pk):
        assert bytes(RosterImport.objects.values_list("content", flat=True).get(pk=pk)) == b""
    with pytest.raises(ValidationError, match="already been applied"):
        importing.roster_import_apply(roster_import=applied, actor=personas.admin_a, only_valid=False)


# --- 3. CPU: cells, shared strings and blank rows counted from the XML; a time budget ---------


def _header_row() -> list[str]:
    return MINIMAL_HEADERS


def test_a_sheet_with_too_many_cells_is_refused_before_it_is_read(personas, settings):
    settings.QINGYI_IMPORT_MAX_CELLS = 1000
    wide = "".join(text_cell("x") for _ in range(1200))
    content = raw_xlsx(sheet_xml([_header_row()], body=f'<row r="2">{wide}</row>'))
    message = refused(personas.admin_a, content)
    assert "more than 1,000 cells" in message


def test_too_many_shared_strings_are_refused_before_openpyxl_loads_them(personas, settings):
    settings.QINGYI_IMPORT_MAX_STRINGS = 1000
    content = raw_xlsx(sheet_xml([_header_row()]), strings=strings_xml(5000))
    message = refused(personas.admin_a, content)
    assert "more than 1,000 different texts" in message


def test_a_row_numbered_in_the_millions_is_refused_without_reading_the_blank_rows(personas):
    content = raw_xlsx(sheet_xml([_header_row()], body=f'<row r="900000000">{text_cell("x")}</row>'))
    started = time.perf_counter()
    message = refused(personas.admin_a, content)
    assert "more than 20000 rows" in message and time.perf_counter() - started < 5


def test_a_cell_in_the_last_column_of_every_row_does_not_make_rows_16384_cells_long(personas):
    rows = "".join(
        f'<row r="{n}">{text_cell("x", f"A{n}")}{text_cell("y", f"XFD{n}")}</row>' for n in range(1, 101)
    )
    content = raw_xlsx(sheet_xml([], body=rows))
    budget = workbooks.Budget()
    with workbooks.open_workbook(content, budget=budget, data_only=True) as (workbook, _scan):
        widths = {len(row) for row in workbooks.iter_rows(workbook.worksheets[0], budget=budget)}
    assert widths == {workbooks.MAX_COLUMNS}  # openpyxl alone pads each row to 16,384 cells


def test_an_import_over_its_time_budget_is_refused_and_writes_nothing(personas, settings):
    settings.QINGYI_IMPORT_SECONDS = 0
    message = refused(personas.admin_a, build_xlsx([good_row(n) for n in range(1, 300)]))
    assert "took longer than 0 seconds to check" in message and "nothing was written" in message


def test_apply_over_its_time_budget_writes_nothing(personas, settings):
    roster_import = upload(personas.admin_a, build_xlsx([good_row(n) for n in range(1, 300)]))
    settings.QINGYI_IMPORT_SECONDS = 0
    before = snapshot()
    with pytest.raises(ValidationError, match="took longer than"):
        importing.roster_import_apply(roster_import=roster_import, actor=personas.admin_a, only_valid=False)
    assert snapshot()[0] == before[0]
    assert RosterImport.objects.get(pk=roster_import.pk).status == "preview"


# --- 4. No server error: damaged parts and XML tricks get a message ---------------------------


def test_openpyxl_parses_through_defusedxml():
    assert openpyxl.xml.DEFUSEDXML is True
    assert openpyxl.xml.functions.iterparse is DefusedElementTree.iterparse
    assert openpyxl.xml.functions.fromstring is DefusedElementTree.fromstring


def test_a_corrupt_compressed_part_is_a_damaged_file(personas):
    content = corrupt_part(build_xlsx([good_row(n) for n in range(1, 50)]), "xl/worksheets/sheet1.xml")
    assert "may be damaged" in refused(personas.admin_a, content)


def test_a_corrupt_compressed_part_is_explained_on_the_page_not_a_500(personas, login):
    content = corrupt_part(build_xlsx([good_row(n) for n in range(1, 50)]), "xl/worksheets/sheet1.xml")
    client = login(personas.admin_a)
    client.raise_request_exception = False
    response = client.post(
        reverse("people:import"),
        {"file": upload_file(content), "organization": personas.tree.branch_a.pk},
    )
    assert response.status_code == 200 and "may be damaged" in response.content.decode()
    assert not RosterImport.objects.exists()


@pytest.mark.parametrize(
    "where",
    ["sheet", "strings", "workbook"],
)
@pytest.mark.parametrize(
    "trick", [BILLION_LAUGHS, EXTERNAL_ENTITY], ids=["billion-laughs", "external-entity"]
)
def test_a_dtd_after_a_long_comment_is_refused(personas, where, trick):
    prolog = LONG_COMMENT + trick
    rows = [_header_row(), ["某人", "女", "1998-05-03", "E1", "群众"]]
    content = raw_xlsx(
        sheet_xml(rows, prolog=prolog if where == "sheet" else ""),
        strings=strings_xml(2, prolog=prolog if where == "strings" else ""),
        workbook_prolog=prolog if where == "workbook" else "",
    )
    message = refused(personas.admin_a, content)
    assert "XML declarations (a DTD or entities)" in message


def test_an_entity_reference_without_a_dtd_is_a_damaged_file(personas):
    rows = [_header_row(), ["&xxe;", "女", "1998-05-03", "E1", "群众"]]
    content = raw_xlsx(sheet_xml(rows))
    assert "may be damaged" in refused(personas.admin_a, content)


def test_imported_names_lose_invisible_and_direction_override_characters():
    from qingyi.people.importing.cells import _convert
    from qingyi.people.importing.columns import COLUMNS

    name_column = next(column for column in COLUMNS if column.field == "name")
    assert _convert("张\u202e三\u200b", name_column, epoch=None, choices={}) == "张三"
