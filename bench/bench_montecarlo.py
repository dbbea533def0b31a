"""Benchmark: the Monte Carlo summary at 100,000 draws, against a report's render time.

`python bench/run.py` runs it with the rest and writes docs/benchmarks.md; on its own,
`python bench/bench_montecarlo.py` prints one line (`--json`: the timings as JSON). A benchmark,
not a test: the figures depend on the machine.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

from crossover.catalogue import load_catalogue
from crossover.engine.api_cost import resolve_prices
from crossover.engine.montecarlo import monte_carlo
from crossover.engine.results import TierPrices
from crossover.engine.scenarios import routings
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


def measure(runs: int = RUNS) -> dict[str, object]:
    """Seconds per 100,000-draw simulation, `runs` times after one warm-up, with what was run."""
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
    # The client's proposal, the plan this benchmark has always simulated.
    plan = routings(scenario)["proposed"]
    assert plan.has_self_hosting  # else monte_carlo returns None without simulating

    monte_carlo(scenario, deployments, prices, plan)  # warm-up: first-call allocations
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        monte_carlo(scenario, deployments, prices, plan)
        seconds.append(time.perf_counter() - started)
    return {
        "seconds": seconds,
        "draws": DRAWS,
        "months": scenario.operations.horizon_months,
        "deployments": len(deployments),
        "example": EXAMPLE.stem,
        "numpy": np.__version__,
    }


def main() -> None:
    measured = measure()
    if "--json" in sys.argv[1:]:
        print(json.dumps(measured))
        return
    seconds: list[float] = measured["seconds"]  # type: ignore[assignment]
    median = statistics.median(seconds)
    print(
        f"Monte Carlo summary, {DRAWS:,} draws × {measured['months']} months "
        f"({EXAMPLE.stem}, {measured['deployments']} deployment, 5 uncertain inputs, PERT): "
        f"median {median * 1000:.0f} ms, min {min(seconds) * 1000:.0f} ms, "
        f"max {max(seconds) * 1000:.0f} ms over {RUNS} runs "
        f"({median / 1.0:.0%}–{median / 0.5:.0%} of a 0.5–1 s report render; "
        f"numpy {np.__version__}, Python {platform.python_version()}, {os.cpu_count()} CPUs)"
    )


if __name__ == "__main__":
    main()
