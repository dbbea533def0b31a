"""What a small hostile file may cost before it is refused: stretched table ranges (issue 13)."""

from __future__ import annotations

import re
import resource
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_WORKBOOK = ROOT / "inputs" / "examples" / "document-intelligence.xlsx"
MEASURE = Path(__file__).with_name("measure.py")
MAX_SECONDS = 2.0
MAX_RSS_MB = 200


def with_tiers_ref(path: Path, ref: str) -> Path:
    """The example workbook with its Tiers table's range (and its filter's) set to `ref`."""
    with zipfile.ZipFile(EXAMPLE_WORKBOOK) as source, zipfile.ZipFile(path, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename.startswith("xl/tables/") and b'displayName="Tiers"' in data:
                data = re.sub(rb'ref="B4:[A-Z]+12"', f'ref="{ref}"'.encode(), data)
            target.writestr(info, data)
    return path


CASES = {
    "to-the-last-row": (
        "B4:G1048576",
        "Tiers!B4:G1048576 (Tiers table): the table's range B4:G1048576 spans 1,048,572 rows "
        "and 6 columns, more than the 1,000 rows and 64 columns a table may hold; resize it "
        "to the rows you filled (Table Design > Resize Table)",
    ),
    "to-the-last-column": (
        "B4:XFD12",
        "Tiers!B4:XFD12 (Tiers table): the table's range B4:XFD12 spans 8 rows and 16,383 "
        "columns, more than the 1,000 rows and 64 columns a table may hold; resize it to the "
        "rows you filled (Table Design > Resize Table)",
    ),
    "malformed": (
        "B4:G",
        "Tiers!B4:G (Tiers table): the table's range 'B4:G' is not a range of cells; recreate "
        "the table",
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_stretched_or_broken_table_range_is_refused_fast_and_small(
    name: str, tmp_path: Path
) -> None:
    ref, message = CASES[name]
    path = with_tiers_ref(tmp_path / f"{name}.xlsx", ref)
    out_dir = tmp_path / "out"
    rss_file = tmp_path / "rss"
    # CPU seconds of the child, not wall time: the machine running the tests may be shared.
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(
        [sys.executable, str(MEASURE), str(rss_file), "report", str(path), "-o", str(out_dir)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    elapsed = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    assert done.returncode == 65, done.stderr
    assert f"  {message}" in done.stderr.splitlines()
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr
    assert elapsed < MAX_SECONDS, f"{elapsed:.2f} s of CPU"
    assert int(rss_file.read_text()) / 1024 < MAX_RSS_MB
    assert not out_dir.exists() or not any(out_dir.iterdir())
