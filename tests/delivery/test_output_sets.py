"""A report's files are written as one set with a manifest; email refuses a mixed set (issue 13)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

import crossover.files
from crossover.catalogue import Catalogue
from crossover.errors import OutputError

from .delivery_fixtures import EXAMPLES_DIR, analyse_raw, blank_pdf, example_raw, run_cli

EXAMPLE = EXAMPLES_DIR / "document-intelligence.json"
STEM = "northwind-documents-2026-11-27"


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_report_writes_a_manifest_naming_the_run_and_every_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run_cli(
        ["report", str(EXAMPLE), "-o", str(tmp_path), "--format", "html,xlsx"], capsys
    )
    assert (code, err) == (0, "")
    manifest = json.loads((tmp_path / f"{STEM}.manifest.json").read_text())
    names = [f"{STEM}.html", f"{STEM}-results.json", f"{STEM}-results.xlsx"]
    assert manifest["files"] == {name: _sha(tmp_path / name) for name in names}
    assert len(manifest["run"]) == 32
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*names, f"{STEM}.manifest.json"])


def test_a_failure_while_writing_leaves_the_earlier_set_whole(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    run_cli(["report", str(EXAMPLE), "-o", str(tmp_path), "--format", "html,xlsx"], capsys)
    earlier = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    real = crossover.files._write_temp
    written: list[Path] = []

    def disk_full_at_the_third(path: Path, data: bytes) -> Path:
        if len(written) == 2:
            raise OutputError(f"{path}: cannot write: No space left on device")
        written.append(path)
        return real(path, data)

    monkeypatch.setattr(crossover.files, "_write_temp", disk_full_at_the_third)
    # --force: the new set replaces the earlier one, so a failure there is what could mix them.
    code, _, err = run_cli(
        ["report", str(EXAMPLE), "-o", str(tmp_path), "--format", "html,xlsx", "--force"], capsys
    )
    assert code == 74
    assert err == (
        f"Error: {tmp_path / f'{STEM}-results.xlsx'}: cannot write: No space left on device\n"
    )
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == earlier


def _report_set(tmp_path: Path, catalogue: Catalogue) -> Path:
    """A PDF, its results JSON and the manifest listing both, as `crossover report` leaves them."""
    pdf = blank_pdf(tmp_path / "r.pdf")
    results = tmp_path / "r-results.json"
    results.write_text(analyse_raw(example_raw(), catalogue).model_dump_json())
    manifest = {"run": "0" * 32, "files": {p.name: _sha(p) for p in (pdf, results)}}
    (tmp_path / "r.manifest.json").write_text(json.dumps(manifest))
    return pdf


def test_email_sends_a_set_from_one_run(
    tmp_path: Path, catalogue: Catalogue, capsys: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CROSSOVER_SMTP_FROM", raising=False)
    pdf = _report_set(tmp_path, catalogue)
    code, _, err = run_cli(
        ["email", str(pdf), "--to", "cfo@x.example", "--from", "me@x.example", "--dry-run"],
        capsys,
    )
    assert (code, err) == (0, "")


def test_email_refuses_results_from_another_run(
    tmp_path: Path, catalogue: Catalogue, capsys: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CROSSOVER_SMTP_FROM", raising=False)
    pdf = _report_set(tmp_path, catalogue)
    other = example_raw()
    other["workload"]["input_mtok_per_day"] *= 2
    (tmp_path / "r-results.json").write_text(analyse_raw(other, catalogue).model_dump_json())
    code, _, err = run_cli(["email", str(pdf), "--to", "cfo@x.example", "--dry-run"], capsys)
    assert code == 65
    assert err == (
        f"Error: {pdf}: r-results.json do not match the manifest r.manifest.json: the files "
        "beside each other come from different runs (a write was interrupted or a file was "
        "replaced); render the report again\n"
    )
    assert not (tmp_path / "r.eml").exists()
