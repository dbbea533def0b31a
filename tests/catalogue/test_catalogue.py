"""The shipped catalogue: it loads, its ids hold together, and its figures follow their sources."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from crossover.catalogue import Catalogue
from crossover.engine.sizing import default_gpus_per_replica, weight_gb

REQUIRED_GPUS = (
    "a10g",
    "l4",
    "l40s",
    "a100-40gb",
    "a100-80gb",
    "h100-sxm",
    "h100-pcie",
    "h200",
    "b200",
    "mi300x",
)
REQUIRED_MODELS = ("llama-3.3-70b", "llama-3.1-8b", "mistral-7b", "qwen2.5-14b", "qwen2.5-72b")
REFERENCE_INSTANCES = {
    "a10g": "aws/g5.xlarge",
    "l4": "aws/g6.xlarge",
    "l40s": "aws/g6e.xlarge",
    "a100-40gb": "aws/p4d.24xlarge",
    "a100-80gb": "aws/p4de.24xlarge",
    "h100-sxm": "aws/p5.48xlarge",
    "h100-pcie": "lambda/gpu_1x_h100_pcie",
    "h200": "aws/p5en.48xlarge",
    "b200": "aws/p6-b200.48xlarge",
    "mi300x": "runpod/1x_mi300x_secure",
}
REQUIRED_RATES = [
    ("llama-3.3-70b", "bf16", "a100-80gb"),
    ("llama-3.3-70b", "bf16", "h100-sxm"),
    ("llama-3.3-70b", "bf16", "h200"),
    ("llama-3.3-70b", "fp8", "h100-sxm"),
    ("llama-3.3-70b", "fp8", "h200"),
    ("llama-3.3-70b", "fp8", "l40s"),
    ("llama-3.3-70b", "int4", "a100-80gb"),
    ("llama-3.3-70b", "int4", "a100-40gb"),
    ("llama-3.3-70b", "int4", "h100-sxm"),
    ("llama-3.3-70b", "int4", "l40s"),
    ("llama-3.1-8b", "bf16", "a10g"),
    ("llama-3.1-8b", "bf16", "l4"),
    ("llama-3.1-8b", "bf16", "l40s"),
    ("llama-3.1-8b", "bf16", "a100-80gb"),
    ("llama-3.1-8b", "bf16", "h100-sxm"),
    ("mistral-7b", "bf16", "a10g"),
    ("mistral-7b", "bf16", "l4"),
    ("mistral-7b", "bf16", "a100-80gb"),
    ("mistral-7b", "bf16", "a100-40gb"),
    ("mistral-7b", "bf16", "h100-sxm"),
    ("qwen2.5-14b", "bf16", "a100-80gb"),
    ("qwen2.5-14b", "bf16", "a100-40gb"),
    ("qwen2.5-14b", "bf16", "h100-sxm"),
    ("qwen2.5-14b", "bf16", "l40s"),
    ("qwen2.5-14b", "int4", "l4"),
    ("qwen2.5-14b", "int4", "a10g"),
    ("qwen2.5-72b", "bf16", "h100-sxm"),
    ("qwen2.5-72b", "bf16", "a100-80gb"),
    ("qwen2.5-72b", "int4", "h100-sxm"),
    ("qwen2.5-72b", "int4", "a100-80gb"),
]

DERIVE_SCRIPT = Path(__file__).parents[2] / "scripts" / "derive_throughput.py"


@pytest.fixture(scope="module")
def derive() -> ModuleType:
    spec = importlib.util.spec_from_file_location("derive_throughput", DERIVE_SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # dataclasses resolve their string annotations through sys.modules.
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_the_yaml_loads_with_its_version(catalogue: Catalogue) -> None:
    assert catalogue.version == "2026-11-27"


def test_every_entry_is_dated_the_catalogue_day(catalogue: Catalogue) -> None:
    entries = [
        *catalogue.gpus.values(),
        *catalogue.instances.values(),
        *catalogue.price_plans.values(),
        *catalogue.models.values(),
        *catalogue.throughput.values(),
    ]
    assert {entry.as_of.isoformat() for entry in entries} == {"2026-11-27"}


@pytest.mark.parametrize("gpu", REQUIRED_GPUS)
def test_required_gpu_exists(catalogue: Catalogue, gpu: str) -> None:
    assert gpu in catalogue.gpus


@pytest.mark.parametrize("model", REQUIRED_MODELS)
def test_required_model_exists(catalogue: Catalogue, model: str) -> None:
    assert model in catalogue.models


@pytest.mark.parametrize(("gpu", "instance"), REFERENCE_INSTANCES.items())
def test_reference_instance_exists_and_holds_its_gpu(
    catalogue: Catalogue, gpu: str, instance: str
) -> None:
    assert catalogue.gpus[gpu].reference_instance == instance
    assert catalogue.instances[instance].gpu == gpu


@pytest.mark.parametrize("gpu", REQUIRED_GPUS)
def test_reference_instance_has_an_on_demand_price(catalogue: Catalogue, gpu: str) -> None:
    instance = catalogue.instance_for(gpu, None)
    assert instance.on_demand_usd_per_gpu_hour is not None


@pytest.mark.parametrize(
    ("instance", "gpu", "gpus"),
    [
        ("aws/p5.48xlarge", "h100-sxm", 8),
        ("aws/p4de.24xlarge", "a100-80gb", 8),
        ("aws/p4d.24xlarge", "a100-40gb", 8),
    ],
)
def test_aws_node_holds_the_right_gpus(
    catalogue: Catalogue, instance: str, gpu: str, gpus: int
) -> None:
    assert catalogue.instances[instance].gpu == gpu
    assert catalogue.instances[instance].gpus_per_instance == gpus


@pytest.mark.parametrize(
    ("instance", "on_demand", "spot"),
    [
        # 55.04 / 8 on demand; spot is the top of the 20.99-30.33 range, / 8.
        ("aws/p5.48xlarge", 6.88, 3.79125),
        # 21.957642 / 8; spot 9.61 / 8.
        ("aws/p4d.24xlarge", 2.74470525, 1.20125),
        # 5.672 / 4; spot 2.73 / 4.
        ("aws/g5.12xlarge", 1.418, 0.6825),
        # 49.24 / 8, no spot price.
        ("coreweave/hgx-h100-8x", 6.155, None),
        # the 8x H100 node priced per GPU-hour: 23.92 / 8.
        ("lambda/gpu_8x_h100_sxm5", 2.99, None),
    ],
)
def test_price_is_per_gpu_hour(
    catalogue: Catalogue, instance: str, on_demand: float, spot: float | None
) -> None:
    assert catalogue.instances[instance].on_demand_usd_per_gpu_hour == on_demand
    assert catalogue.instances[instance].spot_usd_per_gpu_hour == spot


def test_instance_with_only_capacity_blocks_has_no_on_demand_price(catalogue: Catalogue) -> None:
    p5e = catalogue.instances["aws/p5e.48xlarge"]
    assert p5e.on_demand_usd_per_gpu_hour is None
    assert catalogue.gpu_hour_price(p5e, "reserved_1y") is None


def test_lambda_a10_is_not_passed_off_as_an_a10g(catalogue: Catalogue) -> None:
    assert "lambda/gpu_1x_a10" not in catalogue.instances


@pytest.mark.parametrize("plan", ["reserved_1y", "reserved_3y"])
def test_reserved_plans_are_cheaper_than_on_demand(catalogue: Catalogue, plan: str) -> None:
    p5 = catalogue.instances["aws/p5.48xlarge"]
    reserved = catalogue.gpu_hour_price(p5, plan)  # type: ignore[arg-type]
    assert reserved is not None
    assert 0 < reserved < 6.88


def test_three_years_commit_cheaper_than_one(catalogue: Catalogue) -> None:
    plans = catalogue.price_plans
    assert (
        0
        < plans["reserved_1y"].discount_vs_on_demand_pct
        < plans["reserved_3y"].discount_vs_on_demand_pct
    )


def test_reserved_plans_say_they_are_assumptions(catalogue: Catalogue) -> None:
    for plan in catalogue.price_plans.values():
        assert "assumption" in plan.basis.lower()


def test_kv_bytes_of_llama_70b_at_fp16_are_320_kib(catalogue: Catalogue) -> None:
    assert catalogue.models["llama-3.3-70b"].kv_bytes_per_token_fp16 == 327_680


@pytest.mark.parametrize(
    ("model", "kib"),
    [("qwen2.5-72b", 320), ("qwen2.5-14b", 192), ("mistral-7b", 128), ("llama-3.1-8b", 128)],
)
def test_kv_bytes_match_the_throughput_references(
    catalogue: Catalogue, model: str, kib: int
) -> None:
    assert catalogue.models[model].kv_bytes_per_token_fp16 == kib * 1024


def test_api_equivalents_are_known_to_the_price_catalogue(catalogue: Catalogue) -> None:
    known = set(catalogue.known_api_models())
    for model in catalogue.models.values():
        assert set(model.api_equivalents) <= known, model.id


@pytest.mark.parametrize("key", REQUIRED_RATES, ids="/".join)
def test_required_rate_exists(catalogue: Catalogue, key: tuple[str, str, str]) -> None:
    assert key in catalogue.throughput


def test_every_rate_fits_on_at_most_eight_gpus(catalogue: Catalogue) -> None:
    for model, precision, gpu in catalogue.throughput:
        weights = weight_gb(catalogue.models[model], precision)
        gpus = default_gpus_per_replica(weights, catalogue.gpus[gpu].vram_gb)
        assert gpus is not None and gpus <= 8, (model, precision, gpu)


@pytest.mark.parametrize(
    ("key", "gpus"),
    [
        (("llama-3.3-70b", "bf16", "h100-sxm"), 4),
        (("llama-3.3-70b", "fp8", "h100-sxm"), 2),
        (("llama-3.3-70b", "int4", "h100-sxm"), 1),
        (("mistral-7b", "bf16", "a10g"), 2),
        (("qwen2.5-14b", "bf16", "l40s"), 2),
    ],
)
def test_replica_size_of_a_rate(catalogue: Catalogue, key: tuple[str, str, str], gpus: int) -> None:
    model, precision, gpu = key
    weights = weight_gb(catalogue.models[model], precision)
    assert default_gpus_per_replica(weights, catalogue.gpus[gpu].vram_gb) == gpus


def test_decode_never_exceeds_prefill(catalogue: Catalogue) -> None:
    for key, rate in catalogue.throughput.items():
        assert rate.decode_tps_per_gpu <= rate.prefill_tps_per_gpu, key


def test_benchmark_rows_name_their_benchmark(catalogue: Catalogue) -> None:
    for rate in catalogue.throughput.values():
        if rate.kind == "benchmark":
            assert not rate.source.startswith("Estimate"), rate.source
        else:
            assert rate.source.startswith("Estimate from the "), rate.source


def test_70b_fp8_h100_decode_is_the_published_output_rate_per_gpu(catalogue: Catalogue) -> None:
    rate = catalogue.throughput[("llama-3.3-70b", "fp8", "h100-sxm")]
    # LambdaLabsML/vllm-benchmark: 1,727.69 output tok/s on 2 x H100.
    assert rate.decode_tps_per_gpu == 864
    # 1,979 TFLOPS x 0.45 / (2 x 70.6e9)
    assert rate.prefill_tps_per_gpu == 6307


def test_rows_equal_what_the_derivation_script_computes(
    catalogue: Catalogue, derive: ModuleType
) -> None:
    derived = {r.key: r for r in derive.derive_rates(catalogue.gpus, catalogue.models)}
    assert derived.keys() == catalogue.throughput.keys()
    for key, row in derived.items():
        shipped = catalogue.throughput[key]
        assert shipped.prefill_tps_per_gpu == round(row.prefill_tps_per_gpu), key
        assert shipped.decode_tps_per_gpu == round(row.decode_tps_per_gpu), key
        assert shipped.kind == row.kind, key
        assert shipped.source == row.source, key
        assert shipped.derivation == row.derivation, key


def test_estimates_are_the_estimate_rows_of_the_script(
    catalogue: Catalogue, derive: ModuleType
) -> None:
    estimated = {
        r.key for r in derive.derive_rates(catalogue.gpus, catalogue.models) if r.kind == "estimate"
    }
    shipped = {key for key, rate in catalogue.throughput.items() if rate.kind == "estimate"}
    assert estimated == shipped
    assert len(shipped) == 23


def test_solved_decode_reproduces_the_measured_total(
    catalogue: Catalogue, derive: ModuleType
) -> None:
    # vllm issue 12315: 4 x A100, 700 input + 714 output = 1,414 total tok/s.
    rows = {r.key: r for r in derive.derive_rates(catalogue.gpus, catalogue.models)}
    row = rows[("llama-3.3-70b", "bf16", "a100-80gb")]
    blended = (700 + 714) / (700 / row.prefill_tps_per_gpu + 714 / row.decode_tps_per_gpu)
    assert blended == pytest.approx(1414 / 4, rel=1e-12)


def test_estimate_scales_decode_by_bandwidth(catalogue: Catalogue, derive: ModuleType) -> None:
    rows = {r.key: r for r in derive.derive_rates(catalogue.gpus, catalogue.models)}
    h200 = rows[("llama-3.3-70b", "fp8", "h200")]
    assert h200.decode_tps_per_gpu == pytest.approx(1727.69 / 2 * 4.8 / 3.35, rel=1e-12)
