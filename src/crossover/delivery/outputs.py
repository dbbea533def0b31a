"""The files one analysis becomes, written as one set: the report documents, the results JSON and workbook, the manifest."""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

from crossover.delivery.files import write_set
from crossover.engine.results import Results

if TYPE_CHECKING:
    from crossover.report import Brand, Comparison

REPORT_FORMATS = frozenset({"pdf", "html"})
"""What crossover.report renders; xlsx (the results workbook) is written here."""


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


def output_stem(results: Results, name: str | None = None) -> str:
    """The one place an output set's file names come from: 'acme-legal-ltd-2026-11-27', the
    client's name as a file-name slug and the report date; a version's name (`report --name`)
    in its place, as a slug too: 'Acme v2' -> 'acme-v2'."""
    if name is not None:
        return _slug(name)
    client = results.scenario.client
    return f"{_slug(client.client_name)}-{client.report_date.isoformat()}"


def _slug(text: str) -> str:
    name = text.translate(_TRANSLITERATIONS)
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:60].strip("-") or "client"


def manifest_path(stem_path: Path) -> Path:
    """`<stem>.manifest.json`, beside the set it lists; stem_path is any file of the set."""
    stem = stem_path.stem.removesuffix("-results")
    return stem_path.with_name(f"{stem}.manifest.json")


def write_outputs(
    results: Results,
    out_dir: Path,
    formats: frozenset[str],
    brand: Brand | None,
    name: str | None = None,
    inputs: tuple[Path, ...] = (),
    comparison: Comparison | None = None,
) -> list[Path]:
    """Render every asked-for format in memory, then write them as one set with its manifest.

    Every file is complete on disk before any is renamed into place, and the manifest, written
    last, names the run and each file's SHA-256: a set mixed by a failure between renames
    shows itself (`crossover email` checks it). Returns the paths written, manifest excluded.
    name: the files' stem (a version's name) instead of the client's name and report date.
    comparison: an earlier version, for the report's last page and the results JSON.
    """
    stem = output_stem(results, name)
    files: list[tuple[Path, bytes]] = []
    report_formats = set(formats & REPORT_FORMATS)
    if report_formats:
        from crossover.report import report_files

        assert brand is not None, "pdf and html need a brand"
        files += report_files(results, out_dir, report_formats, brand, stem, comparison)
    if "xlsx" in formats:
        from crossover.delivery.results_workbook import results_workbook_bytes

        files.append((out_dir / f"{stem}-results.xlsx", results_workbook_bytes(results)))
    manifest = {
        "run": uuid.uuid4().hex,
        "files": {path.name: hashlib.sha256(data).hexdigest() for path, data in files},
    }
    manifest_file = (out_dir / f"{stem}.manifest.json", json.dumps(manifest, indent=2).encode())
    write_set([*files, manifest_file], inputs)
    return [path for path, _ in files]
