"""Results to a standalone HTML page (Jinja2) and to a tagged PDF (WeasyPrint), in memory."""

from __future__ import annotations

import base64
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2 import BytecodeCache, Environment, PackageLoader, StrictUndefined
from jinja2.bccache import Bucket

from crossover.engine.results import HorizonMonth, Results
from crossover.errors import InputError
from crossover.formatting import Display, bound_filters, display_for
from crossover.prose import blocks
from crossover.report import charts
from crossover.report.brand import Brand
from crossover.report.changes import Comparison, changes_page
from crossover.report.fetcher import read_asset
from crossover.summary import plan_name, verdict
from crossover.wording import Words

TEMPLATES = "crossover.templates"
PDF_VARIANT = "pdf/ua-1"  # tagged, for screen readers; needs <title> and <html lang>

if TYPE_CHECKING:
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    from crossover.report.fetcher import AssetFetcher


class _CompiledTemplates(BytecodeCache):
    """The templates compiled once per process, shared by every report's Environment.

    Each report has an Environment of its own, its display bound into the filters; without
    this each would compile every template again: ten times the cost of rendering them.
    Jinja2 keys a template by its name and a checksum of its source: an edit compiles anew.
    """

    def __init__(self) -> None:
        self._compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        compiled = self._compiled.get(bucket.key)
        if compiled is not None:
            bucket.bytecode_from_string(compiled)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._compiled[bucket.key] = bucket.bytecode_to_string()


_COMPILED_TEMPLATES = _CompiledTemplates()


