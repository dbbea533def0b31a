"""Charts: valid SVG, deterministic bytes, brand colours, and line styles that survive black and white."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from crossover.engine.results import Results
from crossover.report import charts
from crossover.report.brand import Brand
from crossover.report.render import report_display

SVG = "{http://www.w3.org/2000/svg}"


def all_charts(results: Results, brand: Brand) -> dict[str, bytes]:
    """Every chart of the proposal, where it self-hosts (the report draws none of these for a
    plan that keeps every tier on its API)."""
    display = report_display(results, brand)
    plan = results.proposal
    if not plan.self_hosts:
        return {}
    drawn = {
        "crossover": charts.crossover_chart(plan, "Your proposal", brand, display),
        "horizon": charts.horizon_chart(plan, "Your proposal", brand, display),
        "tornado": charts.tornado_chart(plan, brand, display),
    }
    for i, curve in enumerate(plan.utilisation_curves):
        drawn[f"utilisation.{i}"] = charts.utilisation_chart(curve, brand, display)
    if plan.monte_carlo is not None:
        drawn["savings"] = charts.savings_histogram(plan.monte_carlo, brand, display)
    return drawn


@pytest.fixture(scope="module")
def drawn(example_results: dict[str, Results], brand: Brand) -> dict[str, dict[str, bytes]]:
    return {name: all_charts(results, brand) for name, results in example_results.items()}


def test_the_same_results_draw_the_same_bytes(
    example_results: dict[str, Results], brand: Brand, drawn: dict[str, dict[str, bytes]]
) -> None:
    name, results = next(iter(example_results.items()))
    assert all_charts(results, brand) == drawn[name]


def test_charts_are_self_contained_svg_with_text_kept_as_text(
    drawn: dict[str, dict[str, bytes]],
) -> None:
    for svgs in drawn.values():
        for svg in svgs.values():
            root = ET.fromstring(svg)
            assert root.tag == f"{SVG}svg"
            assert not list(root.iter(f"{SVG}image"))
            links = [v for el in root.iter() for k, v in el.attrib.items() if k.endswith("href")]
            assert all(link.startswith("#") for link in links), links
            assert list(root.iter(f"{SVG}text")), "svg.fonttype none keeps labels as text"
            assert b"<dc:date>" not in svg


def test_charts_use_the_brand_colours_and_tell_series_apart_without_colour(
    drawn: dict[str, dict[str, bytes]], brand: Brand
) -> None:
    c = brand.colours
    for svgs in drawn.values():
        for svg in svgs.values():
            text = svg.decode()
            assert c.primary.lower() in text
            assert c.secondary.lower() in text or c.accent.lower() in text
            # Told apart in black and white: dashed against solid lines, hatched against solid bars.
            assert "stroke-dasharray" in text or "<pattern" in text


def test_the_crossover_payback_and_break_even_are_labelled(
    example_results: dict[str, Results], drawn: dict[str, dict[str, bytes]]
) -> None:
    for name, results in example_results.items():
        svgs = {key: svg.decode() for key, svg in drawn[name].items()}
        if not svgs:
            continue
        assert "Today" in svgs["crossover"]
        plan = results.proposal
        assert ("Crossover" in svgs["crossover"]) == (plan.crossover.status == "crossover")
        if plan.crossover.status == "never":
            assert "no crossover at these prices" in svgs["crossover"]
        assert ("Pays back" in svgs["horizon"]) == (plan.horizon.payback_month is not None)
        # The plan's line is named by the plan, not called "Proposed" whatever it is.
        assert "Your proposal (steps: whole replicas)" in svgs["crossover"]
        for i, curve in enumerate(plan.utilisation_curves):
            assert "Out of reach with peaky traffic" in svgs[f"utilisation.{i}"]
            assert ("Break-even" in svgs[f"utilisation.{i}"]) == (curve.break_even_utilisation <= 1)
        assert "As entered" in svgs["tornado"]
        if "savings" in svgs:
            assert "Median" in svgs["savings"]
