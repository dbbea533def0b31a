"""Shared fixtures: the shipped catalogue and the example scenarios."""

from __future__ import annotations

from pathlib import Path

import pytest

from crossover.catalogue import Catalogue, load_catalogue

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "inputs" / "examples").glob("*.json"))


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return load_catalogue()
