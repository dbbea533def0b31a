"""Serving rates from the request shape, the latency promised and the engine (economics §3a).

A roofline model of one replica of `n` GPUs under continuous batching:

- Memory: the weights take `W` bytes; what the engine leaves of `n × vram × mem_fraction` after
  the weights and a per-GPU reserve holds the KV cache, `kv_per_token` bytes a token. A request
  of `i + o` tokens must fit, and the batch is capped by how many fit (`B_mem`).
- Decode: one step makes one token for each of `B` sequences; it reads the weights and the
  batch's KV cache (average context `c = i + o/2`) or, at large batch, is bound by compute:
  `step(B) = max((W + B·c·kv) / (n·bw·e_bw), 2·P·B / (n·F·e_f)) + t_step`.
- The batch is the smallest of `B_mem`, the largest `B` whose step meets the promised time per
  output token, and the engine's own cap; `decode = B / step(B)`.
- Prefill is compute-bound: `prefill = n·F·e_prefill / (2·P)`.

`F` is the dense rate at the precision the tensor cores run (`compute_precision`). The
efficiencies `e_bw`, `e_f` (= `e_prefill`) and `t_step` are fitted per engine on published
measurements (`calibrate`); the engine's memory fraction, reserve and batch cap are facts of
its configuration (the catalogue's `engines`). Everything here is in bytes, FLOPs and seconds.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from crossover.catalogue import Catalogue, EngineFacts, Gpu, Measurement, OpenModel, StoredFit
from crossover.catalogue.models import BYTES_PER_PARAM
from crossover.engine.constants import COMFORTABLE_FIT, REPLICA_SIZES
from crossover.scenario import Engine, KvPrecision, Precision

GB = 1e9
"""Catalogue memory figures are in GB of 10^9 bytes, as economics §3 counts them."""
TB = 1e12
KV_BYTES: dict[KvPrecision, int] = {"bf16": 2, "fp8": 1}
"""Bytes per KV-cache value."""

BatchLimit = Literal["memory", "latency", "engine", "concurrency"]
FloatArray = NDArray[np.float64]


# --- Memory fit -----------------------------------------------------------------------------


def weight_gb(model: OpenModel, precision: Precision) -> float:
    """W = params_b × bytes_per_param, GB (economics §3)."""
    return model.params_b * BYTES_PER_PARAM[precision]


def default_gpus_per_replica(weights_gb: float, vram_gb: float) -> int | None:
    """The smallest of 1, 2, 4, 8 GPUs leaving at least 40% of memory for KV cache."""
    return next((n for n in REPLICA_SIZES if weights_gb <= COMFORTABLE_FIT * n * vram_gb), None)


def kv_bytes_per_token(model: OpenModel, kv_precision: KvPrecision) -> float:
    """Bytes a token adds to the layers that keep every token: values per layer (2 × kv_heads ×
    head_dim, or the MLA latent) × those layers × bytes per value."""
    full_layers = model.layers - model.sliding_layers
    return full_layers * model.kv_values_per_layer_token * KV_BYTES[kv_precision]


def kv_window_bytes_per_token(model: OpenModel, kv_precision: KvPrecision) -> float:
    """Bytes a token adds to the sliding-window layers, while the sequence is within the window."""
    return model.sliding_layers * model.kv_values_per_layer_token * KV_BYTES[kv_precision]


def experts_touched(experts: float, per_token: float, batch: float | FloatArray) -> FloatArray:
    """Expected routed experts a step of `batch` tokens reads per MoE layer: E × (1 − (1 − k/E)^B)
    (uniform routing, economics §3a). 0 for a dense model (E = 0)."""
    batch_array = np.asarray(batch, dtype=np.float64)
    if experts == 0:
        return np.zeros_like(batch_array)
    touched: FloatArray = experts * (1 - (1 - per_token / experts) ** batch_array)
    return touched


# --- Compute precision ----------------------------------------------------------------------


def compute_precision(precision: Precision, gpu: Gpu) -> Precision:
    """The tensor-core mode the matrix multiplications run in (economics §3a).

    int4 is weight-only everywhere (W4A8 where the GPU has FP8, else W4A16), and so is fp4 on a
    GPU without FP4 tensor cores; fp8 and int8 weights on a GPU without those units multiply in
    16 bits. The result may still lack a figure: `NoComputeRateError` says so, never borrowing.
    """
    rates = gpu.dense_tflops
    if precision in ("bf16", "fp16"):
        return precision
    if precision == "fp4" and rates.get("fp4") is not None:
        return "fp4"
    if precision in ("fp8", "int8") and rates.get(precision) is not None:
        return precision
    if precision in ("int4", "fp4") and rates.get("fp8") is not None:
        return "fp8"
    return "bf16"


class NoComputeRateError(ValueError):
    """The GPU's catalogue entry has no dense rate for the precision the work runs at."""

    def __init__(self, gpu: Gpu, weights: Precision, compute: Precision) -> None:
        self.gpu, self.weights, self.compute = gpu, weights, compute
        super().__init__(f"{gpu.id} has no {compute} figure ({weights} weights)")


def dense_flops(gpu: Gpu, precision: Precision) -> float:
    """F: FLOP/s per GPU at the compute precision of these weights."""
    mode = compute_precision(precision, gpu)
    tflops = gpu.dense_tflops.get(mode)
    if tflops is None:
        raise NoComputeRateError(gpu, precision, mode)
    return tflops * TB


