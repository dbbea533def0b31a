"""Refuse broken or hostile workbook files before openpyxl sees a byte of them.

openpyxl trusts the file name's extension, expands zip members without limit and reads
macro-enabled files silently (SECURITY.md, What we measured). Every check here costs
milliseconds and ends in one plain sentence.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from defusedxml.ElementTree import fromstring

from crossover.errors import InputError
from crossover.limits import MAX_DIGITS

MAX_FILE_BYTES = 20 * 1024 * 1024
"""A client workbook is tens of kilobytes; 20 MB is generous."""
MAX_MEMBERS = 500
MAX_TOTAL_UNCOMPRESSED = 40 * 1024 * 1024
MAX_MEMBER_UNCOMPRESSED = 8 * 1024 * 1024
"""One sheet's XML: the template's largest is under 100 KB."""
MAX_RATIO = 100
"""Spreadsheet XML compresses 5–30×; far beyond that is a zip bomb."""
RATIO_APPLIES_ABOVE = 256 * 1024
REQUIRED_PARTS = ("[Content_Types].xml", "xl/workbook.xml")

OLE2_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
ZIP_MAGIC = b"PK\x03\x04"
ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
# A numeric cell (no t="s", "str", "inlineStr", "e" or "b") whose value is a run of digits
# longer than any quantity: openpyxl turns it into an int, which fails past 4,300 digits
# with a message about invalid XML.
_LONG_NUMBER = re.compile(
    rb'<c r="([A-Z]{1,3}[0-9]{1,7})"(?![^>]*\bt="(?:s|str|inlineStr|e|b)")[^>]*>'
    rb"(?:<f[^>]*/>|<f[^>]*>[^<]*</f>)?<v>\s*[-+]?([0-9]{%d,})\s*</v>" % (MAX_DIGITS + 1)
)
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_RELATIONSHIP_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


class UnsafeWorkbookError(InputError):
    """Raised when a workbook file is refused before it is opened: broken, hostile or not a workbook."""

    def __init__(self, path: Path, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}")


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int = MAX_FILE_BYTES
    max_members: int = MAX_MEMBERS
    max_total_uncompressed: int = MAX_TOTAL_UNCOMPRESSED
    max_member_uncompressed: int = MAX_MEMBER_UNCOMPRESSED
    max_ratio: float = MAX_RATIO


def assert_defusedxml() -> None:
    """openpyxl refuses XML entity attacks only when defusedxml is installed: insist on it."""
    import openpyxl

    if not getattr(openpyxl, "DEFUSEDXML", False):
        raise InputError(
            "defusedxml is not installed, so workbooks cannot be read safely; "
            "reinstall crossover (pip install llm-crossover) to bring it in"
        )


def preflight(path: Path, limits: Limits = Limits()) -> None:
    """Raise UnsafeWorkbookError unless path looks like a plain, sane .xlsx workbook."""

    def refuse(reason: str) -> UnsafeWorkbookError:
        return UnsafeWorkbookError(path, reason)

    try:
        size = path.stat().st_size
        with path.open("rb") as f:
            head = f.read(4096)
    except OSError as e:
        raise refuse(f"cannot read the file ({e.strerror})") from None
    if size == 0:
        raise refuse("the file is empty; expected an .xlsx workbook")
    if size > limits.max_file_bytes:
        raise refuse(
            f"the file is {size / 1e6:.1f} MB; a client workbook is far smaller, and the tool "
            f"reads at most {limits.max_file_bytes / 1e6:.0f} MB"
        )
    if head.startswith(OLE2_MAGIC):
        if ENCRYPTED_STREAM in path.read_bytes():
            raise refuse(
                "the workbook is password-protected (encrypted); save a copy without a password "
                "and send that"
            )
        raise refuse(
            "this is a legacy Excel 97-2003 (.xls) file, not an .xlsx workbook; open it in "
            "Excel or LibreOffice and save it as .xlsx"
        )
    if not head.startswith(ZIP_MAGIC):
        raise refuse(_not_a_workbook(head))
    try:
        with zipfile.ZipFile(path) as archive:
            _check_archive(archive, limits, refuse)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, zipfile.LargeZipFile):
        # A damaged deflate stream raises zlib.error, an unknown method NotImplementedError.
        raise refuse(
            "the file is damaged (a truncated or corrupted zip archive); send it again or "
            "re-save it in Excel or LibreOffice"
        ) from None


def _not_a_workbook(head: bytes) -> str:
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        text = ""
    if text and all(c.isprintable() or c in "\r\n\t" for c in text.lstrip("\ufeff")):
        kind = "a CSV file" if any(sep in text for sep in ",;\t") else "a text file"
        return (
            f"this is {kind} renamed to .xlsx, not an Excel workbook; fill in the template "
            "(crossover template) and save it as .xlsx"
        )
    return "this is not an Excel workbook (.xlsx); expected the filled-in template"


def _check_archive(
    archive: zipfile.ZipFile, limits: Limits, refuse: Callable[[str], UnsafeWorkbookError]
) -> None:
    members = archive.infolist()
    names = {m.filename for m in members}
    if len(members) > limits.max_members:
        raise refuse(f"the workbook has {len(members)} parts; a workbook has a few dozen")
    if "xl/vbaProject.bin" in names or any(
        n.lower().endswith(".bin") and "vba" in n.lower() for n in names
    ):
        raise refuse(
            "the workbook contains macros (VBA); the tool does not read macro-enabled files: "
            "save it as a plain .xlsx workbook"
        )
    missing = [p for p in REQUIRED_PARTS if p not in names]
    if missing:
        raise refuse(
            f"the file is a zip archive but not an Excel workbook (it lacks {', '.join(missing)})"
        )
    total = 0
    for member in members:
        total += member.file_size
        if member.file_size > limits.max_member_uncompressed:
            raise refuse(
                f"part {member.filename} expands to {member.file_size / 1e6:.0f} MB; the tool "
                f"reads at most {limits.max_member_uncompressed / 1e6:.0f} MB per sheet (far "
                "more than a filled-in template holds)"
            )
        compressed = max(member.compress_size, 1)
        if (
            member.file_size > RATIO_APPLIES_ABOVE
            and member.file_size / compressed > limits.max_ratio
        ):
            raise refuse(
                f"part {member.filename} expands {member.file_size / compressed:,.0f}-fold; "
                "a file built to exhaust memory (a zip bomb) is refused"
            )
    if total > limits.max_total_uncompressed:
        raise refuse(
            f"the workbook expands to {total / 1e6:.0f} MB; the tool reads at most "
            f"{limits.max_total_uncompressed / 1e6:.0f} MB"
        )
    content_types = archive.read("[Content_Types].xml")
    if b"macroEnabled" in content_types or b"vbaProject" in content_types:
        raise refuse(
            "the workbook is macro-enabled; the tool does not read macro-enabled files: save "
            "it as a plain .xlsx workbook"
        )
    for member in members:
        # Reading checks each part's CRC (BadZipFile otherwise); Excel never writes a DOCTYPE,
        # so one is an attack on XML readers (entity expansion, external entities).
        data = archive.read(member)
        if member.filename.endswith((".xml", ".rels")) and (
            b"<!DOCTYPE" in data or b"<!ENTITY" in data
        ):
            raise refuse(
                f"the workbook contains XML entity declarations (in {member.filename}), which "
                "Excel never writes: a file built to attack XML readers is refused"
            )
        if member.filename.startswith("xl/worksheets/"):
            long_number = _LONG_NUMBER.search(data)
            if long_number:
                cell = long_number.group(1).decode("ascii")
                sheet = _sheet_names(archive).get(member.filename, member.filename)
                raise refuse(
                    f"{sheet}!{cell} holds a number with {len(long_number.group(2)):,} digits; "
                    f"numbers have at most {MAX_DIGITS}: check the number and its unit"
                )


def _sheet_names(archive: zipfile.ZipFile) -> dict[str, str]:
    """Each worksheet part's sheet name (xl/worksheets/sheet3.xml: Workload); {} if unreadable."""
    try:
        book = fromstring(archive.read("xl/workbook.xml"), forbid_dtd=True)
        rels = fromstring(archive.read("xl/_rels/workbook.xml.rels"), forbid_dtd=True)
    except Exception:  # a name only improves the message; the part's own name will do
        return {}
    targets = {
        rel.get("Id"): "xl/" + (rel.get("Target") or "").removeprefix("/xl/") for rel in rels
    }
    return {
        targets.get(sheet.get(_RELATIONSHIP_ID), ""): sheet.get("name", "")
        for sheet in book.iter(f"{_MAIN}sheet")
    }
