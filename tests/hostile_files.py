"""Crafted spreadsheets for the import tests: small files that used to hurt data or the server."""

from __future__ import annotations

import io
import zipfile

NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
LONG_COMMENT = "<!--" + "x" * 6000 + "-->"  # longer than the 4 KB the old DTD check read
BILLION_LAUGHS = (
    '<!DOCTYPE worksheet [<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">'
    '<!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;"><!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">'
    '<!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;"><!ENTITY h "&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;">]>'
)
EXTERNAL_ENTITY = '<!DOCTYPE sst [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


def text_cell(text: str, ref: str = "") -> str:
    r = f' r="{ref}"' if ref else ""
    return f'<c{r} t="inlineStr"><is><t>{text}</t></is></c>'


def sheet_xml(rows: list[list[str]], *, prolog: str = "", body: str = "") -> str:
    """A worksheet of inline-string rows; ``body`` is added inside sheetData as is."""
    lines = "".join(
        f'<row r="{n}">{"".join(text_cell(value) for value in row)}</row>' for n, row in enumerate(rows, 1)
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>{prolog}'
        f"<worksheet {NS}><sheetData>{lines}{body}</sheetData></worksheet>"
    )


def raw_xlsx(sheet: str, *, strings: str | None = None, workbook_prolog: str = "") -> bytes:
    """A minimal .xlsx around a worksheet's XML (and a shared strings part), written directly."""
    buffer = io.BytesIO()
    overrides = (
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    )
    relations = f'<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>'
    if strings is not None:
        overrides += (
            '<Override PartName="/xl/sharedStrings.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        )
        relations += f'<Relationship Id="rId2" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>'
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            f'<Default Extension="xml" ContentType="application/xml"/>{overrides}</Types>',
        )
        archive.writestr(
            "_rels/.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        archive.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0" encoding="UTF-8"?>{workbook_prolog}<workbook {NS} xmlns:r="{REL}">'
            '<sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f"{relations}</Relationships>",
        )
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
        if strings is not None:
            archive.writestr("xl/sharedStrings.xml", strings)
    return buffer.getvalue()


def strings_xml(count: int, *, prolog: str = "", first: str = "x") -> str:
    items = f"<si><t>{first}</t></si>" + "<si><t>s</t></si>" * (count - 1)
    return f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<sst {NS} count="{count}">{items}</sst>'


def corrupt_part(content: bytes, name: str) -> bytes:
    """The workbook with one part's compressed stream broken: an invalid deflate block (a zlib error)."""
    archive = zipfile.ZipFile(io.BytesIO(content))
    info = archive.getinfo(name)
    data = bytearray(content)
    # The local header: 30 bytes, then the name and the extra field, then the data.
    name_length = int.from_bytes(data[info.header_offset + 26 : info.header_offset + 28], "little")
    extra_length = int.from_bytes(data[info.header_offset + 28 : info.header_offset + 30], "little")
    start = info.header_offset + 30 + name_length + extra_length
    data[start] = 0x07  # final block of the reserved type 3: "invalid block type"
    return bytes(data)
