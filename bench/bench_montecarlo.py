"""Benchmark: the Monte Carlo summary at 100,000 draws, against a report's render time.

Run `python bench/bench_montecarlo.py` from the project root; it prints one line to paste into
docs/benchmarks.md. A benchmark, not a test: the figures depend on the machine.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import time
from pathlib import Path

import numpy as np

from crossover.catalogue import load_catalogue
from crossover.engine.api_cost import resolve_prices
from crossover.engine.montecarlo import monte_carlo
from crossover.engine.results import TierPrices
from crossover.engine.sizing import resolve_deployments
from crossover.scenario import Scenario

EXAMPLE = Path(__file__).resolve().parents[1] / "inputs" / "examples" / "document-intelligence.json"
DRAWS = 100_000
RUNS = 15
UNCERTAINTY = {
    "volume_factor": {"low": 0.7, "likely": 1, "high": 1.4},
    "monthly_growth_pct": {"low": 0, "likely": 3, "high": 8},
    "throughput_factor": {"low": 0.6, "likely": 1, "high": 1.2},
    "gpu_price_factor": {"low": 0.8, "likely": 1, "high": 1.3},
    "api_price_change_pct": {"low": -40, "likely": -10, "high": 5},
    "draws": DRAWS,
}


def main() -> None:
    raw = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    raw["uncertainty"] = UNCERTAINTY
    scenario = Scenario.model_validate(raw)
    catalogue = load_catalogue()
    deployments, _ = resolve_deployments(scenario, catalogue)
    prices = {}
    for tier in scenario.tiers:
        found = resolve_prices(scenario, catalogue, tier.api_model, tier.api_mode)
        assert isinstance(found, TierPrices)
        prices[tier.tier] = found

    monte_carlo(scenario, deployments, prices)  # warm-up: first-call allocations
    seconds = []
    for _ in range(RUNS):
        started = time.perf_counter()
        monte_carlo(scenario, deployments, prices)
        seconds.append(time.perf_counter() - started)
    median = statistics.median(seconds)
    print(
        f"Monte Carlo summary, {DRAWS:,} draws × {scenario.operations.horizon_months} months "
        f"({EXAMPLE.stem}, {len(deployments)} deployment, 5 uncertain inputs, PERT): "
        f"median {median * 1000:.0f} ms, min {min(seconds) * 1000:.0f} ms, "
        f"max {max(seconds) * 1000:.0f} ms over {RUNS} runs "
        f"({median / 1.0:.0%}–{median / 0.5:.0%} of a 0.5–1 s report render; "
        f"numpy {np.__version__}, Python {platform.python_version()}, {os.cpu_count()} CPUs)"
    )


if __name__ == "__main__":
    main()
