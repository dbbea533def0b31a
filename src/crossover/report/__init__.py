"""The client report: branded HTML and PDF from an analysis, with the results JSON beside them."""

from __future__ import annotations

import json
from pathlib import Path

from crossover.delivery.files import write_set
from crossover.delivery.outputs import output_stem
from crossover.engine.results import Results
from crossover.errors import InputError
from crossover.report.brand import Brand, brand_or_default, default_brand, load_brand
from crossover.report.changes import Comparison
from crossover.report.render import render_html, render_pdf

__all__ = [
    "FORMATS",
    "Brand",
    "Comparison",
    "brand_or_default",
    "default_brand",
    "load_brand",
    "render_report",
    "report_files",
]

FORMATS = frozenset({"pdf", "html"})


def render_report(
    results: Results, out_dir: Path, formats: set[str], brand: Brand, name: str | None = None
) -> list[Path]:
    """Write the report as `<client-slug>-<report-date>.pdf` / `.html` and the results JSON beside them.

    Everything is rendered in memory first and each file is replaced atomically, so a failed
    render writes nothing and leaves an earlier report for the same client as it was.
    Returns the paths written: the documents in the order pdf, html, then the results JSON.
    """
    unknown = sorted(formats - FORMATS)
    if unknown or not formats:
        raise InputError(
            f"report format {', '.join(unknown) or '(none)'}: expected one or more of pdf, html"
        )
    outputs = report_files(results, out_dir, formats, brand, output_stem(results, name))
    write_set(outputs)
    return [path for path, _ in outputs]


def report_files(
    results: Results,
    out_dir: Path,
    formats: set[str],
    brand: Brand,
    stem: str,
    comparison: Comparison | None = None,
) -> list[tuple[Path, bytes]]:
    """The report's files rendered in memory, not yet written: pdf, html, then the results JSON.

    comparison: an earlier version; the report ends with what changed since, and the results
    JSON carries it under `comparison`, as `crossover diff --json` writes it.
    """
    html = render_html(results, brand, comparison)
    outputs: list[tuple[Path, bytes]] = []
    if "pdf" in formats:
        outputs.append((out_dir / f"{stem}.pdf", render_pdf(html, brand)))
    if "html" in formats:
        outputs.append((out_dir / f"{stem}.html", html.encode("utf-8")))
    outputs.append((out_dir / f"{stem}-results.json", results_json(results, comparison)))
    return outputs


def results_json(results: Results, comparison: Comparison | None = None) -> bytes:
    """The results as JSON; with a comparison, `crossover diff --json`'s document under
    `comparison` (`crossover email` reads the results and leaves it aside)."""
    if comparison is None:
        return (results.model_dump_json(indent=2) + "\n").encode()
    data = results.model_dump(mode="json")
    data["comparison"] = comparison.diff.model_dump(mode="json")
    return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode()
