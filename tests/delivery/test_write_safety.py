"""Outputs never replace what must stay, and a failed write is one line naming the file (issue 13)."""

from __future__ import annotations

import resource
import shutil
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from delivery_fixtures import EXAMPLES_DIR, run_cli

EXAMPLE = EXAMPLES_DIR / "document-intelligence.json"


def test_template_refuses_an_existing_file_without_force(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    filled = tmp_path / "client.xlsx"
    filled.write_bytes(b"a filled client workbook")
    code, out, err = run_cli(["template", str(filled)], capsys)
    assert (code, out) == (65, "")
    assert err == (
        f"Error: {filled}: already exists (it may be a filled workbook); give another name, "
        "or --force to replace it\n"
    )
    assert filled.read_bytes() == b"a filled client workbook"
    code, out, err = run_cli(["template", str(filled), "--force"], capsys)
    assert (code, out, err) == (0, f"Template written to {filled}\n", "")
    assert filled.read_bytes().startswith(b"PK")


def test_analyse_never_writes_its_json_over_its_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = tmp_path / "x.json"
    shutil.copy(EXAMPLE, scenario)
    before = scenario.read_bytes()
    code, _, err = run_cli(["analyse", str(scenario), "--json", str(scenario)], capsys)
    assert code == 65
    assert err == (f"Error: {scenario}: this is the input file; give another name for the output\n")
    assert scenario.read_bytes() == before


def test_a_device_is_never_replaced(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(["analyse", str(EXAMPLE), "--json", "/dev/null"], capsys)
    assert code == 65
    assert err == (
        "Error: /dev/null: not a regular file (a device, a pipe or a folder), so it is not "
        "replaced; give the name of a file to write\n"
    )
    assert stat.S_ISCHR(Path("/dev/null").stat().st_mode)


def test_a_file_too_large_is_one_line_naming_it_and_exit_74(tmp_path: Path) -> None:
    target = tmp_path / "results.json"

    def small_files() -> None:
        # The kernel then refuses a write past 4 KB (EFBIG) instead of killing the process.
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))

    done = subprocess.run(
        [sys.executable, "-m", "crossover", "analyse", str(EXAMPLE), "--json", str(target)],
        capture_output=True,
        text=True,
        preexec_fn=small_files,
        timeout=120,
    )
    assert done.returncode == 74
    assert done.stderr == (
        f"Error: {target}: cannot write: file too large for this disk or its limits\n"
    )
    assert list(tmp_path.iterdir()) == []


def test_an_output_folder_that_is_a_dangling_symlink_names_the_target(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    link = tmp_path / "out"
    link.symlink_to(tmp_path / "gone")
    target = link / "results.json"
    code, _, err = run_cli(["analyse", str(EXAMPLE), "--json", str(target)], capsys)
    assert code == 74
    assert err.startswith(f"Error: {target}: cannot write: ")
    assert ".tmp" not in err
