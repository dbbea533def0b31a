"""The client report: branded HTML and PDF from an analysis, with the results JSON beside them."""

from __future__ import annotations

import json

from crossover.engine.results import Results
from crossover.report.brand import Brand, brand_or_default, default_brand, load_brand
from crossover.report.changes import Comparison

__all__ = [
    "FORMATS",
    "Brand",
    "Comparison",
    "brand_or_default",
    "default_brand",
    "load_brand",
    "report_files",
]

FORMATS = frozenset({"pdf", "html"})
"""The report's document formats (the results JSON is always written beside them)."""


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
