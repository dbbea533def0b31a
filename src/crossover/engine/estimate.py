"""One replica's serving rates for a stated request shape: the rate model on its own (§3a)."""

from __future__ import annotations

from typing import NoReturn

from crossover.catalogue import Catalogue, Gpu, OpenModel
from crossover.engine.rates import (
    DoesNotFitError,
    LatencyUnreachableError,
    NoComputeRateError,
    RequestShape,
    calibrate,
    compute_precision,
    weight_gb,
)
from crossover.engine.replica_size import (
    SizeTried,
    best_size,
    closest_to_bound,
    sizes_to_try,
    try_sizes,
)
from crossover.engine.results import RateEstimate
from crossover.engine.sizing import measured_alike, rate_error
from crossover.problem_facts import (
    EstimateClosest,
    EstimateFacts,
    EstimateFixedSizeMisses,
    EstimateNoComputeRate,
    EstimateNoFit,
    EstimateNoSizeMeets,
    EstimateUnknownId,
)
from crossover.problem_words import estimate_words
from crossover.scenario import Engine, KvPrecision, Precision


class EstimateError(ValueError):
    """The inputs name something the catalogue does not know, or a replica that cannot serve:
    its facts, worded by crossover.problem_words (the engine writes no sentence)."""

    def __init__(self, facts: EstimateFacts) -> None:
        super().__init__(estimate_words(facts))
        self.facts = facts


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

    Without `gpus`, the replica of 1, 2, 4 or 8 GPUs that serves the most output tokens per GPU
    under the promised latency (economics §3a). Raises EstimateError (unknown ids, no fit, a
    latency no replica meets, naming the shape that comes closest) and the rate model's
    DoesNotFitError, carrying the figures that explain it.
    """
    known_model = catalogue.models.get(model)
    known_gpu = catalogue.gpus.get(gpu)
    if known_model is None:
        raise EstimateError(
            EstimateUnknownId(kind="model", given=model, known=sorted(catalogue.models))
        )
    if known_gpu is None:
        raise EstimateError(EstimateUnknownId(kind="GPU", given=gpu, known=sorted(catalogue.gpus)))
    weights = weight_gb(known_model, precision)
    shape = RequestShape(input_tokens, output_tokens, tpot_ms)
    try:
        sizes = [gpus] if gpus else sizes_to_try(weights, known_gpu)
        tried = _try(
            catalogue, known_model, precision, known_gpu, sizes, engine, kv_precision, shape
        )
    except NoComputeRateError as e:
        raise EstimateError(
            EstimateNoComputeRate(gpu_name=known_gpu.name, compute=e.compute, precision=precision)
        ) from None
    if not tried:
        raise EstimateError(
            EstimateNoFit(
                model_name=known_model.name,
                precision=precision,
                weights_gb=weights,
                gpu_name=known_gpu.name,
            )
        )
    best = best_size(tried, lambda t: t.per_gpu(shape))
    if best is None:
        _refuse(tried, known_gpu, catalogue, known_model, precision, engine, kv_precision, shape)
    rate = best.rate
    assert rate is not None
    calibration = calibrate(catalogue)
    return RateEstimate(
        model=known_model.id,
        precision=precision,
        compute_precision=compute_precision(precision, known_gpu),
        gpu=known_gpu.id,
        gpus=best.gpus,
        engine=engine,
        kv_precision=kv_precision,
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        tpot_target_ms=tpot_ms,
        prefill_tps=rate.prefill_tps,
        decode_tps=rate.decode_tps,
        output_tps_per_gpu=best.per_gpu(shape),
        batch=rate.batch,
        batch_limited_by=rate.batch_limited_by,
        tpot_ms=rate.tpot_ms,
        ttft_s=rate.ttft_s,
        kv_cache_gb=best.replica.kv_budget_bytes / 1e9,
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


def _try(
    catalogue: Catalogue,
    model: OpenModel,
    precision: Precision,
    gpu: Gpu,
    sizes: list[int],
    engine: Engine,
    kv_precision: KvPrecision,
    shape: RequestShape,
) -> list[SizeTried]:
    efficiency = calibrate(catalogue).efficiency(engine, gpu.vendor)
    facts = catalogue.engines[engine]
    return try_sizes(model, precision, gpu, facts, kv_precision, efficiency, shape, sizes)


def _refuse(
    tried: list[SizeTried],
    gpu: Gpu,
    catalogue: Catalogue,
    model: OpenModel,
    precision: Precision,
    engine: Engine,
    kv_precision: KvPrecision,
    shape: RequestShape,
) -> NoReturn:
    """No shape tried serves: say why, and which shape comes closest or would serve."""
    if closest_to_bound(tried) is None:
        failure = tried[0].failure
        assert isinstance(failure, DoesNotFitError)
        raise failure
    assert shape.tpot_ms is not None
    if len(tried) == 1:
        # A fixed shape: look at the others, so the advice never contradicts the model.
        sizes = [n for n in sizes_to_try(weight_gb(model, precision), gpu) if n != tried[0].gpus]
        others = _try(catalogue, model, precision, gpu, sizes, engine, kv_precision, shape)
        failure = tried[0].failure
        assert isinstance(failure, LatencyUnreachableError)
        best = best_size(others, lambda t: t.per_gpu(shape))
        raise EstimateError(
            EstimateFixedSizeMisses(
                tpot_ms=shape.tpot_ms,
                gpus=tried[0].gpus,
                gpu=gpu.id,
                best_ms=failure.best_ms,
                meets_gpus=best.gpus if best is not None else None,
                meets_per_gpu_tps=best.per_gpu(shape) if best is not None else None,
                closest=None if best is not None else _closest(tried + others, gpu),
            )
        )
    raise EstimateError(
        EstimateNoSizeMeets(
            tpot_ms=shape.tpot_ms,
            tried=[t.gpus for t in tried],
            gpu=gpu.id,
            closest=_closest(tried, gpu),
        )
    )


def _closest(tried: list[SizeTried], gpu: Gpu) -> EstimateClosest:
    """Which shape comes closest to the promise."""
    closest = closest_to_bound(tried)
    assert closest is not None and closest.best_ms is not None
    return EstimateClosest(gpus=closest.gpus, gpu=gpu.id, best_ms=closest.best_ms)
