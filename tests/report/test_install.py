"""A report renders from a built wheel, away from the source tree: templates, brand and fonts ship."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from .helpers import ROOT, Rendered

pytestmark = pytest.mark.slow

SCRIPT = """
import sys
from pathlib import Path
import crossover, crossover.templates
from crossover.engine.results import Results
from crossover.delivery.outputs import render_report
from crossover.report import default_brand

site = Path(sys.argv[1]).resolve()
assert Path(crossover.__file__).resolve().is_relative_to(site), crossover.__file__
assert Path(crossover.templates.__file__).resolve().is_relative_to(site), crossover.templates.__file__
brand = default_brand()
assert brand.folder.is_relative_to(site), brand.folder
results = Results.model_validate_json(Path(sys.argv[2]).read_text(encoding="utf-8"))
for path in render_report(results, Path(sys.argv[3]), {"pdf", "html"}, brand):
    print(path.name, path.stat().st_size)
"""


def test_a_report_renders_from_the_wheel(tmp_path: Path, hostile: Rendered) -> None:
    built = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "-q",
            "-w",
            str(tmp_path / "dist"),
            str(ROOT),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if built.returncode != 0:
        pytest.skip(f"cannot build a wheel here: {built.stderr.strip()[-300:]}")
    (wheel,) = (tmp_path / "dist").glob("*.whl")
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)
    ran = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(site), str(hostile.paths[-1]), str(tmp_path / "out")],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
        env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"},
    )
    assert ran.returncode == 0, ran.stderr
    names = [line.split()[0] for line in ran.stdout.splitlines()]
    assert [Path(n).suffix for n in names] == [".pdf", ".html", ".json"]
