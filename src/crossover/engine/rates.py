"""Serving rates from the request shape, the latency promised and the engine (economics §3a).

A roofline model of one replica of `n` GPUs under continuous batching:

- Memory: the weights take `W` bytes (every parameter, a mixture-of-experts model's too); what
  the engine leaves of `n × vram × mem_fraction` after the weights and a per-GPU reserve holds
  the KV cache, `kv(L)` bytes for a sequence of `L` tokens (from the model's own attention:
  grouped, latent or sliding-window). A request of `i + o` tokens must fit, and the batch is
  capped by how many fit (`B_mem`).
- Decode: one step makes one token for each of `B` sequences; it reads the weights (an MoE's
  always-active part and the experts its batch touched) and the batch's KV cache (average
  context `c = i + o/2`), or is bound by compute on the active parameters; plus a step cost,
  a cost per sequence, and the exchanges of a replica split over GPUs.
- A user's time per output token adds the prompts of requests arriving meanwhile (prefill
  interference) and, at the 99th percentile, their spread; the batch is the smallest of
  `B_mem`, the largest `B` whose 99th-percentile time meets the promise, and the engine's cap.
- Prefill is compute-bound: `prefill = n·F·e_prefill / (2·P_active)`, less its exchanges.

`F` is the dense rate at the precision the tensor cores run (`compute_precision`). The
efficiencies are fitted per engine (and per engine and GPU vendor) on published measurements
(`calibrate`); the engine's memory fraction, reserve and batch cap are facts of its
configuration (the catalogue's `engines`). Everything here is in bytes, FLOPs and seconds.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
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
EXCHANGE_HIDDEN = 8192
"""The activation width an exchange cost per token is stated for (a 70B-class model's)."""
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
    """Share of memory bandwidth decode achieves reading weights."""
    e_f: float
    """Share of dense compute achieved in compute-bound decode."""
    t_step_s: float
    """Fixed cost of a decode step (scheduling, sampling, kernel launches), seconds."""
    e_link: float
    """Share of an NVLink-class link's exchange speed a PCIe-only replica keeps: its exchanges
    take 1 / e_link as long (the GPUs' own memory and compute are unchanged)."""
    t_allreduce_s: float
    """Fixed cost of one all-reduce of a split replica's activations: two a layer, every step."""
    e_prefill: float
    """Share of dense compute achieved reading prompts (prefill): large matrix products."""
    e_moe: float = 1.0
    """What a mixture-of-experts model keeps of the compute shares (e_f, e_prefill): routing,
    the experts' many small matrix products and their exchange between GPUs."""
    e_kv: float | None = None
    """Share of memory bandwidth attention achieves reading the KV cache (paged, scattered
    reads); None: as the weights (e_bw)."""
    t_sequence_s: float = 0.0
    """Cost per sequence of a decode step on any replica (sampling, scheduling, each
    sequence's attention launch), seconds: a step of B sequences costs t_step + B × this."""
    t_exchange_token_s: float = 0.0
    """Over PCIe: cost per token (a decoding sequence or a prompt token) of one all-reduce of
    8,192 activations between two GPUs, scaled by the replica's hidden size and ring
    (Replica.exchange_scale). NVLink or Infinity Fabric moves them 1 / e_link as fast, as it
    does the fixed cost: e_link times this a token. Small beside the fixed cost for a few
    sequences, not for a thousand: a 70B model split eight ways all-reduces every sequence's
    activations 160 times a step (docs/rates.md)."""

    def on(self, replica: Replica) -> Efficiency:
        """The efficiencies on this replica: the mixture-of-experts share of compute where the
        model routes to experts."""
        if not replica.experts or self.e_moe == 1.0:
            return self
        return replace(
            self, e_f=self.e_f * self.e_moe, e_prefill=self.e_prefill * self.e_moe, e_moe=1.0
        )

    def step_overhead_s(self, replica: Replica, batch: float = 1.0) -> float:
        """t_step and a cost per sequence, plus two all-reduces a layer where the replica spans
        GPUs: a fixed cost and one per sequence, each 1 / e_link as long over PCIe."""
        exchanges = 2 * replica.layers if replica.gpus > 1 else 0
        per_token = self.t_exchange_token_s * replica.exchange_scale
        if not replica.over_pcie:
            return (
                self.t_step_s
                + batch * self.t_sequence_s
                + exchanges * (self.t_allreduce_s + batch * per_token * self.e_link)
            )
        return (
            self.t_step_s
            + batch * self.t_sequence_s
            + exchanges * (self.t_allreduce_s / self.e_link + batch * per_token)
        )


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
    exchange_scale: float = 1.0
    """A token's all-reduce relative to 8,192 activations between two GPUs: hidden ÷ 8,192 ×
    2(n − 1)/n, what a ring all-reduce moves per GPU (1 for a 70B-class model on two GPUs)."""

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
            exchange_scale=model.hidden_size / EXCHANGE_HIDDEN * (gpus - 1) / gpus * 2,
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


TAIL_Z = 2.326
"""The standard normal's 99th percentile: published time-per-token bounds are 99th percentiles."""


def step_s(replica: Replica, efficiency: Efficiency, shape: RequestShape, batch: float) -> float:
    """One decode step of `batch` sequences: read weights and KV cache, or compute; plus the
    step's fixed cost and exchanges. No prompt work (see `tpot_s`)."""
    runs = _Runs.of_shape(replica, shape)
    return float(runs.times(efficiency.on(replica), np.array([float(batch)]))[0][0])


def tpot_s(replica: Replica, efficiency: Efficiency, shape: RequestShape, batch: float) -> float:
    """Time per output token a user sees at the 99th percentile under continuous batching:
    the decode step and the prompts of the other requests arriving meanwhile, which the same
    steps read (prefill interference: (B − 1)/o a step, i tokens each), with their spread over
    the user's o steps (Poisson arrivals: 2.33 × (i / prefill) × √(B − 1) / o). One request
    alone sees the step itself: the single-request inter-token latency engines publish."""
    runs = _Runs.of_shape(replica, shape)
    return float(runs.times(efficiency.on(replica), np.array([float(batch)]))[2][0])


def batch_by_memory(replica: Replica, shape: RequestShape) -> int:
    """B_mem: whole requests whose KV cache fits beside the weights."""
    return math.floor(replica.kv_budget_bytes / replica.kv_bytes(shape.tokens))


def batch_by_latency(replica: Replica, efficiency: Efficiency, shape: RequestShape) -> float:
    """The largest B (not yet whole) whose 99th-percentile time per token meets the promise;
    0 where not even one sequence does. The time grows with B, so a bisection finds it."""
    assert shape.tpot_ms is not None
    runs = _Runs.of_shape(replica, shape)
    return float(runs.batch_by_latency(efficiency.on(replica))[0])


def serving_rate(
    replica: Replica,
    efficiency: Efficiency,
    shape: RequestShape,
    concurrency: float | None = None,
) -> ServingRate:
    """The replica's prefill and decode rates at this request shape (economics §3a).

    `concurrency` caps the batch where a run had only so many requests in flight (calibration);
    a deployment sized by the tool runs as many as memory, latency and the engine allow.
    Raises DoesNotFitError when not one request fits, LatencyUnreachableError when one sequence
    alone is slower than promised (at the 99th percentile).
    """
    efficiency = efficiency.on(replica)
    by_memory = batch_by_memory(replica, shape)
    if by_memory < 1:
        raise DoesNotFitError(shape.tokens, replica.kv_budget_bytes, replica.kv_bytes(shape.tokens))
    runs = _Runs.of_shape(replica, shape, concurrency)
    caps: list[tuple[float, BatchLimit]] = [
        (by_memory, "memory"),
        (replica.max_batch, "engine"),
    ]
    if concurrency is not None:
        caps.append((concurrency, "concurrency"))
    if shape.tpot_ms is not None:
        by_latency = float(runs.batch_by_latency(efficiency)[0])
        if by_latency < 1:
            best = float(runs.times(efficiency, np.array([1.0]))[2][0])
            raise LatencyUnreachableError(shape.tpot_ms, best * 1000)
        caps.append((by_latency, "latency"))
    limit, limited_by = min(caps, key=lambda cap: cap[0])
    batch = max(1, math.floor(limit + 1e-9))
    step, _, tail = (float(t[0]) for t in runs.times(efficiency, np.array([float(batch)])))
    prefill = float(runs.prefill_tps(efficiency)[0])
    return ServingRate(
        prefill_tps=prefill,
        decode_tps=batch / step,
        batch=batch,
        batch_limited_by=limited_by,
        tpot_ms=tail * 1000,
        ttft_s=shape.input_tokens / prefill + efficiency.step_overhead_s(replica),
    )


# --- Calibration ----------------------------------------------------------------------------

LOWER = Efficiency(
    e_bw=0.05,
    e_f=0.05,
    t_step_s=0.0,
    e_link=0.2,
    t_allreduce_s=0.0,
    e_prefill=0.05,
    e_moe=0.05,
    t_exchange_token_s=0.0,
    e_kv=0.05,
    t_sequence_s=0.0,
)
UPPER = Efficiency(
    e_bw=1.0,
    e_f=1.0,
    t_step_s=0.005,
    e_link=1.0,
    t_allreduce_s=50e-6,
    e_prefill=1.0,
    e_moe=1.0,
    t_exchange_token_s=2e-6,
    e_kv=1.0,
    t_sequence_s=50e-6,
)
"""The efficiencies stay within 5% … 100% of the roofline (a PCIe link's fixed exchange cost
within 1 … 5 times NVLink's: e_link 0.2 … 1), the step cost within 0 … 5 ms, an
all-reduce's fixed cost within 0 … 50 µs (a few µs on NVLink for decode-sized messages) and
its cost per token over PCIe within 0 … 2 µs (16 KB of a 70B model's activations at 8 GB/s)."""
START = Efficiency(
    e_bw=0.7,
    e_f=0.5,
    t_step_s=0.002,
    e_link=0.5,
    t_allreduce_s=10e-6,
    e_prefill=0.5,
    e_moe=1.0,
    t_exchange_token_s=0.0,
    e_kv=0.7,
    t_sequence_s=0.0,
)
FAINT = 0.01
"""The weight of the common fit's pull towards START (a hundredth of SHRINKAGE)."""
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
            e.t_exchange_token_s,
            math.log(e.e_kv if e.e_kv is not None else e.e_bw),
            e.t_sequence_s,
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
        t_exchange_token_s=float(x[7]),
        e_kv=math.exp(x[8]),
        t_sequence_s=float(x[9]),
    )


