"""Roster export to .xlsx: the roster's filters and scope, masking, neutralisation, round trip."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.urls import reverse

from qingyi.accounts.models import Role
from qingyi.organizations import scoping
from qingyi.people import importing
from qingyi.people.models import Person
from tests.factories import PersonFactory
from tests.people.test_import import upload


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


def export(client, **params):
    response = client.get(reverse("people:export"), params)
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    return response


def sheet_of(response):
    return openpyxl.load_workbook(io.BytesIO(response.content)).active


def rows_of(response) -> list[dict]:
    sheet = sheet_of(response)
    headers = [c.value for c in sheet[1]]
    return [dict(zip(headers, (c.value for c in row), strict=True)) for row in sheet.iter_rows(min_row=2)]


def names(response) -> set[str]:
    return {row["姓名"] for row in rows_of(response)}


def test_export_has_the_import_headers_and_masks_id_numbers(personas, login):
    response = export(login(personas.committee_admin))
    assert "attachment" in response["Content-Disposition"]
    assert [c.value for c in sheet_of(response)[1]] == list(importing.EXPORT_HEADERS)
    rows = {row["姓名"]: row for row in rows_of(response)}
    assert set(rows) == {"团员甲", "甲支部人", "乙支部人"}
    person = personas.person_a
    row = rows[person.name]
    assert row["身份证号"] == person.id_number_masked and row["身份证号"] != person.id_number
    assert (row["性别"], row["政治面貌"], row["职业/岗位类别"], row["所在团组织"], row["状态"]) == (
        "女",
        "共青团员",
        "护士",
        "护理一支部",
        "在册",
    )
    assert row["出生日期"].date() == person.birth_date and row["工号"] == person.employee_number


def test_full_id_numbers_only_on_request(personas, login):
    rows = rows_of(export(login(personas.admin_a), full="1"))
    assert {row["身份证号"] for row in rows} == {
        personas.person_a.id_number,
        personas.member_person.id_number,
    }


def test_full_id_numbers_need_the_sensitive_permission(personas, login, monkeypatch):
    without = scoping.ROLE_PERMISSIONS[Role.ORG_ADMIN] - {scoping.PEOPLE_SENSITIVE}
    monkeypatch.setitem(scoping.ROLE_PERMISSIONS, Role.ORG_ADMIN, without)
    client = login(personas.admin_a)
    assert client.get(reverse("people:export"), {"full": "1"}).status_code == 403
    assert personas.person_a.id_number not in {row["身份证号"] for row in rows_of(export(client))}


def test_branch_admin_exports_only_their_branch(personas, login):
    client = login(personas.admin_a)
    assert names(export(client)) == {"团员甲", "甲支部人"}
    assert client.get(reverse("people:export"), {"org": personas.tree.branch_b.pk}).status_code == 404
    assert names(export(login(personas.admin_b))) == {"乙支部人"}


@pytest.mark.parametrize("persona", ["coordinator", "member", "outsider"])
def test_export_is_forbidden_without_the_permission(personas, login, persona):
    assert login(getattr(personas, persona)).get(reverse("people:export")).status_code == 403


def test_export_follows_the_roster_filters(personas, login):
    PersonFactory(
        organization=personas.tree.branch_a, name="群众甲", political_status="masses", league_joined_on=None
    )
    PersonFactory(organization=personas.tree.branch_a, name="已离者", status=Person.Status.LEFT)
    client = login(personas.committee_admin)
    assert names(export(client, political_status="masses")) == {"群众甲"}
    assert names(export(client, q="乙支部")) == {"乙支部人"}
    assert names(export(client, org=personas.tree.branch_b.pk)) == {"乙支部人"}
    assert "已离者" not in names(export(client))  # active only, as on the roster page
    assert "已离者" in names(export(client, status=""))
    list_url = reverse("people:list") + "?political_status=masses"
    assert "people/export/?political_status=masses" in client.get(list_url).content.decode()


def test_formula_like_text_is_neutralised(personas, login):
    PersonFactory(organization=personas.tree.branch_a, name='=HYPERLINK("http://x.example","a")', phone="")
    PersonFactory(organization=personas.tree.branch_a, name="@cmd", ethnicity="+1")
    sheet = sheet_of(export(login(personas.admin_a)))
    values = [c.value for row in sheet.iter_rows(min_row=2) for c in row]
    assert '\'=HYPERLINK("http://x.example","a")' in values and "'@cmd" in values and "'+1" in values
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)


def test_export_reads_the_roster_in_a_constant_number_of_queries(
    personas, login, django_assert_max_num_queries
):
    client = login(personas.committee_admin)
    with django_assert_max_num_queries(8) as few:
        export(client)
    PersonFactory.create_batch(30, organization=personas.tree.branch_b)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(rows_of(export(client))) == 33


def _reimport(actor, content: bytes):
    roster_import = upload(actor, content, name="export.xlsx")
    errors = [e for e in roster_import.errors if e["level"] == "error"]
    assert errors == [], errors[:3]
    return importing.roster_import_apply(roster_import=roster_import, actor=actor, only_valid=False)


def test_an_export_re_imports_unchanged(personas, login):
    before = Person.objects.count()
    response = export(login(personas.committee_admin), full="1")
    applied = _reimport(personas.committee_admin, response.content)
    assert (applied.total_rows, applied.created_count, applied.updated_count) == (3, 0, 0)
    assert Person.objects.count() == before


def test_a_masked_export_re_imports_by_employee_number(personas, login):
    response = export(login(personas.admin_a))
    applied = _reimport(personas.admin_a, response.content)
    assert (applied.total_rows, applied.created_count, applied.updated_count) == (2, 0, 0)
    personas.person_a.refresh_from_db()
    assert "*" not in personas.person_a.id_number


def test_an_edited_export_updates_the_changed_person(personas, login):
    response = export(login(personas.admin_a), full="1")
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = workbook.active
    headers = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        if row[headers.index("姓名")].value == "甲支部人":
            row[headers.index("手机号")].value = "13600001234"
    sheet.append(
        [
            "新来的",
            "男",
            "1999-04-01",
            "汉族",
            None,
            "群众",
            None,
            None,
            "N9001",
            None,
            "医生",
            "本科",
            "初级",
            "13600005678",
            "护理一支部",
        ]
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    applied = _reimport(personas.admin_a, buffer.getvalue())
    assert (applied.created_count, applied.updated_count) == (1, 1)
    person = Person.objects.get(pk=personas.person_a.pk)
    assert person.phone == "13600001234"
    assert person.history.first().history_user == personas.admin_a
    newcomer = Person.objects.get(employee_number="N9001")
    assert (newcomer.gender, newcomer.profession, newcomer.organization) == (
        "male",
        "doctor",
        personas.tree.branch_a,
    )
