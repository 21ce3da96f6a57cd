"""The workbook write_xlsx produces (XlsxWriter's constant-memory mode): well-formed parts, every cell
type read back, and what Excel refuses refused or made valid."""

from __future__ import annotations

import datetime as dt
import io
import xml.etree.ElementTree as ET
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from django.utils.functional import lazy

from qingyi.core.exports import CELL_TEXT_MAX, Sheet, write_xlsx


def _book(content: bytes, **kwargs):
    return openpyxl.load_workbook(io.BytesIO(content), **kwargs)


def test_every_part_is_well_formed_xml_and_declared():
    content = write_xlsx(["a&b", "<c>"], [["x & y", 1]], more_sheets=[Sheet("two", ["k"], [["v"]])])
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        names = set(archive.namelist())
        for name in names:
            ET.fromstring(archive.read(name))  # raises on a malformed part
        types = archive.read("[Content_Types].xml").decode()
    assert {"xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml", "xl/styles.xml"} <= names
    assert "/xl/worksheets/sheet2.xml" in types and "/xl/workbook.xml" in types


def test_values_read_back_with_their_types():
    naive = dt.datetime(2024, 3, 5, 14, 30, 15)
    rows = [
        ["  spaced  ", True, 2.25, Decimal("3.50"), naive, dt.time(8, 15), "a & b <c>", 12345678901],
        [None, False, -0.5, Decimal(0), dt.date(1999, 12, 31), "", "多行\n文本", 0],
    ]
    sheet = _book(write_xlsx(list("ABCDEFGH"), rows)).active
    first = [c.value for c in sheet[2]]
    assert first[:4] == ["  spaced  ", True, 2.25, 3.5]
    assert first[4] == naive and sheet["E2"].is_date
    assert first[5] == dt.time(8, 15)
    assert first[6:] == ["a & b <c>", 12345678901]
    second = [c.value for c in sheet[3]]
    assert second[0] is None and second[1] is False and second[2] == -0.5 and second[3] == 0
    assert second[4].date() == dt.date(1999, 12, 31) and sheet["E3"].number_format == "yyyy-mm-dd"
    assert second[5] is None and second[6] == "多行\n文本" and second[7] == 0


def test_lazy_text_is_written_and_neutralised():
    text = lazy(lambda: "=SUM(A1)", str)()
    sheet = _book(write_xlsx([lazy(lambda: "标题", str)()], [[text]])).active
    assert sheet["A1"].value == "标题" and sheet["A2"].value == "'=SUM(A1)"


def test_widths_frozen_header_and_bold_stay():
    sheet = _book(write_xlsx(["姓名", "时长"], [["张三", 1]], widths=(14, 9))).active
    # XlsxWriter stores the width Excel shows as 14 characters: 14 plus the cell padding (5 of 7 px).
    assert 14 < sheet.column_dimensions["A"].width < 15 and 9 < sheet.column_dimensions["B"].width < 10
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].font.bold and sheet["B1"].font.bold and not sheet["A2"].font.bold


def test_rows_longer_than_the_header_and_generators_as_rows():
    rows = [(x for x in ["a", "b", "c"]), ("d",)]
    sheet = _book(write_xlsx(["h"], rows)).active
    assert [c.value for c in sheet[2]] == ["a", "b", "c"]
    assert sheet["A3"].value == "d" and sheet["B3"].value is None


def test_over_long_text_is_cut_at_excels_limit():
    sheet = _book(write_xlsx(["h"], [["x" * (CELL_TEXT_MAX + 10)]])).active
    assert len(sheet["A2"].value) == CELL_TEXT_MAX


def test_repeated_and_bad_sheet_titles_are_made_valid():
    content = write_xlsx(
        ["h"], [], title="名单", more_sheets=[Sheet("名单", ["k"], []), Sheet("[]:*?/\\", ["k"], [])]
    )
    assert _book(content).sheetnames == ["名单", "名单1", "Sheet"]


def test_many_rows_stream_and_read_back_in_read_only_mode():
    rows = ([f"志愿者{i}", i, Decimal(i) / 4] for i in range(3000))
    book = _book(write_xlsx(["姓名", "序号", "时长"], rows), read_only=True)
    values = list(book.active.iter_rows(min_row=2, values_only=True))
    assert len(values) == 3000
    assert values[0] == ("志愿者0", 0, 0) and values[-1] == ("志愿者2999", 2999, 749.75)


def test_timezone_aware_datetimes_and_unknown_types_are_refused():
    aware = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    with pytest.raises(TypeError):
        write_xlsx(["h"], [[aware]])
    with pytest.raises(ValueError):
        write_xlsx(["h"], [[object()]])


def test_not_a_number_is_written_as_text():
    sheet = _book(write_xlsx(["h"], [[float("nan"), Decimal("Infinity")]])).active
    assert sheet["A2"].value == "nan" and sheet["B2"].value == "Infinity"


def test_the_table_writer_holds_text_and_numbers_as_write_xlsx_does():
    from qingyi.core.exports import write_xlsx_table

    rows = [["=cmd|' /C calc'!A0", None, Decimal("2.50"), 3], ("普通", "多行\n文本", 0, Decimal(0))]
    headers = ["姓名", "备注", "时长", "次数"]
    content = write_xlsx_table(headers, rows, title="时长[2025]", widths=(14, 9), numbers=(2, 3))
    book = _book(content)
    sheet = book.active
    assert book.sheetnames == ["时长2025"]
    assert [c.value for c in sheet[1]] == ["姓名", "备注", "时长", "次数"]
    assert [c.value for c in sheet[2]] == ["'=cmd|' /C calc'!A0", None, 2.5, 3]
    assert [c.value for c in sheet[3]] == ["普通", "多行\n文本", 0, 0]
    assert sheet["A1"].font.bold and not sheet["A2"].font.bold and sheet.freeze_panes == "A2"
    assert 14 < sheet.column_dimensions["A"].width < 15 and 9 < sheet.column_dimensions["B"].width < 10
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for name in archive.namelist():
            ET.fromstring(archive.read(name))


def test_the_table_writer_refuses_what_it_cannot_hold():
    from qingyi.core.exports import write_xlsx_table

    with pytest.raises(ValueError):
        write_xlsx_table(["a", "a"], [])  # a table's columns are named by their headers
    with pytest.raises(TypeError):
        write_xlsx_table(["a", "n"], [["x", "3"]], numbers=(1,))  # text in a number column
    with pytest.raises(ValueError):
        write_xlsx_table(["a", "n"], [["x", float("nan")]], numbers=(1,))


def test_an_empty_table_still_has_its_header_row():
    """A branch with no volunteers yet exports a sheet with the column names, not a blank one."""
    import io

    import openpyxl

    from qingyi.core.exports import write_xlsx_table

    content = write_xlsx_table(["姓名", "时长"], [], numbers=[1], widths=[10, 8])
    rows = list(openpyxl.load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
    assert rows == [("姓名", "时长")]
