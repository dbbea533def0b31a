"""Serving rates from first principles, for a (model, precision, GPU) the catalogue has not measured.

A roofline model of one replica under vLLM-style continuous batching:

- Prefill is compute-bound: `prefill = dense TFLOPS × MFU / (2 × params)` per GPU (a forward
  pass costs about 2 FLOPs per parameter per token). Weight-only quantisation (int4, and fp8 on
  a GPU without fp8 units) multiplies in 16 bits, so it runs at the bf16 rate.
- Decode is memory-bound: every step reads the weights once and each sequence's KV cache, so
  with B sequences in flight a replica of n GPUs makes B tokens per
  `(W + B × s × kv) / (n × bandwidth × MBU)` seconds, where W is the weight bytes, s the context
  and kv the KV bytes per token. Per GPU: `B × bandwidth × MBU / (W + B × s × kv)`, never more
  than the prefill rate (an output token costs at least an input token's FLOPs).
- B is the stated concurrency (256 sequences, vLLM's default cap) unless the KV cache holds
  fewer sequences of the stated context (2,048 tokens, prompt and output together): KV memory
  per replica = n × (VRAM × 0.9 − ~2 GiB of activations) − W, at 16-bit KV values.

MBU and MFU are efficiencies fitted to the catalogue's benchmark rows by least squares on the
log error (the geometric mean of measured ÷ ideal): they absorb what the roofline leaves out
(scheduling, attention kernels, communication), so they sit below the hardware's own figures.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from crossover.catalogue import Catalogue, Gpu, OpenModel
from crossover.engine.constants import MAX_FIT
from crossover.engine.results import Rates
from crossover.engine.sizing import default_gpus_per_replica, weight_gb
from crossover.scenario import Precision

CONTEXT_TOKENS = 2048
"""Tokens each sequence in flight holds in the KV cache: prompt and output together."""
CONCURRENCY = 256
"""Sequences a replica serves at once at most: vLLM's default max_num_seqs."""
KV_BYTES_PER_VALUE = 2
"""16-bit KV cache: vLLM's default for these models, whatever the weights' precision."""
ACTIVATION_GB_PER_GPU = 2 * 2**30 / 1e9
"""~2 GiB per GPU for activations and the runtime, beside weights and KV cache."""
GB = 1e9
"""Catalogue memory figures are in GB of 10^9 bytes, as economics §3 counts them."""


@dataclass(frozen=True)
class Efficiency:
    """The fitted efficiencies and how well they reproduce the rows they were fitted on."""

    mbu: float
    """Memory-bandwidth utilisation of decode: measured ÷ roofline, geometric mean."""
    mfu: float
    """Model-FLOPs utilisation of prefill, likewise."""
    rows: int
    """Benchmark rows fitted."""
    decode_rms_log_error: float
    """Root mean square of ln(estimate ÷ benchmark) over the decode rates."""
    decode_max_log_error: float
    """The largest |ln(estimate ÷ benchmark)|: every row is within exp(this) of its benchmark."""
    prefill_rms_log_error: float
    prefill_max_log_error: float

    @property
    def decode_error_factor(self) -> float:
        """Every fitted decode rate is within this factor of its benchmark."""
        return math.exp(self.decode_max_log_error)

    @property
    def prefill_error_factor(self) -> float:
        return math.exp(self.prefill_max_log_error)


@dataclass(frozen=True)
class Benchmark:
    """A measured row, with what the roofline makes of its hardware at full efficiency."""

    key: tuple[str, Precision, str]
    """(model, precision, GPU)."""
    prefill_tps_per_gpu: float
    decode_tps_per_gpu: float
    prefill_roofline: float
    """Prefill tokens/s per GPU at MFU = 1."""
    decode_roofline: float
    """Decode tokens/s per GPU at MBU = 1 (memory term only)."""


@dataclass(frozen=True)
class RowError:
    """How far an estimate lands from one benchmark row."""

    key: tuple[str, Precision, str]
    benchmark_tps: float
    estimate_tps: float

    @property
    def log_error(self) -> float:
        """ln(estimate ÷ benchmark): 0.1 is 10.5% high, −0.1 is 9.5% low."""
        return math.log(self.estimate_tps / self.benchmark_tps)


@dataclass(frozen=True)
class Estimate:
    """Estimated serving rates per GPU for one (model, precision, GPU, GPUs per replica)."""

    prefill_tps_per_gpu: float
    decode_tps_per_gpu: float
    concurrent_sequences: int
    """Sequences in flight: the stated concurrency, or fewer where the KV cache is full."""


