"""Benchmark: the plan search, exhaustive and by branch and bound, against one report render.

`python bench/bench_plans.py` prints one line per measurement (`--json`: the figures as JSON).

- Exhaustive: five tiers, each with the API and nine candidate deployments: 10^5 routings,
  every one priced over 36 months; against one warm render of the document-intelligence
  example (analysis, charts, HTML and PDF) in the same process.
- Branch and bound (`--bnb`, or `--case NAME` for one case): each case in a fresh process,
  so that its peak memory (ru_maxrss, imports and catalogue included) is its own: 24 tiers
  with their own request shapes, each with the API and three of the nine deployments; 16
  tiers sharing one deployment (the case the exhaustive search took 10 s and 2.8 GB on);
  and the schema's largest, 50 tiers each free to go to any of 50 deployments.

A benchmark, not a test: the figures depend on the machine.
"""

from __future__ import annotations

import json
import os
import platform
import random
import resource
import statistics
import subprocess
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


def wide(tiers: int, candidates: int, deployments: int, seed: int) -> Scenario:
    """`tiers` tiers of their own sizes, request shapes and modes, each with the API and
    `candidates` of `deployments` deployments (the nine above on each engine and KV-cache
    precision in turn)."""
    rng = random.Random(seed)
    variants = [(e, kv) for kv in ("bf16", "fp8") for e in ("vllm", "sglang", "trt-llm")]
    specs = []
    for i in range(deployments):
        m, p, g = DEPLOYMENTS[i % len(DEPLOYMENTS)]
        engine, kv = variants[i // len(DEPLOYMENTS) % len(variants)]
        specs.append(
            {
                "deployment": f"d{i}-{m}-{g}",
                "model": m,
                "precision": p,
                "gpu": g,
                "engine": engine,
                "kv_precision": kv,
            }
        )
    ids = [d["deployment"] for d in specs]
    models = ["openai/gpt-4o", "openai/gpt-4o-mini", "anthropic/claude-haiku-4-5"]
    weights = [rng.uniform(0.2, 5) for _ in range(tiers)]
    raw_tiers = []
    for i in range(tiers):
        batch = rng.random() < 0.2
        tier: dict[str, Any] = {
            "tier": f"tier-{i}",
            "share_pct": 100 * weights[i] / sum(weights),
            "api_model": rng.choice(models),
            "api_mode": "batch" if batch else "realtime",
            "candidates": rng.sample(ids, candidates),
            "input_tokens_per_request": rng.choice([300, 800, 2000]),
            "output_tokens_per_request": rng.choice([100, 300, 600]),
        }
        raw_tiers.append(tier)
    raw_tiers[-1]["share_pct"] = 100 - sum(t["share_pct"] for t in raw_tiers[:-1])
    raw: dict[str, Any] = {
        "client": {"client_name": "Benchmark", "report_date": "2026-11-27"},
        "workload": {
            "input_mtok_per_day": 900,
            "output_mtok_per_day": 150,
            "monthly_growth_pct": 4,
        },
        "tiers": raw_tiers,
        "deployments": specs,
        "operations": {"horizon_months": MONTHS, "price_plans": ["on_demand", "reserved_1y"]},
    }
    return Scenario.model_validate(raw)


def shared(tiers: int) -> Scenario:
    """`tiers` tiers of their own request shapes, each on the API or one shared deployment."""
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
                "share_pct": 100 / tiers if i < tiers - 1 else 100 - (tiers - 1) * (100 / tiers),
                "api_model": "openai/gpt-4o",
                "candidates": ["llama-8b"],
                "input_tokens_per_request": 500 + 100 * i,
                "output_tokens_per_request": 100 + 25 * i,
            }
            for i in range(tiers)
        ],
        "deployments": [
            {"deployment": "llama-8b", "model": "llama-3.1-8b", "precision": "bf16", "gpu": "l40s"}
        ],
        "operations": {"horizon_months": MONTHS, "price_plans": ["on_demand", "reserved_1y"]},
    }
    return Scenario.model_validate(raw)


CASES = {
    "24-tiers-seed-1": lambda: wide(24, 3, 9, 1),
    "24-tiers-seed-2": lambda: wide(24, 3, 9, 2),
    "24-tiers-seed-3": lambda: wide(24, 3, 9, 3),
    "16-tiers-one-deployment": lambda: shared(16),
    "24-tiers-one-deployment": lambda: shared(24),
    "50-tiers-50-deployments": lambda: wide(50, 50, 50, 4),
}


def measure_case(name: str) -> dict[str, Any]:
    """One search, timed from the resolved scenario (as analyse() runs it), in this process."""
    catalogue = load_catalogue()
    bench = CASES[name]()
    deployments, _ = resolve_deployments(bench, catalogue)
    prices: dict[str, TierPrices] = {}
    for tier in bench.tiers:
        found = resolve_prices(bench, catalogue, tier.api_model, tier.api_mode)
        assert isinstance(found, TierPrices)
        prices[tier.tier] = found
    started = time.perf_counter()
    search = PlanSearch(CostModel(bench, deployments, prices), setup_cost_usd(bench))
    outcome = search.search()
    seconds = time.perf_counter() - started
    best = outcome.ranked[0]
    return {
        "case": name,
        "tiers": len(bench.tiers),
        "routings": outcome.routings,
        "method": outcome.method,
        "seconds": seconds,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "nodes": outcome.nodes,
        "evaluated": outcome.evaluated,
        "proven": outcome.proven,
        "best_usd": best.horizon_usd,
        "gap_pct": 100 * outcome.gap_usd / best.horizon_usd,
        "self_hosted_tiers": best.self_hosted_tiers,
        "deployments": best.deployments,
    }


def measure_cases(runs: int = 3) -> list[dict[str, Any]]:
    """Every case `runs` times, each in a fresh process of its own; the figures of the last
    run, with every run's seconds and peak memory."""
    found = []
    for name in CASES:
        measured = [
            json.loads(
                subprocess.run(
                    [sys.executable, __file__, "--case", name],
                    check=True,
                    capture_output=True,
                    text=True,
                ).stdout
            )
            for _ in range(runs)
        ]
        last = measured[-1]
        last["all_seconds"] = [m["seconds"] for m in measured]
        last["all_peak_rss_mb"] = [m["peak_rss_mb"] for m in measured]
        found.append(last)
    return found


def main() -> None:
    args = sys.argv[1:]
    if "--case" in args:
        print(json.dumps(measure_case(args[args.index("--case") + 1])))
        return
    if "--bnb" in args:
        cases = measure_cases()
        if "--json" in args:
            print(json.dumps(cases))
            return
        for c in cases:
            outcome = "proven" if c["proven"] else f"gap {c['gap_pct']:.2f}%"
            print(
                f"{c['case']}: {c['routings']:.3g} routings, {c['method']}, median "
                f"{statistics.median(c['all_seconds']):.2f} s ({min(c['all_seconds']):.2f}–"
                f"{max(c['all_seconds']):.2f}, n={len(c['all_seconds'])}), peak "
                f"{max(c['all_peak_rss_mb']):.0f} MB, {c['nodes']:,} nodes, "
                f"{c['evaluated']:,} priced, "
                f"{outcome}, best "
                f"${c['best_usd']:,.0f} ({c['self_hosted_tiers']} tiers self-hosted on "
                f"{c['deployments']} deployments)"
            )
        return
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
