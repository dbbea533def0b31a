"""Nothing a user made is replaced silently: version suffixes, --force, batches that do not collide (issues 13, 14)."""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from crossover.catalogue import Catalogue
from crossover.delivery.batch import (
    LOCK_FILE,
    BatchOptions,
    batch,
    folder_lock,
    output_names,
    run_batch,
)
from crossover.delivery.outputs import SET_KINDS, manifest_path, write_versioned
from crossover.errors import OutputError

from .delivery_fixtures import EXAMPLES_DIR, analyse_raw, blank_pdf, example_raw, run_cli

EXAMPLE = EXAMPLES_DIR / "document-intelligence.json"
STEM = "northwind-documents-2026-11-27"
SET = [f"{STEM}.html", f"{STEM}-results.json", f"{STEM}-results.xlsx", f"{STEM}.manifest.json"]


def _files(folder: Path) -> dict[str, bytes]:
    """What the folder holds for its user: the batch's hidden lock file is left out."""
    return {p.name: p.read_bytes() for p in folder.iterdir() if not p.name.startswith(".")}


def _report(folder: Path, capsys: Any, *extra: str) -> tuple[int, str, str]:
    args = ["report", str(EXAMPLE), "-o", str(folder), "--format", "html,xlsx", *extra]
    return run_cli(args, capsys)


def _manifest(folder: Path, stem: str) -> dict[str, Any]:
    manifest: dict[str, Any] = json.loads((folder / f"{stem}.manifest.json").read_text())
    return manifest


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# -- report ------------------------------------------------------------------------------


def test_a_second_report_keeps_the_first_set_and_writes_version_2(
    tmp_path: Path, capsys: Any
) -> None:
    assert _report(tmp_path, capsys)[0] == 0
    first = _files(tmp_path)
    assert sorted(first) == sorted(SET)

    code, out, err = _report(tmp_path, capsys)
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        f"{tmp_path / STEM}.* exists and is kept: this run's files are {STEM}-2.* (--force "
        "replaces the earlier files instead)",
        f"Wrote {tmp_path / f'{STEM}-2.html'}",
        f"Wrote {tmp_path / f'{STEM}-2-results.json'}",
        f"Wrote {tmp_path / f'{STEM}-2-results.xlsx'}",
    ]
    now = _files(tmp_path)
    assert {name: now[name] for name in first} == first
    # The whole set shares the suffix, and its manifest names this run's files.
    second = [name.replace(STEM, f"{STEM}-2") for name in SET]
    assert sorted(now) == sorted([*SET, *second])
    manifest = _manifest(tmp_path, f"{STEM}-2")
    assert manifest["name"] == f"{STEM}-2"
    assert manifest["files"] == {n: _sha(tmp_path / n) for n in second if "manifest" not in n}
    assert manifest["run"] != _manifest(tmp_path, STEM)["run"]

    assert _report(tmp_path, capsys)[0] == 0
    assert (tmp_path / f"{STEM}-3.html").is_file()


def test_force_replaces_the_earlier_set_and_leaves_none_of_its_files(
    tmp_path: Path, capsys: Any
) -> None:
    _report(tmp_path, capsys)
    _report(tmp_path, capsys)
    version_2 = {n: b for n, b in _files(tmp_path).items() if f"{STEM}-2" in n}

    code, out, err = run_cli(
        ["report", str(EXAMPLE), "-o", str(tmp_path), "--format", "xlsx", "--force"], capsys
    )
    assert (code, err) == (0, "")
    assert out == f"Wrote {tmp_path / f'{STEM}-results.xlsx'}\n"
    # The earlier run's html and results JSON, listed in its manifest, went with it.
    now = _files(tmp_path)
    assert sorted(n for n in now if f"{STEM}-2" not in n) == [
        f"{STEM}-results.xlsx",
        f"{STEM}.manifest.json",
    ]
    assert _manifest(tmp_path, STEM)["files"] == {
        f"{STEM}-results.xlsx": _sha(tmp_path / f"{STEM}-results.xlsx")
    }
    assert {n: b for n, b in now.items() if f"{STEM}-2" in n} == version_2


