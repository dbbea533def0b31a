"""A small, fixed catalogue for engine tests, so the figures do not move with the shipped data."""

from __future__ import annotations

from datetime import date
from typing import Any, TypedDict

import pytest

from crossover.catalogue import Catalogue, build_catalogue, shipped_api_prices
from crossover.catalogue.models import CatalogueFile
from crossover.scenario import Scenario

AS_OF = date(2026, 11, 27)


class Sourced(TypedDict):
    """A catalogue entry's source fields, as keyword arguments or JSON keys."""

    source: str
    as_of: date


class Seen(TypedDict):
    """A price's source fields."""

    source: str
    seen: date


SRC: Sourced = {"source": "test fixture", "as_of": AS_OF}
SEEN: Seen = {"source": "test fixture", "seen": AS_OF}


def _tflops(bf16: float) -> dict[str, float | None]:
    return {
        "bf16": bf16,
        "fp16": bf16,
        "fp8": 2 * bf16,
        "int8": 2 * bf16,
        "int4": None,
        "fp4": None,
    }


# The catalogue file as JSON would give it (validated by CatalogueFile below).
FIXTURE: dict[str, Any] = {
    "version": "test",
    "gpus": [
        {
            "id": "h100-sxm",
            "name": "H100 SXM",
            "vendor": "nvidia",
            "vram_gb": 80,
            "memory_bandwidth_tbs": 3.35,
            "dense_tflops": _tflops(989),
            "reference_instance": "aws/p5.48xlarge",
            "interconnect": "nvlink",
            **SRC,
        },
        {
            "id": "a100-80gb",
            "name": "A100 80GB",
            "vendor": "nvidia",
            "vram_gb": 80,
            "memory_bandwidth_tbs": 2.039,
            "dense_tflops": _tflops(312),
            "reference_instance": "runpod/1x_a100-80gb_secure",
            "interconnect": "nvlink",
            **SRC,
        },
    ],
    "instances": [
        {
            "id": "aws/p5.48xlarge",
            "cloud": "aws",
            "instance_type": "p5.48xlarge",
            "gpu": "h100-sxm",
            "gpus_per_instance": 8,
            "on_demand": {"usd_per_gpu_hour": 6.88, **SEEN},
            "spot": {"usd_per_gpu_hour": 3.79, **SEEN},
        },
        {
            "id": "runpod/1x_a100-80gb_secure",
            "cloud": "runpod",
            "instance_type": "1x_A100-80GB_SECURE",
            "gpu": "a100-80gb",
            "gpus_per_instance": 1,
            "on_demand": {"usd_per_gpu_hour": 1.64, **SEEN},
        },
    ],
    # Each provider's own row (issue 26: no default discount borrowed across providers); the
    # same figures for both, so the engine tests' arithmetic reads one discount per term.
    "price_plans": [
        {
            "plan": plan,
            "cloud": cloud,
            "discount_vs_on_demand_pct": point,
            "range_pct": bounds,
            "basis": "assumption",
            **SEEN,
        }
        for cloud in ("aws", "runpod")
        for plan, point, bounds in (("reserved_1y", 40, [30, 50]), ("reserved_3y", 60, [55, 65]))
    ],
    "models": [
        {
            "id": "llama-3.3-70b",
            "name": "Llama 3.3 70B",
            "params_b": 70.6,
            "hidden_size": 8192,
            "layers": 80,
            "kv_heads": 8,
            "head_dim": 128,
            "api_equivalents": ["groq/llama-3.3-70b-versatile"],
            **SRC,
        },
        {
            "id": "qwen2.5-14b",
            "name": "Qwen2.5 14B",
            "params_b": 14.7,
            "hidden_size": 5120,
            "layers": 48,
            "kv_heads": 8,
            "head_dim": 128,
            **SRC,
        },
    ],
    "engines": [
        {
            "id": "vllm",
            "name": "vLLM",
            "mem_fraction": 0.9,
            "kv_memory_rule": "share_of_total",
            "reserve_gb_per_gpu": 2.0,
            "max_batch": 256,
            **SRC,
        },
        {
            "id": "trt-llm",
            "name": "TensorRT-LLM",
            "mem_fraction": 0.9,
            "kv_memory_rule": "share_of_free",
            "reserve_gb_per_gpu": 2.0,
            "max_batch": 2048,
            **SRC,
        },
    ],
    "measurements": [],
}

