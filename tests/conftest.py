"""Shared fixtures: the shipped catalogue and the example scenarios."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from crossover.catalogue import Catalogue, load_catalogue

# The user's refreshed prices must never leak into the tests: point the data folder nowhere.
os.environ["CROSSOVER_DATA_DIR"] = str(Path(__file__).resolve().parent / "no-user-data")

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "inputs" / "examples").glob("*.json"))


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return load_catalogue()
