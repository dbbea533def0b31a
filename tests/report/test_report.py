"""render_report: file names, the results JSON beside the documents, formats, nothing partial on failure."""

from __future__ import annotations

from pathlib import Path

import pytest

import crossover.report.render
from crossover.delivery.outputs import output_stem, render_report
from crossover.engine.results import Results
from crossover.errors import InputError
from crossover.report.brand import Brand

from .helpers import HOSTILE_NAME, Rendered, with_client_name


def test_files_are_named_from_the_client_and_the_report_date(rendered: Rendered) -> None:
    client = rendered.results.scenario.client
    stem = output_stem(rendered.results)
    assert stem.endswith(client.report_date.isoformat())
    assert [p.name for p in rendered.paths] == [
        f"{stem}.pdf",
        f"{stem}.html",
        f"{stem}-results.json",
    ]
    assert all(p.is_file() for p in rendered.paths)
    assert rendered.pdf.startswith(b"%PDF-")


def test_the_results_json_is_what_analyse_json_writes(rendered: Rendered) -> None:
    written = rendered.paths[-1].read_text(encoding="utf-8")
    assert written == rendered.results.model_dump_json(indent=2) + "\n"
    assert Results.model_validate_json(written) == rendered.results


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Northwind Documents", "northwind-documents"),
        ("Café Zürich AG", "cafe-zurich-ag"),
        ("Großhandel Øresund Łódź", "grosshandel-oresund-lodz"),
        (HOSTILE_NAME, "script-alert-1-script-7-7"),
        ("../../etc/passwd", "etc-passwd"),
        ("株式会社", "client"),
    ],
)
def test_the_client_slug_is_a_safe_file_name(
    example_results: dict[str, Results], name: str, slug: str
) -> None:
    results = with_client_name(next(iter(example_results.values())), name)
    assert output_stem(results) == f"{slug}-{results.scenario.client.report_date.isoformat()}"


def test_only_the_formats_asked_for_are_written(
    example_results: dict[str, Results], brand: Brand, tmp_path: Path
) -> None:
    results = next(iter(example_results.values()))
    paths = render_report(results, tmp_path / "out", {"html"}, brand)
    assert [p.suffix for p in paths] == [".html", ".json"]
    manifest = f"{output_stem(results)}.manifest.json"
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(
        [manifest, *(p.name for p in paths)]
    )


@pytest.mark.parametrize("formats", [set(), {"docx"}, {"pdf", "PNG"}])
def test_an_unknown_format_is_refused(
    example_results: dict[str, Results], brand: Brand, tmp_path: Path, formats: set[str]
) -> None:
    results = next(iter(example_results.values()))
    with pytest.raises(InputError, match="expected one or more of pdf, html"):
        render_report(results, tmp_path, formats, brand)
    assert not list(tmp_path.iterdir())


def test_a_failed_render_leaves_the_earlier_report_untouched(
    example_results: dict[str, Results],
    brand: Brand,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    results = next(iter(example_results.values()))
    stem = output_stem(results)
    earlier = {
        f"{stem}{suffix}": f"earlier {suffix}".encode()
        for suffix in (".pdf", ".html", "-results.json")
    }
    for name, data in earlier.items():
        (tmp_path / name).write_bytes(data)

    def fail(html: str, brand: Brand) -> bytes:
        raise InputError("the report could not load an asset: test")

    monkeypatch.setattr(crossover.report.render, "render_pdf", fail)
    with pytest.raises(InputError, match="could not load an asset"):
        render_report(results, tmp_path, {"pdf", "html"}, brand)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == earlier
