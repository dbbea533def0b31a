"""The files one analysis becomes, written as one set: the report documents, the results JSON and workbook, the manifest."""

from __future__ import annotations

import hashlib
import json
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

from crossover.delivery.files import write_set
from crossover.engine.results import Results

if TYPE_CHECKING:
    from crossover.report import Brand

REPORT_FORMATS = frozenset({"pdf", "html"})
"""What crossover.report renders; xlsx (the results workbook) is written here."""


def output_stem(results: Results, name: str | None = None) -> str:
    """The one place an output set's file names come from: a given name, or client and date."""
    if name:
        return name
    from crossover.report import report_stem

    return report_stem(results)


def manifest_path(stem_path: Path) -> Path:
    """`<stem>.manifest.json`, beside the set it lists; stem_path is any file of the set."""
    stem = stem_path.stem.removesuffix("-results")
    return stem_path.with_name(f"{stem}.manifest.json")


def write_outputs(
    results: Results,
    out_dir: Path,
    formats: frozenset[str],
    brand: Brand | None,
    inputs: tuple[Path, ...] = (),
) -> list[Path]:
    """Render every asked-for format in memory, then write them as one set with its manifest.

    Every file is complete on disk before any is renamed into place, and the manifest, written
    last, names the run and each file's SHA-256: a set mixed by a failure between renames
    shows itself (`crossover email` checks it). Returns the paths written, manifest excluded.
    """
    stem = output_stem(results)
    files: list[tuple[Path, bytes]] = []
    report_formats = set(formats & REPORT_FORMATS)
    if report_formats:
        from crossover.report import report_files

        assert brand is not None, "pdf and html need a brand"
        files += report_files(results, out_dir, report_formats, brand, stem)
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