EXCHANGE_TOKEN_SCALE_S = 0.1e-6
SEQUENCE_SCALE_S = 5e-6
_SCALE = np.array(
    [
        1.0,
        1.0,
        STEP_SCALE_S,
        1.0,
        ALLREDUCE_SCALE_S,
        1.0,
        1.0,
        EXCHANGE_TOKEN_SCALE_S,
        1.0,
        SEQUENCE_SCALE_S,
    ]
)


LOW_CONCURRENCY = 64
"""Runs with at most this many requests in flight per replica, or a latency bound, are the
low-latency runs. Few are published, many throughput tables: each group weighs half of a fit,
so the single-request step (published inter-token latency) is fitted, not outvoted."""


def _weights(low: NDArray[np.bool_]) -> FloatArray:
    """Residual weights giving the low-latency runs and the others half of a fit each."""
    count = len(low)
    weights = np.ones(count)
    if 0 < low.sum() < count:
        weights[low] = math.sqrt(count / (2 * low.sum()))
        weights[~low] = math.sqrt(count / (2 * (~low).sum()))
    return weights


@dataclass(frozen=True)
class _Runs:
    """Replicas at request shapes as arrays, so a fit evaluates every run at once; the one
    implementation of the step, latency and rate formulas (a single replica is one row)."""

    params: FloatArray
    exchanges: FloatArray
    """All-reduces a step: two a layer where the replica spans GPUs."""
    exchange_scale: FloatArray
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
    low_latency: NDArray[np.bool_]
    """Runs with few requests in flight or a latency bound (see LOW_CONCURRENCY)."""

    @classmethod
    def build(
        cls,
        replicas: Sequence[Replica],
        shapes: Sequence[RequestShape],
        concurrency: Sequence[float],
        replica_counts: Sequence[float],
        measured: Sequence[float],
    ) -> _Runs:
        def column(values: Sequence[float]) -> FloatArray:
            return np.array(values, dtype=np.float64)

        pairs = list(zip(replicas, shapes, strict=True))
        return cls(
            params=column([r.params for r in replicas]),
            exchanges=column([2 * r.layers if r.gpus > 1 else 0 for r in replicas]),
            exchange_scale=column([r.exchange_scale for r in replicas]),
            weight_bytes=column(
                [r.shared_weight_bytes if r.experts else r.weight_bytes for r in replicas]
            ),
            expert_bytes=column([r.expert_weight_bytes for r in replicas]),
            experts=column([r.experts for r in replicas]),
            experts_per_token=column([r.experts_per_token for r in replicas]),
            kv_sequence=column([r.kv_bytes(s.tokens) for r, s in pairs]),
            kv_context=column([r.kv_bytes(s.mean_context) for r, s in pairs]),
            gpus=column([r.gpus for r in replicas]),
            bandwidth=column([r.bandwidth_bytes_s for r in replicas]),
            flops=column([r.flops for r in replicas]),
            kv_budget=column([r.kv_budget_bytes for r in replicas]),
            max_batch=column([r.max_batch for r in replicas]),
            over_pcie=np.array([r.over_pcie for r in replicas], dtype=np.bool_),
            concurrency=column(concurrency),
            tpot_s=column([s.tpot_ms / 1000 if s.tpot_ms else math.inf for s in shapes]),
            inputs=column([s.input_tokens for s in shapes]),
            outputs=column([s.output_tokens for s in shapes]),
            replicas=column(replica_counts),
            measured=column(measured),
            low_latency=np.array(
                [
                    c <= LOW_CONCURRENCY or s.tpot_ms is not None
                    for c, s in zip(concurrency, shapes, strict=True)
                ],
                dtype=np.bool_,
            ),
        )

    @classmethod
    def of(cls, replicas: Sequence[Replica], runs: Sequence[Measurement]) -> _Runs:
        """Published runs on their replicas."""
        return cls.build(
            replicas,
            [RequestShape(m.input_tokens, m.output_tokens, m.tpot_ms_bound) for m in runs],
            [m.concurrency / m.replicas if m.concurrency else math.inf for m in runs],
            [m.replicas for m in runs],
            [m.output_tps for m in runs],
        )

    @classmethod
    def of_shape(
        cls, replica: Replica, shape: RequestShape, concurrency: float | None = None
    ) -> _Runs:
        """One replica at one request shape."""
        return cls.build([replica], [shape], [concurrency or math.inf], [1.0], [math.nan])

    def take(self, index: NDArray[np.intp]) -> _Runs:
        return _Runs(**{name: getattr(self, name)[index] for name in self.__dataclass_fields__})

    def _moe(self, efficiency: Efficiency) -> FloatArray:
        return np.where(self.experts > 0, efficiency.e_moe, 1.0)

    def _exchange_s(self, efficiency: Efficiency) -> tuple[FloatArray, FloatArray]:
        """A step's fixed exchange cost and its cost per token, seconds: PCIe's 1 / e_link as
        long as a fast link's, for both."""
        link = np.where(self.over_pcie, efficiency.e_link, 1.0)
        fixed = self.exchanges * efficiency.t_allreduce_s / link
        fast = np.where(self.over_pcie, 1.0, efficiency.e_link)
        per_token = self.exchanges * efficiency.t_exchange_token_s * self.exchange_scale * fast
        return fixed, per_token

    def prefill_tps(self, efficiency: Efficiency) -> FloatArray:
        """Input tokens/s of a replica: prompt compute and the prompt tokens' exchanges."""
        moe = self._moe(efficiency)
        _, per_token = self._exchange_s(efficiency)
        compute = 2 * self.params / (self.gpus * self.flops * efficiency.e_prefill * moe)
        rate: FloatArray = 1 / (compute + per_token)
        return rate

    def times(
        self, efficiency: Efficiency, batch: FloatArray
    ) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Per run at this batch: the decode step; the replica's mean time per output token,
        the step with its share of every prompt (what sets its output rate); and the 99th
        percentile of the time per token a user sees: the step and the other requests'
        prompts arriving meanwhile, with their spread. Seconds."""
        moe = self._moe(efficiency)
        fixed, per_token = self._exchange_s(efficiency)
        safe = np.where(self.experts > 0, self.experts, 1.0)
        touched = np.where(
            self.experts > 0, safe * (1 - (1 - self.experts_per_token / safe) ** batch), 0.0
        )
        e_kv = efficiency.e_kv if efficiency.e_kv is not None else efficiency.e_bw
        weights = (self.weight_bytes + touched * self.expert_bytes) / efficiency.e_bw
        memory = (weights + batch * self.kv_context / e_kv) / (self.gpus * self.bandwidth)
        compute = 2 * self.params * batch / (self.gpus * self.flops * efficiency.e_f * moe)
        per_sequence = efficiency.t_sequence_s + per_token
        step = np.maximum(memory, compute) + efficiency.t_step_s + fixed + batch * per_sequence
        prompt_s = self.inputs / self.prefill_tps(efficiency)
        # The replica reads every request's prompt: B / o of them a step. A user waits on the
        # others' (B − 1) / o, its own having come before its first token.
        mean = step + batch * prompt_s / self.outputs
        others = np.maximum(batch - 1, 0.0)
        tail = step + (others + TAIL_Z * np.sqrt(others)) * prompt_s / self.outputs
        return step, mean, tail

    def caps(self) -> FloatArray:
        """The batch memory, the engine and the requests in flight allow."""
        by_memory = np.floor(self.kv_budget / self.kv_sequence)
        caps: FloatArray = np.minimum(np.minimum(by_memory, self.max_batch), self.concurrency)
        return caps

    def batch_by_latency(self, efficiency: Efficiency) -> FloatArray:
        """Per run, the largest B (not yet whole, up to the other caps + 1) whose 99th
        percentile time per token meets its bound; inf where it has none; 0 where not even
        one sequence meets it."""
        bounded = np.isfinite(self.tpot_s)
        if not bounded.any():
            return np.full_like(self.tpot_s, np.inf)
        high = np.maximum(np.where(np.isfinite(self.caps()), self.caps(), 1e6), 1.0) + 1.0
        low = np.zeros_like(high)
        for _ in range(50):
            middle = (low + high) / 2
            meets = self.times(efficiency, middle)[2] <= self.tpot_s
            low = np.where(meets, middle, low)
            high = np.where(meets, high, middle)
        low = np.where(self.times(efficiency, high)[2] <= self.tpot_s, high, low)
        result: FloatArray = np.where(bounded, low, np.inf)
        return result

    def batch(self, efficiency: Efficiency) -> tuple[FloatArray, NDArray[np.bool_]]:
        """Each run's batch, and whether the latency bound or the requests in flight set it
        (the latency-bound regime) rather than memory or the engine."""
        by_memory = np.floor(self.kv_budget / self.kv_sequence)
        other = np.minimum(by_memory, self.max_batch)
        by_latency = self.batch_by_latency(efficiency)
        limit = np.minimum(np.minimum(other, self.concurrency), by_latency)
        batch = np.maximum(1.0, np.floor(limit + 1e-9))
        latency_bound: NDArray[np.bool_] = np.minimum(by_latency, self.concurrency) < other
        return batch, latency_bound

    def latency_bound(self, efficiency: Efficiency) -> NDArray[np.bool_]:
        """Runs whose batch the latency bound or the run's own concurrency sets (the latency-bound
        regime); the others are throughput-bound, their batch set by memory or the engine."""
        return self.batch(efficiency)[1]

    def modelled(self, efficiency: Efficiency) -> FloatArray:
        """Each run's output tokens/s as serving_rate models it: B sequences a step, each
        output token also carrying its share of the prompts (the mean time per token)."""
        batch, _ = self.batch(efficiency)
        mean = self.times(efficiency, batch)[1]
        modelled: FloatArray = self.replicas * batch / mean
        return modelled


def _fit(runs: _Runs, prior: Efficiency | None, start: Efficiency | None = None) -> Efficiency:
    """Least squares on the log error; with a prior, shrunk towards it (see SHRINKAGE)."""
    # scipy costs a quarter second to import: only a fit pays it, not every catalogue load.
    from scipy.optimize import least_squares

    log_measured = np.log(runs.measured)
    weights = _weights(runs.low_latency)
    # Without a prior, a faint pull towards START keeps what the runs cannot tell (e_moe where
    # no run is mixture-of-experts, the link where none spans GPUs) where it starts.
    centre = _to_vector(prior) if prior is not None else _to_vector(START)
    weight = math.sqrt(SHRINKAGE if prior is not None else FAINT)

    def residuals(x: FloatArray) -> FloatArray:
        errors = weights * (np.log(runs.modelled(_from_vector(x))) - log_measured)
        pull = weight * (x - centre) / _SCALE
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
    vendors: dict[str, Efficiency] = field(default_factory=dict)
    """Per engine and GPU vendor ('vllm/amd'), shrunk towards the engine's fit: where an engine
    has measurements on more than one vendor's GPUs (the same engine version runs its own
    kernels on each)."""

    def efficiency(self, engine: Engine, vendor: str | None = None) -> Efficiency:
        """The engine's efficiencies on this vendor's GPUs: its own fit there where it has one,
        else the engine's, else the common fit."""
        if vendor is not None and f"{engine}/{vendor}" in self.vendors:
            return self.vendors[f"{engine}/{vendor}"]
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
        vendors={key: asdict(e) for key, e in calibration.vendors.items()},
        modelled_tps=[r.modelled_tps for r in calibration.runs],
        left_out_tps=[r.left_out_tps for r in calibration.runs],
    )


