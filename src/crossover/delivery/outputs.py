"""The files one analysis becomes, written as one set: the report documents, the results JSON and workbook, the manifest."""

from __future__ import annotations

import hashlib
import json
import os
import re
import unicodedata
import uuid
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from crossover.engine.results import Results
from crossover.errors import InputError, OutputError
from crossover.files import reason, write_set
from crossover.report import FORMATS, Brand, Comparison, report_files

REPORT_FORMATS = FORMATS
"""The formats the report renders (pdf, html); xlsx is the results workbook beside them."""

if TYPE_CHECKING:
    from crossover.scenario import Client

"""What crossover.report renders; xlsx (the results workbook) is written here."""

SET_KINDS = (".pdf", ".html", "-results.json", "-results.xlsx", ".manifest.json", ".eml")
"""What follows the stem in the name of each file of a report's set, its email preview included."""


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
        return slug(name)
    return client_stem(results.scenario.client)


def client_stem(client: Client) -> str:
    """'acme-legal-ltd-2026-11-27': the client's name as a slug and the report date."""
    return f"{slug(client.client_name)}-{client.report_date.isoformat()}"


def slug(text: str) -> str:
    """Text as a file name: lower-case ASCII letters and digits joined by '-', at most 60;
    'client' when nothing is left (a name in another script, or emoji only)."""
    name = text.translate(_TRANSLITERATIONS)
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:60].strip("-") or "client"


def manifest_path(path: Path) -> Path:
    """`<stem>.manifest.json`, beside the set it lists; path is any file of the set."""
    name = path.name
    for kind in sorted(SET_KINDS, key=len, reverse=True):
        if name.endswith(kind):
            return path.with_name(f"{name.removesuffix(kind)}.manifest.json")
    return path.with_name(f"{path.stem}.manifest.json")


@dataclass(frozen=True)
class WrittenSet:
    """What write_versioned wrote: the name asked for, the name used and the files' paths."""

    asked: str
    stem: str
    """`asked`, or `asked-2`, `asked-3`, ... when an earlier set holds the name."""
    paths: tuple[Path, ...]
    """In the order given; the manifest is not among them."""

    @property
    def versioned(self) -> bool:
        return self.stem != self.asked


MAX_VERSIONS = 9999
"""Where the search for a free version name gives up: a folder that full is a mistake."""


def write_versioned(
    folder: Path,
    stem: str,
    files: Sequence[tuple[str, bytes]],
    *,
    force: bool = False,
    family: Collection[str] = (),
    beside: Collection[str] = (),
    manifest: bool = False,
    inputs: Iterable[Path] = (),
) -> WrittenSet:
    """Write `folder/<stem><kind>` for each (kind, data) as one set, never over an earlier file.

    kind is what follows the stem: ".pdf", "-results.json", "-brief.pdf". The set takes the
    first free name of stem, stem-2, stem-3, ...; a name is free when no file of the set's
    kinds, nor of `family` (kinds that would make a neighbour look like part of the set), exists
    under it. `beside`: kinds the files belong beside under `stem` itself (an email preview
    beside its report's PDF), so those do not make `stem` taken. Every file is claimed
    (created empty with O_EXCL) before any is written, so two runs at once never pick the
    same name; a failure removes what this call claimed and leaves earlier files as they were.

    force: write under `stem` whatever is there, replacing the files of the same names (not a
    device, a folder or one of `inputs`); with `manifest`, files of the set's kinds that the
    earlier set's manifest lists and this one does not write are removed, so no file of the
    earlier run stays.
    manifest: also write `<name>.manifest.json` naming the run and each file's SHA-256.
    """
    kinds = [kind for kind, _ in files]
    if manifest:
        kinds.append(MANIFEST)
    first = folder / f"{stem}{kinds[0]}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise OutputError(f"{first}: cannot write: {reason(e)}") from None
    claimed: list[_Claim] = []
    name = stem
    if not force:
        name, claimed = _claim(folder, stem, kinds, set(family) | set(kinds), set(beside))
    try:
        named = [(folder / f"{name}{kind}", data) for kind, data in files]
        earlier = _listed(folder / f"{name}{MANIFEST}") if force and manifest else set()
        if manifest:
            named.append((folder / f"{name}{MANIFEST}", _manifest(name, named)))
        write_set(named, inputs)
    except BaseException:
        for claim in claimed:
            claim.release()
        raise
    # Only files of this name's set: a manifest is not trusted to name any other file.
    own = {f"{name}{kind}" for kind in {*family, *kinds}}
    for stale in sorted((earlier & own) - {path.name for path, _ in named}):
        _remove_stale(folder / stale)
    return WrittenSet(stem, name, tuple(path for path, _ in named[: len(files)]))


MANIFEST = ".manifest.json"


@dataclass(frozen=True)
class _Claim:
    """An empty file this process created to hold a name; released only if still that file."""

    path: Path
    device: int
    inode: int

    def release(self) -> None:
        try:
            info = self.path.lstat()
        except OSError:
            return
        if (info.st_dev, info.st_ino) == (self.device, self.inode):
            self.path.unlink(missing_ok=True)


