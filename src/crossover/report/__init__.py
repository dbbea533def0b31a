"""The client report: branded HTML and PDF from an analysis, with the results JSON beside them."""

from __future__ import annotations

import json
from pathlib import Path

from crossover.delivery.outputs import write_outputs
from crossover.engine.results import Results
from crossover.errors import InputError
from crossover.report.brand import Brand, brand_or_default, default_brand, load_brand
from crossover.report.changes import Comparison

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
    results: Results,
    out_dir: Path,
    formats: set[str],
    brand: Brand,
    name: str | None = None,
    *,
    force: bool = False,
) -> list[Path]:
    """Write the report as `<client-slug>-<report-date>.pdf` / `.html` and the results JSON beside them.

    Everything is rendered in memory first and written as one set with its manifest
    (crossover.delivery.outputs.write_outputs): a failed render writes nothing, and an earlier
    report for the same client is kept, the new one taking a version suffix (`-2`), unless
    force replaces it. Returns the paths written: pdf, html, then the results JSON.
    """
    unknown = sorted(formats - FORMATS)
    if unknown or not formats:
        raise InputError(
            f"report format {', '.join(unknown) or '(none)'}: expected one or more of pdf, html"
        )
    return list(write_outputs(results, out_dir, frozenset(formats), brand, name, force=force).paths)


def report_files(
    results: Results, formats: set[str], brand: Brand, comparison: Comparison | None = None
) -> list[tuple[str, bytes]]:
    """The report's files rendered in memory, each as (what follows the stem in its name, data):
    pdf, html, then the results JSON.

    comparison: an earlier version; the report ends with what changed since, and the results
    JSON carries it under `comparison`, as `crossover diff --json` writes it.
    """
    # Imported here: WeasyPrint and matplotlib cost a second and a half, which a brand refused
    # at load (or a run without a report) need not pay.
    from crossover.report.render import render_html, render_pdf

    html = render_html(results, brand, comparison)
    outputs: list[tuple[str, bytes]] = []
    if "pdf" in formats:
        outputs.append((".pdf", render_pdf(html, brand)))
    if "html" in formats:
        outputs.append((".html", html.encode("utf-8")))
    outputs.append(("-results.json", results_json(results, comparison)))
    return outputs


def results_json(results: Results, comparison: Comparison | None = None) -> bytes:
    """The results as JSON; with a comparison, `crossover diff --json`'s document under
    `comparison` (`crossover email` reads the results and leaves it aside)."""
    if comparison is None:
        return (results.model_dump_json(indent=2) + "\n").encode()
    data = results.model_dump(mode="json")
    data["comparison"] = comparison.diff.model_dump(mode="json")
    return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode()
