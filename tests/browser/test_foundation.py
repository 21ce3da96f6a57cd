"""Journey: the committee admin logs in, opens the tree, imports a roster with one bad row,
sees the error, fixes the file, imports it, and finds the new person. Desktop and phone."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from qingyi.people.models import Person
from tests.factories import id_number_for, years_ago

pytestmark = pytest.mark.browser
PASSWORD = "pass-word-123"
HEADERS = ["姓名", "性别", "出生日期", "身份证号", "政治面貌", "入团时间", "团员发展编号", "工号", "手机号",
           "所在团组织"]  # fmt: skip


def _roster(birth_text: str) -> bytes:
    birth = years_ago(24, days=40)
    joined = birth.replace(year=birth.year + 16)
    rows = [
        ["林晓", "女", birth.isoformat(), id_number_for(birth, 11), "共青团员", joined.isoformat(),
         f"{joined.year}50010011", "J0011", "13511110011", "护理一支部"],
        ["周川", "男", birth_text, id_number_for(birth, 12), "群众", "", "", "J0012", "13511110012",
         "护理一支部"],
    ]  # fmt: skip
    book = Workbook()
    sheet = book.active
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _go(page, href: str) -> None:
    """Follow a menu link as a person would: on a phone, open the menu first."""
    toggler = page.locator("button.navbar-toggler")
    if toggler.is_visible():
        toggler.click()
        page.wait_for_selector("#mainnav.show")
    link = page.locator(f"#mainnav a[href='{href}']")
    group = page.locator("#mainnav li.dropdown", has=page.locator(f"a[href='{href}']"))
    if group.count():  # the link sits in its app's dropdown
        group.locator(".dropdown-toggle").click()
    link.wait_for(state="visible")
    with page.expect_navigation():
        link.click()


def test_committee_admin_imports_a_roster_and_finds_the_person(live_server, personas, page):
    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", "committee")
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert "测试医院团委" in page.inner_text("main")
    page.shot("foundation-home")

    _go(page, "/organizations/")
    tree = page.inner_text("#org-tree")
    assert "护理团总支" in tree and "护理一支部" in tree and "护理二支部" in tree
    page.shot("foundation-tree")

    _go(page, "/people/")
    with page.expect_navigation():
        page.click("a[href='/people/import/']")
    birth = years_ago(24, days=40)
    page.set_input_files("input[type=file]", {"name": "花名册.xlsx", "mimeType": "application/octet-stream",
                                              "buffer": _roster("2001-02-30")})  # fmt: skip
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    errors = page.inner_text("#import-errors")
    assert "3" in errors and "出生日期" in errors
    assert page.inner_text("#bad-rows").strip() == "1"
    assert not Person.objects.filter(name__in=["林晓", "周川"]).exists()
    page.shot("foundation-import-error")

    # Fix the file and upload it again.
    page.goto(f"{base}/people/import/")
    page.set_input_files("input[type=file]", {"name": "花名册.xlsx", "mimeType": "application/octet-stream",
                                              "buffer": _roster(birth.isoformat())})  # fmt: skip
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert page.inner_text("#bad-rows").strip() == "0"
    with page.expect_navigation():
        page.click("#apply-all")
    assert Person.objects.filter(name__in=["林晓", "周川"], organization=personas.tree.branch_a).count() == 2
    page.shot("foundation-import-done")

    _go(page, "/people/")
    page.fill("#q", "周川")
    page.locator("#results a", has_text="周川").wait_for()
    with page.expect_navigation():
        page.locator("#results a", has_text="周川").click()
    assert "周川" in page.inner_text("h1")
    assert "J0012" in page.inner_text("main")
    page.shot("foundation-person")