# --- One replica ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Efficiency:
    """What an engine achieves of the roofline: fitted on published measurements."""

    e_bw: float
    """Share of memory bandwidth decode achieves."""
    e_f: float
    """Share of dense compute achieved in compute-bound decode."""
    t_step_s: float
    """Fixed cost of a decode step (scheduling, sampling, kernel launches), seconds."""
    e_link: float
    """What a replica split over PCIe-only GPUs keeps of both (activations cross the bus)."""
    t_allreduce_s: float
    """Cost of one all-reduce of a split replica's activations: two a layer, every step."""
    e_prefill: float
    """Share of dense compute achieved reading prompts (prefill): large matrix products."""
    e_moe: float = 1.0
    """What a mixture-of-experts model keeps of the compute shares (e_f, e_prefill): routing,
    the experts' many small matrix products and their exchange between GPUs."""

    def on(self, replica: Replica) -> Efficiency:
        """The efficiencies on this replica: the link's share taken where GPUs talk over PCIe,
        the mixture-of-experts share of compute where the model routes to experts."""
        link = self.e_link if replica.over_pcie else 1.0
        moe = self.e_moe if replica.experts else 1.0
        if link == 1.0 and moe == 1.0:
            return self
        return Efficiency(
            self.e_bw * link,
            self.e_f * link * moe,
            self.t_step_s,
            1.0,
            self.t_allreduce_s,
            self.e_prefill * link * moe,
            1.0,
        )

    def step_overhead_s(self, replica: Replica) -> float:
        """t_step, plus two all-reduces a layer where the replica spans GPUs."""
        exchanges = 2 * replica.layers if replica.gpus > 1 else 0
        return self.t_step_s + exchanges * self.t_allreduce_s


@dataclass(frozen=True)
class Replica:
    """One copy of a model on `gpus` GPUs under an engine: what does not depend on requests."""

    params: float
    """Parameters whose multiplications a token pays for, a count: the active ones of an MoE."""
    layers: int
    weight_bytes: float
    """Every parameter: what the memory holds."""
    kv_bytes_per_token: float
    """Per token in the layers that keep the whole context."""
    gpus: int
    vram_bytes: float
    """Per GPU."""
    bandwidth_bytes_s: float
    """Per GPU."""
    flops: float
    """Dense FLOP/s per GPU at the compute precision."""
    mem_fraction: float
    share_of_free: bool
    """The engine's share is of the memory the weights and reserve leave (TensorRT-LLM)."""
    reserve_bytes: float
    """Per GPU."""
    max_batch: int
    over_pcie: bool
    """Several GPUs that exchange activations over PCIe only."""
    shared_weight_bytes: float = 0.0
    """Weights every step reads (attention, embeddings, shared experts); for a dense model, all
    of them (`weight_bytes` is used where this and `expert_weight_bytes` are both 0)."""
    expert_weight_bytes: float = 0.0
    """One routed expert's weights summed over the MoE layers (0: a dense model)."""
    experts: float = 0.0
    """Routed experts per MoE layer (0: a dense model)."""
    experts_per_token: float = 0.0
    kv_window_bytes_per_token: float = 0.0
    """Per token in the sliding-window layers, up to `kv_window` tokens."""
    kv_window: float = math.inf

    def kv_bytes(self, tokens: float) -> float:
        """KV cache of one sequence holding `tokens` tokens."""
        return self.kv_bytes_per_token * tokens + self.kv_window_bytes_per_token * min(
            tokens, self.kv_window
        )

    def step_weight_bytes(self, batch: float) -> float:
        """Weights a decode step of `batch` sequences reads: the shared part and the experts
        some sequence selected; every weight for a dense model."""
        if self.experts == 0:
            return self.weight_bytes
        touched = float(experts_touched(self.experts, self.experts_per_token, batch))
        return self.shared_weight_bytes + touched * self.expert_weight_bytes

    @classmethod
    def of(
        cls,
        model: OpenModel,
        precision: Precision,
        gpu: Gpu,
        gpus: int,
        engine: EngineFacts,
        kv_precision: KvPrecision,
    ) -> Replica:
        bytes_per_param = BYTES_PER_PARAM[precision]
        return cls(
            params=model.compute_params_b * 1e9,
            layers=model.layers,
            weight_bytes=weight_gb(model, precision) * GB,
            kv_bytes_per_token=kv_bytes_per_token(model, kv_precision),
            gpus=gpus,
            vram_bytes=gpu.vram_gb * GB,
            bandwidth_bytes_s=gpu.memory_bandwidth_tbs * TB,
            flops=dense_flops(gpu, precision),
            mem_fraction=engine.mem_fraction,
            share_of_free=engine.kv_memory_rule == "share_of_free",
            reserve_bytes=engine.reserve_gb_per_gpu * GB,
            max_batch=engine.max_batch_on(gpu.id),
            over_pcie=gpus > 1 and gpu.interconnect == "pcie",
            shared_weight_bytes=model.always_active_params_b * bytes_per_param * GB,
            expert_weight_bytes=model.expert_params_b * bytes_per_param * GB,
            experts=float(model.experts or 0),
            experts_per_token=float(model.experts_per_token or 0),
            kv_window_bytes_per_token=kv_window_bytes_per_token(model, kv_precision),
            kv_window=float(model.sliding_window or math.inf),
        )

    @property
    def kv_budget_bytes(self) -> float:
        """What the engine keeps for KV cache: n × vram × mem_fraction − W − reserve, or
        mem_fraction × (n × vram − W − reserve) where the engine's share is of free memory."""
        n = self.gpus
        if self.share_of_free:
            return self.mem_fraction * (
                n * self.vram_bytes - self.weight_bytes - n * self.reserve_bytes
            )
        return n * self.vram_bytes * self.mem_fraction - self.weight_bytes - n * self.reserve_bytes


