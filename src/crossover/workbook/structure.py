"""Workbook structures openpyxl misreads or reports in its own words: Strict OOXML, duplicate tables.

Checked on the zip's parts after preflight (which has refused entity declarations, so the
standard XML parser is safe here) and before openpyxl opens the file.
"""

from __future__ import annotations

import posixpath
import zipfile
from pathlib import Path
from xml.etree import ElementTree

from crossover.inert import clip, visible
from crossover.workbook import layout

STRICT_NAMESPACE = "http://purl.oclc.org/ooxml/spreadsheetml/main"
"""The main namespace of a "Strict Open XML Spreadsheet"; an ordinary .xlsx uses openxmlformats.org's."""

STRICT = (
    'the workbook was saved as "Strict Open XML Spreadsheet", a variant of .xlsx the tool cannot '
    'read; save it again as an ordinary "Excel Workbook (*.xlsx)" (File > Save As in Excel, or '
    '"Excel 2007-365" in LibreOffice) and send that'
)


def structure_problem(path: Path) -> str | None:
    """One sentence on what in the file's structure stops it being read, or None."""
    with zipfile.ZipFile(path) as archive:
        workbook = _parse(archive, "xl/workbook.xml")
        if workbook is None:
            return None
        if workbook.tag.startswith("{" + STRICT_NAMESPACE + "}"):
            return STRICT
        return _duplicate_table(archive, workbook)


def _duplicate_table(archive: zipfile.ZipFile, workbook: ElementTree.Element) -> str | None:
    """Excel allows one table of a name, in any capitals; openpyxl fails on a second one."""
    homes = {spec.table.casefold(): spec.sheet for spec in layout.sections() if spec.is_table}
    seen: dict[str, str] = {}
    for name, where in _tables(archive, workbook):
        key = name.casefold()
        if key in seen:
            home = homes.get(key)
            fix = (
                f"keep the name {name} for the table on the {home} sheet and rename the other"
                if home
                else "rename one of them"
            )
            return (
                f"two tables are named {name} ({seen[key]} and {where}), but Excel allows one "
                f"table of a name; {fix} (Table Design > Table Name), and send the workbook again"
            )
        seen[key] = where
    return None


def _tables(archive: zipfile.ZipFile, workbook: ElementTree.Element) -> list[tuple[str, str]]:
    """(table name, 'on the Tiers sheet at B4:N12') for every table, in the sheets' order."""
    targets = _relationships(archive, "xl/workbook.xml")
    found = []
    for element in workbook.iter():
        if _local(element.tag) != "sheet":
            continue
        title = element.get("name", "")
        rel = next((v for k, v in element.attrib.items() if _local(k) == "id"), None)
        sheet_part = targets.get(rel or "")
        if sheet_part is None:
            continue
        for table_part in _relationships(archive, sheet_part).values():
            table = _parse(archive, table_part)
            if table is None or _local(table.tag) != "table":
                continue
            name = clip(visible(table.get("displayName") or table.get("name") or ""), 60)
            ref = clip(visible(table.get("ref", "?")), 30)
            found.append((name, f"on the {clip(visible(title), 60)} sheet at {ref}"))
    return found


def _relationships(archive: zipfile.ZipFile, part: str) -> dict[str, str]:
    """A part's relationship ids -> the parts they point to, as archive member names."""
    folder, name = posixpath.split(part)
    rels = _parse(archive, posixpath.join(folder, "_rels", name + ".rels"))
    if rels is None:
        return {}
    targets = {}
    for element in rels:
        target = element.get("Target", "")
        if element.get("TargetMode") == "External" or not target:
            continue
        member = (
            target.lstrip("/")
            if target.startswith("/")
            else posixpath.normpath(posixpath.join(folder, target))
        )
        targets[element.get("Id", "")] = member
    return targets


def _parse(archive: zipfile.ZipFile, member: str) -> ElementTree.Element | None:
    try:
        return ElementTree.fromstring(archive.read(member))
    except (KeyError, ElementTree.ParseError):
        # A missing or broken part is openpyxl's to report, with the reader's message.
        return None


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]
