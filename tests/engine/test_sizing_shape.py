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
from crossover.engine.results import Results
from crossover.engine.sizing import resolve_deployments
from crossover.inputs import load_scenario
from crossover.scenario import Scenario

EXAMPLES = Path(__file__).resolve().parents[2] / "inputs" / "examples"

# Llama 3.3 70B at fp8 on H100 SXM, 8,000-token prompts and 1,000-token answers, 30 ms a
# token promised: on the memory-fit rule's 2 GPUs a step reads 35 GB of weights a GPU, on 4
# half that, so 4 keep far more requests in flight under the bound and serve more per GPU
# (at a loose bound, 200 ms, the 2-GPU replica serves more per GPU: its exchanges are fewer).
H100: dict[str, Any] = {"model": "llama-3.3-70b", "precision": "fp8", "gpu": "h100-sxm"}
SHAPE = {"input_tokens_per_request": 8000, "output_tokens_per_request": 1000}


def _scenario(
    make_scenario: Any, mtok_per_day: float, tpot_ms: float, **deployment: Any
) -> Scenario:
    """One realtime tier of 8,000/1,000-token requests, 8 of its 9 tokens in, on deployment d."""
    scenario: Scenario = make_scenario(
        workload={"input_mtok_per_day": 8 * mtok_per_day, "output_mtok_per_day": mtok_per_day},
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
        deployments=[{"deployment": "d", **H100, **deployment}],
    )
    return scenario


def _estimate(catalogue: Catalogue, gpus: int | None, tpot_ms: float) -> Any:
    return estimate_rate(
        catalogue,
        model="llama-3.3-70b",
        precision="fp8",
        gpu="h100-sxm",
        gpus=gpus,
        input_tokens=8000,
        output_tokens=1000,
        tpot_ms=tpot_ms,
        engine="vllm",
        kv_precision="bf16",
    )


# The client's own machines: four H100s each at $2 a GPU-hour, so replicas of 2 or 4 fit one.
MACHINES: dict[str, Any] = {"gpus_per_instance": 4, "gpu_hour_price": 2.0}
TPOT_MS = 30.0


def _gpus_billed(catalogue: Catalogue, mtok_per_day: float) -> dict[int, tuple[int, float]]:
    """Per size a 4-GPU machine holds, at 30 ms a token: the GPUs billed for the load and the
    replica's tokens/s per GPU.

    8 of 9 tokens are input: a replica serves R = 1 / (8/9 / prefill + 1/9 / decode). The
    realtime peak is 2 × the average (the default peak_to_average), each replica at most 80%
    busy (the default): ceil(peak / (R × 0.8)) replicas, plus one spare (the default), in whole
    machines of 4. Every GPU costs the same, so the cheapest size bills the fewest.
    """
    peak = 2 * 9 * mtok_per_day * 1e6 / 86_400
    found = {}
    for n in (2, 4):
        e = _estimate(catalogue, n, TPOT_MS)
        r = 1 / (8 / 9 / e.prefill_tps + 1 / 9 / e.decode_tps)
        replicas = math.ceil(peak / (r * 0.8)) + 1
        found[n] = (math.ceil(replicas * n / 4) * 4, r / n)
    return found


def test_a_large_load_takes_the_cheapest_size_not_the_memory_fit(
    make_scenario: Any, catalogue: Catalogue
) -> None:
    # 9,000 Mtok a day: at this load the GPUs billed follow the rate per GPU.
    needed = _gpus_billed(catalogue, 1000)
    assert needed[2][1] < needed[4][1]
    expected = min(needed, key=lambda n: (needed[n][0], -needed[n][1], n))
    assert expected == 4 and needed[4][0] < needed[2][0]
    scenario = _scenario(make_scenario, 1000, TPOT_MS, **MACHINES)
    resolved, problems = resolve_deployments(scenario, catalogue)
    d = resolved["d"]
    assert (d.gpus_per_replica, d.gpus_per_replica_reason) == (expected, "least_cost")
    assert not [p for p in problems if p.severity == "error"]
    # The report carries it, with the rates of that replica.
    sized = analyse(scenario, catalogue).proposal.deployments[0]
    assert sized.gpus_per_replica == expected
    assert sized.gpus_per_replica_source == "least_cost"
    assert sized.billed_gpus == needed[expected][0]
    assert sized.rates.decode_tps_per_gpu == pytest.approx(
        _estimate(catalogue, expected, TPOT_MS).decode_tps / expected, rel=1e-12
    )


def test_a_small_load_keeps_the_memory_fit_where_a_larger_replica_would_idle(
    make_scenario: Any, catalogue: Catalogue
) -> None:
    # 9 Mtok a day: one replica and its spare carry it whatever their size, two of 2 GPUs on
    # one machine, two of 4 on two. A larger replica serves more per GPU (estimate, which sizes
    # one replica alone, takes one) but its spare costs a machine more.
    needed = _gpus_billed(catalogue, 1)
    assert (needed[2][0], needed[4][0]) == (4, 8)
    assert _estimate(catalogue, None, TPOT_MS).gpus != 2
    resolved, _ = resolve_deployments(_scenario(make_scenario, 1, TPOT_MS, **MACHINES), catalogue)
    assert (resolved["d"].gpus_per_replica, resolved["d"].gpus_per_replica_reason) == (
        2,
        "memory_fit",
    )


