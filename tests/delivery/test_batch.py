"""`crossover batch`: good, broken, hostile, hung and crashing inputs in one run; summaries; inputs found."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import signal
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from pypdf import PdfReader

from crossover.delivery.batch import (
    BatchOptions,
    Outcome,
    WorkerState,
    batch,
    collect_inputs,
    render_input,
    run_batch,
    write_summaries,
)
from crossover.errors import InputError
from crossover.inert import csv_text

from .delivery_fixtures import EXAMPLES_DIR, example_raw, run_cli

GOOD = ["document-intelligence.json", "small-startup.json", "regulated-healthcare.xlsx"]
BROKEN_JSON = '{"client": {"client_name": "Broken Co"}, "workload": '


def zip_bomb(path: Path) -> Path:
    """An .xlsx-shaped zip whose one sheet inflates to 200 MB of zeros."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            for _ in range(200):
                member.write(b"0" * (1024 * 1024))
    return path


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    """A client folder: three good scenarios, a broken JSON and a zip bomb named .xlsx."""
    folder = tmp_path / "clients"
    folder.mkdir()
    for name in GOOD:
        shutil.copy(EXAMPLES_DIR / name, folder / name)
    (folder / "broken.json").write_text(BROKEN_JSON)
    zip_bomb(folder / "bomb.xlsx")
    (folder / "notes.txt").write_text("not an input")
    return folder


def test_a_folder_with_bad_and_hostile_inputs_renders_every_good_one(
    inputs: Path, tmp_path: Path, capsys: Any
) -> None:
    out = tmp_path / "reports"
    code, stdout, err = run_cli(
        ["batch", str(inputs), "-o", str(out), "-j", "2", "--format", "pdf,xlsx"],
        capsys,
    )
    assert code == 65
    bad = [str(inputs / "bomb.xlsx"), str(inputs / "broken.json")]
    assert err == f"Error: 2 of 5 input(s) failed: {', '.join(bad)}\n"

    summary = json.loads((out / "summary.json").read_text())
    assert (summary["inputs"], summary["succeeded"], summary["failed"]) == (5, 3, 2)
    by_name = {Path(o["input"]).name: o for o in summary["outcomes"]}
    assert list(by_name) == sorted(["bomb.xlsx", "broken.json", *GOOD])
    assert by_name["broken.json"]["error"].startswith("1 problem(s): not valid JSON at line 1")
    assert by_name["bomb.xlsx"]["error"] == (
        "part xl/worksheets/sheet1.xml expands to 210 MB; the tool reads at most 8 MB per sheet "
        "(far more than a filled-in template holds)"
    )
    for name in GOOD:
        outcome = by_name[name]
        assert outcome["ok"], outcome["error"]
        pdf, results_json, xlsx = (out / f for f in outcome["outputs"])
        assert len(PdfReader(pdf).pages) > 1
        assert (
            json.loads(results_json.read_text())["scenario"]["client"]["client_name"]
            == (outcome["client"])
        )
        assert load_workbook(xlsx)["Summary"]["B2"].value == outcome["client"]

    # The table names every input with its figures or its error.
    for name in GOOD:
        assert by_name[name]["client"] in stdout
    assert "not valid JSON" in stdout
    assert f"Summary written to {out / 'summary.json'} and {out / 'summary.csv'}" in stdout
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]


def test_a_clean_batch_exits_zero(tmp_path: Path, capsys: Any) -> None:
    out = tmp_path / "out"
    code, stdout, err = run_cli(
        ["batch", str(EXAMPLES_DIR / "small-startup.json"), "-o", str(out), "--format", "xlsx"],
        capsys,
    )
    assert (code, err) == (0, "")
    [outcome] = json.loads((out / "summary.json").read_text())["outcomes"]
    assert outcome["outputs"] == [f"{Path(outcome['outputs'][0]).stem}.xlsx"]
    assert outcome["monthly_savings"] in stdout


