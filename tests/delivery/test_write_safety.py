"""Outputs never replace what must stay, and a failed write is one line naming the file (issue 13)."""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from .delivery_fixtures import EXAMPLES_DIR, run_cli

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


def _tmpfs(folder: Path, options: str) -> Iterator[Path]:
    """A small real file system of its own: the disk-full and read-only cases, not simulated."""
    folder.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (it needs root): {mounted.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=True)


@pytest.fixture
def full_disk(tmp_path: Path) -> Iterator[Path]:
    """A 16 KB file system: a results JSON (about 100 KB) does not fit."""
    yield from _tmpfs(tmp_path / "full", "size=16k")


@pytest.fixture
def read_only_folder(tmp_path: Path) -> Iterator[Path]:
    """A folder no file can be written in: a read-only mount as root (root ignores modes)."""
    if os.geteuid() == 0:
        yield from _tmpfs(tmp_path / "ro", "size=64k,ro")
        return
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        yield folder
    finally:
        folder.chmod(0o755)


@pytest.mark.parametrize("command", ["analyse", "report"])
def test_a_full_disk_is_one_line_naming_the_file_and_exit_74(
    command: str, full_disk: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if command == "analyse":
        target = full_disk / "results.json"
        args = ["analyse", str(EXAMPLE), "--json", str(target)]
    else:
        target = full_disk / "northwind-documents-2026-11-27.html"
        args = ["report", str(EXAMPLE), "-o", str(full_disk), "--format", "html"]
    code, _, err = run_cli(args, capsys)
    assert code == 74
    assert err == f"Error: {target}: cannot write: No space left on device\n"
    assert list(full_disk.iterdir()) == []


@pytest.mark.parametrize("command", ["analyse", "report"])
def test_a_read_only_folder_is_one_line_naming_the_file_and_exit_74(
    command: str, read_only_folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if command == "analyse":
        target = read_only_folder / "results.json"
        args = ["analyse", str(EXAMPLE), "--json", str(target)]
    else:
        target = read_only_folder / "northwind-documents-2026-11-27-results.xlsx"
        args = ["report", str(EXAMPLE), "-o", str(read_only_folder), "--format", "xlsx"]
    code, _, err = run_cli(args, capsys)
    assert code == 74
    reason = "Read-only file system" if os.geteuid() == 0 else "Permission denied"
    assert err == f"Error: {target}: cannot write: {reason}\n"
    assert list(read_only_folder.iterdir()) == []


def test_a_dangling_link_as_the_output_names_its_target_and_stays_a_link(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    link = tmp_path / "results.json"
    target = tmp_path / "gone" / "results.json"
    link.symlink_to(target)
    code, _, err = run_cli(["analyse", str(EXAMPLE), "--json", str(link)], capsys)
    assert code == 74
    assert err == (
        f"Error: {link}: cannot write: it is a link to {target}, whose folder "
        f"{tmp_path / 'gone'} does not exist\n"
    )
    assert link.is_symlink()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results.json"]


def test_a_link_as_the_output_is_written_through_and_stays_a_link(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "shared").mkdir()
    target = tmp_path / "shared" / "acme.json"
    link = tmp_path / "results.json"
    link.symlink_to(target)
    code, _, err = run_cli(["analyse", str(EXAMPLE), "--json", str(link)], capsys)
    assert (code, err) == (0, "")
    assert link.is_symlink()
    assert (
        json.loads(target.read_text())["scenario"]["client"]["client_name"]
        == (json.loads(EXAMPLE.read_text())["client"]["client_name"])
    )


def test_a_link_to_the_input_is_refused_like_the_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = tmp_path / "x.json"
    shutil.copy(EXAMPLE, scenario)
    link = tmp_path / "out.json"
    link.symlink_to(scenario)
    code, _, err = run_cli(["analyse", str(scenario), "--json", str(link)], capsys)
    assert code == 65
    assert err == f"Error: {scenario}: this is the input file; give another name for the output\n"
    assert scenario.read_bytes() == EXAMPLE.read_bytes()
