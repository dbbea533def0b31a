"""Helpers for delivery tests: the example scenarios, raw and analysed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from crossover.catalogue import Catalogue
from crossover.engine import analyse
from crossover.engine.results import Results
from crossover.scenario import parse_scenario

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES_DIR = ROOT / "inputs" / "examples"
EXAMPLE_JSONS = sorted(EXAMPLES_DIR.glob("*.json"))


def example_raw(stem: str = "document-intelligence") -> dict[str, Any]:
    """An example scenario as the JSON dict, to alter in a test."""
    raw: dict[str, Any] = json.loads((EXAMPLES_DIR / f"{stem}.json").read_text(encoding="utf-8"))
    return raw


def analyse_raw(raw: dict[str, Any], catalogue: Catalogue) -> Results:
    return analyse(parse_scenario(raw, "test"), catalogue)
