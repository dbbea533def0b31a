"""The client report: branded HTML and PDF from an analysis, with the results JSON beside them."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from crossover.delivery.files import write_bytes_atomic
from crossover.engine.results import Results
from crossover.errors import InputError
from crossover.report.brand import Brand, brand_or_default, default_brand, load_brand
from crossover.report.render import render_html, render_pdf

__all__ = [
    "FORMATS",
    "Brand",
    "brand_or_default",
    "default_brand",
    "load_brand",
    "render_report",
    "report_stem",
]

FORMATS = frozenset({"pdf", "html"})
# Letters that do not decompose into a base letter plus accents (NFKD keeps ü → u, é → e).
_TRANSLITERATIONS = str.maketrans(
    {
        "ß": "ss",
        "æ": "ae",
        "Æ": "AE",
        "œ": "oe",
        "Œ": "OE",
        "ø": "o",
        "Ø": "O",
        "ł": "l",
        "Ł": "L",
        "đ": "d",
        "Đ": "D",
    }
)


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
    stem = report_stem(results, name)
    html = render_html(results, brand)
    outputs: list[tuple[Path, bytes]] = []
    if "pdf" in formats:
        outputs.append((out_dir / f"{stem}.pdf", render_pdf(html, brand)))
    if "html" in formats:
        outputs.append((out_dir / f"{stem}.html", html.encode("utf-8")))
    outputs.append(
        (out_dir / f"{stem}-results.json", (results.model_dump_json(indent=2) + "\n").encode())
    )
    for path, data in outputs:
        write_bytes_atomic(path, data)
    return [path for path, _ in outputs]


def report_stem(results: Results, version: str | None = None) -> str:
    """'acme-legal-ltd-2026-11-27': the client's name as a file-name slug, and the report date;
    a version's name (`report --name`) in its place, as a slug too: 'acme-v2' -> 'acme-v2'."""
    client = results.scenario.client
    if version is not None:
        return _slug(version)
    return f"{_slug(client.client_name)}-{client.report_date.isoformat()}"


def _slug(text: str) -> str:
    name = text.translate(_TRANSLITERATIONS)
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:60].strip("-") or "client"
