"""A deployment's replica size when the workbook leaves it blank (issue 24, economics §3a).

The rates come from `estimate_rate` at each size (the rate model on its own); the GPU counts
and the choice among sizes are worked here from those rates.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import pytest

from crossover.catalogue import Catalogue
from crossover.engine import analyse
from crossover.engine.estimate import EstimateError, estimate_rate
from crossover.engine.sizing import resolve_deployments
from crossover.inputs import load_scenario
from crossover.scenario import Scenario

EXAMPLES = Path(__file__).resolve().parents[2] / "inputs" / "examples"

# Llama 3.1 8B at fp8 on PCIe L40S cards, 128-token prompts and answers, 20 ms a token: more
# GPUs are not always faster here (issue 24), so the sizes differ in their rate per GPU.
L40S: dict[str, Any] = {
    "model": "llama-3.1-8b",
    "precision": "fp8",
    "gpu": "l40s",
    "kv_precision": "fp8",
}
SHAPE = {"input_tokens_per_request": 128, "output_tokens_per_request": 128}


def _scenario(
    make_scenario: Any, mtok_per_day: float, tpot_ms: float, **deployment: Any
) -> Scenario:
    """One realtime tier of 128/128-token requests, half its tokens in, on deployment d."""
    scenario: Scenario = make_scenario(
        workload={"input_mtok_per_day": mtok_per_day, "output_mtok_per_day": mtok_per_day},
        tiers=[
            {
                "tier": "all",
                "share_pct": 100,
                "api_model": "anthropic/claude-haiku-4-5",
                "route": "self_host",
                "deployment": "d",
                "tpot_ms": tpot_ms,
                **SHAPE,
            }
        ],
        deployments=[{"deployment": "d", **L40S, **deployment}],
    )
    return scenario


def _estimate(catalogue: Catalogue, gpus: int | None, tpot_ms: float) -> Any:
    return estimate_rate(
        catalogue,
        model="llama-3.1-8b",
        precision="fp8",
        gpu="l40s",
        gpus=gpus,
        input_tokens=128,
        output_tokens=128,
        tpot_ms=tpot_ms,
        engine="vllm",
        kv_precision="fp8",
    )


def _gpus_needed(catalogue: Catalogue, mtok_per_day: float) -> dict[int, tuple[int, float]]:
    """Per size that meets 20 ms: the GPUs the load needs and the replica's tokens/s per GPU.

    Half the tokens are input: a replica serves R = 1 / (0.5 / prefill + 0.5 / decode). The
    realtime peak is 2 × the average (the default peak_to_average), each replica at most 80%
    busy (the default): ceil(peak / (R × 0.8)) replicas, plus one spare (the default).
    """
    peak = 2 * mtok_per_day * 2 * 1e6 / 86_400
    found = {}
    for n in (1, 2, 4, 8):
        try:
            e = _estimate(catalogue, n, 20)
        except EstimateError:
            continue
        r = 1 / (0.5 / e.prefill_tps + 0.5 / e.decode_tps)
        found[n] = (n * (math.ceil(peak / (r * 0.8)) + 1), r / n)
    return found


def test_a_large_load_takes_the_size_with_the_fewest_gpus_not_the_memory_fit(
    make_scenario: Any, catalogue: Catalogue
) -> None:
    # 8.03 GB of weights: 17% of one 48 GB card, so the memory-fit rule says 1.
    needed = _gpus_needed(catalogue, 1000)
    expected = min(needed, key=lambda n: (needed[n][0], -needed[n][1], n))
    assert expected != 1 and needed[expected][0] < needed[1][0]
    resolved, problems = resolve_deployments(_scenario(make_scenario, 1000, 20), catalogue)
    d = resolved["d"]
    assert (d.gpus_per_replica, d.gpus_per_replica_reason) == (expected, "per_gpu_rate")
    assert not [p for p in problems if p.severity == "error"]
    # At this load the fewest GPUs are those of the most output per GPU: estimate's choice.
    assert _estimate(catalogue, None, 20).gpus == expected
    # The report carries it, with the rates of that replica.
    results = analyse(_scenario(make_scenario, 1000, 20), catalogue)
    sized = results.proposal.deployments[0]
    assert sized.gpus_per_replica == expected
    assert sized.gpus_per_replica_source == "most output per GPU"
    assert sized.replicas * expected == needed[expected][0]
    assert sized.rates.decode_tps_per_gpu == pytest.approx(
        _estimate(catalogue, expected, 20).decode_tps / expected, rel=1e-12
    )


def test_a_small_load_keeps_one_gpu_where_a_larger_replica_would_idle(
    make_scenario: Any, catalogue: Catalogue
) -> None:
    # 2 Mtok a day: one small replica and its spare carry it. A larger replica serves more per
    # GPU (estimate, which sizes one replica alone, takes it) but its spare costs more GPUs.
    needed = _gpus_needed(catalogue, 1)
    assert needed[1][0] == 2 and all(needed[n][0] == 2 * n for n in needed)
    assert _estimate(catalogue, None, 20).gpus != 1
    resolved, _ = resolve_deployments(_scenario(make_scenario, 1, 20), catalogue)
    assert (resolved["d"].gpus_per_replica, resolved["d"].gpus_per_replica_reason) == (
        1,
        "memory_fit",
    )


def test_a_workbook_size_is_kept(make_scenario: Any, catalogue: Catalogue) -> None:
    scenario = _scenario(make_scenario, 1000, 20, gpus_per_replica=1)
    resolved, _ = resolve_deployments(scenario, catalogue)
    assert (resolved["d"].gpus_per_replica, resolved["d"].gpus_per_replica_reason) == (
        1,
        "workbook",
    )
    sized = analyse(scenario, catalogue).proposal.deployments[0]
    assert (sized.gpus_per_replica, sized.gpus_per_replica_source) == (1, "client-supplied")


def test_single_gpu_machines_hold_only_single_gpu_replicas(
    make_scenario: Any, catalogue: Catalogue
) -> None:
    # The client rents one GPU a machine at its own price: a replica never spans machines.
    scenario = _scenario(make_scenario, 1000, 20, gpus_per_instance=1, gpu_hour_price=1.0)
    resolved, _ = resolve_deployments(scenario, catalogue)
    assert (resolved["d"].gpus_per_replica, resolved["d"].gpus_per_replica_reason) == (
        1,
        "memory_fit",
    )


def test_client_rates_keep_the_memory_fit_size(make_scenario: Any, catalogue: Catalogue) -> None:
    # Rates per GPU the client measured do not depend on the size: nothing to choose between.
    scenario = _scenario(make_scenario, 1000, 20, prefill_tps_per_gpu=5000, decode_tps_per_gpu=500)
    resolved, _ = resolve_deployments(scenario, catalogue)
    assert resolved["d"].gpus_per_replica_reason == "memory_fit"
    assert resolved["d"].gpus_per_replica == 1


def test_a_bound_no_size_meets_names_the_closest(make_scenario: Any, catalogue: Catalogue) -> None:
    # 3 ms a token: no replica of 1 to 8 cards meets it; the size stays the memory-fit one and
    # the error names the size that comes closest, as estimate does.
    resolved, problems = resolve_deployments(_scenario(make_scenario, 1000, 3), catalogue)
    assert (resolved["d"].gpus_per_replica, resolved["d"].gpus_per_replica_reason) == (
        1,
        "memory_fit",
    )
    (problem,) = [p for p in problems if p.loc == ("tiers", 0, "tpot_ms")]
    with pytest.raises(EstimateError) as refused:
        _estimate(catalogue, None, 3)
    closest = re.search(
        r"the closest is (\d) × l40s, where one request alone takes ([\d.]+) ms", str(refused.value)
    )
    assert closest is not None
    gpus, ms = closest.groups()
    assert problem.message.startswith(
        "tier 'all' promises 3 ms per output token, but d takes at least "
    )
    assert "no replica of 1, 2, 4 or 8 × l40s meets it" in problem.message
    assert f"the closest is {gpus} × l40s at {ms} ms" in problem.message


def test_a_workbook_size_that_misses_the_bound_names_the_size_that_meets_it(
    make_scenario: Any, catalogue: Catalogue
) -> None:
    scenario = _scenario(make_scenario, 1000, 15, gpus_per_replica=1)
    _, problems = resolve_deployments(scenario, catalogue)
    (problem,) = [p for p in problems if p.loc == ("tiers", 0, "tpot_ms")]
    with pytest.raises(EstimateError) as refused:
        _estimate(catalogue, 1, 15)
    advice = re.search(
        r"(\d) × l40s meets it at ([\d,]+) output tokens/s per GPU", str(refused.value)
    )
    assert advice is not None
    gpus, per_gpu = advice.groups()
    assert "d takes at least" in problem.message and "on 1 × l40s" in problem.message
    assert (
        f"{gpus} × l40s meets it at {per_gpu} output tokens/s per GPU: set gpus_per_replica "
        f"to {gpus}" in problem.message
    )


def test_northwind_keeps_one_a100_a_replica(catalogue: Catalogue) -> None:
    # The client rents single A100s at its own $1.0959 an hour (gpus_per_instance 1): only
    # one-GPU replicas fit a machine, so the proposal stays at 1 GPU a replica, 25 replicas.
    r = analyse(load_scenario(EXAMPLES / "document-intelligence.json", catalogue), catalogue)
    d = r.proposal.deployments[0]
    assert (d.deployment, d.gpus_per_replica, d.replicas) == ("qwen14b-a100", 1, 25)
    assert d.gpus_per_replica_source == "memory-fit rule"
