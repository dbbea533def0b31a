"""JSON scenarios: size, depth, duplicate keys and extreme numbers refused in one line (issue 13)."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from crossover.cli import main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "inputs" / "examples" / "document-intelligence.json"
MEASURE = Path(__file__).with_name("measure.py")


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(args)
        raise SystemExit(0)
    out, err = capsys.readouterr()
    code = exit_info.value.code
    return (code if isinstance(code, int) else 0), out, err


def _with_volume(text: str) -> str:
    data = json.loads(EXAMPLE.read_text())
    data["workload"]["input_mtok_per_day"] = "VOLUME"
    return json.dumps(data).replace('"VOLUME"', text)


DIGITS = "1" + "0" * 5000

CASES: dict[str, tuple[str, str]] = {
    "duplicate-key": (
        EXAMPLE.read_text().replace('{\n  "client": {', '{\n  "client": {"client_name": "A",', 1),
        'the key "client_name" appears twice in one object; keep one (JSON readers disagree on '
        "which one wins)",
    ),
    "5001-digits": (_with_volume(DIGITS), "a number with 5,001 digits; numbers have at most 30"),
    "nan": (_with_volume("NaN"), "NaN is not a number JSON allows; give a number"),
    "1e308": (
        _with_volume("1e308"),
        "workload.input_mtok_per_day: 1e+308 is outside the range the tool computes with "
        "(non-zero amounts from 1e-15 to 1e+15); check the number and its unit",
    ),
    "1e-308": (
        _with_volume("1e-308"),
        "workload.input_mtok_per_day: 1e-308 is outside the range the tool computes with "
        "(non-zero amounts from 1e-15 to 1e+15); check the number and its unit",
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_json_scenario_that_cannot_mean_one_thing_is_refused(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text, message = CASES[name]
    path = tmp_path / f"{name}.json"
    path.write_text(text)
    code, out, err = run(["analyse", str(path)], capsys)
    assert (code, out) == (65, "")
    assert message in err
    assert "internal error" not in err


def _measured(path: Path, tmp_path: Path) -> tuple[subprocess.CompletedProcess[str], float, int]:
    rss_file = tmp_path / "rss"
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(
        [sys.executable, str(MEASURE), str(rss_file), "analyse", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return done, cpu, int(rss_file.read_text()) // 1024


@pytest.mark.parametrize(
    ("name", "write", "message"),
    [
        (
            "200-mb",
            lambda p: p.write_bytes(b'{"client": "' + b"x" * (200 * 1024 * 1024) + b'"}'),
            "the file is 200.0 MB; a scenario file may be at most 2 MB",
        ),
        (
            "deep",
            lambda p: p.write_bytes(b"[" * 1_000_000 + b"]" * 1_000_000),
            "nested more than 16 levels deep",
        ),
        (
            "deep-small",
            lambda p: p.write_bytes(b"[" * 100_000 + b"]" * 100_000),
            "nested more than 16 levels deep",
        ),
    ],
)
def test_a_huge_or_deep_json_is_refused_fast_and_small(
    name: str, write: Any, message: str, tmp_path: Path
) -> None:
    path = tmp_path / f"{name}.json"
    write(path)
    done, cpu, rss_mb = _measured(path, tmp_path)
    assert done.returncode == 65, done.stderr
    assert done.stderr.splitlines() == [f"Error: {path}: {message}"]
    assert cpu < 2.0, f"{cpu:.2f} s of CPU"
    assert rss_mb < 200
