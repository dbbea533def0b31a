"""Fixtures for delivery tests: the example scenarios, analysed with the shipped catalogue."""

from __future__ import annotations

import pytest

from crossover.catalogue import Catalogue
from crossover.engine import analyse
from crossover.engine.results import Results
from crossover.inputs import load_scenario

from .delivery_fixtures import EXAMPLE_JSONS


@pytest.fixture(scope="session")
def example_results(catalogue: Catalogue) -> dict[str, Results]:
    """Every example scenario, analysed."""
    return {path.stem: analyse(load_scenario(path, catalogue), catalogue) for path in EXAMPLE_JSONS}