def environment(display: Display) -> Environment:
    """Jinja2 for the report: autoescaped, strict about undefined names, the filters bound."""
    env = Environment(
        loader=PackageLoader(TEMPLATES, "report"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        bytecode_cache=_COMPILED_TEMPLATES,
    )
    filters = bound_filters(display)
    env.filters.update(filters)
    env.filters["formatted"] = lambda value, name: filters[name](value)
    return env


def report_display(results: Results, brand: Brand) -> Display:
    """The client's currency, in the brand's locale if it names one."""
    return display_for(results.display_currency, results.usd_fx_rate, brand.locale)


def render_html(results: Results, brand: Brand, comparison: Comparison | None = None) -> str:
    """The report as one standalone HTML page: CSS, charts and logo inline; with a comparison,
    the page of what changed since that earlier version at the end."""
    display = report_display(results, brand)
    template = environment(display).get_template("report.html")
    return template.render(**report_context(results, brand, display, comparison))


def report_context(
    results: Results, brand: Brand, display: Display, comparison: Comparison | None = None
) -> dict[str, Any]:
    """What the templates see: the results and the headline plan they state, the brand, and
    the charts and logo as data URIs."""
    plan = results.headline_plan
    label = plan_name(results, plan)
    self_hosts = plan.self_hosts
    deployments = {d.deployment: d for d in plan.deployments}
    return {
        **plan_context(results),
        "client": results.scenario.client,
        "brand": brand,
        "display": display,
        "words": Words(results, display),
        "notes": blocks(results.scenario.client.notes),
        "logo_uri": _data_uri(*read_asset(brand.folder, brand.logo)),
        "crossover_chart": _chart(charts.crossover_chart(plan, label, brand, display))
        if self_hosts
        else None,
        "utilisation_charts": [
            (
                curve,
                deployments[curve.deployment],
                _chart(charts.utilisation_chart(curve, brand, display)),
            )
            for curve in plan.utilisation_curves
        ],
        "horizon_chart": _chart(charts.horizon_chart(plan, label, brand, display))
        if self_hosts
        else None,
        "horizon_rows": milestone_months(plan.horizon.months, plan.horizon.payback_month),
        "tornado_chart": _chart(charts.tornado_chart(plan, brand, display))
        if plan.sensitivity
        else None,
        "plan_names": [plan_name(results, p) for p in results.plans],
        "plans_chart": _chart(
            charts.plans_chart(
                results, [plan_name(results, p) for p in results.plans], brand, display
            )
        ),
        "changes": None if comparison is None else changes_page(comparison, results, display),
        "savings_histogram": _chart(charts.savings_histogram(plan.monte_carlo, brand, display))
        if plan.monte_carlo is not None
        else None,
    }


def plan_context(results: Results) -> dict[str, Any]:
    """The plans a page names, with the Results paths their figures are marked with: the
    headline plan (`plan`), API only and the client's proposal, and the columns of the
    summary's cost table (API only, the headline, the proposal where it differs)."""
    index = {p.key: i for i, p in enumerate(results.plans)}
    plan, api_plan, proposal = results.headline_plan, results.api_only, results.proposal
    shown = list(dict.fromkeys(index[p.key] for p in (api_plan, plan, proposal)))
    return {
        "results": results,
        "plan": plan,
        "plan_path": f"plans.{index[plan.key]}.",
        "api_plan": api_plan,
        "api_path": f"plans.{index[api_plan.key]}.",
        "proposal": proposal,
        "proposal_path": f"plans.{index[proposal.key]}.",
        "breakdown_plans": shown,
        "verdict_text": verdict(results),
    }


def milestone_months(months: list[HorizonMonth], payback_month: int | None) -> list[int]:
    """Indices of the months the compact horizon table shows: 1, 3, 6, every 6th, the last, payback."""
    shown = {m.month for m in months if m.month + 1 in (1, 3, 6) or (m.month + 1) % 6 == 0}
    shown.add(months[-1].month)
    if payback_month is not None:
        shown.add(payback_month)
    return [i for i, m in enumerate(months) if m.month in shown]


def _data_uri(data: bytes, media_type: str) -> str:
    return f"data:{media_type};base64,{base64.b64encode(data).decode('ascii')}"


@dataclass(frozen=True)
class Chart:
    """A chart as the page embeds it: an SVG data URI and its size for the img tag."""

    uri: str
    width: int
    height: int


CHART_WIDTH_PX = 670
_SVG_SIZE = re.compile(rb'<svg[^>]*\swidth="([\d.]+)pt"\s+height="([\d.]+)pt"')


def _chart(svg: bytes) -> Chart:
    # The img gets the chart's own proportions, so the page does not jump as it loads.
    size = _SVG_SIZE.search(svg)
    assert size is not None, "matplotlib writes the SVG's size in points"
    width, height = float(size[1]), float(size[2])
    return Chart(
        _data_uri(svg, "image/svg+xml"), CHART_WIDTH_PX, round(CHART_WIDTH_PX * height / width)
    )


def font_faces_css(brand: Brand) -> str:
    """@font-face rules for the brand's font files (their paths were checked at load)."""
    return "\n".join(
        f'@font-face {{ font-family: "{face.family}"; src: url("{face.file.as_uri()}"); '
        f"font-weight: {face.weight}; font-style: {face.style}; }}"
        for face in brand.fonts.faces
    )


def render_pdf(html: str, brand: Brand) -> bytes:
    """The HTML as a tagged A4 PDF, laid out by its print stylesheet, the brand's fonts embedded.

    Only the brand's folder and inline images can be read; anything refused, and any image
    or font that fails to load, fails the render instead of leaving a blank.
    """
    return render_pdf_pages(html, brand)[0]


def render_pdf_pages(html: str, brand: Brand) -> tuple[bytes, int]:
    """render_pdf, with the number of pages laid out (the one-page brief checks it)."""
    from weasyprint import HTML
    from weasyprint.urls import FatalURLFetchingError

    base_url = brand.folder.as_uri() + "/"
    fetcher, font_config, fonts = _brand_fonts(brand.folder, font_faces_css(brand))
    html_document = HTML(string=html, base_url=base_url, url_fetcher=fetcher)
    with _failing_on_errors() as errors:
        try:
            document = html_document.render(
                stylesheets=[fonts], font_config=font_config, pdf_variant=PDF_VARIANT
            )
            pdf: bytes = document.write_pdf(pdf_variant=PDF_VARIANT)
        except FatalURLFetchingError as e:
            cause = e.__cause__ or e
            raise InputError(f"the report could not load an asset: {cause}") from None
    if errors:
        raise InputError("the report could not be rendered: " + "; ".join(errors))
    return pdf, len(document.pages)


@lru_cache(maxsize=4)
def _brand_fonts(folder: Path, faces_css: str) -> tuple[AssetFetcher, FontConfiguration, CSS]:
    """The fetcher, font configuration and @font-face stylesheet of a brand, made once per process.

    Loading the font files cost every report more than rendering its HTML template; a batch
    uses one brand throughout, and WeasyPrint lets documents share a FontConfiguration.
    """
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    from crossover.report.fetcher import AssetFetcher

    fetcher = AssetFetcher(folder)
    font_config = FontConfiguration()
    # The fonts are the brand's files, so they stay out of the standalone HTML; a stylesheet
    # given here is a user stylesheet, below the page's own rules, which is right for fonts.
    fonts = CSS(
        string=faces_css,
        base_url=folder.as_uri() + "/",
        url_fetcher=fetcher,
        font_config=font_config,
    )
    return fetcher, font_config, fonts


class _ErrorCollector(logging.Handler):
    """Keeps WeasyPrint's error records: a missing image is only logged, and must fail instead."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def _failing_on_errors() -> Iterator[list[str]]:
    collector = _ErrorCollector()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(collector)
    try:
        yield collector.messages
    finally:
        logger.removeHandler(collector)
