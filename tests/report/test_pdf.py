"""The PDF: metadata, tagging, embedded fonts, contents with page numbers, the summary on one page."""

from __future__ import annotations

import io
import shutil
from functools import cache
from importlib.resources import files
from pathlib import Path

import pytest
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, PdfObject, StreamObject

from crossover.engine.results import Results
from crossover.report import load_brand
from crossover.report.render import render_html, render_pdf
from crossover.wording import Words

from .helpers import SECTIONS, Rendered, formatted, key_figures

A4_POINTS = (595.28, 841.89)
DEFAULT_BRAND = Path(str(files("crossover.templates") / "brands" / "default"))


@cache
def _reader(pdf: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(pdf))


def _dict(entry: PdfObject | None) -> DictionaryObject:
    """A PDF dictionary's entry, resolved and checked to be a dictionary (pypdf types every
    entry as a PdfObject)."""
    resolved = entry.get_object() if entry is not None else None
    assert isinstance(resolved, DictionaryObject), resolved
    return resolved


@cache
def page_texts(pdf: bytes) -> list[str]:
    """Each page's text, whitespace collapsed (no-break spaces included)."""
    return [" ".join(page.extract_text().split()) for page in _reader(pdf).pages]


def test_weasyprint_understands_every_rule_and_resource(rendered: Rendered) -> None:
    assert rendered.weasyprint_warnings == []


def test_metadata_names_the_report_the_client_and_the_language(rendered: Rendered) -> None:
    reader = _reader(rendered.pdf)
    client = rendered.results.scenario.client
    meta = reader.metadata
    assert meta is not None
    assert meta.title == f"{client.client_name}: self-hosting vs API cost analysis"
    assert meta.author and "Crossover Advisory" in meta.author
    assert meta.subject and client.client_name in meta.subject
    assert meta.get("/Keywords")
    lang = reader.root_object["/Lang"]
    assert isinstance(lang, str) and lang == "en"


def test_the_pdf_is_tagged_for_pdf_ua(rendered: Rendered) -> None:
    root = _reader(rendered.pdf).root_object
    assert _dict(root["/MarkInfo"])["/Marked"]
    assert "/StructTreeRoot" in root
    metadata = root["/Metadata"]
    assert isinstance(metadata, StreamObject), metadata
    xmp = metadata.get_data()
    assert b"pdfuaid" in xmp


def embedded_families(pdf: bytes) -> set[str]:
    """The fonts the PDF uses, each checked to be embedded (subset prefix dropped)."""
    families = set()
    for page in _reader(pdf).pages:
        for ref in _dict(_dict(page["/Resources"])["/Font"]).values():
            font = ref.get_object()
            descriptor = _descriptor(font)
            assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor), font
            families.add(str(descriptor["/FontName"]).split("+", 1)[-1])
    return families


def test_every_font_is_embedded_and_is_the_brands(rendered: Rendered) -> None:
    families = embedded_families(rendered.pdf)
    assert families and all(name.startswith("Inter") for name in families), families


def _descriptor(font: DictionaryObject) -> DictionaryObject:
    if "/FontDescriptor" in font:
        return _dict(font["/FontDescriptor"])
    descendants = font["/DescendantFonts"]
    assert isinstance(descendants, ArrayObject), descendants
    return _dict(_dict(descendants[0])["/FontDescriptor"])


def test_pages_are_a4_with_a_running_header_and_page_numbers(rendered: Rendered) -> None:
    reader = _reader(rendered.pdf)
    texts = page_texts(rendered.pdf)
    client = rendered.results.scenario.client.client_name
    for number, (page, text) in enumerate(zip(reader.pages, texts, strict=True), 1):
        assert (
            round(float(page.mediabox.width), 2),
            round(float(page.mediabox.height), 2),
        ) == A4_POINTS
        if number > 1:  # the cover has neither
            assert f"Page {number} of {len(texts)}" in text
            assert "Crossover Advisory" in text
            assert client in text


def test_the_contents_give_each_sections_page(rendered: Rendered) -> None:
    texts = page_texts(rendered.pdf)
    contents = texts[0]
    for n, (_, title) in enumerate(SECTIONS, 1):
        page = next(i for i, text in enumerate(texts[1:], 2) if f"{n} {title}" in text)
        assert f"{n} {title} {page}" in contents.replace(" .", "").replace(".", ""), title


def test_the_summary_shows_its_figures_on_one_page(rendered: Rendered) -> None:
    texts = page_texts(rendered.pdf)
    summary = texts[1]
    assert "1 Executive summary" in summary and "Top risks" in summary
    for path, format_ in key_figures(rendered.results).items():
        shown = formatted(rendered.results, rendered.display, path, format_)
        assert " ".join(shown.split()) in summary, (path, shown)
    words = Words(rendered.results, rendered.display)
    risks = words.summary_risks()[:2]
    if risks:
        assert " ".join(words.risk(risks[-1]).split())[:40] in summary
    # Whatever is recommended, page 2 never says "none" while section 9 lists risks.
    if words.risk_plan().risks:
        assert "None found" not in summary
    assert texts[2].count("2 Workload and routing") >= 1


def test_a_hostile_client_name_is_printed_literally(hostile: Rendered) -> None:
    name = hostile.results.scenario.client.client_name
    assert name in page_texts(hostile.pdf)[0]
    meta = _reader(hostile.pdf).metadata
    assert meta is not None and meta.title is not None and meta.title.startswith(name)


def test_a_custom_brand_embeds_its_own_fonts_and_colours(
    example_results: dict[str, Results], tmp_path: Path
) -> None:
    folder = tmp_path / "acme"
    shutil.copytree(DEFAULT_BRAND, folder, ignore=shutil.ignore_patterns("*.otf"))
    liberation = Path("/usr/share/fonts/truetype/liberation2")
    if not liberation.is_dir():
        pytest.skip("needs fonts-liberation2")
    for style in ("Regular", "Bold"):
        shutil.copy(liberation / f"LiberationSans-{style}.ttf", folder / "fonts")
    brand_file = folder / "brand.toml"
    text = brand_file.read_text(encoding="utf-8").split("[fonts]")[0]
    brand_file.write_text(
        text.replace('name = "Crossover Advisory"', 'name = "Acme & Partners"')
        + '[fonts]\nbody = "Liberation Sans"\nheadings = "Liberation Sans"\n'
        + '[[fonts.faces]]\nfamily = "Liberation Sans"\nfile = "fonts/LiberationSans-Regular.ttf"\n'
        + '[[fonts.faces]]\nfamily = "Liberation Sans"\nfile = "fonts/LiberationSans-Bold.ttf"\nweight = 700\n',
        encoding="utf-8",
    )
    brand = load_brand(folder)
    results = next(iter(example_results.values()))
    pdf = render_pdf(render_html(results, brand), brand)
    assert embedded_families(pdf) == {"Liberation-Sans", "Liberation-Sans-Bold"}
    assert "Acme & Partners" in page_texts(pdf)[1]