@dataclass(frozen=True)
class RequestShape:
    """A typical request, and the latency promised to its user."""

    input_tokens: float
    output_tokens: float
    tpot_ms: float | None
    """Time per output token promised; None: throughput-bound (batch or offline work)."""

    @property
    def tokens(self) -> float:
        return self.input_tokens + self.output_tokens

    @property
    def mean_context(self) -> float:
        """c = i + o/2: the average context a sequence holds while it decodes."""
        return self.input_tokens + self.output_tokens / 2


@dataclass(frozen=True)
class ServingRate:
    """A replica's rates at one request shape: what §3's blend and the sizing use."""

    prefill_tps: float
    """Input tokens/s of the replica."""
    decode_tps: float
    """Output tokens/s of the replica while decoding at `batch`."""
    batch: int
    """Sequences decoded together."""
    batch_limited_by: BatchLimit
    tpot_ms: float
    """Time per output token at that batch, ms."""
    ttft_s: float
    """Time to first token of a request arriving at an idle prefill, seconds (no queueing)."""

    def output_tps(self, shape: RequestShape) -> float:
        """Output tokens/s when the replica serves only this shape: prefill and decode share it."""
        per_request_s = (
            shape.input_tokens / self.prefill_tps + shape.output_tokens / self.decode_tps
        )
        return shape.output_tokens / per_request_s


class DoesNotFitError(ValueError):
    """Weights plus one request's KV cache exceed what the engine leaves of the replica."""

    def __init__(self, context_tokens: float, kv_budget_bytes: float, needed_bytes: float) -> None:
        self.context_tokens = context_tokens
        self.kv_budget_bytes = kv_budget_bytes
        self.needed_bytes = needed_bytes
        super().__init__(
            f"a {context_tokens:g}-token request needs {needed_bytes / GB:.2f} GB of KV cache; "
            f"{kv_budget_bytes / GB:.2f} GB is left"
        )


class LatencyUnreachableError(ValueError):
    """Even one sequence alone takes longer per output token than promised."""

    def __init__(self, tpot_ms: float, best_ms: float) -> None:
        self.tpot_ms, self.best_ms = tpot_ms, best_ms
        super().__init__(f"{tpot_ms:g} ms per token promised, {best_ms:.1f} ms at best")


def step_s(replica: Replica, efficiency: Efficiency, shape: RequestShape, batch: float) -> float:
    """One decode step of `batch` sequences: read weights and KV cache, or compute."""
    n = replica.gpus
    memory = (replica.step_weight_bytes(batch) + batch * replica.kv_bytes(shape.mean_context)) / (
        n * replica.bandwidth_bytes_s * efficiency.e_bw
    )
    compute = 2 * replica.params * batch / (n * replica.flops * efficiency.e_f)
    return max(memory, compute) + efficiency.step_overhead_s(replica)


def batch_by_memory(replica: Replica, shape: RequestShape) -> int:
    """B_mem: whole requests whose KV cache fits beside the weights."""
    return math.floor(replica.kv_budget_bytes / replica.kv_bytes(shape.tokens))


def batch_by_latency(replica: Replica, efficiency: Efficiency, shape: RequestShape) -> float:
    """The largest B (not yet whole) with step(B) ≤ tpot: step grows with B (linearly for a
    dense model; an MoE's step reads more experts as B grows), so a bisection finds it."""
    assert shape.tpot_ms is not None
    budget = shape.tpot_ms / 1000 - efficiency.step_overhead_s(replica)
    if budget <= 0:
        return 0.0
    n = replica.gpus

    def column(value: float) -> FloatArray:
        return np.array([value], dtype=np.float64)

    by_memory = _largest_batch_reading(
        column(budget * n * replica.bandwidth_bytes_s * efficiency.e_bw),
        column(replica.shared_weight_bytes if replica.experts else replica.weight_bytes),
        column(replica.expert_weight_bytes),
        column(replica.experts),
        column(replica.experts_per_token),
        column(replica.kv_bytes(shape.mean_context)),
    )[0]
    by_compute = budget * n * replica.flops * efficiency.e_f / (2 * replica.params)
    return min(float(by_memory), by_compute)


