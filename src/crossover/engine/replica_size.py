"""Replica sizes: which of 1, 2, 4 or 8 GPUs serves the most output per GPU under a bound (§3a).

`crossover estimate` without `--gpus` and a deployment without `gpus_per_replica` choose the
same way: every size from the smallest the memory-fit rule allows up to 8 is rated at the
request shape and latency bound it must serve, and the one with the most output tokens a
second per GPU wins (the smaller on a tie); a deployment, which serves a known load in whole
replicas with spares on priced machines, first takes the size that serves it for least. A size
whose requests do not fit, or whose one request alone misses the bound, cannot win; the one
that misses it by least is the closest.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from crossover.catalogue import EngineFacts, Gpu, OpenModel
from crossover.engine.constants import REPLICA_SIZES
from crossover.engine.rates import (
    DoesNotFitError,
    Efficiency,
    LatencyUnreachableError,
    Replica,
    RequestShape,
    ServingRate,
    default_gpus_per_replica,
    serving_rate,
)
from crossover.scenario import KvPrecision, Precision


@dataclass(frozen=True)
class SizeTried:
    """One replica size rated at a request shape: its rate, or why it cannot serve it."""

    gpus: int
    replica: Replica
    rate: ServingRate | None
    failure: DoesNotFitError | LatencyUnreachableError | None

    def per_gpu(self, shape: RequestShape) -> float:
        """Output tokens/s per GPU serving only this shape (0 where it cannot serve it)."""
        return self.rate.output_tps(shape) / self.gpus if self.rate else 0.0

    @property
    def best_ms(self) -> float | None:
        """Time per output token of one request alone, where that misses the bound."""
        if isinstance(self.failure, LatencyUnreachableError):
            return self.failure.best_ms
        return None


def sizes_to_try(weights_gb: float, gpu: Gpu) -> list[int]:
    """From the memory-fit rule's smallest up to 8 GPUs; none where 8 are not enough."""
    smallest = default_gpus_per_replica(weights_gb, gpu.vram_gb)
    return [] if smallest is None else [n for n in REPLICA_SIZES if n >= smallest]


def try_sizes(
    model: OpenModel,
    precision: Precision,
    gpu: Gpu,
    engine: EngineFacts,
    kv_precision: KvPrecision,
    efficiency: Efficiency,
    shape: RequestShape,
    sizes: list[int],
) -> list[SizeTried]:
    """Each size rated at the shape. Raises the rate model's NoComputeRateError where the GPU
    has no compute figure for the precision (whatever the size)."""
    tried = []
    for n in sizes:
        replica = Replica.of(model, precision, gpu, n, engine, kv_precision)
        try:
            tried.append(SizeTried(n, replica, serving_rate(replica, efficiency, shape), None))
        except (DoesNotFitError, LatencyUnreachableError) as e:
            tried.append(SizeTried(n, replica, None, e))
    return tried


def best_size(
    tried: list[SizeTried],
    per_gpu: Callable[[SizeTried], float],
    cost: Callable[[SizeTried], float] | None = None,
) -> SizeTried | None:
    """The size with the highest rate per GPU (the smaller on a tie); None: none serves.

    With `cost` (what a load's replicas of a size cost, whole machines and spares included),
    the cheapest comes first: a larger replica's higher rate per GPU is worth its GPUs only
    where the load fills them.
    """
    serving = [t for t in tried if t.rate is not None]
    if not serving:
        return None
    return min(serving, key=lambda t: (cost(t) if cost else 0.0, -per_gpu(t), t.gpus))


def closest_to_bound(tried: list[SizeTried]) -> SizeTried | None:
    """Of the sizes whose one request alone misses the bound, the one missing it by least."""
    missing = [t for t in tried if t.best_ms is not None]
    return min(missing, key=lambda t: t.best_ms or 0.0) if missing else None
