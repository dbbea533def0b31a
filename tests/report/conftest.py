"""Each example analysed and rendered once per session: HTML, PDF and results JSON on disk."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from crossover.catalogue import Catalogue
from crossover.delivery.outputs import render_report
from crossover.engine import analyse
from crossover.engine.results import Results
from crossover.inputs import load_scenario
from crossover.report import default_brand
from crossover.report.brand import Brand
from crossover.report.render import report_display
from crossover.scenario import Uncertainty

from .helpers import EXAMPLES, HOSTILE_NAME, Rendered, with_client_name

WITH_UNCERTAINTY = "with-uncertainty"
ALL_ON_API = "all-on-api"
UNCERTAINTY = {
    "volume_factor": {"low": 0.7, "likely": 1.0, "high": 1.4},
    "throughput_factor": {"low": 0.6, "likely": 1.0, "high": 1.1},
    "gpu_price_factor": {"low": 0.9, "likely": 1.0, "high": 1.3},
    "api_price_change_pct": {"low": -40, "likely": -10, "high": 5},
}


class _Collector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def _render(results: Results, name: str, out_dir: Path, brand: Brand) -> Rendered:
    collector = _Collector()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(collector)
    try:
        paths = render_report(results, out_dir, {"pdf", "html"}, brand)
    finally:
        logger.removeHandler(collector)
    html = next(p for p in paths if p.suffix == ".html").read_text(encoding="utf-8")
    pdf = next(p for p in paths if p.suffix == ".pdf").read_bytes()
    return Rendered(
        name, results, report_display(results, brand), paths, html, pdf, collector.messages
    )


@pytest.fixture(scope="session")
def brand() -> Brand:
    return default_brand()


@pytest.fixture(scope="session")
def example_results(catalogue: Catalogue) -> dict[str, Results]:
    """Every example; the first again with ranges for the Monte Carlo simulation, and with
    every tier kept on the API (nothing self-hosted: no crossover, utilisation or payback)."""
    results = {path.stem: analyse(load_scenario(path, catalogue), catalogue) for path in EXAMPLES}
    scenario = load_scenario(EXAMPLES[0], catalogue)
    uncertain = scenario.model_copy(update={"uncertainty": Uncertainty.model_validate(UNCERTAINTY)})
    results[WITH_UNCERTAINTY] = analyse(uncertain, catalogue)
    on_api = [tier.model_copy(update={"route": "api"}) for tier in scenario.tiers]
    results[ALL_ON_API] = analyse(scenario.model_copy(update={"tiers": on_api}), catalogue)
    return results


@pytest.fixture(scope="session", params=[p.stem for p in EXAMPLES] + [WITH_UNCERTAINTY, ALL_ON_API])
def rendered(
    request: pytest.FixtureRequest,
    example_results: dict[str, Results],
    tmp_path_factory: pytest.TempPathFactory,
    brand: Brand,
) -> Rendered:
    name: str = request.param
    return _render(example_results[name], name, tmp_path_factory.mktemp(name), brand)


@pytest.fixture(scope="session")
def hostile(
    example_results: dict[str, Results], tmp_path_factory: pytest.TempPathFactory, brand: Brand
) -> Rendered:
    """The first example for a client whose name is markup and a template expression."""
    name, results = next(iter(example_results.items()))
    return _render(
        with_client_name(results, HOSTILE_NAME), name, tmp_path_factory.mktemp("hostile"), brand
    )