def _largest_batch_reading(
    capacity: FloatArray,
    shared: FloatArray,
    expert: FloatArray,
    experts: FloatArray,
    per_token: FloatArray,
    kv_per_sequence: FloatArray,
) -> FloatArray:
    """Per run, the largest B ≥ 0 (not yet whole) whose step bytes, shared + touched(B) × expert
    + B × kv_per_sequence, fit in `capacity` bytes; negative where not even the shared part fits.

    Exact for a dense model (experts 0: linear in B); else bisection, the bytes growing with B.
    """
    linear = (capacity - shared) / kv_per_sequence
    moe = experts > 0
    if not moe.any():
        return linear
    low = np.zeros_like(capacity)
    high = np.maximum(linear, 0.0)
    safe_experts = np.where(moe, experts, 1.0)
    share = np.where(moe, per_token / safe_experts, 0.0)
    for _ in range(60):
        middle = (low + high) / 2
        touched = safe_experts * (1 - (1 - share) ** middle)
        fits = shared + touched * expert + middle * kv_per_sequence <= capacity
        low = np.where(fits, middle, low)
        high = np.where(fits, high, middle)
    return np.where(moe, np.where(linear < 0, linear, low), linear)


def serving_rate(
    replica: Replica,
    efficiency: Efficiency,
    shape: RequestShape,
    concurrency: float | None = None,
) -> ServingRate:
    """The replica's prefill and decode rates at this request shape (economics §3a).

    `concurrency` caps the batch where a run had only so many requests in flight (calibration);
    a deployment sized by the tool runs as many as memory, latency and the engine allow.
    Raises DoesNotFitError when not one request fits, LatencyUnreachableError when one sequence alone is
    slower than promised.
    """
    efficiency = efficiency.on(replica)
    by_memory = batch_by_memory(replica, shape)
    if by_memory < 1:
        raise DoesNotFitError(shape.tokens, replica.kv_budget_bytes, replica.kv_bytes(shape.tokens))
    caps: list[tuple[float, BatchLimit]] = [
        (by_memory, "memory"),
        (replica.max_batch, "engine"),
    ]
    if concurrency is not None:
        caps.append((concurrency, "concurrency"))
    if shape.tpot_ms is not None:
        by_latency = batch_by_latency(replica, efficiency, shape)
        if by_latency < 1:
            raise LatencyUnreachableError(
                shape.tpot_ms, step_s(replica, efficiency, shape, 1) * 1000
            )
        caps.append((by_latency, "latency"))
    limit, limited_by = min(caps, key=lambda cap: cap[0])
    batch = max(1, math.floor(limit + 1e-9))
    step = step_s(replica, efficiency, shape, batch)
    prefill = replica.gpus * replica.flops * efficiency.e_prefill / (2 * replica.params)
    return ServingRate(
        prefill_tps=prefill,
        decode_tps=batch / step,
        batch=batch,
        batch_limited_by=limited_by,
        tpot_ms=step * 1000,
        ttft_s=shape.input_tokens / prefill + efficiency.step_overhead_s(replica),
    )


# --- Calibration ----------------------------------------------------------------------------

LOWER = Efficiency(
    e_bw=0.05, e_f=0.05, t_step_s=0.0, e_link=0.05, t_allreduce_s=0.0, e_prefill=0.05, e_moe=0.05
)
UPPER = Efficiency(
    e_bw=1.0, e_f=1.0, t_step_s=0.005, e_link=1.0, t_allreduce_s=50e-6, e_prefill=1.0, e_moe=1.0
)
"""The efficiencies stay within 5% … 100% of the roofline, the step cost within 0 … 5 ms and
an all-reduce within 0 … 50 µs (a few µs on NVLink for decode-sized messages)."""
START = Efficiency(
    e_bw=0.7, e_f=0.5, t_step_s=0.002, e_link=0.5, t_allreduce_s=10e-6, e_prefill=0.5, e_moe=0.7
)
SHRINKAGE = 1.0
"""Weight that pulls an engine's efficiencies towards the fit on every engine's measurements,
per unit of log efficiency (and per 5 ms of step cost): an engine with few measurements keeps
close to the common fit instead of fitting its handful exactly."""
STEP_SCALE_S = 0.005


ALLREDUCE_SCALE_S = 10e-6


def _to_vector(e: Efficiency) -> FloatArray:
    return np.array(
        [
            math.log(e.e_bw),
            math.log(e.e_f),
            e.t_step_s,
            math.log(e.e_link),
            e.t_allreduce_s,
            math.log(e.e_prefill),
            math.log(e.e_moe),
        ]
    )


def _from_vector(x: FloatArray) -> Efficiency:
    return Efficiency(
        e_bw=math.exp(x[0]),
        e_f=math.exp(x[1]),
        t_step_s=float(x[2]),
        e_link=math.exp(x[3]),
        t_allreduce_s=float(x[4]),
        e_prefill=math.exp(x[5]),
        e_moe=math.exp(x[6]),
    )


_SCALE = np.array([1.0, 1.0, STEP_SCALE_S, 1.0, ALLREDUCE_SCALE_S, 1.0, 1.0])