# -- hung and crashing inputs ------------------------------------------------------------
# The renderer is a parameter of the batch: these wrap the real one and misbehave for inputs
# named so, the way a pathological file would wedge or kill WeasyPrint or the reader.


TIMEOUT_S = 6.0


def misbehaving(path: Path, options: BatchOptions, state: WorkerState, stem: str) -> Outcome:
    if path.stem.startswith("hang"):
        time.sleep(3600)
    if path.stem.startswith("stubborn"):
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        time.sleep(3600)
    if path.stem.startswith("crash"):
        os.kill(os.getpid(), signal.SIGKILL)
    return render_input(path, options, state, stem)


def _scenario(folder: Path, name: str, client: str) -> Path:
    raw = example_raw("small-startup")
    raw["client"]["client_name"] = client
    path = folder / name
    path.write_text(json.dumps(raw))
    return path


def test_hung_and_crashing_inputs_are_stopped_and_the_batch_goes_on(
    tmp_path: Path, capsys: Any
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    paths = [
        _scenario(folder, "hang.json", "Hang Ltd"),
        _scenario(folder, "good-1.json", "Good One"),
        _scenario(folder, "crash.json", "Crash Ltd"),
        _scenario(folder, "stubborn.json", "Stubborn Ltd"),
        _scenario(folder, "good-2.json", "Good Two"),
    ]
    out = tmp_path / "out"
    # The limit leaves a good input's render time to finish on a busy machine (CI shares its
    # cores); the hung ones would take an hour.
    options = BatchOptions(out, frozenset({"xlsx"}), jobs=1, timeout_s=TIMEOUT_S)

    started = time.monotonic()
    with pytest.raises(InputError) as failure:
        batch(paths, options, render=misbehaving)
    elapsed = time.monotonic() - started

    assert str(failure.value) == (
        f"3 of 5 input(s) failed: {folder / 'hang.json'}, {folder / 'crash.json'}, "
        f"{folder / 'stubborn.json'}"
    )
    outcomes = {
        Path(o["input"]).name: o for o in json.loads((out / "summary.json").read_text())["outcomes"]
    }
    timed_out = f"timed out after {TIMEOUT_S:g} s; its worker was stopped"
    assert outcomes["hang.json"]["error"] == timed_out
    assert outcomes["stubborn.json"]["error"] == timed_out
    assert outcomes["crash.json"]["error"] == "the worker process died (killed by SIGKILL)"
    # One worker (-j 1): each replacement took over the inputs after the failure.
    for name, client in (("good-1.json", "Good One"), ("good-2.json", "Good Two")):
        assert outcomes[name]["ok"] and outcomes[name]["client"] == client
        [workbook] = outcomes[name]["outputs"]
        assert (out / workbook).is_file()
    # Two timeouts, the stubborn one's 2 s grace before SIGKILL, and the renders: not the hour
    # the hung inputs would take.
    assert elapsed < 120
    stdout = capsys.readouterr().out
    assert f"timed out after {TIMEOUT_S:g} s" in stdout and "killed by SIGKILL" in stdout


def test_no_worker_outlives_the_batch(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    paths = [_scenario(folder, f"hang-{i}.json", f"Client {i}") for i in range(2)]
    options = BatchOptions(tmp_path / "out", frozenset({"xlsx"}), jobs=2, timeout_s=0.5)
    outcomes = run_batch(paths, options, render=misbehaving)
    assert [o.error for o in outcomes] == ["timed out after 0.5 s; its worker was stopped"] * 2
    import multiprocessing

    assert multiprocessing.active_children() == []


# -- summaries ---------------------------------------------------------------------------


def test_summary_csv_neutralises_formulas(tmp_path: Path) -> None:
    outcomes = [
        Outcome(
            input="evil.json",
            ok=True,
            client='=HYPERLINK("http://evil.example","x")',
            verdict="Stay on the API",
            monthly_savings_usd=-1234.5,
            monthly_savings="-$1,235",
            outputs=("evil-2026-11-27-results.xlsx",),
            seconds=0.25,
        ),
        Outcome(input="@bad.json", ok=False, error="+1 problem(s)", seconds=0.1),
    ]
    json_path, csv_path = write_summaries(outcomes, tmp_path)
    rows = list(csv.DictReader(io.StringIO(csv_path.read_text(encoding="utf-8"))))
    assert rows[0]["client"] == '\'=HYPERLINK("http://evil.example","x")'
    assert rows[0]["monthly_savings"] == "'-$1,235"
    assert rows[0]["monthly_savings_usd"] == "-1234.5"  # a number, not text: left as is
    assert rows[0]["status"] == "ok" and rows[0]["seconds"] == "0.25"
    assert rows[1]["input"] == "'@bad.json" and rows[1]["error"] == "'+1 problem(s)"
    assert rows[1]["status"] == "failed" and rows[1]["client"] == ""
    summary = json.loads(json_path.read_text())
    assert summary["outcomes"][0]["client"] == outcomes[0].client  # JSON keeps the real text
    assert (summary["succeeded"], summary["failed"]) == (1, 1)


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@A1", "\tx", "\rx"])
def test_every_csv_formula_trigger_gets_an_apostrophe(text: str) -> None:
    assert csv_text(text) == "'" + text
    assert csv_text("plain " + text) == "plain " + text


# -- finding the inputs ------------------------------------------------------------------


def test_folders_give_their_scenarios_sorted_and_skip_what_is_not_one(tmp_path: Path) -> None:
    folder = tmp_path / "clients"
    (folder / "sub").mkdir(parents=True)
    for name in [
        "b.xlsx",
        "a.json",
        "C.JSON",
        "notes.txt",
        ".hidden.json",
        "~$b.xlsx",
        "summary.json",
        "summary-2.json",
        "acme-2026-11-27-results.json",
        "sub/deeper.json",
    ]:
        (folder / name).write_text("x")
    explicit = tmp_path / "odd-name.txt"
    explicit.write_text("x")
    found = collect_inputs([folder, explicit, folder / "a.json"])
    assert [p.name for p in found] == ["C.JSON", "a.json", "b.xlsx", "odd-name.txt"]


def test_an_empty_folder_is_a_data_error(tmp_path: Path, capsys: Any) -> None:
    code, _, err = run_cli(["batch", str(tmp_path), "-o", str(tmp_path / "out")], capsys)
    assert code == 65
    assert err == f"Error: nothing to render: no .xlsx or .json files in {tmp_path}\n"


def test_a_missing_path_is_a_usage_error(tmp_path: Path, capsys: Any) -> None:
    code, _, err = run_cli(["batch", str(tmp_path / "nope")], capsys)
    assert code == 2
    assert "does not exist" in err


def test_summary_csv_quotes_every_field_and_neutralises_after_separators(
    tmp_path: Path,
) -> None:
    outcome = Outcome(
        input="a.json", ok=True, client="Acme;=1+1;", verdict="v", outputs=(), seconds=0.1
    )
    _, csv_path = write_summaries([outcome], tmp_path)
    text = csv_path.read_text(encoding="utf-8")
    assert '"Acme;\'=1+1;"' in text
    # Opened in a locale that separates with ";", no cell starts a formula.
    for row in csv.reader(io.StringIO(text.replace('"', "")), delimiter=";"):
        assert not any(cell.lstrip().startswith(("=", "+", "-", "@")) for cell in row)


@settings(deadline=None)
@given(st.text(alphabet="=+-@\t\r\n,;| ax1", max_size=30))
def test_no_piece_of_a_csv_cell_starts_a_formula_whatever_the_separator(text: str) -> None:
    cell = csv_text(text)
    for separator in ",;\t|\n\r":
        for piece in cell.split(separator)[1:]:
            assert not piece.lstrip().startswith(("=", "+", "-", "@"))
    assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))
