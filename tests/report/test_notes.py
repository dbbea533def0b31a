"""The consultant's notes: "Our view" on page 2, escaped, flowing when long, and in every output."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from crossover.delivery.outputs import render_report
from crossover.delivery.results_workbook import results_workbook_bytes
from crossover.engine.results import Results
from crossover.report.brand import Brand

from .helpers import Rendered, parse_html, text_of

NOTE = (
    "We have worked with Northwind's platform team for three weeks, and the figures match\n"
    "what their invoices show for extraction.\n"
    "\n"
    "What we recommend:\n"
    "- Move extraction to a self-hosted 8B model on rented L40S GPUs.\n"
    "- Keep complex reasoning on the API: its volume is too small to fill a GPU.\n"
    "- Run a two-week shadow test on your own documents first.\n"
    "\n"
    "Next steps: we meet your CFO <script>alert(1)</script> {{ 7*7 }} & agree the budget."
)
PARAGRAPH = (
    "Volumes have doubled twice this year and the team expects the same again, which is why "
    "we look at self-hosting now rather than next year."
)
# Nine numbered paragraphs of three sentences and three points: close to the 4,000 allowed.
LONG_NOTE = (
    "\n\n".join(f"Point {i}. " + " ".join([PARAGRAPH] * 3) for i in range(1, 10))
    + "\n\n- Pilot on extraction first\n- Budget agreed with finance\n- Timeline of six weeks"
)
# What a page shows besides the body: its running header and footer, and list markers (pypdf
# puts them after the page's text).
_FURNITURE = re.compile(r" Crossover Advisory \d+ [^·]*· November 27, 2026 Page \d+ of \d+$")


def _with_notes(results: Results, notes: str) -> Results:
    client = results.scenario.client.model_copy(update={"notes": notes})
    scenario = results.scenario.model_copy(update={"client": client})
    return results.model_copy(update={"scenario": scenario})


def _render(results: Results, notes: str, folder: Path, brand: Brand) -> tuple[str, list[str]]:
    paths = render_report(_with_notes(results, notes), folder, {"pdf", "html"}, brand)
    html = next(p for p in paths if p.suffix == ".html").read_text(encoding="utf-8")
    pdf = next(p for p in paths if p.suffix == ".pdf").read_bytes()
    pages = [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages]
    return html, pages


@pytest.fixture(scope="module")
def with_note(
    example_results: dict[str, Results], tmp_path_factory: pytest.TempPathFactory, brand: Brand
) -> tuple[str, list[str]]:
    results = example_results["document-intelligence"]
    return _render(results, NOTE, tmp_path_factory.mktemp("notes"), brand)


@pytest.fixture(scope="module")
def with_long_note(
    example_results: dict[str, Results], tmp_path_factory: pytest.TempPathFactory, brand: Brand
) -> tuple[str, list[str]]:
    results = example_results["document-intelligence"]
    return _render(results, LONG_NOTE, tmp_path_factory.mktemp("long-notes"), brand)


def test_the_note_is_our_view_in_paragraphs_and_bullets(with_note: tuple[str, list[str]]) -> None:
    root = parse_html(with_note[0])
    view = next(el for el in root.iter("div") if el.attrib.get("class") == "our-view")
    assert [text_of(h) for h in view.iter("h3")] == ["Our view"]
    assert [text_of(p) for p in view.iter("p")][1:] == [
        "What we recommend:",
        "Next steps: we meet your CFO <script>alert(1)</script> {{ 7*7 }} & agree the budget.",
    ]
    assert [text_of(li) for li in view.iter("li")] == [
        "Move extraction to a self-hosted 8B model on rented L40S GPUs.",
        "Keep complex reasoning on the API: its volume is too small to fill a GPU.",
        "Run a two-week shadow test on your own documents first.",
    ]
    # The line break typed inside the first paragraph stays one.
    assert (
        "<p>We have worked with Northwind's platform team for three weeks, and the figures "
        "match<br>what their invoices show for extraction.</p>"
    ) in with_note[0].replace("&#39;", "'")


def test_the_note_is_escaped_never_markup(with_note: tuple[str, list[str]]) -> None:
    html = with_note[0]
    assert not list(parse_html(html).iter("script"))
    assert "<script>alert(1)" not in html
    assert "your CFO &lt;script&gt;alert(1)&lt;/script&gt; {{ 7*7 }} &amp; agree" in html
    assert "49" not in html.split('class="our-view"')[1].split("</div>")[0]


def test_the_note_is_on_page_2_under_its_heading(with_note: tuple[str, list[str]]) -> None:
    page_2 = with_note[1][1]
    assert page_2.startswith("1 Executive summary RECOMMENDATION")
    assert (
        "Our view We have worked with Northwind's platform team for three weeks, and the "
        "figures match what their invoices show for extraction. What we recommend: Move "
        "extraction to a self-hosted 8B model on rented L40S GPUs. Keep complex reasoning on "
        "the API: its volume is too small to fill a GPU. Run a two-week shadow test on your own "
        "documents first. Next steps: we meet your CFO <script>alert(1)</script> {{ 7*7 }} & "
        "agree the budget."
    ) in page_2
    # The verdict comes before the consultant's view of it.
    assert page_2.index("RECOMMENDATION") < page_2.index("Our view")


def test_a_long_note_flows_on_and_loses_nothing(with_long_note: tuple[str, list[str]]) -> None:
    assert 3_800 < len(LONG_NOTE) <= 4_000
    pages = with_long_note[1]
    assert pages[1].startswith("1 Executive summary RECOMMENDATION")
    assert "Our view Point 1. Volumes have doubled" in pages[1]
    bodies = [_FURNITURE.sub("", " ".join(page.replace("•", "").split())) for page in pages]
    shown = " ".join(LONG_NOTE.replace("- ", "").split())
    assert shown in " ".join(" ".join(bodies).split())
    # The summary continues on the next page, and the next section follows it there or on the
    # page after, so no page stands half empty because of the note.
    assert "Top risks" not in pages[1] and "Top risks" in pages[2]
    assert any("2 Workload and routing" in text for text in pages[2:4])


def test_without_notes_there_is_no_heading_and_no_empty_box(rendered: Rendered) -> None:
    assert rendered.results.scenario.client.notes == ""
    body = rendered.html.split("</style>")[-1]
    assert "Our view" not in body and "our-view" not in body and "data-notes" not in body
    assert '<section id="summary" class="section section-summary" ' in body


def test_the_results_json_and_workbook_carry_the_note(
    example_results: dict[str, Results], tmp_path: Path
) -> None:
    results = _with_notes(example_results["small-startup"], "=1+1 is not a formula\n\n- one")
    json_text = results.model_dump_json()
    assert json.loads(json_text)["scenario"]["client"]["notes"] == "=1+1 is not a formula\n\n- one"
    assert Results.model_validate_json(json_text) == results
    workbook = load_workbook(io.BytesIO(results_workbook_bytes(results)))
    summary = workbook["Summary"]
    column = [cell.value for cell in summary["A"]]
    at = column.index("Our view")
    assert column[at + 1 : at + 3] == ["=1+1 is not a formula", "• one"]
    assert summary.cell(row=at + 2, column=1).data_type == "s"
    assert summary.cell(row=at + 2, column=1).quotePrefix
    inputs = {row[1]: row[2] for row in workbook["Inputs"].iter_rows(values_only=True)}
    assert inputs["notes"] == "=1+1 is not a formula\n\n- one"


def test_without_notes_the_results_workbook_has_no_our_view(
    example_results: dict[str, Results],
) -> None:
    workbook = load_workbook(io.BytesIO(results_workbook_bytes(example_results["small-startup"])))
    assert "Our view" not in [cell.value for cell in workbook["Summary"]["A"]]
