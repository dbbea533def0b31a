"""The roofline throughput estimator: KV-cache fit, rates by hand, calibration and leave-one-out."""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import pytest

from crossover.catalogue import Catalogue, load_catalogue
from crossover.engine import analyse, check_scenario
from crossover.engine.estimator import (
    CONCURRENCY,
    CONTEXT_TOKENS,
    calibrate,
    calibration_errors,
    compute_precision,
    concurrent_sequences,
    estimate,
    kv_bytes_per_token,
    leave_one_out,
)

LOO_BOUND = math.log(4)
"""Stated bound: a row left out of the fit is predicted within a factor 4 of its benchmark."""
CALIBRATION_BOUND = math.log(3.5)
"""Stated bound on the fitted rows' worst decode error (the estimator reports the exact figure)."""
GIB_IN_GB = 2**30 / 1e9


@pytest.fixture(scope="module")
def shipped() -> Catalogue:
    return load_catalogue()


@pytest.mark.parametrize(
    ("model", "kib"),
    [("llama-3.3-70b", 320), ("qwen2.5-72b", 320), ("qwen2.5-14b", 192), ("mistral-7b", 128)],
)
def test_kv_bytes_per_token_match_the_references(shipped: Catalogue, model: str, kib: int) -> None:
    assert kv_bytes_per_token(shipped.models[model]) == kib * 1024


@pytest.mark.parametrize(
    ("precision", "gpus", "expected"),
    [
        # 2 × (80 × 0.9 − 2 GiB) − 70.6 GB = 69.105 GB of KV; 2,048 × 320 KiB = 0.671 GB each.
        ("fp8", 2, math.floor((2 * (72 - 2 * GIB_IN_GB) - 70.6) / (2048 * 327680 / 1e9))),
        ("fp8", 1, 0),  # the 1 × H100 run the catalogue refuses: 70.6 GB of weights leave nothing
        ("bf16", 2, 0),  # the article's 2 × H100 for 70B at fp16: no room for one sequence
        ("bf16", 4, math.floor((4 * (72 - 2 * GIB_IN_GB) - 141.2) / (2048 * 327680 / 1e9))),
    ],
)
def test_how_many_sequences_fit_beside_the_weights(
    shipped: Catalogue, precision: Any, gpus: int, expected: int
) -> None:
    llama, h100 = shipped.models["llama-3.3-70b"], shipped.gpus["h100-sxm"]
    assert concurrent_sequences(llama, precision, h100, gpus) == expected
    if precision == "fp8" and gpus == 2:
        assert expected == 102
    # A shorter context fits more sequences.
    assert concurrent_sequences(llama, precision, h100, gpus, context_tokens=512) >= 4 * expected


def test_weight_only_quantisation_multiplies_in_bf16(shipped: Catalogue) -> None:
    h100, a100 = shipped.gpus["h100-sxm"], shipped.gpus["a100-80gb"]
    assert compute_precision("int4", h100) == "bf16"
    assert compute_precision("fp8", a100) == "bf16"  # no fp8 units on the A100
    assert compute_precision("fp8", h100) == "fp8"


def test_an_estimate_worked_by_hand(shipped: Catalogue) -> None:
    efficiency = calibrate(shipped)
    qwen72, h100 = shipped.models["qwen2.5-72b"], shipped.gpus["h100-sxm"]
    found = estimate(qwen72, "fp8", h100, 2, efficiency)
    assert found is not None
    per_sequence_gb = CONTEXT_TOKENS * 327680 / 1e9
    batch = math.floor((2 * (80 * 0.9 - 2 * GIB_IN_GB) - 72.7) / per_sequence_gb)
    assert found.concurrent_sequences == batch == 99 < CONCURRENCY
    prefill = 1979e12 * efficiency.mfu / (2 * 72.7e9)
    decode = batch * 3350 * efficiency.mbu / (72.7 + batch * per_sequence_gb)
    assert found.prefill_tps_per_gpu == pytest.approx(prefill, rel=1e-12)
    assert found.decode_tps_per_gpu == pytest.approx(decode, rel=1e-12)
    # Past the KV limit, more GPUs per replica raise the batch up to the concurrency cap.
    wide = estimate(qwen72, "fp8", h100, 8, efficiency)
    assert wide is not None and wide.concurrent_sequences == CONCURRENCY
    assert wide.decode_tps_per_gpu > found.decode_tps_per_gpu


def test_decode_never_exceeds_prefill_and_nothing_fits_means_no_estimate(
    shipped: Catalogue,
) -> None:
    efficiency = calibrate(shipped)
    mistral, l4 = shipped.models["mistral-7b"], shipped.gpus["l4"]
    unbounded = estimate(mistral, "bf16", l4, 1, replace(efficiency, mbu=1000.0))
    assert unbounded is not None
    assert unbounded.decode_tps_per_gpu == unbounded.prefill_tps_per_gpu
    llama, h100 = shipped.models["llama-3.3-70b"], shipped.gpus["h100-sxm"]
    assert estimate(llama, "bf16", h100, 2, efficiency) is None


