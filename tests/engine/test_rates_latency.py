"""Latency as published (economics §3a): the shipped fit against NVIDIA's NIM inter-token
latencies, which the fit sees only as output tokens/s at each concurrency."""

from __future__ import annotations

import pytest

from crossover.catalogue import Catalogue, shipped_catalogue
from crossover.engine.rates import RequestShape, calibrate, measured_replica, serving_rate

# NVIDIA NIM LLMs Benchmarking 1.0.0, Llama 3.3 70B Instruct NIM 1.8.0, 2 × H100 fp8 TP2,
# 5,000 input and 500 output tokens: concurrency → inter-token latency, ms.
PUBLISHED_ITL_MS = {1: 18.58, 5: 21.83, 25: 38.75, 50: 59.73, 100: 92.91}


@pytest.fixture(scope="module")
def shipped() -> Catalogue:
    return shipped_catalogue()


@pytest.mark.parametrize("concurrency", sorted(PUBLISHED_ITL_MS))
def test_the_time_per_token_tracks_published_inter_token_latency(
    shipped: Catalogue, concurrency: int
) -> None:
    # A user's mean time per token: the decode step and the prompts of the other requests
    # arriving meanwhile, (B − 1) / 500 a step. It must follow the published curve within 15%,
    # from one request alone (the step itself) to a full replica, where the prompts take most.
    run = next(
        m
        for m in shipped.measurements
        if m.id == f"nim180-llama-3.3-70b-fp8-h100-sxm-tp2-5000-500-c{concurrency}"
    )
    efficiency = calibrate(shipped).efficiency("trt-llm", "nvidia")
    shape = RequestShape(5000, 500, None)
    rate = serving_rate(measured_replica(run, shipped), efficiency, shape, concurrency)
    step_ms = rate.batch / rate.decode_tps * 1000
    mean_ms = step_ms + (rate.batch - 1) * 5000 / rate.prefill_tps / 500 * 1000
    assert mean_ms == pytest.approx(PUBLISHED_ITL_MS[concurrency], rel=0.15)
    # The 99th percentile lies at or above the mean; the step alone well below it where
    # others' prompts arrive.
    assert rate.tpot_ms >= mean_ms
    if concurrency >= 25:
        assert step_ms < 0.8 * PUBLISHED_ITL_MS[concurrency]