@dataclass(frozen=True)
class _Runs:
    """Measurements as arrays, so a fit evaluates every run at once."""

    params: FloatArray
    exchanges: FloatArray
    """All-reduces a step: two a layer where the replica spans GPUs."""
    weight_bytes: FloatArray
    """What a step reads of the weights before the experts: all of a dense model's."""
    expert_bytes: FloatArray
    experts: FloatArray
    experts_per_token: FloatArray
    kv_sequence: FloatArray
    """KV cache of one whole request (input and output)."""
    kv_context: FloatArray
    """KV cache of a sequence at the mean decoding context."""
    gpus: FloatArray
    bandwidth: FloatArray
    flops: FloatArray
    kv_budget: FloatArray
    max_batch: FloatArray
    over_pcie: NDArray[np.bool_]
    concurrency: FloatArray
    """Per replica; inf where the run states none."""
    tpot_s: FloatArray
    """inf where the run had no latency bound."""
    inputs: FloatArray
    outputs: FloatArray
    replicas: FloatArray
    measured: FloatArray

    @classmethod
    def of(cls, replicas: Sequence[Replica], runs: Sequence[Measurement]) -> _Runs:
        def column(values: Sequence[float]) -> FloatArray:
            return np.array(values, dtype=np.float64)

        return cls(
            params=column([r.params for r in replicas]),
            exchanges=column([2 * r.layers if r.gpus > 1 else 0 for r in replicas]),
            weight_bytes=column(
                [r.shared_weight_bytes if r.experts else r.weight_bytes for r in replicas]
            ),
            expert_bytes=column([r.expert_weight_bytes for r in replicas]),
            experts=column([r.experts for r in replicas]),
            experts_per_token=column([r.experts_per_token for r in replicas]),
            kv_sequence=column(
                [
                    r.kv_bytes(m.input_tokens + m.output_tokens)
                    for r, m in zip(replicas, runs, strict=True)
                ]
            ),
            kv_context=column(
                [
                    r.kv_bytes(m.input_tokens + m.output_tokens / 2)
                    for r, m in zip(replicas, runs, strict=True)
                ]
            ),
            gpus=column([r.gpus for r in replicas]),
            bandwidth=column([r.bandwidth_bytes_s for r in replicas]),
            flops=column([r.flops for r in replicas]),
            kv_budget=column([r.kv_budget_bytes for r in replicas]),
            max_batch=column([r.max_batch for r in replicas]),
            over_pcie=np.array([r.over_pcie for r in replicas], dtype=np.bool_),
            concurrency=column(
                [m.concurrency / m.replicas if m.concurrency else math.inf for m in runs]
            ),
            tpot_s=column([m.tpot_ms_bound / 1000 if m.tpot_ms_bound else math.inf for m in runs]),
            inputs=column([m.input_tokens for m in runs]),
            outputs=column([m.output_tokens for m in runs]),
            replicas=column([m.replicas for m in runs]),
            measured=column([m.output_tps for m in runs]),
        )

    def take(self, index: NDArray[np.intp]) -> _Runs:
        return _Runs(**{name: getattr(self, name)[index] for name in self.__dataclass_fields__})

    def latency_bound(self, efficiency: Efficiency) -> NDArray[np.bool_]:
        """Runs whose batch the latency bound or the run's own concurrency sets (the latency-bound
        regime); the others are throughput-bound, their batch set by memory or the engine."""
        link = np.where(self.over_pcie, efficiency.e_link, 1.0)
        moe = np.where(self.experts > 0, efficiency.e_moe, 1.0)
        t_step = efficiency.t_step_s + self.exchanges * efficiency.t_allreduce_s
        n = self.gpus
        bounded = np.isfinite(self.tpot_s)
        budget = np.where(bounded, self.tpot_s - t_step, 0.0)
        by_latency = np.where(
            bounded,
            np.minimum(
                _largest_batch_reading(
                    budget * n * self.bandwidth * efficiency.e_bw * link,
                    self.weight_bytes,
                    self.expert_bytes,
                    self.experts,
                    self.experts_per_token,
                    self.kv_context,
                ),
                budget * n * self.flops * efficiency.e_f * link * moe / (2 * self.params),
            ),
            np.inf,
        )
        other = np.minimum(np.floor(self.kv_budget / self.kv_sequence), self.max_batch)
        result: NDArray[np.bool_] = np.minimum(by_latency, self.concurrency) < other
        return result

    def modelled(self, efficiency: Efficiency) -> FloatArray:
        """Each run's output tokens/s as serving_rate models it (vectorised, same formulas)."""
        link = np.where(self.over_pcie, efficiency.e_link, 1.0)
        moe = np.where(self.experts > 0, efficiency.e_moe, 1.0)
        e_bw, e_f = efficiency.e_bw * link, efficiency.e_f * link * moe
        e_prefill = efficiency.e_prefill * link * moe
        t_step = efficiency.t_step_s + self.exchanges * efficiency.t_allreduce_s
        n = self.gpus
        by_memory = np.floor(self.kv_budget / self.kv_sequence)
        bounded = np.isfinite(self.tpot_s)
        budget = np.where(bounded, self.tpot_s - t_step, 0.0)
        by_latency = np.minimum(
            _largest_batch_reading(
                budget * n * self.bandwidth * e_bw,
                self.weight_bytes,
                self.expert_bytes,
                self.experts,
                self.experts_per_token,
                self.kv_context,
            ),
            budget * n * self.flops * e_f / (2 * self.params),
        )
        limit = np.minimum(np.minimum(by_memory, self.max_batch), self.concurrency)
        limit = np.minimum(limit, np.where(bounded, by_latency, np.inf))
        batch = np.maximum(1.0, np.floor(limit + 1e-9))
        touched = np.where(
            self.experts > 0,
            self.experts
            * (
                1
                - (1 - self.experts_per_token / np.where(self.experts > 0, self.experts, 1.0))
                ** batch
            ),
            0.0,
        )
        memory = (self.weight_bytes + touched * self.expert_bytes + batch * self.kv_context) / (
            n * self.bandwidth * e_bw
        )
        compute = 2 * self.params * batch / (n * self.flops * e_f)
        decode = batch / (np.maximum(memory, compute) + t_step)
        prefill = n * self.flops * e_prefill / (2 * self.params)
        per_request = self.inputs / prefill + self.outputs / decode
        modelled: FloatArray = self.replicas * self.outputs / per_request
        return modelled


