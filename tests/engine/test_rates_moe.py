"""Mixture-of-experts, latent and sliding-window attention in the rate model (economics §3a),
worked by hand."""

from __future__ import annotations

import math

import pytest
from pydantic import ValidationError

from crossover.catalogue import OpenModel, shipped_catalogue
from crossover.engine.estimate import EstimateError, estimate_rate
from crossover.engine.rates import (
    Replica,
    RequestShape,
    batch_by_latency,
    experts_touched,
    kv_bytes_per_token,
    kv_window_bytes_per_token,
    serving_rate,
    step_s,
    tpot_s,
    weight_gb,
)

from .conftest import SRC
from .test_rates import EFFICIENCY, H100, VLLM

# gpt-oss-120b as its card gives it: 116.8 B in all, 5.1 B a token, 4 of 128 experts.
GPT_OSS = OpenModel(
    id="gpt-oss-120b", name="gpt-oss-120b", params_b=116.8, active_params_b=5.1, experts=128,
    experts_per_token=4, hidden_size=2880, layers=36, kv_heads=8, head_dim=64, sliding_window=128,
    sliding_layers=18, **SRC,
)  # fmt: skip
DEEPSEEK = OpenModel(
    id="deepseek-v3", name="DeepSeek V3", params_b=671, active_params_b=37, experts=256,
    experts_per_token=8, hidden_size=7168, layers=61, kv_heads=1, head_dim=576, kv_latent_dim=576, **SRC,
)  # fmt: skip


def test_experts_touched_by_hand() -> None:
    # One token reads its k experts; two read 128 × (1 − (124/128)²) = 7.875; many read all.
    assert float(experts_touched(128, 4, 1)) == pytest.approx(4.0)
    assert float(experts_touched(128, 4, 2)) == pytest.approx(7.875)
    assert float(experts_touched(128, 4, 10_000)) == pytest.approx(128.0)
    assert float(experts_touched(0, 0, 50)) == 0.0


def test_expert_split_from_the_cards_total_and_active_counts() -> None:
    # P_e = (116.8 − 5.1) / (128 − 4) = 0.900806…; P_a = 5.1 − 4 × P_e = 1.496774…
    assert GPT_OSS.expert_params_b == pytest.approx(111.7 / 124)
    assert GPT_OSS.always_active_params_b == pytest.approx(5.1 - 4 * 111.7 / 124)
    assert GPT_OSS.always_active_params_b + 128 * GPT_OSS.expert_params_b == pytest.approx(116.8)


def test_memory_holds_every_parameter_and_compute_pays_for_the_active_ones() -> None:
    replica = Replica.of(GPT_OSS, "fp8", H100, 2, VLLM, "fp8")
    assert weight_gb(GPT_OSS, "fp8") == pytest.approx(116.8)
    assert replica.weight_bytes == pytest.approx(116.8e9)
    assert replica.params == pytest.approx(5.1e9)


def test_a_step_reads_the_active_weights_alone_and_all_of_them_at_large_batch() -> None:
    replica = Replica.of(GPT_OSS, "fp8", H100, 2, VLLM, "fp8")
    # One sequence: the shared part and 4 experts, exactly the 5.1 B active parameters (fp8).
    assert replica.step_weight_bytes(1) == pytest.approx(5.1e9)
    # Two: 1.496774 + 7.875 × 0.900806 = 8.590625 B.
    assert replica.step_weight_bytes(2) == pytest.approx(
        (5.1 - 4 * 111.7 / 124 + 7.875 * 111.7 / 124) * 1e9
    )
    assert replica.step_weight_bytes(100_000) == pytest.approx(116.8e9)


def test_latent_attention_caches_one_latent_per_layer() -> None:
    # 61 layers × (512 + 64) values × 1 byte (fp8), no factor 2 for K and V.
    assert kv_bytes_per_token(DEEPSEEK, "fp8") == 61 * 576
    assert kv_window_bytes_per_token(DEEPSEEK, "fp8") == 0


def test_sliding_window_layers_keep_at_most_the_window() -> None:
    replica = Replica.of(GPT_OSS, "fp8", H100, 2, VLLM, "bf16")
    per_layer = 2 * 8 * 64 * 2  # K and V, 8 heads of 64, two bytes: 2,048 bytes a layer
    assert replica.kv_bytes_per_token == 18 * per_layer
    # 1,000 tokens: 18 full layers keep 1,000; 18 sliding layers keep 128.
    assert replica.kv_bytes(1000) == 18 * per_layer * 1000 + 18 * per_layer * 128
    assert replica.kv_bytes(100) == 36 * per_layer * 100


