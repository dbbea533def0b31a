"""The rate model of economics §3a: hand-worked rates, the physics it must obey, its calibration."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crossover.catalogue import (
    Catalogue,
    EngineFacts,
    Gpu,
    OpenModel,
    build_catalogue,
)
from crossover.catalogue.models import CatalogueFile
from crossover.engine.rates import (
    DoesNotFitError,
    Efficiency,
    ImpossibleMeasurementError,
    LatencyUnreachableError,
    NoComputeRateError,
    Replica,
    RequestShape,
    calibrate,
    check_measurements,
    compute_precision,
    kv_bytes_per_token,
    serving_rate,
)

from .conftest import FIXTURE, SRC, TRUE_EFFICIENCY

EFFICIENCY = Efficiency(
    e_bw=0.7, e_f=0.5, t_step_s=0.002, e_link=0.5, t_allreduce_s=10e-6, e_prefill=0.6
)
VLLM = EngineFacts(
    id="vllm",
    name="vLLM",
    mem_fraction=0.9,
    kv_memory_rule="share_of_total",
    reserve_gb_per_gpu=2.0,
    max_batch=1024,
    **SRC,
)
LLAMA_70B = OpenModel(
    id="llama-3.3-70b", name="Llama 3.3 70B", params_b=70.6, hidden_size=8192, layers=80, kv_heads=8,
    head_dim=128,
    **SRC,
)  # fmt: skip


def _gpu(**changes: Any) -> Gpu:
    spec: dict[str, Any] = {
        "id": "h100-sxm",
        "name": "H100",
        "vendor": "nvidia",
        "vram_gb": 80,
        "memory_bandwidth_tbs": 3.35,
        "dense_tflops": {
            "bf16": 989,
            "fp16": 989,
            "fp8": 1979,
            "int8": 1979,
            "int4": None,
            "fp4": None,
        },
        "reference_instance": None,
        "interconnect": "nvlink",
        **SRC,
    }
    spec.update(changes)
    return Gpu.model_validate(spec)


H100 = _gpu()
B200 = _gpu(
    id="b200",
    vram_gb=180,
    memory_bandwidth_tbs=8.0,
    dense_tflops={"bf16": 2250, "fp16": 2250, "fp8": 4500, "int8": 4500, "int4": None, "fp4": 9000},
)


def test_kv_cache_per_token_of_llama_70b() -> None:
    # 2 (K and V) × 80 layers × 8 KV heads × 128 × 2 bytes = 320 KiB; half at fp8.
    assert kv_bytes_per_token(LLAMA_70B, "bf16") == 327_680
    assert kv_bytes_per_token(LLAMA_70B, "fp8") == 163_840


def test_llama_70b_fp8_on_two_h100s_worked_by_hand() -> None:
    replica = Replica.of(LLAMA_70B, "fp8", H100, 2, VLLM, "bf16")
    rate = serving_rate(replica, EFFICIENCY, RequestShape(1000, 1000, 50))
    weights, kv = 70.6e9, 327_680
    budget = 2 * 80e9 * 0.9 - weights - 2 * 2e9  # 69.4 GB for the KV cache
    assert replica.kv_budget_bytes == pytest.approx(budget)
    by_memory = math.floor(budget / (2000 * kv))  # 105 requests of 2,000 tokens
    assert by_memory == 105
    overhead = 0.002 + 2 * 80 * 10e-6  # step cost + two all-reduces a layer
    latency_budget = 0.050 - overhead
    by_latency = (latency_budget * 2 * 3.35e12 * 0.7 - weights) / (1500 * kv)
    assert by_latency == pytest.approx(299.1, abs=0.1)  # looser than memory here
    step = (weights + 105 * 1500 * kv) / (2 * 3.35e12 * 0.7) + overhead
    assert rate.batch == 105
    assert rate.batch_limited_by == "memory"
    assert rate.decode_tps == pytest.approx(105 / step, rel=1e-12)
    assert rate.decode_tps == pytest.approx(3540.5, abs=0.5)
    prefill = 2 * 1979e12 * 0.6 / (2 * 70.6e9)  # 16,819 input tokens/s
    assert rate.prefill_tps == pytest.approx(prefill, rel=1e-12)
    # A user's time per token: the step, the prompts of the other 104 requests arriving at
    # 104 / 1,000 a step (1,000 tokens each), and at the 99th percentile their spread over
    # its 1,000 steps.
    prompt = 1000 / prefill  # 59.5 ms
    tpot = step + (104 + 2.326 * math.sqrt(104)) * prompt / 1000
    assert rate.tpot_ms == pytest.approx(tpot * 1000, rel=1e-12)
    assert rate.tpot_ms == pytest.approx(37.25, abs=0.01)
    assert rate.ttft_s == pytest.approx(1000 / rate.prefill_tps + overhead, rel=1e-12)


def test_a_latency_promise_caps_the_batch() -> None:
    replica = Replica.of(LLAMA_70B, "fp8", B200, 1, VLLM, "fp8")
    rate = serving_rate(replica, EFFICIENCY, RequestShape(1000, 1000, 25))
    kv, prompt = 163_840, 1000 / (4500e12 * 0.6 / (2 * 70.6e9))  # fp8 on B200

    def tpot(batch: int) -> float:
        """The 99th-percentile time per token at this batch, worked from economics §3a."""
        step = (70.6e9 + batch * 1500 * kv) / (8e12 * 0.7) + 0.002
        others = batch - 1
        return step + (others + 2.326 * math.sqrt(others)) * prompt / 1000

    assert rate.batch_limited_by == "latency"
    assert tpot(rate.batch) <= 0.025 < tpot(rate.batch + 1)
    assert rate.tpot_ms == pytest.approx(tpot(rate.batch) * 1000, rel=1e-9)


def test_one_request_that_does_not_fit_is_refused_with_its_figures() -> None:
    # 70.6 GB of fp8 weights in 90% of 80 GB, less 2 GB: nothing left for a KV cache.
    replica = Replica.of(LLAMA_70B, "fp8", H100, 1, VLLM, "bf16")
    with pytest.raises(DoesNotFitError) as caught:
        serving_rate(replica, EFFICIENCY, RequestShape(1800, 200, 50))
    assert caught.value.context_tokens == 2000
    assert caught.value.kv_budget_bytes == pytest.approx(72e9 - 70.6e9 - 2e9)
    assert caught.value.needed_bytes == 2000 * 327_680


def test_a_latency_no_replica_can_meet_is_refused_with_the_best_reachable() -> None:
    replica = Replica.of(LLAMA_70B, "fp8", H100, 2, VLLM, "bf16")
    with pytest.raises(LatencyUnreachableError) as caught:
        serving_rate(replica, EFFICIENCY, RequestShape(1000, 1000, 10))
    # One request alone: its own step, no other prompt arriving.
    best = (70.6e9 + 1500 * 327_680) / (2 * 3.35e12 * 0.7) + 0.002 + 160 * 10e-6
    assert caught.value.best_ms == pytest.approx(best * 1000, rel=1e-12)
    assert caught.value.best_ms == pytest.approx(18.76, abs=0.01)


def test_compute_precision_follows_the_tensor_cores() -> None:
    assert compute_precision("fp4", B200) == "fp4"
    # Weight-only elsewhere: 4-bit weights, activations at the best rate the GPU has.
    assert compute_precision("fp4", H100) == "fp8"
    assert compute_precision("int4", H100) == "fp8"
    a100 = _gpu(
        dense_tflops={"bf16": 312, "fp16": 312, "fp8": None, "int8": 624, "int4": 1248, "fp4": None}
    )
    assert compute_precision("fp4", a100) == "bf16"
    assert compute_precision("fp8", a100) == "bf16"


def test_a_gpu_without_the_figure_it_needs_says_so() -> None:
    no_bf16 = _gpu(
        dense_tflops={
            "bf16": None,
            "fp16": None,
            "fp8": None,
            "int8": None,
            "int4": None,
            "fp4": None,
        }
    )
    with pytest.raises(NoComputeRateError) as caught:
        Replica.of(LLAMA_70B, "fp8", no_bf16, 2, VLLM, "bf16")
    assert (caught.value.gpu.id, caught.value.weights, caught.value.compute) == (
        "h100-sxm",
        "fp8",
        "bf16",
    )


def test_a_replica_split_over_pcie_pays_for_its_exchanges_not_its_memory() -> None:
    pcie = _gpu(id="l40s", vram_gb=48, memory_bandwidth_tbs=0.864, interconnect="pcie")
    replica = Replica.of(LLAMA_70B, "fp8", pcie, 4, VLLM, "bf16")
    assert replica.over_pcie
    # Each GPU reads its own memory at its own speed; the all-reduces cross the bus, taking
    # 1 / e_link as long: 160 of them, 10 µs each on NVLink, 20 µs at e_link 0.5.
    assert EFFICIENCY.on(replica) == EFFICIENCY
    assert EFFICIENCY.step_overhead_s(replica) == pytest.approx(0.002 + 160 * 10e-6 / 0.5)
    # Per token a 70B model's ring moves 8,192 × 2(4 − 1)/4 activations: 1.5 × the unit.
    assert replica.exchange_scale == pytest.approx(1.5)


shapes = st.builds(
    RequestShape,
    input_tokens=st.floats(1, 8000),
    output_tokens=st.floats(1, 4000),
    tpot_ms=st.none() | st.floats(20, 400),
)


def _rate(replica: Replica, shape: RequestShape) -> Any:
    try:
        return serving_rate(replica, EFFICIENCY, shape)
    except (DoesNotFitError, LatencyUnreachableError):
        return None


@settings(max_examples=300, deadline=None)
@given(shape=shapes, gpus=st.sampled_from([1, 2, 4]))
def test_more_gpus_never_lower_a_rate(shape: RequestShape, gpus: int) -> None:
    small = _rate(Replica.of(LLAMA_70B, "fp8", B200, gpus, VLLM, "fp8"), shape)
    large = _rate(Replica.of(LLAMA_70B, "fp8", B200, gpus * 2, VLLM, "fp8"), shape)
    if small is not None:
        assert large is not None
        assert large.decode_tps >= small.decode_tps
        assert large.prefill_tps >= small.prefill_tps


@settings(max_examples=300, deadline=None)
@given(shape=shapes, faster=st.floats(1, 3))
def test_more_bandwidth_never_lowers_a_rate(shape: RequestShape, faster: float) -> None:
    slow = _rate(Replica.of(LLAMA_70B, "fp8", H100, 2, VLLM, "bf16"), shape)
    quick_gpu = _gpu(memory_bandwidth_tbs=3.35 * faster)
    quick = _rate(Replica.of(LLAMA_70B, "fp8", quick_gpu, 2, VLLM, "bf16"), shape)
    if slow is not None:
        assert quick is not None and quick.decode_tps >= slow.decode_tps


@settings(max_examples=300, deadline=None)
@given(shape=shapes, longer=st.floats(1, 4))
def test_a_longer_context_never_raises_decode(shape: RequestShape, longer: float) -> None:
    replica = Replica.of(LLAMA_70B, "fp8", H100, 4, VLLM, "bf16")
    short = _rate(replica, shape)
    long_shape = RequestShape(shape.input_tokens * longer, shape.output_tokens, shape.tpot_ms)
    long = _rate(replica, long_shape)
    if short is not None and long is not None:
        assert long.decode_tps <= short.decode_tps * (1 + 1e-12)


@settings(max_examples=300, deadline=None)
@given(shape=shapes, tighter=st.floats(0.2, 1))
def test_a_tighter_latency_never_raises_decode(shape: RequestShape, tighter: float) -> None:
    replica = Replica.of(LLAMA_70B, "fp8", H100, 2, VLLM, "bf16")
    loose = _rate(replica, shape)
    target = (shape.tpot_ms or 400) * tighter
    tight = _rate(replica, RequestShape(shape.input_tokens, shape.output_tokens, target))
    if loose is not None and tight is not None:
        assert tight.decode_tps <= loose.decode_tps * (1 + 1e-12)


@settings(max_examples=200, deadline=None)
@given(shape=shapes)
def test_batch_work_is_never_latency_capped(shape: RequestShape) -> None:
    batch_only = RequestShape(shape.input_tokens, shape.output_tokens, None)
    rate = _rate(Replica.of(LLAMA_70B, "fp8", H100, 2, VLLM, "bf16"), batch_only)
    assert rate is None or rate.batch_limited_by != "latency"


@settings(max_examples=200, deadline=None)
@given(shape=shapes)
def test_fp4_on_fp4_tensor_cores_is_never_slower_than_fp8(shape: RequestShape) -> None:
    fp8 = _rate(Replica.of(LLAMA_70B, "fp8", B200, 1, VLLM, "fp8"), shape)
    fp4 = _rate(Replica.of(LLAMA_70B, "fp4", B200, 1, VLLM, "fp8"), shape)
    if fp8 is not None:
        assert fp4 is not None
        assert fp4.decode_tps >= fp8.decode_tps
        assert fp4.prefill_tps >= fp8.prefill_tps


@settings(max_examples=200, deadline=None)
@given(shape=shapes)
def test_fp4_without_fp4_tensor_cores_reads_less_but_computes_no_faster(
    shape: RequestShape,
) -> None:
    fp8 = _rate(Replica.of(LLAMA_70B, "fp8", H100, 2, VLLM, "bf16"), shape)
    fp4 = _rate(Replica.of(LLAMA_70B, "fp4", H100, 2, VLLM, "bf16"), shape)
    if fp8 is not None:
        assert fp4 is not None
        assert fp4.decode_tps >= fp8.decode_tps
        assert fp4.prefill_tps <= fp8.prefill_tps


def test_the_fit_finds_the_efficiencies_that_made_the_measurements(
    fixture_catalogue: Catalogue,
) -> None:
    # Ten efficiencies from ten runs; the fit stops within a thousandth of a log unit a
    # step, so each is found to 1% (the step costs to 5%).
    fitted = calibrate(fixture_catalogue).efficiency("vllm")
    assert fitted.e_bw == pytest.approx(TRUE_EFFICIENCY["e_bw"], rel=1e-2)
    assert fitted.e_f == pytest.approx(TRUE_EFFICIENCY["e_f"], rel=1e-2)
    assert fitted.t_step_s == pytest.approx(TRUE_EFFICIENCY["t_step_s"], rel=5e-2)
    assert fitted.t_allreduce_s == pytest.approx(TRUE_EFFICIENCY["t_allreduce_s"], rel=5e-2)
    assert fitted.e_prefill == pytest.approx(TRUE_EFFICIENCY["e_prefill"], rel=1e-2)


def test_errors_are_stated_fitted_and_left_out(fixture_catalogue: Catalogue) -> None:
    calibration = calibrate(fixture_catalogue)
    assert len(calibration.runs) == len(FIXTURE["measurements"])
    error = calibration.error("vllm")
    assert error.measurements == len(FIXTURE["measurements"])
    # Measurements the model itself made: reproduced to half a percent, fitted or each (its
    # own source) left out.
    assert error.worst_factor < 1.005 and error.left_out_worst_factor < 1.005
    # An engine with no runs of its own states the error over every engine's runs.
    assert calibration.error("sglang") == calibration.overall


def test_a_measurement_above_the_roofline_is_refused_naming_its_source(
    fixture_catalogue: Catalogue,
) -> None:
    impossible = {
        **FIXTURE["measurements"][0],
        "id": "too-fast",
        "output_tps": 1e7,
        "source": "a blog that counted input tokens",
    }
    data = {**FIXTURE, "measurements": [*FIXTURE["measurements"], impossible]}
    catalogue = build_catalogue(CatalogueFile.model_validate(data), fixture_catalogue.api)
    with pytest.raises(ImpossibleMeasurementError, match=r"too-fast \(a blog that counted"):
        check_measurements(catalogue)


def test_the_shipped_measurements_are_all_physically_possible(catalogue: Catalogue) -> None:
    check_measurements(catalogue)


def test_mi325x_outruns_mi300x_where_bandwidth_binds_and_matches_it_where_compute_does(
    catalogue: Catalogue,
) -> None:
    # The two share CDNA 3's compute (1,307 dense BF16 TFLOPS); MI325X reads 6.0 TB/s to
    # MI300X's 5.3. One or sixteen requests in flight read the weights each step: the decode
    # rate scales with bandwidth (6.0 / 5.3 = 1.13, less the fixed step cost). Unbounded, the
    # batch is compute-bound on both and the rates are equal, though MI325X holds more of it:
    # 500 + 500 tokens of FP8 KV cache (164 MB a sequence) let about 600 sequences share
    # MI300X's memory beside the weights and about 950 MI325X's, and 600 sequences' matrix
    # products take longer than reading the weights and their caches.
    efficiency = calibrate(catalogue).efficiency("vllm", "amd")
    model, engine = catalogue.models["llama-3.3-70b"], catalogue.engines["vllm"]
    shape = RequestShape(500, 500, None)

    def rate(gpu: str, concurrency: float | None) -> Any:
        replica = Replica.of(model, "fp8", catalogue.gpus[gpu], 1, engine, "fp8")
        return serving_rate(replica, efficiency, shape, concurrency)

    for concurrency in (1, 16):
        ratio = rate("mi325x", concurrency).decode_tps / rate("mi300x", concurrency).decode_tps
        assert 1.05 < ratio <= 6.0 / 5.3 + 1e-9
    unbounded_300, unbounded_325 = rate("mi300x", None), rate("mi325x", None)
    assert unbounded_325.batch > unbounded_300.batch
    # Equal but for the step's fixed cost (a few ms against a step of over 100 ms), which
    # MI325X's larger batch spreads thinner: within 2%.
    assert unbounded_325.decode_tps == pytest.approx(unbounded_300.decode_tps, rel=0.02)
    assert unbounded_325.decode_tps >= unbounded_300.decode_tps