def _fit(runs: _Runs, prior: Efficiency | None, start: Efficiency | None = None) -> Efficiency:
    """Least squares on the log error; with a prior, shrunk towards it (see SHRINKAGE)."""
    # scipy costs a quarter second to import: only a fit pays it, not every catalogue load.
    from scipy.optimize import least_squares

    log_measured = np.log(runs.measured)
    centre = _to_vector(prior) if prior is not None else None

    def residuals(x: FloatArray) -> FloatArray:
        errors = np.log(runs.modelled(_from_vector(x))) - log_measured
        if centre is None:
            return errors
        pull = math.sqrt(SHRINKAGE) * (x - centre) / _SCALE
        return np.concatenate([errors, pull])

    solution = least_squares(
        residuals,
        x0=_to_vector(start or prior or START),
        bounds=(_to_vector(LOWER), _to_vector(UPPER)),
        x_scale=_SCALE,
        method="trf",
        # A thousandth of a log unit is 0.1% of a rate: far below the model's own error.
        xtol=1e-3,
        ftol=1e-6,
    )
    return _from_vector(solution.x)


def _fit_engines(
    runs: _Runs, engines: Sequence[Engine]
) -> tuple[Efficiency, dict[Engine, Efficiency]]:
    """A common fit on every run, then each engine's own, shrunk towards the common one."""
    common = _fit(runs, None)
    labels = np.array(engines)
    fitted = {
        engine: _fit(runs.take(np.flatnonzero(labels == engine)), common)
        for engine in dict.fromkeys(engines)
    }
    return common, fitted


Regime = Literal["throughput", "latency"]
"""Throughput-bound: the batch is as large as memory and the engine allow. Latency-bound: a
time-per-token bound or the number of requests in flight keeps it smaller."""


def source_of(measurement: Measurement) -> str:
    """The publication a measurement belongs to: its source up to the first comma (one document
    at one version, one vendor's results page, one submitter's round). Validation leaves a
    whole publication out at a time, so no row of the same table helps predict another."""
    return measurement.source.split(",")[0].strip()


@dataclass(frozen=True)
class MeasuredRun:
    """One measurement against the model: fitted with it, and with its whole source left out."""

    measurement: Measurement
    modelled_tps: float
    left_out_tps: float
    """What the model fitted without this run's source (every row of its publication) predicts."""
    vendor: str = "nvidia"
    regime: Regime = "throughput"

    @property
    def log_error(self) -> float:
        """ln(modelled ÷ measured): 0.1 is 10.5% high, −0.1 is 9.5% low."""
        return math.log(self.modelled_tps / self.measurement.output_tps)

    @property
    def left_out_log_error(self) -> float:
        return math.log(self.left_out_tps / self.measurement.output_tps)


@dataclass(frozen=True)
class ErrorSummary:
    """How far modelled rates land from measured ones, as factors (1.2: within 20%)."""

    measurements: int
    median_factor: float
    worst_factor: float
    left_out_median_factor: float
    left_out_worst_factor: float

    @classmethod
    def of(cls, runs: Sequence[MeasuredRun]) -> ErrorSummary:
        fitted = [abs(r.log_error) for r in runs]
        left_out = [abs(r.left_out_log_error) for r in runs]
        return cls(
            measurements=len(runs),
            median_factor=math.exp(float(np.median(fitted))),
            worst_factor=math.exp(max(fitted)),
            left_out_median_factor=math.exp(float(np.median(left_out))),
            left_out_worst_factor=math.exp(max(left_out)),
        )


BAND_SHARE = 0.8
"""The band stated beside a modelled rate contains this share of held-out measurements."""
BAND_MIN_ROWS = 3
"""A band needs this many held-out rows; with fewer, the next wider group's band is used."""


@dataclass(frozen=True)
class Band:
    """The held-out error of one group of measurements: the factor that contains 80% of them."""

    engine: Engine | None
    vendor: str | None
    regime: Regime | None
    rows: int
    median_factor: float
    factor: float
    """exp of the 80th percentile of |ln(predicted ÷ measured)| over the held-out rows."""
    contained: float
    """Share of those rows the band contains (at least 0.8 by construction)."""

    @property
    def basis(self) -> str:
        """Which measurements the band comes from, e.g. 'vllm on amd, throughput-bound'."""
        parts: list[str] = [self.engine or "every engine"]
        if self.vendor:
            parts.append(f"on {self.vendor}")
        text = " ".join(parts)
        return f"{text}, {self.regime}-bound" if self.regime else text

    @classmethod
    def of(
        cls,
        runs: Sequence[MeasuredRun],
        engine: Engine | None,
        vendor: str | None,
        regime: Regime | None,
    ) -> Band | None:
        errors = sorted(abs(r.left_out_log_error) for r in runs)
        if len(errors) < BAND_MIN_ROWS:
            return None
        # The smallest held-out error at or above which 80% of rows lie: a band that holds.
        bound = errors[math.ceil(BAND_SHARE * len(errors)) - 1]
        contained = sum(1 for e in errors if e <= bound + 1e-12) / len(errors)
        return cls(
            engine,
            vendor,
            regime,
            len(errors),
            math.exp(float(np.median(errors))),
            math.exp(bound),
            contained,
        )


