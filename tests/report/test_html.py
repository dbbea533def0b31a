"""The HTML report, parsed: every figure is the engine's, formatted; the structure and safety hold."""

from __future__ import annotations

import pytest
from jinja2 import StrictUndefined, UndefinedError

from crossover.report.brand import Brand
from crossover.report.render import environment, render_html, report_context
from crossover.summary import verdict

from .helpers import SECTIONS, Rendered, figures_in, formatted, key_figures, plan_path, text_of


def test_every_figure_shown_is_the_engines_result_formatted(rendered: Rendered) -> None:
    figures = figures_in(rendered.dom)
    assert len(figures) > 40
    for figure in figures:
        expected = formatted(rendered.results, rendered.display, figure.path, figure.format)
        assert figure.text == expected, figure


def test_the_summary_shows_the_key_figures_in_their_formats(rendered: Rendered) -> None:
    summary = rendered.dom.find(".//section[@id='summary']")
    assert summary is not None
    shown = {(f.path, f.format) for f in figures_in(summary)}
    for path, format_ in key_figures(rendered.results).items():
        assert (path, format_) in shown, path


def test_every_tier_deployment_and_curve_is_shown(rendered: Rendered) -> None:
    """The sizing, utilisation, payback, sensitivity and simulation sections show the headline
    plan's figures."""
    shown = {f.path for f in figures_in(rendered.dom)}
    results = rendered.results
    plan, at = results.headline_plan, plan_path(results)
    for i, _ in enumerate(results.tiers):
        assert {f"tiers.{i}.api_month_usd", f"tiers.{i}.prices.output_per_mtok"} <= shown
    for i, _ in enumerate(plan.deployments):
        assert {
            f"{at}deployments.{i}.replicas",
            f"{at}deployments.{i}.utilisation_ceiling",
        } <= shown
    for i, _ in enumerate(results.unused_deployments):
        assert f"unused_deployments.{i}.gpus_per_replica" in shown
    for i, _ in enumerate(plan.utilisation_curves):
        assert f"{at}utilisation_curves.{i}.break_even_utilisation" in shown
    if plan.horizon.payback_month is not None:
        assert f"{at}horizon.payback_month" in shown
    for i, _ in enumerate(plan.sensitivity):
        assert f"{at}sensitivity.{i}.monthly_savings_usd_high" in shown
    if plan.monte_carlo is not None:
        assert {
            f"{at}monte_carlo.payback_weeks_p50",
            f"{at}monte_carlo.cumulative_savings_usd_p90",
        } <= shown
    # No figure of another plan stands outside the sections that compare plans.
    others = {f"plans.{i}." for i, p in enumerate(results.plans) if p.key != plan.key}
    for section in rendered.dom.iter("section"):
        if section.attrib.get("id") in ("summary", "options", "api-cost", "changes"):
            continue
        for f in figures_in(section):
            assert not f.path.startswith(tuple(others)), (section.attrib["id"], f.path)


def test_the_recommendation_is_the_engines(rendered: Rendered) -> None:
    results = rendered.results
    box = rendered.dom.find(".//div[@class='recommendation']")
    assert box is not None
    verdict_shown = box.find(".//strong[@data-verdict]")
    assert verdict_shown is not None
    assert verdict_shown.attrib["data-verdict"] == results.headline.verdict
    assert text_of(verdict_shown) == verdict(results) + "."
    comparison = box.find(".//p[@data-proposal-comparison]")
    # The proposal appears as the comparison it is, only where it is not the headline.
    assert (comparison is None) == (results.proposal.key == results.headline.plan)


def test_the_options_section_shows_every_plan_and_tier_choice(rendered: Rendered) -> None:
    results = rendered.results
    section = rendered.dom.find(".//section[@id='options']")
    assert section is not None
    shown = {f.path for f in figures_in(section)}
    for i, _ in enumerate(results.plans):
        assert {f"plans.{i}.horizon.cumulative_plan_usd", f"plans.{i}.billed_gpus"} <= shown
    rows = [tr for tr in section.iter("tr") if "data-plan" in tr.attrib]
    assert [tr.attrib["data-plan"] for tr in rows] == [p.key for p in results.plans]
    highlighted = [tr.attrib["data-plan"] for tr in rows if tr.attrib.get("class") == "highlight"]
    assert highlighted == [results.headline.plan]
    for c, choice in enumerate(results.tier_choices):
        for m, _ in enumerate(choice.moves):
            assert f"tier_choices.{c}.moves.{m}.horizon_cost_change_usd" in shown


