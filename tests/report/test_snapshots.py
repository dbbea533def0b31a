"""The HTML of each example against its snapshot; UPDATE_SNAPSHOTS=1 rewrites them.

Inline images are replaced by their SHA-256 so a snapshot stays readable in a diff while a
changed chart or logo still fails the comparison.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

from .helpers import Rendered

SNAPSHOTS = Path(__file__).parent / "snapshots"
DATA_URI = re.compile(r"data:(?P<type>[\w/+.-]+);base64,(?P<data>[A-Za-z0-9+/=]+)")


def normalised(html: str) -> str:
    return DATA_URI.sub(
        lambda m: f"data:{m['type']};sha256,{hashlib.sha256(m['data'].encode()).hexdigest()}", html
    )


def test_the_html_matches_its_snapshot(rendered: Rendered) -> None:
    snapshot = SNAPSHOTS / f"{rendered.name}.html"
    actual = normalised(rendered.html)
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        SNAPSHOTS.mkdir(exist_ok=True)
        snapshot.write_text(actual, encoding="utf-8")
    assert snapshot.is_file(), f"no snapshot for {rendered.name}: run with UPDATE_SNAPSHOTS=1"
    assert actual == snapshot.read_text(encoding="utf-8"), (
        f"{rendered.name}'s HTML changed; if that is intended, run with UPDATE_SNAPSHOTS=1 and review the diff"
    )