def _from_stored(fit: StoredFit, catalogue: Catalogue) -> Calibration:
    measurements = catalogue.measurements
    common = Efficiency(**fit.common)
    engines = {engine: Efficiency(**e) for engine, e in fit.engines.items()}
    vendors = {key: Efficiency(**e) for key, e in fit.vendors.items()}
    regimes = _regimes(catalogue, common, engines, vendors)
    runs = [
        MeasuredRun(m, modelled, left_out, catalogue.gpus[m.gpu].vendor, regime)
        for m, modelled, left_out, regime in zip(
            measurements, fit.modelled_tps, fit.left_out_tps, regimes, strict=True
        )
    ]
    return _calibration(common, engines, vendors, runs)


def _calibration(
    common: Efficiency,
    engines: dict[Engine, Efficiency],
    vendors: dict[str, Efficiency],
    runs: list[MeasuredRun],
) -> Calibration:
    return Calibration(
        vendors=vendors,
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
    catalogue: Catalogue,
    common: Efficiency,
    engines: dict[Engine, Efficiency],
    vendors: dict[str, Efficiency],
) -> list[Regime]:
    """Each measurement's regime under its engine's (and vendor's) fitted efficiencies."""
    measurements = list(catalogue.measurements)
    runs = _Runs.of([measured_replica(m, catalogue) for m in measurements], measurements)
    keys = [f"{m.engine}/{catalogue.gpus[m.gpu].vendor}" for m in measurements]
    bound = np.zeros(len(measurements), dtype=np.bool_)
    for key in dict.fromkeys(keys):
        rows = np.array([i for i, k in enumerate(keys) if k == key], dtype=np.intp)
        engine = measurements[rows[0]].engine
        efficiency = vendors.get(key, engines.get(engine, common))
        bound[rows] = runs.take(rows).latency_bound(efficiency)
    return ["latency" if b else "throughput" for b in bound]