def test_the_latency_bound_batch_is_the_largest_whose_moe_step_meets_it() -> None:
    replica = Replica.of(GPT_OSS, "fp8", H100, 2, VLLM, "fp8")
    shape = RequestShape(1000, 500, 20.0)
    limit = batch_by_latency(replica, EFFICIENCY, shape)
    whole = math.floor(limit)
    # The bound holds for what a user sees at the 99th percentile (the step, arriving
    # prompts and their spread), which grows with the batch as more experts are read.
    assert tpot_s(replica, EFFICIENCY, shape, whole) <= 0.020 + 1e-12
    assert tpot_s(replica, EFFICIENCY, shape, whole + 1) > 0.020
    assert step_s(replica, EFFICIENCY, shape, whole) < tpot_s(replica, EFFICIENCY, shape, whole)
    rate = serving_rate(replica, EFFICIENCY, shape)
    assert rate.batch == whole
    assert rate.batch_limited_by == "latency"


def test_a_dense_model_reads_every_weight_at_any_batch() -> None:
    dense = OpenModel(
        id="d", name="d", params_b=8, hidden_size=4096, layers=32, kv_heads=8, head_dim=128, **SRC
    )
    replica = Replica.of(dense, "bf16", H100, 1, VLLM, "bf16")
    assert replica.step_weight_bytes(1) == replica.step_weight_bytes(500) == pytest.approx(16e9)
    assert replica.params == pytest.approx(8e9)


def test_the_vectorised_model_agrees_with_serving_rate_for_moe() -> None:
    # The fit evaluates every run at once: it must give what serving_rate gives one replica.
    from crossover.catalogue import Measurement
    from crossover.engine.rates import _Runs

    replica = Replica.of(GPT_OSS, "fp8", H100, 2, VLLM, "fp8")
    run = Measurement(
        id="x", model="gpt-oss-120b", model_as_published="x", precision="fp8", kv_precision="fp8",
        gpu="h100-sxm", gpus=2, tensor_parallel=2, engine="vllm", engine_version="0",
        input_tokens=1000, output_tokens=500, tpot_ms_bound=40.0, output_tps=1.0, **SRC,
    )  # fmt: skip
    shape = RequestShape(1000, 500, 40.0)
    expected = serving_rate(replica, EFFICIENCY, shape).output_tps(shape)
    modelled = float(_Runs.of([replica], [run]).modelled(EFFICIENCY)[0])
    assert modelled == pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize(
    "changes",
    [
        {"active_params_b": 5.1},
        {"active_params_b": 200.0, "experts": 128, "experts_per_token": 4},
        {"active_params_b": 5.1, "experts": 4, "experts_per_token": 4},
        {"sliding_layers": 4},
    ],
)
def test_an_inconsistent_architecture_is_refused(changes: dict[str, float]) -> None:
    spec = {
        "id": "m", "name": "m", "params_b": 116.8, "hidden_size": 2880, "layers": 36, "kv_heads": 8, "head_dim": 64,
        **SRC, **changes,
    }  # fmt: skip
    with pytest.raises(ValidationError):
        OpenModel.model_validate(spec)


NEW_MODELS = (
    "gpt-oss-120b",
    "gpt-oss-20b",
    "qwen3-235b-a22b",
    "qwen3-30b-a3b",
    "qwen3-32b",
    "deepseek-v3",
    "llama-4-scout",
    "llama-4-maverick",
)


@pytest.mark.parametrize("gpu", ["h100-sxm", "h200", "b200", "mi300x", "mi355x"])
@pytest.mark.parametrize("model", NEW_MODELS)
def test_every_current_model_can_be_asked_on_every_current_gpu(model: str, gpu: str) -> None:
    # Issue 24's done-when: each can be estimated, at fp8 where 8 GPUs hold it by the memory
    # rule, else at fp4 (DeepSeek V3 at fp8 is 671 GB: more than 60% of 8 × 80 GB).
    catalogue = shipped_catalogue()
    for precision in ("fp8", "fp4"):
        try:
            figures = estimate_rate(
                catalogue,
                model=model,
                precision=precision,
                gpu=gpu,
                gpus=None,
                input_tokens=1000,
                output_tokens=500,
                tpot_ms=50,
                engine="vllm",
                kv_precision="fp8",
            )
        except EstimateError:
            continue
        assert figures.output_tps_per_gpu > 0 and figures.tpot_ms <= 50
        assert figures.calibration.band_factor is not None
        return
    pytest.fail(f"{model} cannot be asked on {gpu}")


def test_mi325x_is_rated_on_its_own_memory_and_bandwidth() -> None:
    # Issue 24: MI325X got exactly MI300X's figure. Same compute, 6.0 against 5.3 TB/s and
    # 256 against 192 GB: where the KV cache caps the batch (4,000 + 4,000 tokens a request),
    # the larger memory holds more requests and serves more.
    catalogue = shipped_catalogue()

    def per_gpu(gpu: str) -> float:
        return estimate_rate(
            catalogue,
            model="llama-3.3-70b",
            precision="fp8",
            gpu=gpu,
            gpus=1,
            input_tokens=4000,
            output_tokens=4000,
            tpot_ms=None,
            engine="vllm",
            kv_precision="fp8",
        ).output_tps_per_gpu

    assert per_gpu("mi325x") > 1.2 * per_gpu("mi300x")