def _claim(
    folder: Path, stem: str, kinds: Sequence[str], family: set[str], beside: set[str]
) -> tuple[str, list[_Claim]]:
    """The first free version of stem, its files created empty so that no other run takes it.

    The neighbours are looked at only once this run's files are claimed: of two runs at once,
    at least one sees the other's claim, so they never share a name.
    """
    for version in range(1, MAX_VERSIONS + 1):
        name = stem if version == 1 else f"{stem}-{version}"
        claimed: list[_Claim] = []
        try:
            for kind in kinds:
                claimed.append(_create(folder / f"{name}{kind}"))
        except FileExistsError:
            taken = True
        else:
            others = family - set(kinds) - (beside if version == 1 else set())
            taken = any(os.path.lexists(folder / f"{name}{kind}") for kind in others)
        if not taken:
            return name, claimed
        for claim in claimed:
            claim.release()
    raise OutputError(
        f"{folder / f'{stem}-{MAX_VERSIONS}{kinds[0]}'}: {MAX_VERSIONS} versions of {stem} "
        "exist already; give another name, another folder, or --force to replace the first"
    )


def _create(path: Path) -> _Claim:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError as e:
        if isinstance(e, FileExistsError):  # the name is taken: the caller tries the next
            raise
        raise OutputError(f"{path}: cannot write: {reason(e)}") from None
    try:
        info = os.fstat(fd)
    finally:
        os.close(fd)
    return _Claim(path, info.st_dev, info.st_ino)


def _manifest(name: str, files: Sequence[tuple[Path, bytes]]) -> bytes:
    manifest = {
        "run": uuid.uuid4().hex,
        "name": name,
        "written": datetime.now(UTC).isoformat(timespec="seconds"),
        "files": {path.name: hashlib.sha256(data).hexdigest() for path, data in files},
    }
    return json.dumps(manifest, indent=2).encode()


def _listed(manifest: Path) -> set[str]:
    """The file names an earlier set's manifest lists; none if it is missing or unreadable."""
    try:
        files = json.loads(manifest.read_bytes())["files"]
    except (OSError, ValueError, KeyError, TypeError):
        return set()
    if not isinstance(files, dict):
        return set()
    return {name for name in files if isinstance(name, str)}


def _remove_stale(path: Path) -> None:
    try:
        if path.is_symlink() or not path.is_file():
            return
        path.unlink()
    except OSError as e:
        raise OutputError(f"{path}: cannot remove the earlier run's file: {reason(e)}") from None


def write_outputs(
    results: Results,
    out_dir: Path,
    formats: frozenset[str],
    brand: Brand | None,
    name: str | None = None,
    inputs: tuple[Path, ...] = (),
    *,
    force: bool = False,
    stem: str | None = None,
    comparison: Comparison | None = None,
) -> WrittenSet:
    """Render every asked-for format in memory, then write them as one set with its manifest.

    Every file is complete on disk before any is renamed into place, and the manifest, written
    last, names the run and each file's SHA-256: a set mixed by a failure between renames
    shows itself (`crossover email` checks it). The set is named by output_stem, with a
    version suffix when an earlier set holds the name (write_versioned), or over it with force.
    name: the files' stem (a version's name) instead of the client's name and report date.
    stem: the stem exactly as given (a batch's name for an input), instead of either.
    comparison: an earlier version, for the report's last page and the results JSON.
    """
    stem = stem if stem is not None else output_stem(results, name)
    files: list[tuple[str, bytes]] = []
    report_formats = set(formats & FORMATS)
    if report_formats:
        assert brand is not None, "pdf and html need a brand"
        files += report_files(results, report_formats, brand, comparison)
    if "xlsx" in formats:
        from crossover.delivery.results_workbook import results_workbook_bytes

        files.append(("-results.xlsx", results_workbook_bytes(results)))
    return write_versioned(
        out_dir, stem, files, force=force, family=SET_KINDS, manifest=True, inputs=inputs
    )


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


def write_brief(
    results: Results,
    out_dir: Path,
    brand: Brand,
    name: str | None = None,
    inputs: tuple[Path, ...] = (),
    *,
    force: bool = False,
) -> WrittenSet:
    """Render the brief in memory and write it atomically as `<stem>-brief.pdf`.

    The stem is the report's (output_stem), so the brief sits beside the report of the same
    run; an earlier brief is kept and this one takes a version suffix (`-2`), unless force
    replaces it.
    """
    # Imported here: the renderer brings WeasyPrint and matplotlib, which a run that writes no
    # brief need not load.
    from crossover.report.brief import BRIEF, brief_pdf

    return write_versioned(
        out_dir,
        output_stem(results, name),
        [(BRIEF, brief_pdf(results, brand))],
        force=force,
        family=SET_KINDS,
        beside=SET_KINDS,
        inputs=inputs,
    )
