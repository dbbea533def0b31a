"""Extreme numbers typed into a workbook: each a clear error with its cell or field, exit 65 (issue 13)."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import load_workbook

from crossover.cli import main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_WORKBOOK = ROOT / "inputs" / "examples" / "document-intelligence.xlsx"
DIGITS = "1" + "0" * 5000


def with_volume(path: Path, value: float | str) -> Path:
    """The example workbook with input_mtok_per_day (Workload!C5) set to value, as openpyxl saves it."""
    workbook = load_workbook(EXAMPLE_WORKBOOK)
    ((sheet, coordinate),) = workbook.defined_names["input_mtok_per_day"].destinations
    workbook[sheet][coordinate.replace("$", "")].value = value
    workbook.save(path)
    return path


def with_raw_volume(path: Path, digits: str) -> Path:
    """The same cell holding a numeric value of these digits, written straight into the XML.

    openpyxl cannot save such an int (nor can Excel), but a file can hold it.
    """
    marked = with_volume(path.with_suffix(".marked.xlsx"), 987654.0)
    with zipfile.ZipFile(marked) as source, zipfile.ZipFile(path, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            target.writestr(info, data.replace(b"<v>987654</v>", f"<v>{digits}</v>".encode()))
    return path


RANGE = "(non-zero amounts from 1e-15 to 1e+15); check the number and its unit"
CASES: dict[str, tuple[Callable[[Path], Path], str]] = {
    "1e308": (
        lambda p: with_volume(p, 1e308),
        f"  workload.input_mtok_per_day: 1e+308 is outside the range the tool computes with {RANGE}",
    ),
    "1e-308": (
        lambda p: with_volume(p, 1e-308),
        f"  workload.input_mtok_per_day: 1e-308 is outside the range the tool computes with {RANGE}",
    ),
    "5001-digits-typed-as-text": (
        lambda p: with_volume(p, DIGITS),
        "  Workload!C5 (input_mtok_per_day): expected a number of millions of tokens per day (0 "
        f'or more), found "1{"0" * 56}…"',  # the value cut to 60 characters with its quotes
    ),
    "5001-digits-as-a-number": (
        lambda p: with_raw_volume(p, DIGITS),
        "Workload!C5 holds a number with 5,001 digits; numbers have at most 30: check the "
        "number and its unit",
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_an_extreme_number_in_a_workbook_is_a_clear_error(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    build, message = CASES[name]
    path = build(tmp_path / f"{name}.xlsx")
    with pytest.raises(SystemExit) as exit_info:
        main(["analyse", str(path)])
    out, err = capsys.readouterr()
    assert (exit_info.value.code, out) == (65, "")
    lines = err.splitlines()
    assert message in lines or f"Error: {path}: {message}" in lines, err
    assert "internal error" not in err and "invalid XML" not in err