def _bands(runs: Sequence[MeasuredRun]) -> dict[tuple[str | None, str | None, str | None], Band]:
    """Bands per engine, vendor and regime, and per wider group for fall-back."""
    keys: set[tuple[str | None, str | None, str | None]] = {(None, None, None)}
    for run in runs:
        e, v, g = run.measurement.engine, run.vendor, run.regime
        keys |= {
            (e, v, g),
            (e, v, None),
            (e, None, g),
            (e, None, None),
            (None, v, g),
            (None, v, None),
        }
    bands = {}
    for key in keys:
        engine, vendor, regime = key
        chosen = [
            r
            for r in runs
            if (engine is None or r.measurement.engine == engine)
            and (vendor is None or r.vendor == vendor)
            and (regime is None or r.regime == regime)
        ]
        band = Band.of(chosen, _engine(engine), vendor, _regime(regime))
        if band is not None:
            bands[key] = band
    return bands


def _engine(name: str | None) -> Engine | None:
    return None if name is None else next(e for e in ("vllm", "sglang", "trt-llm") if e == name)


def _regime(name: str | None) -> Regime | None:
    return None if name is None else ("latency" if name == "latency" else "throughput")


@dataclass(frozen=True)
class Calibration:
    """The efficiencies per engine and how well they reproduce the measurements."""

    common: Efficiency
    """Fitted on every measurement: used for an engine with none of its own."""
    engines: dict[Engine, Efficiency]
    runs: list[MeasuredRun]
    overall: ErrorSummary
    by_engine: dict[Engine, ErrorSummary]
    bands: dict[tuple[str | None, str | None, str | None], Band]
    """Held-out bands by (engine, vendor, regime); None in a place: every value of it."""

    def efficiency(self, engine: Engine) -> Efficiency:
        return self.engines.get(engine, self.common)

    def band(self, engine: Engine, vendor: str, regime: Regime) -> Band:
        """The band for a rate modelled for this engine, GPU vendor and regime: the narrowest
        group with enough held-out rows (engine, vendor and regime; then engine and vendor;
        engine and regime; engine; vendor and regime; vendor; every row)."""
        for key in (
            (engine, vendor, regime),
            (engine, vendor, None),
            (engine, None, regime),
            (engine, None, None),
            (None, vendor, regime),
            (None, vendor, None),
            (None, None, None),
        ):
            band = self.bands.get(key)
            if band is not None:
                return band
        raise ValueError("the calibration has too few held-out measurements for any band")

    def error(self, engine: Engine) -> ErrorSummary:
        """The error to state beside a rate modelled for this engine."""
        return self.by_engine.get(engine, self.overall)


class ImpossibleMeasurementError(ValueError):
    """A published figure above what the hardware can do even at full efficiency."""


def measured_replica(measurement: Measurement, catalogue: Catalogue) -> Replica:
    """The replica a measurement ran on, with its engine's memory and batch facts."""
    return Replica.of(
        catalogue.models[measurement.model],
        measurement.precision,
        catalogue.gpus[measurement.gpu],
        measurement.tensor_parallel,
        catalogue.engines[measurement.engine],
        measurement.kv_precision,
    )


def check_measurements(catalogue: Catalogue) -> None:
    """Refuse a measurement the hardware cannot have produced, naming its source.

    The bound: every byte of memory for KV cache, full bandwidth and compute, no step cost, and
    the batch capped only by memory and the run's stated concurrency or latency.
    """
    impossible = []
    for m in catalogue.measurements:
        replica = measured_replica(m, catalogue)
        ideal = Replica(
            **{
                **replica.__dict__,
                "mem_fraction": 1.0,
                "reserve_bytes": 0.0,
                "max_batch": 1_000_000,
            }
        )
        runs = _Runs.of([ideal], [m])
        bound = float(runs.modelled(Efficiency(1.0, 1.0, 0.0, 1.0, 0.0, 1.0))[0])
        if not m.output_tps <= bound:
            impossible.append(
                f"{m.id} ({m.source}): {m.output_tps:g} output tokens/s measured, more than the "
                f"{bound:.0f} the hardware allows at full bandwidth and compute"
            )
        elif batch_by_memory(ideal, RequestShape(m.input_tokens, m.output_tokens, None)) < 1:
            impossible.append(f"{m.id} ({m.source}): one request does not fit in memory")
    if impossible:
        raise ImpossibleMeasurementError(
            "catalogue measurements are physically impossible: " + "; ".join(impossible)
        )


_CALIBRATIONS: dict[tuple[int, ...], tuple[tuple[object, ...], Calibration]] = {}
"""calibrate's results by the catalogue parts a fit reads (held, so no id is reused while
cached): copies of a catalogue with other prices share one fit."""