def test_a_workbook_size_is_kept(make_scenario: Any, catalogue: Catalogue) -> None:
    scenario = _scenario(make_scenario, 1000, 200, gpus_per_replica=2)
    resolved, _ = resolve_deployments(scenario, catalogue)
    assert (resolved["d"].gpus_per_replica, resolved["d"].gpus_per_replica_reason) == (
        2,
        "workbook",
    )
    sized = analyse(scenario, catalogue).proposal.deployments[0]
    assert (sized.gpus_per_replica, sized.gpus_per_replica_source) == (2, "workbook")


def test_machines_of_two_gpus_hold_only_two_gpu_replicas(
    make_scenario: Any, catalogue: Catalogue
) -> None:
    # The client rents two GPUs a machine at its own price: a replica never spans machines.
    scenario = _scenario(make_scenario, 1000, 200, gpus_per_instance=2, gpu_hour_price=2.0)
    resolved, _ = resolve_deployments(scenario, catalogue)
    assert (resolved["d"].gpus_per_replica, resolved["d"].gpus_per_replica_reason) == (
        2,
        "memory_fit",
    )


def test_client_rates_keep_the_memory_fit_size(make_scenario: Any, catalogue: Catalogue) -> None:
    # Rates per GPU the client measured do not depend on the size: nothing to choose between.
    scenario = _scenario(make_scenario, 1000, 200, prefill_tps_per_gpu=5000, decode_tps_per_gpu=500)
    resolved, _ = resolve_deployments(scenario, catalogue)
    assert resolved["d"].gpus_per_replica_reason == "memory_fit"
    assert resolved["d"].gpus_per_replica == 2


def test_a_bound_no_size_meets_names_the_closest(make_scenario: Any, catalogue: Catalogue) -> None:
    # 3 ms a token: no replica of 2 to 8 GPUs meets it; the size stays the memory-fit one and
    # the error names the size that comes closest, as estimate does.
    resolved, problems = resolve_deployments(_scenario(make_scenario, 1000, 3), catalogue)
    assert (resolved["d"].gpus_per_replica, resolved["d"].gpus_per_replica_reason) == (
        2,
        "memory_fit",
    )
    (problem,) = [p for p in problems if p.loc == ("tiers", 0, "tpot_ms")]
    with pytest.raises(EstimateError) as refused:
        _estimate(catalogue, None, 3)
    closest = re.search(
        r"the closest is (\d) × h100-sxm, where one request alone takes ([\d.]+) ms",
        str(refused.value),
    )
    assert closest is not None
    gpus, ms = closest.groups()
    assert problem.message.startswith(
        "tier 'all' promises 3 ms per output token, but d takes at least "
    )
    assert "on 2 × h100-sxm, even for one request" in problem.message
    assert "no replica of 2, 4 or 8 × h100-sxm meets it" in problem.message
    assert f"the closest is {gpus} × h100-sxm at {ms} ms" in problem.message


def test_a_workbook_size_that_misses_the_bound_names_the_size_that_meets_it(
    make_scenario: Any, catalogue: Catalogue
) -> None:
    # 18 ms a token: two GPUs take longer even for one request (their weight reads), more
    # GPUs a replica meet it.
    scenario = _scenario(make_scenario, 1000, 18, gpus_per_replica=2)
    _, problems = resolve_deployments(scenario, catalogue)
    (problem,) = [p for p in problems if p.loc == ("tiers", 0, "tpot_ms")]
    with pytest.raises(EstimateError) as refused:
        _estimate(catalogue, 2, 18)
    advice = re.search(
        r"(\d) × h100-sxm meets it at ([\d,]+) output tokens/s per GPU", str(refused.value)
    )
    assert advice is not None
    gpus, per_gpu = advice.groups()
    assert "d takes at least" in problem.message and "on 2 × h100-sxm" in problem.message
    assert (
        f"{gpus} × h100-sxm meets it at {per_gpu} output tokens/s per GPU: set "
        f"gpus_per_replica to {gpus}" in problem.message
    )


def test_northwind_keeps_one_a100_a_replica(catalogue: Catalogue) -> None:
    # The client rents single A100s at its own $1.0959 an hour (gpus_per_instance 1): only
    # one-GPU replicas fit a machine, so the proposal stays at 1 GPU a replica. 9 replicas
    # since the fit has issue 24's A100 rows and AMD's MLPerf results (25 before): vLLM's
    # prefill and weight reads on one GPU are faster than the fit without them said
    # (test_golden works the count out from the rates).
    r = analyse(load_scenario(EXAMPLES / "document-intelligence.json", catalogue), catalogue)
    d = r.proposal.deployments[0]
    assert (d.deployment, d.gpus_per_replica, d.replicas) == ("qwen14b-a100", 1, 9)
    assert d.gpus_per_replica_source == "memory_fit"


def test_results_saved_with_the_sources_in_words_still_load(catalogue: Catalogue) -> None:
    # Results written before the replica size's source was a code held its words; the portal
    # keeps such results, and they load as the codes.
    r = analyse(load_scenario(EXAMPLES / "document-intelligence.json", catalogue), catalogue)
    data = r.model_dump(mode="json")
    words = {"memory_fit": "memory-fit rule", "least_cost": "most output per dollar"}
    for plan in data["plans"]:
        for d in plan["deployments"]:
            d["gpus_per_replica_source"] = words[d["gpus_per_replica_source"]]
    loaded = Results.model_validate(data)
    assert loaded.proposal.deployments[0].gpus_per_replica_source == "memory_fit"
    assert loaded == r
