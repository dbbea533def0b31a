"""No half-empty pages: every page of every example's PDF is filled, except where the report ends.

The measure is ink, not text, so that charts count: each page is rasterised in grey at 20 dpi
(poppler's pdftoppm, as a reader's viewer would draw it) and the fill is how far down the page's
body (between the @page top and bottom margins, where the running header and footer sit) the
lowest row with any dark pixel lies. A block that could not share a page with the one before
shows as a page that stops early. Thresholds: every page but the last is filled to at least
two thirds of its body (the issue found pages 45–75% blank); the last page may be short, as a report's
end is, but holds at least a quarter of a page: the colophon alone fills about a tenth.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from .helpers import Rendered

MARGIN_TOP_MM, MARGIN_BOTTOM_MM, PAGE_MM = 24, 22, 297
"""print.css's @page margins on A4."""
DARK = 200
"""A grey level below which a pixel is ink (0 is black, 255 white): the palest text is ~150."""
MIN_FILL = 2 / 3
MIN_LAST_FILL = 0.25


def page_fills(pdf: Path, work: Path) -> list[float]:
    """How far down its body each page is inked, as a share of the body's height."""
    subprocess.run(["pdftoppm", "-gray", "-r", "20", str(pdf), str(work / "p")], check=True)
    fills = []
    for page in sorted(work.glob("p-*.pgm"), key=lambda p: int(p.stem.rpartition("-")[2])):
        magic, size, _maxval, pixels = page.read_bytes().split(b"\n", 3)
        assert magic == b"P5", "pdftoppm -gray writes binary PGM"
        width, height = map(int, size.split())
        top = round(height * MARGIN_TOP_MM / PAGE_MM)
        bottom = height - round(height * MARGIN_BOTTOM_MM / PAGE_MM)
        inked = [y for y in range(top, bottom) if min(pixels[y * width : (y + 1) * width]) < DARK]
        fills.append((inked[-1] + 1 - top) / (bottom - top) if inked else 0.0)
    return fills


def test_no_page_is_mostly_empty(rendered: Rendered, tmp_path: Path) -> None:
    fills = page_fills(rendered.pdf_path, tmp_path)
    short = {n: f"{fill:.0%}" for n, fill in enumerate(fills[:-1], start=1) if fill < MIN_FILL}
    assert short == {}, f"{rendered.name}: pages filled less than {MIN_FILL:.0%}"
    assert fills[-1] >= MIN_LAST_FILL, f"{rendered.name}: the last page holds only the colophon"


def test_the_measure_sees_an_empty_page_and_a_full_one(tmp_path: Path) -> None:
    """The cover fills its page; a page holding only a line of text is nearly empty."""
    from weasyprint import HTML

    html = "<p>One line</p><p style='break-before: page; height: 250mm; background: #000'></p>"
    pdf = tmp_path / "two.pdf"
    HTML(string=html).write_pdf(pdf, stylesheets=[])
    first, second = page_fills(pdf, tmp_path)
    assert first < 0.1 and second > 0.9
