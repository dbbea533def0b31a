"""Workbook test helpers: a valid scenario, ways to reach and spoil cells, real LibreOffice."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.cell import Cell
from openpyxl.utils.cell import range_boundaries

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "inputs" / "examples").glob("*.json"))

# Valid, and close to a real client: two tiers (one self-hosted), a deployment, an override.
BASE: dict[str, Any] = {
    "client": {"client_name": "Acme Health", "report_date": "2026-11-27"},
    "workload": {"input_mtok_per_day": 500, "output_mtok_per_day": 120},
    "tiers": [
        {
            "tier": "chat",
            "share_pct": 70,
            "api_model": "openai/gpt-4o",
            "route": "self_host",
            "deployment": "llama70-h100",
        },
        {
            "tier": "nightly",
            "share_pct": 30,
            "api_model": "anthropic/claude-haiku-4-5",
            "api_mode": "batch",
        },
    ],
    "deployments": [
        {
            "deployment": "llama70-h100",
            "model": "llama-3.3-70b",
            "precision": "fp8",
            "gpu": "h100-sxm",
        }
    ],
    "price_overrides": [
        {"api_model": "openai/gpt-4o", "input_per_mtok": 2.0, "output_per_mtok": 8.0}
    ],
}


Spoiler = Callable[[Workbook], None]


def spoil(path: Path, change: Spoiler) -> Path:
    """Open a workbook, change it as a client might, and save it back in place."""
    workbook = load_workbook(path)
    change(workbook)
    workbook.save(path)
    return path


def named(workbook: Workbook, name: str) -> Cell:
    """The cell a workbook-scoped defined name points to."""
    ((sheet, coordinate),) = workbook.defined_names[name].destinations
    cell = workbook[sheet][coordinate.replace("$", "")]
    assert isinstance(cell, Cell)
    return cell


def table_cell(workbook: Workbook, table: str, row: int, column: str) -> Cell:
    """The cell of a table's data row (0-based) under the header named `column`."""
    for sheet in workbook.worksheets:
        if table in sheet.tables:
            first_column, header_row, last_column, _ = range_boundaries(sheet.tables[table].ref)
            assert first_column is not None and header_row is not None
            assert last_column is not None
            for number in range(first_column, last_column + 1):
                if sheet.cell(header_row, number).value == column:
                    return sheet.cell(header_row + 1 + row, number)
    raise KeyError(f"{table}[{column}]")


def soffice(source: Path, target_format: str, outdir: Path, profile: Path) -> Path:
    """Convert with real LibreOffice, in a profile of its own so that runs never clash."""
    executable = shutil.which("soffice")
    if executable is None:
        pytest.fail("LibreOffice (soffice) is not installed")
    completed = subprocess.run(
        [
            executable,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            target_format,
            "--outdir",
            str(outdir),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    extension = target_format.split(":")[0]
    result = outdir / f"{source.stem}.{extension}"
    assert completed.returncode == 0, completed.stderr
    assert result.is_file(), completed.stdout + completed.stderr
    return result
