"""Charts: valid SVG, deterministic bytes, brand colours, and line styles that survive black and white."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from crossover.engine.results import Results
from crossover.report import charts
from crossover.report.brand import Brand
from crossover.report.render import report_display

SVG = "{http://www.w3.org/2000/svg}"


def all_charts(results: Results, brand: Brand) -> list[bytes]:
    display = report_display(results, brand)
    drawn = [
        charts.crossover_chart(results, brand, display),
        charts.horizon_chart(results, brand, display),
    ]
    drawn += [charts.utilisation_chart(c, brand, display) for c in results.utilisation_curves]
    drawn.append(charts.tornado_chart(results, brand, display))
    if results.monte_carlo is not None:
        drawn.append(charts.savings_histogram(results.monte_carlo, brand, display))
    return drawn


@pytest.fixture(scope="module")
def drawn(example_results: dict[str, Results], brand: Brand) -> dict[str, list[bytes]]:
    return {name: all_charts(results, brand) for name, results in example_results.items()}


def test_the_same_results_draw_the_same_bytes(
    example_results: dict[str, Results], brand: Brand, drawn: dict[str, list[bytes]]
) -> None:
    for name, results in example_results.items():
        assert all_charts(results, brand) == drawn[name]


def test_charts_are_self_contained_svg_with_text_kept_as_text(
    drawn: dict[str, list[bytes]],
) -> None:
    for svgs in drawn.values():
        for svg in svgs:
            root = ET.fromstring(svg)
            assert root.tag == f"{SVG}svg"
            assert not list(root.iter(f"{SVG}image"))
            links = [v for el in root.iter() for k, v in el.attrib.items() if k.endswith("href")]
            assert all(link.startswith("#") for link in links), links
            assert list(root.iter(f"{SVG}text")), "svg.fonttype none keeps labels as text"
            assert b"<dc:date>" not in svg


def test_charts_use_the_brand_colours_and_dashes_as_well_as_colour(
    drawn: dict[str, list[bytes]], brand: Brand
) -> None:
    for svgs in drawn.values():
        for svg in svgs:
            text = svg.decode()
            c = brand.colours
            assert c.primary.lower() in text
            assert c.secondary.lower() in text or c.accent.lower() in text
            # Told apart in black and white: dashed against solid lines, hatched against solid bars.
            assert "stroke-dasharray" in text or "<pattern" in text


def test_the_crossover_and_payback_are_labelled(
    example_results: dict[str, Results], brand: Brand
) -> None:
    for results in example_results.values():
        display = report_display(results, brand)
        crossover = charts.crossover_chart(results, brand, display).decode()
        assert "Today" in crossover
        if results.crossover.status == "crossover":
            assert "Crossover" in crossover
        if results.crossover.status == "never":
            assert "no crossover at these prices" in crossover
        horizon = charts.horizon_chart(results, brand, display).decode()
        assert ("Pays back" in horizon) == (results.horizon.payback_month is not None)
        for curve in results.utilisation_curves:
            utilisation = charts.utilisation_chart(curve, brand, display).decode()
            assert "Out of reach with peaky traffic" in utilisation
            assert ("Break-even" in utilisation) == (curve.break_even_utilisation <= 1)