def kv_bytes_per_token(model: OpenModel) -> float:
    """2 (K and V) × layers × kv_heads × head_dim × bytes per value."""
    return 2 * model.layers * model.kv_heads * model.head_dim * KV_BYTES_PER_VALUE


def kv_cache_gb(model: OpenModel, precision: Precision, gpu: Gpu, gpus_per_replica: int) -> float:
    """KV memory of one replica: n × (VRAM × 0.9 − activations) − weights; may be negative."""
    usable = gpus_per_replica * (gpu.vram_gb * MAX_FIT - ACTIVATION_GB_PER_GPU)
    return usable - weight_gb(model, precision)


def concurrent_sequences(
    model: OpenModel,
    precision: Precision,
    gpu: Gpu,
    gpus_per_replica: int,
    context_tokens: int = CONTEXT_TOKENS,
) -> int:
    """How many sequences of this context fit in one replica's KV cache beside the weights."""
    per_sequence_gb = context_tokens * kv_bytes_per_token(model) / GB
    return max(
        0, math.floor(kv_cache_gb(model, precision, gpu, gpus_per_replica) / per_sequence_gb)
    )


def compute_precision(precision: Precision, gpu: Gpu) -> Precision:
    """The tensor-core mode the matrix multiplications run in."""
    # int4 serving (AWQ/GPTQ kernels) is weight-only: activations stay 16-bit; likewise fp8
    # weights on a GPU without fp8 units.
    if precision == "int4" or gpu.dense_tflops[precision] is None:
        return "bf16"
    return precision


def prefill_roofline(model: OpenModel, precision: Precision, gpu: Gpu) -> float | None:
    """Prefill tokens/s per GPU at MFU = 1: dense FLOPS / (2 × params); None without a rate."""
    tflops = gpu.dense_tflops[compute_precision(precision, gpu)]
    if tflops is None:
        return None
    return tflops * 1e12 / (2 * model.params_b * 1e9)


def decode_roofline(
    model: OpenModel, precision: Precision, gpu: Gpu, gpus_per_replica: int
) -> tuple[float, int]:
    """(decode tokens/s per GPU at MBU = 1, sequences in flight): B × BW / (W + B × s × kv)."""
    batch = min(CONCURRENCY, concurrent_sequences(model, precision, gpu, gpus_per_replica))
    bandwidth_gb_per_s = gpu.memory_bandwidth_tbs * 1000
    step_gb = weight_gb(model, precision) + batch * CONTEXT_TOKENS * kv_bytes_per_token(model) / GB
    return batch * bandwidth_gb_per_s / step_gb, batch


def benchmarks(catalogue: Catalogue) -> list[Benchmark]:
    """The catalogue's benchmark rows, each on the replica the memory-fit rule gives it."""
    found = []
    for key, row in catalogue.throughput.items():
        if row.kind != "benchmark":
            continue
        model_id, precision, gpu_id = key
        model, gpu = catalogue.models[model_id], catalogue.gpus[gpu_id]
        n = default_gpus_per_replica(weight_gb(model, precision), gpu.vram_gb)
        prefill = prefill_roofline(model, precision, gpu)
        if n is None or prefill is None:
            continue
        decode, batch = decode_roofline(model, precision, gpu, n)
        if batch == 0:
            continue
        found.append(
            Benchmark(key, row.prefill_tps_per_gpu, row.decode_tps_per_gpu, prefill, decode)
        )
    return found


def fit(rows: Sequence[Benchmark]) -> Efficiency:
    """MBU and MFU minimising the squared log error of the bandwidth and compute terms over
    these rows (geometric means of measured ÷ roofline), and the errors left."""
    if not rows:
        raise ValueError("no benchmark rows to calibrate the estimator on")
    mbu = _geometric_mean([r.decode_tps_per_gpu / r.decode_roofline for r in rows])
    mfu = _geometric_mean([r.prefill_tps_per_gpu / r.prefill_roofline for r in rows])
    decode = [
        _decode(r.prefill_roofline, r.decode_roofline, mbu, mfu) / r.decode_tps_per_gpu
        for r in rows
    ]
    prefill = [r.prefill_roofline * mfu / r.prefill_tps_per_gpu for r in rows]
    return Efficiency(
        mbu=mbu,
        mfu=mfu,
        rows=len(rows),
        decode_rms_log_error=_rms_log(decode),
        decode_max_log_error=max(abs(math.log(x)) for x in decode),
        prefill_rms_log_error=_rms_log(prefill),
        prefill_max_log_error=max(abs(math.log(x)) for x in prefill),
    )


