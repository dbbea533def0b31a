"""The files one analysis becomes: the report documents, the results JSON and the results workbook."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from crossover.engine.results import Results

if TYPE_CHECKING:
    from crossover.report import Brand

REPORT_FORMATS = frozenset({"pdf", "html"})
"""What crossover.report renders; xlsx (the results workbook) is written here."""


def write_outputs(
    results: Results,
    out_dir: Path,
    formats: frozenset[str],
    brand: Brand | None,
    name: str | None = None,
) -> list[Path]:
    """Write every asked-for format, each file atomically; returns the paths written.

    name: the files' stem (a version's name) instead of the client's name and report date."""
    written: list[Path] = []
    report_formats = set(formats & REPORT_FORMATS)
    if report_formats:
        from crossover.report import render_report

        assert brand is not None, "pdf and html need a brand"
        written += render_report(results, out_dir, report_formats, brand, name)
    if "xlsx" in formats:
        from crossover.delivery.results_workbook import write_results_workbook
        from crossover.report import report_stem

        workbook = out_dir / f"{report_stem(results, name)}-results.xlsx"
        write_results_workbook(results, workbook)
        written.append(workbook)
    return written
