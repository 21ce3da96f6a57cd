"""The safe spreadsheet writer every export uses."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest

from qingyi.core.exports import XLSX_CONTENT_TYPE, Sheet, neutralise, write_xlsx, xlsx_response


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ('=HYPERLINK("http://evil.example","点我")', '\'=HYPERLINK("http://evil.example","点我")'),
        ("+8613800000000", "'+8613800000000"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("张三", "张三"),
        ("a=b", "a=b"),
        ("", ""),
        (-5, -5),
        (3.5, 3.5),
        (None, None),
        (dt.date(2020, 1, 2), dt.date(2020, 1, 2)),
    ],
)
def test_text_that_could_start_a_formula_is_quoted(value, expected):
    assert neutralise(value) == expected


def test_characters_xml_cannot_hold_are_dropped():
    assert neutralise("张\x00三\x0b") == "张三"
    assert neutralise("\x01=1") == "'=1"  # dropped first, then neutralised


def _read(content: bytes, index: int = 0):
    return openpyxl.load_workbook(io.BytesIO(content)).worksheets[index]


def test_written_cells_are_text_not_formulas():
    content = write_xlsx(["姓名", "=BAD"], [["=1+1", "+1"], ["@x", "-1"], ["ok", -1]], title="名单")
    sheet = _read(content)
    assert sheet.title == "名单"
    assert [c.value for c in sheet[1]] == ["姓名", "'=BAD"]
    assert [c.value for c in sheet[2]] == ["'=1+1", "'+1"]
    assert [c.value for c in sheet[3]] == ["'@x", "'-1"]
    assert [c.value for c in sheet[4]] == ["ok", -1]
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
    assert sheet["A1"].font.bold and sheet.freeze_panes == "A2"


def test_dates_numbers_and_empty_cells_keep_their_types():
    content = write_xlsx(["a", "b", "c"], [[dt.date(1998, 5, 3), 42, None]])
    sheet = _read(content)
    assert sheet["A2"].is_date and sheet["A2"].value.date() == dt.date(1998, 5, 3)
    assert sheet["B2"].value == 42 and sheet["C2"].value is None


def test_rows_are_consumed_lazily_and_more_sheets_are_written():
    def rows():
        for n in range(3):
            yield [f"r{n}"]

    content = write_xlsx(["h"], rows(), widths=(20,), more_sheets=[Sheet("说明/notes?", ["k"], [["v"]])])
    assert [c.value for c in _read(content)["A"]] == ["h", "r0", "r1", "r2"]
    second = _read(content, 1)
    assert second.title == "说明notes" and second["A2"].value == "v"


def test_the_download_names_a_chinese_file():
    response = xlsx_response(b"PK", "花名册-20250101.xlsx")
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    disposition = response["Content-Disposition"]
    assert (
        disposition.startswith("attachment;")
        and "filename*=utf-8''%E8%8A%B1%E5%90%8D%E5%86%8C" in disposition
    )
    assert response["Cache-Control"] == "no-store"
