"""Benchmark: the exhaustive plan search over 100,000 routings × 36 months, against one report.

`python bench/bench_plans.py` prints one line (`--json`: the timings as JSON). Five tiers,
each with the API and nine candidate deployments: 10^5 routings, every one priced over 36
months. The report is one warm render of the document-intelligence example (analysis, charts,
HTML and PDF) in the same process. A benchmark, not a test: the figures depend on the machine.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from crossover.catalogue import load_catalogue
from crossover.engine import analyse
from crossover.engine.api_cost import resolve_prices
from crossover.engine.horizon import setup_cost_usd
from crossover.engine.plans import PlanSearch
from crossover.engine.results import TierPrices
from crossover.engine.scenarios import CostModel
from crossover.engine.sizing import resolve_deployments
from crossover.report.brand import default_brand
from crossover.report.render import render_html, render_pdf
from crossover.scenario import Scenario, load_json_scenario

EXAMPLE = Path(__file__).resolve().parents[1] / "inputs" / "examples" / "document-intelligence.json"
RUNS = 7
MONTHS = 36
DEPLOYMENTS: list[tuple[str, str, str]] = [
    ("llama-3.1-8b", "bf16", "l4"),
    ("llama-3.1-8b", "bf16", "l40s"),
    ("llama-3.1-8b", "bf16", "h100-sxm"),
    ("qwen2.5-14b", "bf16", "l40s"),
    ("qwen2.5-14b", "bf16", "a100-80gb"),
    ("qwen2.5-14b", "bf16", "h100-sxm"),
    ("llama-3.3-70b", "fp8", "h100-sxm"),
    ("llama-3.3-70b", "fp8", "h200"),
    ("qwen2.5-72b", "bf16", "h100-sxm"),
]


def scenario() -> Scenario:
    """Five tiers × (API + nine candidates) = 100,000 routings, 36 months, growth 4%."""
    ids = [f"{m}-{g}" for m, _, g in DEPLOYMENTS]
    models = ["openai/gpt-4o", "openai/gpt-4o-mini", "anthropic/claude-haiku-4-5"]
    raw: dict[str, Any] = {
        "client": {"client_name": "Benchmark", "report_date": "2026-11-27"},
        "workload": {
            "input_mtok_per_day": 900,
            "output_mtok_per_day": 150,
            "monthly_growth_pct": 4,
        },
        "tiers": [
            {
                "tier": f"tier-{i}",
                "share_pct": 20,
                "api_model": models[i % len(models)],
                "api_mode": "batch" if i == 4 else "realtime",
                "candidates": ids,
            }
            for i in range(5)
        ],
        "deployments": [
            {"deployment": i, "model": m, "precision": p, "gpu": g}
            for i, (m, p, g) in zip(ids, DEPLOYMENTS, strict=True)
        ],
        "operations": {"horizon_months": MONTHS, "price_plans": ["on_demand", "reserved_1y"]},
    }
    return Scenario.model_validate(raw)


def measure(runs: int = RUNS) -> dict[str, Any]:
    """Seconds per exhaustive search (a fresh search each time) and per warm report render."""
    catalogue = load_catalogue()
    bench = scenario()
    deployments, _ = resolve_deployments(bench, catalogue)
    prices: dict[str, TierPrices] = {}
    for tier in bench.tiers:
        found = resolve_prices(bench, catalogue, tier.api_model, tier.api_mode)
        assert isinstance(found, TierPrices)
        prices[tier.tier] = found
    setup = setup_cost_usd(bench)

    def search() -> tuple[int, bool]:
        outcome = PlanSearch(CostModel(bench, deployments, prices), setup).search()
        return outcome.evaluated, outcome.exhaustive

    evaluated, exhaustive = search()  # warm-up
    assert exhaustive and evaluated == 100_000
    search_seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        search()
        search_seconds.append(time.perf_counter() - started)

    example = load_json_scenario(EXAMPLE)
    brand = default_brand()

    def report() -> None:
        render_pdf(render_html(analyse(example, catalogue), brand), brand)

    report()  # warm-up: imports, fonts, templates
    report_seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        report()
        report_seconds.append(time.perf_counter() - started)
    return {
        "search_seconds": search_seconds,
        "report_seconds": report_seconds,
        "routings": evaluated,
        "months": MONTHS,
        "numpy": np.__version__,
    }


def main() -> None:
    measured = measure()
    if "--json" in sys.argv[1:]:
        print(json.dumps(measured))
        return
    search = statistics.median(measured["search_seconds"])
    report = statistics.median(measured["report_seconds"])
    print(
        f"Exhaustive plan search, {measured['routings']:,} routings × {MONTHS} months: median "
        f"{search * 1000:.0f} ms (min {min(measured['search_seconds']) * 1000:.0f}, max "
        f"{max(measured['search_seconds']) * 1000:.0f}, n={RUNS}); one warm report "
        f"({EXAMPLE.stem}): median {report:.2f} s (min {min(measured['report_seconds']):.2f}, "
        f"max {max(measured['report_seconds']):.2f}); the search is {search / report:.0%} of a "
        f"report (numpy {np.__version__}, Python {platform.python_version()}, "
        f"{os.cpu_count()} CPUs)"
    )


if __name__ == "__main__":
    main()