def fit(catalogue: Catalogue) -> Calibration:
    """Fit each engine's efficiencies on the catalogue's measurements, with every error."""
    check_measurements(catalogue)
    measurements = list(catalogue.measurements)
    if len(measurements) < 4:
        raise ValueError("the rate model needs at least 4 measurements to calibrate on")
    runs = _Runs.of([measured_replica(m, catalogue) for m in measurements], measurements)
    engines: list[Engine] = [m.engine for m in measurements]
    vendor_of = [catalogue.gpus[m.gpu].vendor for m in measurements]
    common, fitted = _fit_engines(runs, engines)
    vendors = {
        key: _fit(runs.take(rows), fitted[engine], fitted[engine])
        for (engine, vendor), rows in _vendor_groups(engines, vendor_of, range(len(engines)))
        for key in [f"{engine}/{vendor}"]
    }
    modelled = np.empty(len(measurements))
    for i, (engine, vendor) in enumerate(zip(engines, vendor_of, strict=True)):
        efficiency = vendors.get(f"{engine}/{vendor}", fitted[engine])
        modelled[i] = runs.take(np.array([i])).modelled(efficiency)[0]
    left_out = np.empty(len(measurements))
    sources = [source_of(m) for m in measurements]
    for source in dict.fromkeys(sources):
        # Refit without every run of this source: the common fit, then (where the engine has
        # runs elsewhere) the engine's own, then (where it has enough on this vendor's GPUs
        # elsewhere) the vendor's; no row of the same table helps predict another.
        held = [j for j, s in enumerate(sources) if s == source]
        others = [j for j, s in enumerate(sources) if s != source]
        others_common = _fit(runs.take(np.array(others)), None, common)
        others_vendor = dict(_vendor_groups(engines, vendor_of, others))
        for engine, vendor in dict.fromkeys((engines[j], vendor_of[j]) for j in held):
            rows = np.array(
                [j for j in held if engines[j] == engine and vendor_of[j] == vendor],
                dtype=np.intp,
            )
            same_engine = np.array([j for j in others if engines[j] == engine], dtype=np.intp)
            efficiency = others_common
            if same_engine.size:
                efficiency = _fit(runs.take(same_engine), others_common, fitted[engine])
            same_vendor = others_vendor.get((engine, vendor))
            if same_vendor is not None:
                efficiency = _fit(runs.take(same_vendor), efficiency, efficiency)
            left_out[rows] = runs.take(rows).modelled(efficiency)
    regimes = _regimes(catalogue, common, fitted, vendors)
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
    return _calibration(common, fitted, vendors, measured_runs)


VENDOR_MIN_ROWS = 4
"""Measurements an engine needs on one vendor's GPUs (and some on another's) for a fit of its
own there; with fewer, the engine's fit serves every vendor."""


def _vendor_groups(
    engines: Sequence[Engine], vendors: Sequence[str], among: Iterable[int]
) -> list[tuple[tuple[Engine, str], NDArray[np.intp]]]:
    """The (engine, vendor) pairs among these runs that get a fit of their own, with their runs:
    at least VENDOR_MIN_ROWS runs there and some of the engine's on another vendor's GPUs."""
    chosen = list(among)
    groups = []
    for engine, vendor in dict.fromkeys((engines[j], vendors[j]) for j in chosen):
        rows = [j for j in chosen if engines[j] == engine and vendors[j] == vendor]
        elsewhere = any(engines[j] == engine and vendors[j] != vendor for j in chosen)
        if len(rows) >= VENDOR_MIN_ROWS and elsewhere:
            groups.append(((engine, vendor), np.array(rows, dtype=np.intp)))
    return groups
