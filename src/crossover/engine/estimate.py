"""One replica's serving rates for a stated request shape: the rate model on its own (§3a)."""

from __future__ import annotations

from dataclasses import dataclass

from crossover.catalogue import Catalogue, Gpu, OpenModel
from crossover.engine.constants import REPLICA_SIZES
from crossover.engine.rates import (
    DoesNotFitError,
    LatencyUnreachableError,
    NoComputeRateError,
    Replica,
    RequestShape,
    ServingRate,
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


@dataclass(frozen=True)
class _Shape:
    """One replica shape tried: its GPUs, and its rate or why it cannot serve."""

    gpus: int
    replica: Replica
    rate: ServingRate | None
    failure: DoesNotFitError | LatencyUnreachableError | None

    def per_gpu(self, shape: RequestShape) -> float:
        return self.rate.output_tps(shape) / self.gpus if self.rate else 0.0


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
            f"unknown model {model!r}; known: {', '.join(sorted(catalogue.models))}"
        )
    if known_gpu is None:
        raise EstimateError(f"unknown GPU {gpu!r}; known: {', '.join(sorted(catalogue.gpus))}")
    weights = weight_gb(known_model, precision)
    shape = RequestShape(input_tokens, output_tokens, tpot_ms)
    try:
        sizes = [gpus] if gpus else _sizes(weights, known_gpu)
        tried = [
            _try(catalogue, known_model, precision, known_gpu, n, engine, kv_precision, shape)
            for n in sizes
        ]
    except NoComputeRateError as e:
        raise EstimateError(
            f"{known_gpu.name} has no dense {e.compute} figure in the catalogue, which "
            f"{precision} weights run at on it"
        ) from None
    if not tried:
        raise EstimateError(
            f"{known_model.name} at {precision} ({weights:.1f} GB) does not fit 8 × "
            f"{known_gpu.name} by the 60% rule; give --gpus or a lower precision"
        )
    serving = [t for t in tried if t.rate is not None]
    if not serving:
        _refuse(tried, known_gpu, catalogue, known_model, precision, engine, kv_precision, shape)
    best = max(serving, key=lambda t: t.per_gpu(shape))
    assert best.rate is not None
    calibration = calibrate(catalogue)
    rate = best.rate
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


def _sizes(weights_gb: float, gpu: Gpu) -> list[int]:
    """Replica sizes to try: from the memory-fit rule's smallest up to 8 GPUs."""
    smallest = default_gpus_per_replica(weights_gb, gpu.vram_gb)
    return [] if smallest is None else [n for n in REPLICA_SIZES if n >= smallest]


def _try(
    catalogue: Catalogue,
    model: OpenModel,
    precision: Precision,
    gpu: Gpu,
    n: int,
    engine: Engine,
    kv_precision: KvPrecision,
    shape: RequestShape,
) -> _Shape:
    replica = Replica.of(model, precision, gpu, n, catalogue.engines[engine], kv_precision)
    efficiency = calibrate(catalogue).efficiency(engine, gpu.vendor)
    try:
        return _Shape(n, replica, serving_rate(replica, efficiency, shape), None)
    except (DoesNotFitError, LatencyUnreachableError) as e:
        return _Shape(n, replica, None, e)


def _refuse(
    tried: list[_Shape],
    gpu: Gpu,
    catalogue: Catalogue,
    model: OpenModel,
    precision: Precision,
    engine: Engine,
    kv_precision: KvPrecision,
    shape: RequestShape,
) -> None:
    """No shape tried serves: say why, and which shape comes closest or would serve."""
    latency = [t for t in tried if isinstance(t.failure, LatencyUnreachableError)]
    if not latency:
        failure = tried[0].failure
        assert isinstance(failure, DoesNotFitError)
        raise failure
    assert shape.tpot_ms is not None
    if len(tried) == 1:
        # A fixed shape: look at the others, so the advice never contradicts the model.
        others = [
            _try(catalogue, model, precision, gpu, n, engine, kv_precision, shape)
            for n in _sizes(weight_gb(model, precision), gpu)
            if n != tried[0].gpus
        ]
        failure = tried[0].failure
        assert isinstance(failure, LatencyUnreachableError)
        here = (
            f"{shape.tpot_ms:g} ms per output token cannot be met on {tried[0].gpus} × "
            f"{gpu.id}: one request alone takes {failure.best_ms:.1f} ms at the 99th percentile"
        )
        serving = [t for t in others if t.rate is not None]
        if serving:
            best = max(serving, key=lambda t: t.per_gpu(shape))
            raise EstimateError(
                f"{here}; {best.gpus} × {gpu.id} meets it at {best.per_gpu(shape):,.0f} output "
                f"tokens/s per GPU, the most per GPU of the replicas that do: use --gpus "
                f"{best.gpus}, or leave --gpus out to have it chosen"
            )
        latency = latency + [t for t in others if isinstance(t.failure, LatencyUnreachableError)]
        raise EstimateError(f"{here}; {_closest(latency, gpu, shape)}")
    raise EstimateError(
        f"{shape.tpot_ms:g} ms per output token cannot be met on any replica of "
        f"{_alternatives([t.gpus for t in tried])} × {gpu.id}; {_closest(latency, gpu, shape)}"
    )


def _closest(latency: list[_Shape], gpu: Gpu, shape: RequestShape) -> str:
    """Which shape comes closest to the promise, and the fixes left."""
    closest = min(
        latency,
        key=lambda t: t.failure.best_ms if isinstance(t.failure, LatencyUnreachableError) else 0,
    )
    assert isinstance(closest.failure, LatencyUnreachableError)
    return (
        f"the closest is {closest.gpus} × {gpu.id}, where one request alone takes "
        f"{closest.failure.best_ms:.1f} ms (its weights' reads and its exchanges between GPUs); "
        "use a faster GPU, a lower precision or a looser bound"
    )


def _alternatives(sizes: list[int]) -> str:
    """1, 2 or 4."""
    words = [str(n) for n in sizes]
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"