def test_report_name_takes_a_version_suffix_too(tmp_path: Path, capsys: Any) -> None:
    for _ in range(2):
        code, _, _ = _report(tmp_path, capsys, "--name", "Acme v2")
        assert code == 0
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".html") == [
        "acme-v2-2.html",
        "acme-v2.html",
    ]


def test_a_failed_second_run_leaves_no_claimed_name_behind(
    tmp_path: Path, capsys: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import crossover.files

    _report(tmp_path, capsys)
    earlier = _files(tmp_path)

    def disk_full(path: Path, data: bytes) -> Path:
        raise OutputError(f"{path}: cannot write: No space left on device")

    monkeypatch.setattr(crossover.files, "_write_temp", disk_full)
    code, _, err = _report(tmp_path, capsys)
    assert code == 74
    assert err == f"Error: {tmp_path / f'{STEM}-2.html'}: cannot write: No space left on device\n"
    assert _files(tmp_path) == earlier


# -- the naming rule ---------------------------------------------------------------------


def test_any_file_of_the_set_holds_the_name_even_a_dangling_link_or_a_pipe(
    tmp_path: Path,
) -> None:
    (tmp_path / "acme.eml").write_bytes(b"a preview")
    (tmp_path / "acme-2-results.json").symlink_to(tmp_path / "gone")
    os.mkfifo(tmp_path / "acme-3.pdf")
    written = write_versioned(
        tmp_path, "acme", [(".pdf", b"%PDF new")], family=SET_KINDS, manifest=True
    )
    assert (written.asked, written.stem, written.versioned) == ("acme", "acme-4", True)
    assert written.paths == (tmp_path / "acme-4.pdf",)
    assert (tmp_path / "acme-4.pdf").read_bytes() == b"%PDF new"
    assert (tmp_path / "acme.eml").read_bytes() == b"a preview"
    assert (tmp_path / "acme-2-results.json").is_symlink()


def test_force_removes_only_files_of_the_set_that_the_earlier_manifest_lists(
    tmp_path: Path,
) -> None:
    def write(files: list[tuple[str, bytes]], force: bool) -> None:
        write_versioned(tmp_path, "acme", files, family=SET_KINDS, manifest=True, force=force)

    write([(".pdf", b"%PDF 1"), (".html", b"<p>1")], False)
    (tmp_path / "client.xlsx").write_bytes(b"the client's workbook")
    (tmp_path / "acme.eml").write_bytes(b"a preview")
    manifest = json.loads((tmp_path / "acme.manifest.json").read_text())
    manifest["files"] |= {"client.xlsx": "0" * 64, "../outside.pdf": "0" * 64}
    (tmp_path / "acme.manifest.json").write_text(json.dumps(manifest))

    write([(".pdf", b"%PDF 2")], True)
    assert sorted(_files(tmp_path)) == ["acme.eml", "acme.manifest.json", "acme.pdf", "client.xlsx"]
    assert (tmp_path / "acme.pdf").read_bytes() == b"%PDF 2"


def _claim_and_write(args: tuple[Path, int, Any]) -> str:
    folder, number, barrier = args
    barrier.wait()
    data = f"writer {number}".encode()
    written = write_versioned(
        folder, "acme", [(".pdf", data), ("-results.json", data)], family=SET_KINDS, manifest=True
    )
    return written.stem


def test_runs_at_once_never_pick_the_same_name(tmp_path: Path) -> None:
    writers = 6
    context = multiprocessing.get_context("fork")
    with context.Manager() as manager, context.Pool(writers) as pool:
        barrier = manager.Barrier(writers)
        stems = pool.map(_claim_and_write, [(tmp_path, i, barrier) for i in range(writers)])
    assert sorted(stems) == sorted(["acme", *(f"acme-{n}" for n in range(2, writers + 1))])
    # Each set is one writer's: its PDF and results hold the same text, its manifest both.
    for stem in stems:
        pdf, results = tmp_path / f"{stem}.pdf", tmp_path / f"{stem}-results.json"
        assert pdf.read_bytes() == results.read_bytes()
        assert _manifest(tmp_path, stem)["files"] == {p.name: _sha(p) for p in (pdf, results)}
    assert len(list(tmp_path.iterdir())) == 3 * writers


def test_the_manifest_of_a_name_ending_in_results_is_its_own() -> None:
    folder = Path("out")
    assert manifest_path(folder / "acme-results.pdf") == folder / "acme-results.manifest.json"
    assert manifest_path(folder / "acme-2-results.json") == folder / "acme-2.manifest.json"
    assert manifest_path(folder / "acme-2-results.xlsx") == folder / "acme-2.manifest.json"


# -- email --dry-run ---------------------------------------------------------------------


def _report_set(folder: Path, stem: str, catalogue: Catalogue) -> Path:
    """A PDF, its results JSON and the manifest listing both, as `crossover report` leaves them."""
    pdf = blank_pdf(folder / f"{stem}.pdf")
    results = folder / f"{stem}-results.json"
    results.write_text(analyse_raw(example_raw(), catalogue).model_dump_json())
    manifest = {"run": "0" * 32, "files": {p.name: _sha(p) for p in (pdf, results)}}
    (folder / f"{stem}.manifest.json").write_text(json.dumps(manifest))
    return pdf


def _dry_run(pdf: Path, capsys: Any, *extra: str) -> tuple[int, str, str]:
    """The dry run's exit code, its last line (where the message went) and its stderr.

    The lines before it are the message's preview (tests/delivery/test_email.py checks it).
    """
    code, out, err = run_cli(
        [
            "email",
            str(pdf),
            "--to",
            "cfo@x.example",
            "--from",
            "me@firm.example",
            "--dry-run",
            *extra,
        ],
        capsys,
    )
    return code, out.rstrip("\n").rsplit("\n", 1)[-1] + "\n", err


def test_email_dry_run_twice_keeps_both_previews(
    tmp_path: Path, catalogue: Catalogue, capsys: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CROSSOVER_SMTP_FROM", raising=False)
    pdf = _report_set(tmp_path, "acme", catalogue)
    assert _dry_run(pdf, capsys) == (
        0,
        f"Message written to {tmp_path / 'acme.eml'} (not sent)\n",
        "",
    )
    first = (tmp_path / "acme.eml").read_bytes()

    code, out, err = _dry_run(pdf, capsys, "--subject", "Second look")
    assert (code, err) == (0, "")
    assert out == (
        f"Message written to {tmp_path / 'acme-2.eml'} (not sent; the earlier acme.eml is kept, "
        "--force replaces it instead)\n"
    )
    assert (tmp_path / "acme.eml").read_bytes() == first
    assert b"Subject: Second look" in (tmp_path / "acme-2.eml").read_bytes()

    code, out, _ = _dry_run(pdf, capsys, "--subject", "Third look", "--force")
    assert (code, out) == (0, f"Message written to {tmp_path / 'acme.eml'} (not sent)\n")
    assert b"Subject: Third look" in (tmp_path / "acme.eml").read_bytes()
    assert b"Subject: Second look" in (tmp_path / "acme-2.eml").read_bytes()


def test_a_preview_never_takes_the_name_of_another_report(
    tmp_path: Path, catalogue: Catalogue, capsys: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CROSSOVER_SMTP_FROM", raising=False)
    pdf = _report_set(tmp_path, "acme", catalogue)
    _report_set(tmp_path, "acme-2", catalogue)
    _dry_run(pdf, capsys)
    code, out, _ = _dry_run(pdf, capsys)
    assert code == 0
    assert out.startswith(f"Message written to {tmp_path / 'acme-3.eml'} (not sent;")
    assert not (tmp_path / "acme-2.eml").exists()


def test_email_refuses_a_version_whose_results_came_from_another_run(
    tmp_path: Path, catalogue: Catalogue, capsys: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CROSSOVER_SMTP_FROM", raising=False)
    _report_set(tmp_path, "acme", catalogue)
    pdf = _report_set(tmp_path, "acme-2", catalogue)
    other = example_raw()
    other["workload"]["input_mtok_per_day"] *= 2
    (tmp_path / "acme-2-results.json").write_text(analyse_raw(other, catalogue).model_dump_json())
    code, _, err = _dry_run(pdf, capsys)
    assert code == 65
    assert err == (
        f"Error: {pdf}: acme-2-results.json do not match the manifest acme-2.manifest.json: the "
        "files beside each other come from different runs (a write was interrupted or a file "
        "was replaced); render the report again\n"
    )
    assert not list(tmp_path.glob("*.eml"))


# -- batch: names that collide ----------------------------------------------------------


def _scenario(folder: Path, name: str, client: str) -> Path:
    raw = example_raw("small-startup")
    raw["client"]["client_name"] = client
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(json.dumps(raw))
    return path


def test_output_names_follow_the_input_file_where_client_names_collide() -> None:
    inputs = [
        Path("in/acme.json"),
        Path("in/ACME Q2.json"),
        Path("in/other.json"),
        Path("in/🚀.json"),
        Path("in/✨.json"),
        Path("a/dup.json"),
        Path("b/dup.json"),
        Path("c/dup.json"),
    ]
    stems = {
        0: "acme-2026-11-27",
        1: "acme-2026-11-27",
        2: "other-2026-11-27",
        3: "client-2026-11-27",
        4: "client-2026-11-27",
        5: "dup-2026-11-27",
        6: "dup-2026-11-27",
        7: "dup-2026-11-27",
    }
    names = output_names(inputs, stems)
    assert {i: name for i, (name, _) in names.items()} == {
        0: "acme",
        1: "acme-q2",
        2: "other-2026-11-27",
        # Emoji-only file names slug to nothing, as emoji-only client names do; then numbered.
        3: "client-input-1",
        4: "client-input-2",
        # One name in three folders: the folder tells them apart.
        5: "a-dup-json",
        6: "b-dup-json",
        7: "c-dup-json",
    }
    assert names[2][1] is None
    assert names[0][1] == (
        "named after its input file: in/ACME Q2.json gives the same file names (acme-2026-11-27)"
    )


def test_a_batch_with_two_acme_inputs_keeps_both_reports(tmp_path: Path, capsys: Any) -> None:
    first = _scenario(tmp_path / "in", "acme-march.json", "Acme")
    second = _scenario(tmp_path / "in", "acme-april.json", "ACME")
    other = _scenario(tmp_path / "in", "globex.json", "Globex")
    out = tmp_path / "out"
    code, stdout, err = run_cli(
        ["batch", str(tmp_path / "in"), "-o", str(out), "--format", "xlsx", "-j", "2"], capsys
    )
    assert (code, err) == (0, "")
    outcomes = {
        Path(o["input"]).name: o for o in json.loads((out / "summary.json").read_text())["outcomes"]
    }
    assert outcomes["acme-march.json"]["outputs"] == ["acme-march-results.xlsx"]
    assert outcomes["acme-april.json"]["outputs"] == ["acme-april-results.xlsx"]
    assert outcomes["globex.json"]["outputs"] == ["globex-2026-11-27-results.xlsx"]
    assert outcomes["acme-march.json"]["note"] == (
        f"named after its input file: {second} gives the same file names (acme-2026-11-27)"
    )
    assert outcomes["globex.json"]["note"] is None
    assert f"{first}: named after its input file: {second} gives" in stdout
    from openpyxl import load_workbook

    assert load_workbook(out / "acme-march-results.xlsx")["Summary"]["B2"].value == "Acme"
    assert load_workbook(out / "acme-april-results.xlsx")["Summary"]["B2"].value == "ACME"
    assert other.exists()


def test_a_batch_run_again_keeps_the_first_run_and_its_summary(tmp_path: Path, capsys: Any) -> None:
    source = _scenario(tmp_path / "in", "globex.json", "Globex")
    out = tmp_path / "out"
    args = ["batch", str(source), "-o", str(out), "--format", "xlsx", "-j", "1"]
    assert run_cli(args, capsys)[0] == 0
    first = _files(out)
    code, stdout, _ = run_cli(args, capsys)
    assert code == 0
    assert {n: b for n, b in _files(out).items() if n in first} == first
    [outcome] = json.loads((out / "summary-2.json").read_text())["outcomes"]
    assert outcome["outputs"] == ["globex-2026-11-27-2-results.xlsx"]
    assert outcome["note"] == (
        "an earlier globex-2026-11-27.* is kept: written as globex-2026-11-27-2.*"
    )
    assert f"Summary written to {out / 'summary-2.json'} and {out / 'summary-2.csv'}" in stdout
    code, _, _ = run_cli([*args, "--force"], capsys)
    assert code == 0
    assert sorted(p.name for p in out.iterdir() if p.name.startswith("summary")) == [
        "summary-2.csv",
        "summary-2.json",
        "summary.csv",
        "summary.json",
    ]
    [outcome] = json.loads((out / "summary.json").read_text())["outcomes"]
    assert outcome["outputs"] == ["globex-2026-11-27-results.xlsx"]


def test_run_batch_renders_each_input_under_its_own_name(tmp_path: Path) -> None:
    paths = [_scenario(tmp_path / "in", f"{n}.json", "Same") for n in ("x", "y")]
    outcomes = run_batch(paths, BatchOptions(tmp_path / "out", frozenset({"xlsx"}), jobs=2))
    assert [o.outputs for o in outcomes] == [("x-results.xlsx",), ("y-results.xlsx",)]
    assert all(o.ok for o in outcomes)


# -- batch: two at once into one folder --------------------------------------------------

HOLD = """
import sys, time
from pathlib import Path
from crossover.delivery.batch import folder_lock
with folder_lock(Path(sys.argv[1])):
    print("held", flush=True)
    time.sleep(600)
"""


def test_a_second_batch_into_a_held_folder_is_refused_and_a_dead_holder_holds_nothing(
    tmp_path: Path,
) -> None:
    with subprocess.Popen(
        [sys.executable, "-c", HOLD, str(tmp_path)], stdout=subprocess.PIPE, text=True
    ) as holder:
        try:
            assert holder.stdout is not None and holder.stdout.readline() == "held\n"
            started = json.loads((tmp_path / LOCK_FILE).read_text())["started"]
            with pytest.raises(OutputError) as refused:
                batch([EXAMPLE], BatchOptions(tmp_path, frozenset({"xlsx"}), jobs=1))
            when = started.replace("T", " ").replace("+00:00", "")
            assert str(refused.value) == (
                f"{tmp_path}: another batch is writing into this folder (pid {holder.pid}, "
                f"started {when} UTC); wait for it to finish, or give another folder with -o"
            )
            assert refused.value.exit_code == 74
            assert sorted(p.name for p in tmp_path.iterdir()) == [LOCK_FILE]
        finally:
            holder.send_signal(signal.SIGKILL)
    # Killed, it left the file but no lock: the next batch goes ahead.
    with folder_lock(tmp_path):
        assert json.loads((tmp_path / LOCK_FILE).read_text())["pid"] == os.getpid()


def test_two_batches_started_at_once_into_one_folder_one_is_refused_no_summary_lost(
    tmp_path: Path,
) -> None:
    out = tmp_path / "out"
    inputs = [
        [str(_scenario(tmp_path / name, f"{name}-{n}.json", f"{name} {n}")) for n in (1, 2)]
        for name in ("first", "second")
    ]
    runs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "crossover",
                "batch",
                *paths,
                "-o",
                str(out),
                "--format",
                "xlsx",
                "-j",
                "1",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for paths in inputs
    ]
    results = [(run.pid, *run.communicate(timeout=300)) for run in runs]
    codes = [run.returncode for run in runs]
    assert sorted(codes) == [0, 74], results
    winner, loser = (0, 1) if codes[0] == 0 else (1, 0)
    _, _, err = results[loser]
    assert err.startswith(
        f"Error: {out}: another batch is writing into this folder (pid {results[winner][0]}, "
        "started "
    ), err
    assert err.endswith(" UTC); wait for it to finish, or give another folder with -o\n")
    # The batch that ran wrote its whole summary, and it is the only one.
    summary = json.loads((out / "summary.json").read_text())
    assert [o["input"] for o in summary["outcomes"]] == inputs[winner]
    assert summary["succeeded"] == 2
    assert not (out / "summary-2.json").exists()
