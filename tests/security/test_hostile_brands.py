"""Hostile brand files (TOML, logos, fonts): refused in one line naming the file and the limit, exit 65, fast, small."""

from __future__ import annotations

import resource
import subprocess
import sys
from pathlib import Path

import pytest

from crossover.report.brand import load_brand

from .hostile_brands import HOSTILE_BRANDS, SVG_OPEN, brand_folder, jpeg, png, with_logo

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "inputs" / "examples" / "document-intelligence.json"
MEASURE = Path(__file__).with_name("measure.py")
MAX_SECONDS = 2.0
MAX_RSS_MB = 200


@pytest.mark.parametrize("name", sorted(HOSTILE_BRANDS))
def test_a_hostile_brand_file_is_refused_in_one_line_fast_and_small(
    name: str, tmp_path: Path
) -> None:
    build, field, message = HOSTILE_BRANDS[name]
    folder = build(brand_folder(tmp_path / "brand"))
    out_dir = tmp_path / "out"
    rss_file = tmp_path / "rss"
    # batch loads the brand once, before any worker starts: a brand that would hang or kill
    # the render must be refused there. CPU seconds of the child: the machine may be shared.
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(
        [
            sys.executable,
            str(MEASURE),
            str(rss_file),
            "batch",
            str(EXAMPLE),
            "--brand",
            str(folder),
            "-o",
            str(out_dir),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    assert done.returncode == 65, done.stderr
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith(f"Error: {folder / 'brand.toml'}: {field}{message}"), lines[0]
    assert cpu < MAX_SECONDS, f"{cpu:.2f} s of CPU"
    assert int(rss_file.read_text()) / 1024 < MAX_RSS_MB
    assert not out_dir.exists() or not any(out_dir.iterdir())


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("logo.png", png(1_200, 400)),
        ("logo.jpg", jpeg(8, 8)),
        (
            "logo.svg",
            (
                f'{SVG_OPEN}<defs><linearGradient id="g"><stop offset="0"/></linearGradient>'
                '<circle id="dot" r="2"/></defs><rect fill="url(#g)" width="9" height="9"/>'
                + '<use href="#dot"/>' * 40
                + "</svg>"
            ).encode(),
        ),
        # What a design tool exports: the XML declaration, xlink, a style sheet with classes.
        (
            "export.svg",
            b'<?xml version="1.0" encoding="UTF-8"?><svg xmlns="http://www.w3.org/2000/svg" '
            b'xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10"><style>.a{fill:'
            b'#1f3a5f}</style><symbol id="s"><path class="a" d="M0 0h5v5z"/></symbol>'
            b'<use xlink:href="#s"/><use xlink:href="#s" x="5"/></svg>',
        ),
    ],
)
def test_an_ordinary_logo_within_the_limits_loads(name: str, data: bytes, tmp_path: Path) -> None:
    folder = with_logo(brand_folder(tmp_path / "brand"), name, data)
    assert load_brand(folder).logo == folder.resolve() / name


def test_the_limits_are_the_ones_security_md_promises() -> None:
    from crossover.report import brand_files

    text = (ROOT / "SECURITY.md").read_text(encoding="utf-8")
    promised = (
        f"brand file of at most {brand_files.MAX_BRAND_FILE_BYTES // 1024} KB and "
        f"{brand_files.MAX_BRAND_DEPTH} levels of nesting; a logo of at most "
        f"{brand_files.MAX_LOGO_BYTES // 1024 // 1024} MB: an SVG of at most "
        f"{brand_files.MAX_SVG_ELEMENTS:,} elements drawn"
    )
    assert promised in " ".join(text.split())
