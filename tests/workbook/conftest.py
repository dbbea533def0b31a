"""Fixtures: the base scenario and a workbook filled with it."""

from __future__ import annotations

from pathlib import Path

import pytest

from crossover.scenario import Scenario
from crossover.workbook import write_filled

from .helpers import BASE


@pytest.fixture
def base_scenario() -> Scenario:
    return Scenario.model_validate(BASE)


@pytest.fixture
def filled_path(tmp_path: Path, base_scenario: Scenario) -> Path:
    """The base scenario written into a fresh template."""
    path = tmp_path / "client.xlsx"
    write_filled(base_scenario, path)
    return path
