"""One replica's serving rates for a stated request shape: the rate model on its own (§3a)."""

from __future__ import annotations

from crossover.catalogue import Catalogue
from crossover.engine.rates import (
    NoComputeRateError,
    Replica,
    RequestShape,
    calibrate,
    compute_precision,
    default_gpus_per_replica,
    serving_rate,
    weight_gb,
)
from crossover.engine.results import RateEstimate
from crossover.engine.sizing import measured_alike, rate_error
from crossover.scenario import Engine, KvPrecision, Precision


class EstimateError(ValueError):
    """The inputs name something the catalogue does not know, or a replica that cannot serve."""


def estimate_rate(
    catalogue: Catalogue,
    *,
    model: str,
    precision: Precision,
    gpu: str,
    gpus: int | None,
    input_tokens: float,
    output_tokens: float,
    tpot_ms: float | None,
    engine: Engine,
    kv_precision: KvPrecision,
) -> RateEstimate:
    """The rate model's figures for one replica; without tpot_ms, throughput-bound (offline).

    Raises EstimateError (unknown ids, no fit) and the rate model's own DoesNotFitError and
    LatencyUnreachableError, each carrying the figures that explain it.
    """
    known_model = catalogue.models.get(model)
    known_gpu = catalogue.gpus.get(gpu)
    if known_model is None:
        raise EstimateError(
            f"unknown model {model!r}; known: {', '.join(sorted(catalogue.models))}"
        )
    if known_gpu is None:
        raise EstimateError(f"unknown GPU {gpu!r}; known: {', '.join(sorted(catalogue.gpus))}")
    weights = weight_gb(known_model, precision)
    n = gpus or default_gpus_per_replica(weights, known_gpu.vram_gb)
    if n is None:
        raise EstimateError(
            f"{known_model.name} at {precision} ({weights:.1f} GB) does not fit 8 × "
            f"{known_gpu.name} by the 60% rule; give --gpus or a lower precision"
        )
    try:
        replica = Replica.of(
            known_model, precision, known_gpu, n, catalogue.engines[engine], kv_precision
        )
    except NoComputeRateError as e:
        raise EstimateError(
            f"{known_gpu.name} has no dense {e.compute} figure in the catalogue, which "
            f"{precision} weights run at on it"
        ) from None
    calibration = calibrate(catalogue)
    shape = RequestShape(input_tokens, output_tokens, tpot_ms)
    rate = serving_rate(replica, calibration.efficiency(engine, known_gpu.vendor), shape)
    return RateEstimate(
        model=known_model.id,
        precision=precision,
        compute_precision=compute_precision(precision, known_gpu),
        gpu=known_gpu.id,
        gpus=n,
        engine=engine,
        kv_precision=kv_precision,
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        tpot_target_ms=tpot_ms,
        prefill_tps=rate.prefill_tps,
        decode_tps=rate.decode_tps,
        output_tps_per_gpu=rate.output_tps(shape) / n,
        batch=rate.batch,
        batch_limited_by=rate.batch_limited_by,
        tpot_ms=rate.tpot_ms,
        ttft_s=rate.ttft_s,
        kv_cache_gb=replica.kv_budget_bytes / 1e9,
        calibration=rate_error(
            calibration.error(engine),
            engine,
            measured_alike(catalogue, known_gpu.id, precision),
            calibration.band(
                engine,
                known_gpu.vendor,
                "latency" if rate.batch_limited_by in ("latency", "concurrency") else "throughput",
            ),
        ),
    )
