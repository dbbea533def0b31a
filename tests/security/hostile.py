"""Builders of broken and hostile workbook files, made fresh in each test run (no binaries committed)."""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Callable
from pathlib import Path

MINIMAL_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        "</Types>"
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>"
    ),
    "xl/workbook.xml": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="Workload" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
        "</Relationships>"
    ),
    "xl/worksheets/sheet1.xml": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>hello</t></is></c></row></sheetData>'
        "</worksheet>"
    ),
}


def _zip(path: Path, parts: dict[str, str | bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return path


def zip_bomb(path: Path) -> Path:
    """A sheet of 400 MB of zeros that compresses to well under a megabyte."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, data in MINIMAL_PARTS.items():
            if name != "xl/worksheets/sheet1.xml":
                archive.writestr(name, data)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            chunk = b"0" * (1024 * 1024)
            for _ in range(400):
                member.write(chunk)
    path.write_bytes(buffer.getvalue())
    return path


def billion_laughs(path: Path) -> Path:
    lol = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
        for i in range(1, 10)
    )
    sheet = (
        f'<?xml version="1.0"?><!DOCTYPE lolz [{lol}]>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>'
        "</sheetData></worksheet>"
    )
    return _zip(path, {**MINIMAL_PARTS, "xl/worksheets/sheet1.xml": sheet})


def external_entity(path: Path) -> Path:
    sheet = (
        '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&xxe;</t></is></c></row>'
        "</sheetData></worksheet>"
    )
    return _zip(path, {**MINIMAL_PARTS, "xl/worksheets/sheet1.xml": sheet})


def xls_renamed(path: Path) -> Path:
    """An OLE2 compound file: what Excel 97-2003 writes."""
    path.write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 504 + "Workbook".encode("utf-16-le"))
    return path


def encrypted(path: Path) -> Path:
    """A password-protected .xlsx is an OLE2 file holding an EncryptedPackage stream."""
    body = b"\x00" * 504 + "EncryptionInfo".encode("utf-16-le") + "EncryptedPackage".encode("utf-16-le")
    path.write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + body)
    return path


def with_macros(path: Path) -> Path:
    content_types = MINIMAL_PARTS["[Content_Types].xml"].replace(
        "sheet.main+xml", "sheet.macroEnabled.main+xml"
    )
    return _zip(
        path,
        {**MINIMAL_PARTS, "[Content_Types].xml": content_types, "xl/vbaProject.bin": b"\xcc" * 512},
    )


def csv_renamed(path: Path) -> Path:
    path.write_text("client_name,input_mtok_per_day\nAcme,720\n")
    return path


def empty(path: Path) -> Path:
    path.write_bytes(b"")
    return path


def truncated(path: Path, valid: Path) -> Path:
    data = valid.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def random_bytes(path: Path) -> Path:
    path.write_bytes(os.urandom(64 * 1024))
    return path


def huge_string(path: Path) -> Path:
    """A 10 MB string in one cell."""
    sheet = (
        '<?xml version="1.0"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>'
        + "x" * (10 * 1024 * 1024)
        + "</t></is></c></row></sheetData></worksheet>"
    )
    return _zip(path, {**MINIMAL_PARTS, "xl/worksheets/sheet1.xml": sheet})


def many_rows(path: Path, template_filled: Path) -> Path:
    """The example workbook with 100,000 rows appended to the Tiers table."""
    from openpyxl import load_workbook

    workbook = load_workbook(template_filled)
    sheet = workbook["Tiers"]
    table = sheet.tables["Tiers"]
    first_col, _ = table.ref.split(":")
    start = sheet.max_row + 1
    for r in range(start, start + 100_000):
        sheet.cell(row=r, column=1, value=f"tier-{r}")
        sheet.cell(row=r, column=2, value=0.001)
        sheet.cell(row=r, column=3, value="openai/gpt-4o-mini")
    last_col = table.ref.split(":")[1].rstrip("0123456789")
    table.ref = f"{first_col}:{last_col}{start + 100_000 - 1}"
    workbook.save(path)
    return path


HOSTILE: dict[str, Callable[[Path], Path]] = {
    "zip-bomb": zip_bomb,
    "billion-laughs": billion_laughs,
    "external-entity": external_entity,
    "xls-renamed": xls_renamed,
    "macros": with_macros,
    "encrypted": encrypted,
    "csv-renamed": csv_renamed,
    "empty": empty,
    "random-bytes": random_bytes,
    "huge-string": huge_string,
}