def test_the_estimator_reproduces_every_benchmark_row_within_its_stated_error(
    shipped: Catalogue,
) -> None:
    efficiency = calibrate(shipped)
    errors = calibration_errors(shipped)
    print(f"\nMBU {efficiency.mbu:.3f}, MFU {efficiency.mfu:.4f} over {efficiency.rows} rows")
    for e in errors:
        print(
            f"  {'/'.join(e.key):32} benchmark {e.benchmark_tps:7.0f}  estimate {e.estimate_tps:7.0f}  ln {e.log_error:+.3f}"
        )
    print(
        f"decode RMS log error {efficiency.decode_rms_log_error:.3f}, worst factor "
        f"{efficiency.decode_error_factor:.2f}; prefill worst {efficiency.prefill_error_factor - 1:.2e}"
    )
    assert efficiency.rows == len(errors) == 10
    for e in errors:
        assert abs(e.log_error) <= efficiency.decode_max_log_error + 1e-12, e.key
    assert efficiency.decode_max_log_error <= CALIBRATION_BOUND
    assert efficiency.decode_rms_log_error <= 0.65
    # The catalogue's prefill figures are themselves MFU-0.45 compute bounds, rounded to
    # whole tokens/s: the fit finds them again, which checks consistency, not the hardware.
    assert efficiency.mfu == pytest.approx(0.45, rel=1e-3)
    assert efficiency.prefill_max_log_error <= 1e-3


def test_leave_one_out(shipped: Catalogue) -> None:
    errors = leave_one_out(shipped)
    print("\nleave-one-out: each row predicted from the other nine")
    for e in errors:
        print(
            f"  {'/'.join(e.key):32} benchmark {e.benchmark_tps:7.0f}  estimate {e.estimate_tps:7.0f}  ln {e.log_error:+.3f}"
        )
    rms = math.sqrt(sum(e.log_error**2 for e in errors) / len(errors))
    worst = max(abs(e.log_error) for e in errors)
    print(f"leave-one-out RMS log error {rms:.3f}, worst factor {math.exp(worst):.2f}")
    assert len(errors) == 10
    for e in errors:
        assert abs(e.log_error) <= LOO_BOUND, e.key
    assert rms <= 0.7


def _scenario(make_scenario: Any, **deployment: Any) -> Any:
    return make_scenario(
        workload={"input_mtok_per_day": 3000, "output_mtok_per_day": 400},
        tiers=[
            {
                "tier": "all",
                "share_pct": 100,
                "api_model": "anthropic/claude-haiku-4-5",
                "route": "self_host",
                "deployment": "d",
            }
        ],
        deployments=[{"deployment": "d", **deployment}],
    )


def test_a_combination_without_a_catalogue_row_is_sized_on_an_estimate(
    make_scenario: Any, shipped: Catalogue
) -> None:
    scenario = _scenario(make_scenario, model="qwen2.5-72b", precision="fp8", gpu="h100-sxm")
    assert shipped.rate("qwen2.5-72b", "fp8", "h100-sxm") is None
    results = analyse(scenario, shipped)
    deployment = results.deployments[0]
    rates = deployment.rates
    efficiency = calibrate(shipped)
    expected = estimate(
        shipped.models["qwen2.5-72b"], "fp8", shipped.gpus["h100-sxm"], 2, efficiency
    )
    assert expected is not None
    assert deployment.gpus_per_replica == 2
    assert (rates.kind, rates.prefill_tps_per_gpu, rates.decode_tps_per_gpu) == (
        "estimate",
        expected.prefill_tps_per_gpu,
        expected.decode_tps_per_gpu,
    )
    # The source states the method, the stated context and concurrency, and both errors.
    assert rates.source.startswith(
        "Roofline estimate (no benchmark for qwen2.5-72b fp8 on h100-sxm)"
    )
    assert "99 concurrent 2,048-token sequences" in rates.source
    assert f"within a factor {efficiency.decode_error_factor:.2f} of each" in rates.source
    worst_loo = max(abs(e.log_error) for e in leave_one_out(shipped))
    assert f"predicted within a factor {math.exp(worst_loo):.2f}" in rates.source
    # At this volume self-hosting is recommended, and the estimate is named as its risk.
    assert results.recommendation.scenario == "proposed"
    assert "estimated_rate" in {r.code for r in results.recommendation.risks}


def test_a_catalogue_row_still_wins_over_the_estimate(
    make_scenario: Any, shipped: Catalogue
) -> None:
    scenario = _scenario(make_scenario, model="llama-3.3-70b", precision="fp8", gpu="h100-sxm")
    rates = analyse(scenario, shipped).deployments[0].rates
    assert (rates.kind, rates.decode_tps_per_gpu) == ("benchmark", 864)


def test_without_enough_benchmarks_to_calibrate_the_old_error_stands(
    make_scenario: Any, fixture_catalogue: Catalogue
) -> None:
    # The fixture catalogue holds one benchmark row: too few to fit and leave one out.
    scenario = _scenario(make_scenario, model="qwen2.5-14b", precision="fp8", gpu="h100-sxm")
    messages = [p.message for p in check_scenario(scenario, fixture_catalogue)]
    assert messages == [
        "the catalogue has no throughput for qwen2.5-14b at fp8 on h100-sxm; give "
        "prefill_tps_per_gpu and decode_tps_per_gpu (or tps_per_gpu)"
    ]