def calibrate(catalogue: Catalogue) -> Calibration:
    """Each engine's efficiencies on the catalogue's measurements, with every error.

    The fit stored with the catalogue where it was made on this very data (a fresh process
    then skips about a second of fitting), else a fresh `fit`; remembered per catalogue data.
    """
    parts = (catalogue.measurements, catalogue.models, catalogue.gpus, catalogue.engines)
    key = tuple(id(part) for part in parts)
    cached = _CALIBRATIONS.get(key)
    if cached is not None:
        return cached[1]
    stored = catalogue.stored_fit
    if stored is not None and stored.digest == fit_digest(catalogue):
        calibration = _from_stored(stored, catalogue)
    else:
        calibration = fit(catalogue)
    _CALIBRATIONS[key] = (parts, calibration)
    return calibration


def fit_digest(catalogue: Catalogue) -> str:
    """SHA-256 of the catalogue data a fit reads: measurements, models, GPUs and engines."""
    data = {
        "measurements": [m.model_dump(mode="json") for m in catalogue.measurements],
        **{
            name: {k: v.model_dump(mode="json") for k, v in sorted(table.items())}
            for name, table in (
                ("models", catalogue.models),
                ("gpus", catalogue.gpus),
                ("engines", catalogue.engines),
            )
        },
    }
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def stored(calibration: Calibration, catalogue: Catalogue) -> StoredFit:
    """A fit as the catalogue stores it (scripts/store_fit.py writes it)."""
    return StoredFit(
        digest=fit_digest(catalogue),
        common=asdict(calibration.common),
        engines={engine: asdict(e) for engine, e in calibration.engines.items()},
        modelled_tps=[r.modelled_tps for r in calibration.runs],
        left_out_tps=[r.left_out_tps for r in calibration.runs],
    )


def _from_stored(fit: StoredFit, catalogue: Catalogue) -> Calibration:
    measurements = catalogue.measurements
    regimes = _regimes(
        catalogue, {e: Efficiency(**v) for e, v in fit.engines.items()}, Efficiency(**fit.common)
    )
    runs = [
        MeasuredRun(m, modelled, left_out, catalogue.gpus[m.gpu].vendor, regime)
        for m, modelled, left_out, regime in zip(
            measurements, fit.modelled_tps, fit.left_out_tps, regimes, strict=True
        )
    ]
    return _calibration(
        Efficiency(**fit.common),
        {engine: Efficiency(**e) for engine, e in fit.engines.items()},
        runs,
    )


def _calibration(
    common: Efficiency, engines: dict[Engine, Efficiency], runs: list[MeasuredRun]
) -> Calibration:
    return Calibration(
        common=common,
        engines=engines,
        runs=runs,
        overall=ErrorSummary.of(runs),
        by_engine={
            engine: ErrorSummary.of([r for r in runs if r.measurement.engine == engine])
            for engine in engines
        },
        bands=_bands(runs),
    )


def _regimes(
    catalogue: Catalogue, engines: dict[Engine, Efficiency], common: Efficiency
) -> list[Regime]:
    """Each measurement's regime under its engine's fitted efficiencies."""
    measurements = list(catalogue.measurements)
    runs = _Runs.of([measured_replica(m, catalogue) for m in measurements], measurements)
    regimes: list[Regime] = []
    for i, m in enumerate(measurements):
        one = runs.take(np.array([i]))
        bound = bool(one.latency_bound(engines.get(m.engine, common))[0])
        regimes.append("latency" if bound else "throughput")
    return regimes


def fit(catalogue: Catalogue) -> Calibration:
    """Fit each engine's efficiencies on the catalogue's measurements, with every error."""
    check_measurements(catalogue)
    measurements = list(catalogue.measurements)
    if len(measurements) < 4:
        raise ValueError("the rate model needs at least 4 measurements to calibrate on")
    runs = _Runs.of([measured_replica(m, catalogue) for m in measurements], measurements)
    engines: list[Engine] = [m.engine for m in measurements]
    common, fitted = _fit_engines(runs, engines)
    modelled = np.empty(len(measurements))
    labels = np.array(engines)
    for engine, efficiency in fitted.items():
        index = np.flatnonzero(labels == engine)
        modelled[index] = runs.take(index).modelled(efficiency)
    left_out = np.empty(len(measurements))
    sources = [source_of(m) for m in measurements]
    for source in dict.fromkeys(sources):
        # Refit without every run of this source: the common fit, then (where the engine has
        # runs elsewhere) the engine's own; no row of the same table helps predict another.
        held = np.array([j for j, s in enumerate(sources) if s == source], dtype=np.intp)
        others = np.array([j for j, s in enumerate(sources) if s != source], dtype=np.intp)
        others_common = _fit(runs.take(others), None, common)
        for engine in dict.fromkeys(engines[j] for j in held):
            rows = np.array([j for j in held if engines[j] == engine], dtype=np.intp)
            same_engine = np.array([j for j in others if engines[j] == engine], dtype=np.intp)
            efficiency = others_common
            if same_engine.size:
                efficiency = _fit(runs.take(same_engine), others_common, fitted[engine])
            left_out[rows] = runs.take(rows).modelled(efficiency)
    regimes = _regimes(catalogue, fitted, common)
    measured_runs = [
        MeasuredRun(
            m,
            float(modelled[i]),
            float(left_out[i]),
            catalogue.gpus[m.gpu].vendor,
            regimes[i],
        )
        for i, m in enumerate(measurements)
    ]
    return _calibration(common, fitted, measured_runs)
