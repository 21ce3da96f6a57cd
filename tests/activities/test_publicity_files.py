"""Publicity export lists that must not hurt data or the server: the roster import's guards."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from qingyi.activities import services
from qingyi.activities.models import Publication
from tests.hostile_files import BILLION_LAUGHS, LONG_COMMENT, corrupt_part, raw_xlsx, sheet_xml, text_cell


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    from django.utils import translation

    with translation.override("en"):
        yield


def _xlsx(rows) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def refused(personas, content: bytes, filename: str) -> str:
    """Import a file that must be refused as a whole; check nothing was written; the message."""
    with pytest.raises(ValidationError) as info:
        services.publications_import(
            content=content, filename=filename, organization=personas.tree.branch_a, actor=personas.admin_a
        )
    assert not Publication.objects.exists()
    return " ".join(info.value.messages)


def imported(personas, content: bytes, filename: str) -> list[str]:
    result = services.publications_import(
        content=content, filename=filename, organization=personas.tree.branch_a, actor=personas.admin_a
    )
    assert not result.errors, result.errors
    return sorted(Publication.objects.values_list("title", flat=True))


# --- CSV: cleanly one encoding, or refused ------------------------------------------------------


def test_a_csv_mixing_utf8_and_gbk_rows_is_refused_not_imported_garbled(personas):
    content = "标题,发布日期\n青年理论学习,2025-03-01\n".encode() + "志愿服务进社区,2025-03-02\n".encode(
        "gbk"
    )
    message = refused(personas, content, "list.csv")
    assert "mixes two text encodings" in message


def test_a_csv_mixing_encodings_within_one_line_is_refused(personas):
    content = (
        "标题,发布日期,组织\n".encode("gbk")
        + "志愿服务进社区,2025-03-02,".encode("gbk")
        + "护理一支部\n".encode()
    )
    assert "mixes two text encodings" in refused(personas, content, "list.csv")


def test_a_utf8_bom_before_gbk_text_is_refused(personas):
    content = b"\xef\xbb\xbf" + "标题,发布日期\n推文一,2025-03-01\n".encode("gbk")
    assert "mixes two text encodings" in refused(personas, content, "list.csv")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_a_csv_cleanly_in_one_encoding_is_imported(personas, encoding):
    content = "标题,发布日期\n青年理论学习第一期,2025-03-01\n志愿服务进社区,2025-03-02\n".encode(encoding)
    assert imported(personas, content, "list.csv") == ["志愿服务进社区", "青年理论学习第一期"]


def test_a_csv_with_a_field_longer_than_the_csv_module_allows_is_a_message(personas):
    content = ("标题,发布日期\n" + '"' + "长" * 200_000 + '",2025-03-01\n').encode()
    assert "cannot be read" in refused(personas, content, "list.csv")


# --- .xlsx: the same guards as the roster import -------------------------------------------


def test_an_export_list_with_too_many_cells_is_refused(personas, settings):
    settings.QINGYI_IMPORT_MAX_CELLS = 1000
    wide = "".join(text_cell("x") for _ in range(1200))
    content = raw_xlsx(sheet_xml([["标题", "发布日期"]], body=f'<row r="2">{wide}</row>'))
    assert "more than 1,000 cells" in refused(personas, content, "list.xlsx")


def test_an_export_list_numbering_a_row_in_the_millions_is_refused(personas):
    content = raw_xlsx(sheet_xml([["标题", "发布日期"]], body=f'<row r="900000000">{text_cell("x")}</row>'))
    assert "more than 20000 rows" in refused(personas, content, "list.xlsx")


def test_an_export_list_with_a_dtd_after_a_long_comment_is_refused(personas):
    rows = [["标题", "发布日期"], ["推文", "2025-03-01"]]
    content = raw_xlsx(sheet_xml(rows, prolog=LONG_COMMENT + BILLION_LAUGHS))
    assert "XML declarations (a DTD or entities)" in refused(personas, content, "list.xlsx")


def test_an_export_list_with_a_corrupt_compressed_part_is_a_message(personas, login):
    rows = [["标题", "发布日期"], *([f"推文{n}", "2025-03-01"] for n in range(50))]
    content = corrupt_part(_xlsx(rows), "xl/worksheets/sheet1.xml")
    assert "may be damaged" in refused(personas, content, "list.xlsx")
    client = login(personas.admin_a)
    client.raise_request_exception = False
    response = client.post(
        reverse("activities:publication_import"),
        {
            "file": SimpleUploadedFile("list.xlsx", content),
            "organization": personas.tree.branch_a.pk,
            "channel": "wechat",
            "category": "news",
        },
    )
    assert response.status_code == 200 and "may be damaged" in response.content.decode()


def test_an_export_list_over_the_time_budget_is_refused(personas, settings):
    settings.QINGYI_IMPORT_SECONDS = 0
    rows = [["标题", "发布日期"], *([f"推文{n}", "2025-03-01"] for n in range(600))]
    assert "took longer than" in refused(personas, _xlsx(rows), "list.xlsx")
    content = ("标题,发布日期\n" + "".join(f"推文{n},2025-03-01\n" for n in range(600))).encode()
    assert "took longer than" in refused(personas, content, "list.csv")


def test_an_upload_over_the_size_limit_is_refused_without_reading_it_all(personas, login, settings):
    settings.QINGYI_IMPORT_MAX_BYTES = 1000
    response = login(personas.admin_a).post(
        reverse("activities:publication_import"),
        {
            "file": SimpleUploadedFile("list.csv", b"title,date\n" + b"x,2025-03-01\n" * 200),
            "organization": personas.tree.branch_a.pk,
            "channel": "wechat",
            "category": "news",
        },
    )
    assert response.status_code == 200 and "at most 1000" in response.content.decode()
    assert not Publication.objects.exists()