def calibrate(catalogue: Catalogue) -> Efficiency:
    """The efficiencies fitted to every benchmark row of the catalogue."""
    return fit(benchmarks(catalogue))


def calibration_errors(catalogue: Catalogue) -> list[RowError]:
    """Each benchmark row's decode rate against the estimate fitted on all rows."""
    rows = benchmarks(catalogue)
    efficiency = fit(rows)
    return [
        RowError(
            r.key,
            r.decode_tps_per_gpu,
            _decode(r.prefill_roofline, r.decode_roofline, efficiency.mbu, efficiency.mfu),
        )
        for r in rows
    ]


def leave_one_out(catalogue: Catalogue) -> list[RowError]:
    """Each benchmark row's decode rate against the estimate fitted on the other rows only.

    This is the error to expect for a combination the catalogue has not measured.
    """
    rows = benchmarks(catalogue)
    errors = []
    for i, row in enumerate(rows):
        others = fit(rows[:i] + rows[i + 1 :])
        errors.append(
            RowError(
                row.key,
                row.decode_tps_per_gpu,
                _decode(row.prefill_roofline, row.decode_roofline, others.mbu, others.mfu),
            )
        )
    return errors


def estimate(
    model: OpenModel,
    precision: Precision,
    gpu: Gpu,
    gpus_per_replica: int,
    efficiency: Efficiency,
) -> Estimate | None:
    """Prefill and decode per GPU; None when no sequence fits or the GPU lacks the compute mode."""
    prefill = prefill_roofline(model, precision, gpu)
    decode, batch = decode_roofline(model, precision, gpu, gpus_per_replica)
    if prefill is None or batch == 0:
        return None
    return Estimate(
        prefill_tps_per_gpu=prefill * efficiency.mfu,
        decode_tps_per_gpu=_decode(prefill, decode, efficiency.mbu, efficiency.mfu),
        concurrent_sequences=batch,
    )


def estimated_rates(
    model: OpenModel,
    precision: Precision,
    gpu: Gpu,
    gpus_per_replica: int,
    catalogue: Catalogue,
) -> Rates | None:
    """Rates of kind 'estimate' whose source states the method and its calibration error."""
    rows = benchmarks(catalogue)
    if len(rows) < 2:
        return None
    efficiency = fit(rows)
    found = estimate(model, precision, gpu, gpus_per_replica, efficiency)
    if found is None:
        return None
    loo = max(abs(e.log_error) for e in leave_one_out(catalogue))
    source = (
        f"Roofline estimate (no benchmark for {model.id} {precision} on {gpu.id}): prefill = "
        f"dense {compute_precision(precision, gpu)} TFLOPS × MFU {efficiency.mfu:.2f} / "
        f"(2 × params); decode = memory bandwidth × MBU {efficiency.mbu:.2f} shared by "
        f"{found.concurrent_sequences} concurrent {CONTEXT_TOKENS:,}-token sequences (weights + "
        f"16-bit KV cache read each step, batch capped at {CONCURRENCY} and by KV memory) on "
        f"{gpus_per_replica} GPU(s). MBU and MFU fitted to the catalogue's {efficiency.rows} "
        f"benchmark rows: decode within a factor {efficiency.decode_error_factor:.2f} of each "
        f"(RMS log error {efficiency.decode_rms_log_error:.2f}); left out of the fit, a row is "
        f"predicted within a factor {math.exp(loo):.2f}."
    )
    return Rates(
        prefill_tps_per_gpu=found.prefill_tps_per_gpu,
        decode_tps_per_gpu=found.decode_tps_per_gpu,
        tps_per_gpu=None,
        kind="estimate",
        source=source,
        as_of=None,
    )


def _decode(prefill_roofline: float, decode_roofline: float, mbu: float, mfu: float) -> float:
    """The bandwidth bound, never above the compute bound (an output token's FLOPs)."""
    return min(prefill_roofline * mfu, decode_roofline * mbu)


def _geometric_mean(values: Sequence[float]) -> float:
    return math.exp(sum(math.log(v) for v in values) / len(values))


def _rms_log(ratios: Sequence[float]) -> float:
    return math.sqrt(sum(math.log(x) ** 2 for x in ratios) / len(ratios))
