"""Hostile and broken workbooks: refused in one line, exit 65, fast, small, nothing written."""

from __future__ import annotations

import resource
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from crossover.workbook.preflight import UnsafeWorkbookError, preflight

from . import hostile

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_WORKBOOK = ROOT / "inputs" / "examples" / "document-intelligence.xlsx"
MEASURE = Path(__file__).with_name("measure.py")
MAX_SECONDS = 2.0
MAX_RSS_MB = 200

EXPECTED = {
    "zip-bomb": "part xl/worksheets/sheet1.xml expands to 419 MB; the tool reads at most 8 MB per sheet",
    "billion-laughs": "the workbook contains XML entity declarations",
    "external-entity": "the workbook contains XML entity declarations",
    "xls-renamed": "this is a legacy Excel 97-2003 (.xls) file, not an .xlsx workbook; open it in Excel or LibreOffice and save it as .xlsx",
    "macros": "the workbook contains macros (VBA); the tool does not read macro-enabled files: save it as a plain .xlsx workbook",
    "encrypted": "the workbook is password-protected (encrypted); save a copy without a password and send that",
    "csv-renamed": "this is a CSV file renamed to .xlsx, not an Excel workbook; fill in the template (crossover template) and save it as .xlsx",
    "empty": "the file is empty; expected an .xlsx workbook",
    "random-bytes": "this is not an Excel workbook (.xlsx); expected the filled-in template",
    "huge-string": "part xl/worksheets/sheet1.xml expands to 10 MB; the tool reads at most 8 MB per sheet",
    "truncated": "the file is damaged (a truncated or corrupted zip archive); send it again or re-save it in Excel or LibreOffice",
    "many-rows": "part xl/worksheets/",
}


def _build(name: str, tmp_path: Path) -> Path:
    target = tmp_path / f"{name}.xlsx"
    if name == "truncated":
        return hostile.truncated(target, EXAMPLE_WORKBOOK)
    if name == "many-rows":
        return hostile.many_rows(target, EXAMPLE_WORKBOOK)
    builder: Callable[[Path], Path] = hostile.HOSTILE[name]
    return builder(target)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_hostile_file_is_refused_in_one_line_fast_and_small(name: str, tmp_path: Path) -> None:
    path = _build(name, tmp_path)
    out_dir = tmp_path / "out"
    rss_file = tmp_path / "rss"
    # CPU seconds of the child, not wall time: the machine running the tests may be shared
    # (a load of 12 on 2 cores made every case miss 2 s of wall time while costing 0.5 s).
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(
        [sys.executable, str(MEASURE), str(rss_file), "report", str(path), "-o", str(out_dir)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    elapsed = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    assert done.returncode == 65, done.stderr
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith(f"Error: {path}: ")
    assert EXPECTED[name] in lines[0]
    assert "Traceback" not in done.stderr
    assert elapsed < MAX_SECONDS, f"{elapsed:.2f} s of CPU"
    assert int(rss_file.read_text()) / 1024 < MAX_RSS_MB
    assert not out_dir.exists() or not any(out_dir.iterdir())


def test_the_example_workbooks_pass_preflight() -> None:
    for path in sorted((ROOT / "inputs" / "examples").glob("*.xlsx")):
        preflight(path)
    preflight(ROOT / "inputs" / "template.xlsx")


def test_a_zip_without_workbook_parts_is_not_a_workbook(tmp_path: Path) -> None:
    import zipfile

    path = tmp_path / "photos.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("holiday.jpg", b"\xff\xd8\xff")
    with pytest.raises(UnsafeWorkbookError) as error:
        preflight(path)
    assert error.value.reason == (
        "the file is a zip archive but not an Excel workbook (it lacks [Content_Types].xml, "
        "xl/workbook.xml)"
    )