# The fixture's measurements are made by the model itself with these efficiencies, worked out
# here from economics §3a's formulas, so a fit on them must find these values again.
TRUE_EFFICIENCY = {
    "e_bw": 0.7,
    "e_f": 0.5,
    "t_step_s": 0.002,
    "t_allreduce_s": 10e-6,
    "e_prefill": 0.6,
}
RUNS = [
    # model, params_b, layers, precision bytes, gpu, vram, bw TB/s, TFLOPS, tp, i, o, concurrency
    ("llama-3.3-70b", 70.6, 80, 1.0, "h100-sxm", 80, 3.35, 1979, 2, 1000, 1000, 64),
    ("llama-3.3-70b", 70.6, 80, 1.0, "h100-sxm", 80, 3.35, 1979, 2, 128, 128, 256),
    ("llama-3.3-70b", 70.6, 80, 1.0, "h100-sxm", 80, 3.35, 1979, 4, 5000, 500, 32),
    ("llama-3.3-70b", 70.6, 80, 1.0, "h100-sxm", 80, 3.35, 1979, 2, 2000, 200, 1),
    ("qwen2.5-14b", 14.7, 48, 2.0, "a100-80gb", 80, 2.039, 312, 1, 1000, 1000, 16),
    ("qwen2.5-14b", 14.7, 48, 2.0, "a100-80gb", 80, 2.039, 312, 1, 300, 300, 128),
    ("qwen2.5-14b", 14.7, 48, 2.0, "a100-80gb", 80, 2.039, 312, 1, 4000, 100, 8),
    ("qwen2.5-14b", 14.7, 48, 2.0, "a100-80gb", 80, 2.039, 312, 1, 1, 2048, 1),
    # Short requests in large batches: decode bound by compute, which pins e_f.
    ("qwen2.5-14b", 14.7, 48, 2.0, "a100-80gb", 80, 2.039, 312, 1, 16, 16, 256),
    ("llama-3.3-70b", 70.6, 80, 1.0, "h100-sxm", 80, 3.35, 1979, 4, 16, 32, 256),
]


def _measured(run: tuple[Any, ...]) -> float:
    """Output tokens/s of one replica at the run's concurrency (the model of economics §3a)."""
    _, params_b, layers, bytes_per_param, _, _, bw, tflops, tp, i, o, batch = run
    e = TRUE_EFFICIENCY
    params, weights = params_b * 1e9, params_b * 1e9 * bytes_per_param
    kv = 2 * layers * 8 * 128 * 2
    overhead = e["t_step_s"] + (2 * layers * e["t_allreduce_s"] if tp > 1 else 0)
    memory = (weights + batch * (i + o / 2) * kv) / (tp * bw * 1e12 * e["e_bw"])
    compute = 2 * params * batch / (tp * tflops * 1e12 * e["e_f"])
    decode = batch / (max(memory, compute) + overhead)
    prefill = tp * tflops * 1e12 * e["e_prefill"] / (2 * params)
    rate: float = o / (i / prefill + o / decode)
    return rate


FIXTURE["measurements"] = [
    {
        "id": f"fixture-{n}",
        "model": run[0],
        "model_as_published": run[0],
        "precision": "fp8" if run[3] == 1.0 else "bf16",
        "kv_precision": "bf16",
        "gpu": run[4],
        "gpus": run[8],
        "tensor_parallel": run[8],
        "engine": "vllm",
        "engine_version": "0.6",
        "input_tokens": run[9],
        "output_tokens": run[10],
        "concurrency": run[11],
        "output_tps": _measured(run),
        # One source each: validation leaves a whole source out, here one run at a time.
        "source": f"fixture table {n}",
        "as_of": SRC["as_of"],
    }
    for n, run in enumerate(RUNS)
]


# The fixture's providers meet every compliance rule (a hyperscaler-like account, a business
# associate agreement, an EU region), so the property tests here exercise what compliance does
# to the API option; what it keeps out of the placements is tested on the shipped catalogue's
# own provider facts (test_engine.py).
FIXTURE["providers"] = [
    {
        "id": cloud,
        "name": name,
        "runs_in_client_cloud_account": True,
        "hipaa_baa": True,
        "hipaa_source": "test fixture",
        "eu_regions": ["eu-central-1"],
        "regions_source": "test fixture",
        "as_of": "2026-11-27",
    }
    for cloud, name in (("aws", "Amazon Web Services"), ("runpod", "RunPod"))
]


@pytest.fixture(scope="session")
def fixture_catalogue_file() -> CatalogueFile:
    """The fixture's data, for tests that pair it with API prices of their own."""
    return CatalogueFile.model_validate(FIXTURE)


@pytest.fixture(scope="session")
def fixture_catalogue() -> Catalogue:
    return build_catalogue(CatalogueFile.model_validate(FIXTURE), shipped_api_prices())


def _make_scenario(**sections: Any) -> Scenario:
    base: dict[str, Any] = {
        "client": {"client_name": "Test client", "report_date": "2026-11-27"},
        "workload": {"input_mtok_per_day": 100, "output_mtok_per_day": 20},
        "tiers": [{"tier": "all", "share_pct": 100, "api_model": "anthropic/claude-haiku-4-5"}],
    }
    base.update(sections)
    return Scenario.model_validate(base)


@pytest.fixture(scope="session")
def make_scenario() -> Any:
    """A factory of valid scenarios with sensible defaults; keyword sections replace them."""
    return _make_scenario
