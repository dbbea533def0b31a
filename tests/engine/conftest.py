"""A small, fixed catalogue for engine tests, so the figures do not move with the shipped data."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from crossover.catalogue import Catalogue, build_catalogue, shipped_api_prices
from crossover.catalogue.models import CatalogueFile
from crossover.scenario import Scenario

AS_OF = date(2026, 11, 27)
SRC = {"source": "test fixture", "as_of": AS_OF}
SEEN = {"source": "test fixture", "seen": AS_OF}


def _tflops(bf16: float) -> dict[str, float | None]:
    return {"bf16": bf16, "fp16": bf16, "fp8": 2 * bf16, "int8": 2 * bf16, "int4": None}


FIXTURE = {
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
    "price_plans": [
        {
            "plan": "reserved_1y",
            "discount_vs_on_demand_pct": 40,
            "range_pct": [30, 50],
            "basis": "assumption",
            **SEEN,
        },
        {
            "plan": "reserved_3y",
            "discount_vs_on_demand_pct": 60,
            "range_pct": [55, 65],
            "basis": "assumption",
            **SEEN,
        },
    ],
    "models": [
        {
            "id": "llama-3.3-70b",
            "name": "Llama 3.3 70B",
            "params_b": 70.6,
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
            "layers": 48,
            "kv_heads": 8,
            "head_dim": 128,
            **SRC,
        },
    ],
    "throughput": [
        {
            "model": "llama-3.3-70b",
            "precision": "fp8",
            "gpu": "h100-sxm",
            "prefill_tps_per_gpu": 8000,
            "decode_tps_per_gpu": 800,
            "kind": "benchmark",
            "derivation": "fixture",
            **SRC,
        },
        {
            "model": "qwen2.5-14b",
            "precision": "bf16",
            "gpu": "a100-80gb",
            "prefill_tps_per_gpu": 5000,
            "decode_tps_per_gpu": 2500,
            "kind": "estimate",
            "derivation": "fixture",
            **SRC,
        },
    ],
}


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