def test_every_risk_is_named_and_the_calibration_flag_shown_when_raised(rendered: Rendered) -> None:
    results = rendered.results
    beyond = rendered.dom.find(".//section[@id='beyond-cost']")
    assert beyond is not None
    listed = [li.attrib["data-risk"] for li in beyond.iter("li") if "data-risk" in li.attrib]
    # The headline plan's risks, quality first; where it self-hosts nothing, those of
    # self-hosting as proposed.
    plan = results.headline_plan if results.headline_plan.self_hosts else results.proposal
    assert listed == [r.code for r in plan.risks if r.code == "quality_change"] + [
        r.code for r in plan.risks if r.code != "quality_change"
    ]
    flag = rendered.dom.find(".//*[@data-flag='calibration']")
    assert (flag is not None) == results.calibration.flagged


def test_sections_come_in_order_and_the_contents_link_to_them(rendered: Rendered) -> None:
    sections = rendered.dom.findall(".//main/section")
    assert [(s.attrib["id"], text_of(s.find("h2")).split(" ", 1)[1]) for s in sections] == SECTIONS  # type: ignore[arg-type]
    toc = rendered.dom.findall(".//nav[@class='toc']//a")
    assert [(a.attrib["href"], text_of(a)) for a in toc] == [
        (f"#{id_}", f"{n} {title}") for n, (id_, title) in enumerate(SECTIONS, 1)
    ]


def test_the_page_is_standalone(rendered: Rendered) -> None:
    root = rendered.dom
    html = root.find("html")
    assert html is not None and html.attrib["lang"] == "en"
    plan = rendered.results.headline_plan
    charts = 0
    if plan.self_hosts:
        charts = 3 + len(plan.utilisation_curves) + (plan.monte_carlo is not None)
    images = list(root.iter("img"))
    assert len(images) == 1 + charts + 1  # the logo, every chart, and the plans compared
    for img in images:
        assert img.attrib["src"].startswith(
            ("data:image/svg+xml;base64,", "data:image/png;base64,")
        )
        assert img.attrib["alt"]
    assert not list(root.iter("script"))
    assert not list(root.iter("link"))
    for element in root.iter():
        for name in ("src", "href"):
            value = element.attrib.get(name, "")
            assert not value.startswith(("http:", "https:", "file:", "//")), (element.tag, value)


def test_the_title_and_metadata_name_the_client(rendered: Rendered) -> None:
    client = rendered.results.scenario.client
    head = rendered.dom.find(".//head")
    assert head is not None
    title = head.find("title")
    assert title is not None and client.client_name in text_of(title)
    meta = {m.attrib.get("name"): m.attrib.get("content") for m in head.iter("meta")}
    assert meta["dcterms.created"] == client.report_date.isoformat()
    assert meta["author"] and meta["description"]


def test_the_same_inputs_give_the_same_html_bytes(rendered: Rendered, brand: Brand) -> None:
    again = render_html(rendered.results, brand)
    assert again.encode("utf-8") == rendered.html_path.read_bytes()


def test_a_hostile_client_name_is_shown_literally(hostile: Rendered) -> None:
    name = hostile.results.scenario.client.client_name
    cover = hostile.dom.find(".//p[@class='cover-client running-client']")
    assert cover is not None and text_of(cover) == name
    title = hostile.dom.find(".//title")
    assert title is not None and text_of(title).startswith(name)
    assert not list(hostile.dom.iter("script"))
    assert "<script>" not in hostile.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; {{ 7*7 }}" in hostile.html


def test_a_missing_template_variable_is_an_error(rendered: Rendered, brand: Brand) -> None:
    context = report_context(rendered.results, brand, rendered.display)
    template = environment(rendered.display).get_template("report.html")
    for missing in [key for key, value in context.items() if value is not None]:
        with pytest.raises(UndefinedError):
            template.render(**{k: v for k, v in context.items() if k != missing})


def test_templates_autoescape_and_are_strict(rendered: Rendered) -> None:
    env = environment(rendered.display)
    assert env.undefined is StrictUndefined
    assert env.from_string("{{ x }}").render(x="<b>") == "&lt;b&gt;"
