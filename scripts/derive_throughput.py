"""Derive the catalogue's serving rates from published benchmarks and the GPU and model specs.

Run `PYTHONPATH=src python scripts/derive_throughput.py` to print the `throughput:` section of
src/crossover/catalogue/data/catalogue.yaml. The YAML holds these rates rounded to whole
tokens per second (they are inputs, not results); tests check that it still matches.

The method (economics §3 separates prefill from decode):

- Prefill is compute-bound: `prefill = dense TFLOPS x 1e12 x MFU / (2 x params)` per GPU, with
  MFU 0.45. Weight-only quantisation (int4 AWQ/GPTQ, and fp8 on GPUs without fp8 units)
  dequantises to 16 bits and multiplies on the bf16 tensor cores, so it runs at the bf16 rate.
- Decode from a benchmark: where the total (input + output) rate at a known mix is published,
  decode is solved so that `R = (I + O) / (I/prefill + O/decode)` reproduces it; where only
  output tokens/s under load is published, decode = output tokens/s per GPU (conservative: the
  run also spent time on prefill).
- Decode estimate: decode is memory-bandwidth-bound, so a benchmark row is scaled by the GPUs'
  bandwidth ratio and the models' weight-bytes ratio. Across precisions the measured decode
  speed-up of quantisation is used instead of the 4x weight-bytes ratio (see below).
- Decode never exceeds prefill: an output token costs at least the FLOPs of an input token.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import yaml

from crossover.catalogue import Gpu, OpenModel, load_catalogue
from crossover.engine.sizing import default_gpus_per_replica, weight_gb
from crossover.scenario import Precision

AS_OF = date(2026, 11, 27)

MFU = 0.45
"""Model FLOPs utilisation assumed for prefill (the public estimators use 0.5-0.7; we stay low)."""

# Qwen2.5 speed_benchmark.rst, Qwen2.5-14B-Instruct on one A100 80GB under vLLM 0.6.3, one
# request at a time: bf16 46.3 tok/s, AWQ 92.7 tok/s. At batch size 1 decode is as
# bandwidth-bound as it gets, yet 4-bit weights only double it (16-bit embeddings and
# activations, dequantisation), not the 4x the weight bytes suggest.
QUANTISED_DECODE_SPEEDUP: dict[tuple[Precision, Precision], float] = {
    ("bf16", "int4"): 92.7 / 46.3,
}
QUANTISED_DECODE_SOURCE = (
    "Qwen2.5 speed_benchmark.rst: Qwen2.5-14B on 1 × A100-80 (vLLM 0.6.3, one request at a "
    "time) bf16 46.3 vs AWQ 92.7 tok/s"
)

LAMBDA_V0 = (
    "LambdaLabsML/vllm-benchmark benchmark_v0.md (vLLM 0.5.4, benchmark_serving.py with "
    "--num-prompts 320, output token throughput)"
)

QWEN3_STAND_IN = (
    "Qwen3-14B (14.8 B parameters, 40 layers) stands in for Qwen2.5-14B (14.7 B, 48 layers)."
)


@dataclass(frozen=True)
class Measurement:
    """A published throughput figure for one replica."""

    model: str
    precision: Precision
    gpu: str
    gpus: int
    """GPUs in the measured replica."""
    output_tps: float
    """Output tokens per second of the whole replica."""
    input_tps: float | None
    """Input tokens per second of the whole replica; None when only output was published."""
    source: str
    note: str = ""
    """What had to be assumed to use the figure."""


@dataclass(frozen=True)
class Scaling:
    """An estimated row: a benchmark row carried to another GPU, model or precision."""

    model: str
    precision: Precision
    gpu: str
    basis: tuple[str, Precision, str]
    """(model, precision, gpu) of the benchmark row it is scaled from."""


@dataclass(frozen=True)
class DerivedRate:
    """One row of the throughput catalogue, unrounded."""

    model: str
    precision: Precision
    gpu: str
    prefill_tps_per_gpu: float
    decode_tps_per_gpu: float
    kind: str
    source: str
    derivation: str

    @property
    def key(self) -> tuple[str, Precision, str]:
        return (self.model, self.precision, self.gpu)


MEASUREMENTS = (
    Measurement(
        model="llama-3.3-70b",
        precision="fp8",
        gpu="h100-sxm",
        gpus=2,
        output_tps=1727.69,
        input_tps=None,
        source=f"{LAMBDA_V0}: Meta-Llama-3.1-70B-Instruct-FP8 on 2 × H100-80GB-SXM",
        note=(
            "Llama 3.1 and 3.3 70B share one architecture. The 1 × H100 run (419 tok/s) fails "
            "the memory-fit rule, and the NIM 5000-in/500-out run is too prefill-heavy to solve "
            "for decode reliably; neither is used."
        ),
    ),
    Measurement(
        model="llama-3.3-70b",
        precision="fp8",
        gpu="a100-80gb",
        gpus=2,
        output_tps=662.64,
        input_tps=None,
        source=f"{LAMBDA_V0}: Meta-Llama-3.1-70B-Instruct-FP8 on 2 × A100-80GB-SXM",
        note="The A100 has no fp8 units: vLLM runs fp8 weights with 16-bit arithmetic.",
    ),
    Measurement(
        model="llama-3.3-70b",
        precision="bf16",
        gpu="a100-80gb",
        gpus=4,
        output_tps=714,
        input_tps=1414 - 714,
        source=(
            "vllm-project/vllm issue 12315 (vLLM 0.6.6, ShareGPT): Llama 3.x 70B bf16 on "
            "4 × A100, 714-756 output / 1,414-1,496 total tok/s"
        ),
        note=(
            "The lower run (714 output, 1,414 total) is used. 80 GB cards assumed: 141 GB of "
            "bf16 weights leave no KV room on 4 × 40 GB."
        ),
    ),
    Measurement(
        model="llama-3.3-70b",
        precision="int4",
        gpu="h100-sxm",
        gpus=2,
        output_tps=1424,
        input_tps=None,
        source=(
            "lambdalabs/Llama-3.3-70B-Instruct-AWQ-4bit model card (vLLM, ShareGPT, TP2): "
            "~1,424 output tok/s"
        ),
        note=(
            "The card does not name the GPU; taken as H100-SXM, the GPU of Lambda's published "
            "vLLM benchmarks. Had it run on a slower GPU, the true H100 rate is higher: this "
            "reading is the conservative one."
        ),
    ),
    Measurement(
        model="llama-3.1-8b",
        precision="fp8",
        gpu="a100-80gb",
        gpus=1,
        output_tps=1517.54,
        input_tps=None,
        source=f"{LAMBDA_V0}: Meta-Llama-3.1-8B-FP8 on 1 × A100-80GB-SXM",
        note="The A100 has no fp8 units: vLLM runs fp8 weights with 16-bit arithmetic.",
    ),
    Measurement(
        model="llama-3.1-8b",
        precision="fp8",
        gpu="h100-sxm",
        gpus=1,
        output_tps=3400.4,
        input_tps=None,
        source=f"{LAMBDA_V0}: Meta-Llama-3.1-8B-FP8 on 1 × H100-80GB-SXM",
    ),
    Measurement(
        model="mistral-7b",
        precision="bf16",
        gpu="a100-80gb",
        gpus=1,
        output_tps=1591.4,
        input_tps=None,
        source=f"{LAMBDA_V0}: Mistral-7B-Instruct-v0.3 on 1 × A100-80GB-SXM",
    ),
    Measurement(
        model="mistral-7b",
        precision="bf16",
        gpu="h100-sxm",
        gpus=1,
        output_tps=3281.19,
        input_tps=None,
        source=f"{LAMBDA_V0}: Mistral-7B-Instruct-v0.3 on 1 × H100-80GB-SXM",
    ),
    Measurement(
        model="qwen2.5-14b",
        precision="bf16",
        gpu="h100-sxm",
        gpus=1,
        output_tps=3174,
        input_tps=6596 - 3174,
        source=(
            "gpustack performance-lab qwen3-14b (vLLM 0.11, ShareGPT): 3,174 output / "
            "6,596 total tok/s on 1 × H100"
        ),
        note=QWEN3_STAND_IN,
    ),
    Measurement(
        model="qwen2.5-14b",
        precision="bf16",
        gpu="a100-80gb",
        gpus=1,
        output_tps=1887,
        input_tps=3922 - 1887,
        source=(
            "gpustack performance-lab qwen3-14b (vLLM 0.11, ShareGPT): 1,887 output / "
            "3,922 total tok/s on 1 × A100"
        ),
        note=(
            f"{QWEN3_STAND_IN} 80 GB card assumed (on 40 GB the bf16 weights leave ~6 GB of "
            "KV cache)."
        ),
    ),
)

# Each estimate names its basis: the same model and precision on the GPU with the nearest
# memory bandwidth where one exists, else a model of the same shape (Llama 70B for Qwen 72B,
# Mistral 7B for Llama 8B) at the same precision, else the same model at another precision.
ESTIMATES = (
    Scaling("llama-3.3-70b", "bf16", "h100-sxm", ("llama-3.3-70b", "bf16", "a100-80gb")),
    Scaling("llama-3.3-70b", "bf16", "h200", ("llama-3.3-70b", "bf16", "a100-80gb")),
    Scaling("llama-3.3-70b", "fp8", "h200", ("llama-3.3-70b", "fp8", "h100-sxm")),
    Scaling("llama-3.3-70b", "fp8", "l40s", ("llama-3.3-70b", "fp8", "a100-80gb")),
    Scaling("llama-3.3-70b", "int4", "a100-80gb", ("llama-3.3-70b", "int4", "h100-sxm")),
    Scaling("llama-3.3-70b", "int4", "a100-40gb", ("llama-3.3-70b", "int4", "h100-sxm")),
    Scaling("llama-3.3-70b", "int4", "l40s", ("llama-3.3-70b", "int4", "h100-sxm")),
    Scaling("llama-3.1-8b", "bf16", "a10g", ("mistral-7b", "bf16", "a100-80gb")),
    Scaling("llama-3.1-8b", "bf16", "l4", ("mistral-7b", "bf16", "a100-80gb")),
    Scaling("llama-3.1-8b", "bf16", "l40s", ("mistral-7b", "bf16", "a100-80gb")),
    Scaling("llama-3.1-8b", "bf16", "a100-80gb", ("mistral-7b", "bf16", "a100-80gb")),
    Scaling("llama-3.1-8b", "bf16", "h100-sxm", ("mistral-7b", "bf16", "h100-sxm")),
    Scaling("mistral-7b", "bf16", "a10g", ("mistral-7b", "bf16", "a100-80gb")),
    Scaling("mistral-7b", "bf16", "l4", ("mistral-7b", "bf16", "a100-80gb")),
    Scaling("mistral-7b", "bf16", "a100-40gb", ("mistral-7b", "bf16", "a100-80gb")),
    Scaling("qwen2.5-14b", "bf16", "a100-40gb", ("qwen2.5-14b", "bf16", "a100-80gb")),
    Scaling("qwen2.5-14b", "bf16", "l40s", ("qwen2.5-14b", "bf16", "a100-80gb")),
    Scaling("qwen2.5-14b", "int4", "l4", ("qwen2.5-14b", "bf16", "a100-80gb")),
    Scaling("qwen2.5-14b", "int4", "a10g", ("qwen2.5-14b", "bf16", "a100-80gb")),
    Scaling("qwen2.5-72b", "bf16", "h100-sxm", ("llama-3.3-70b", "bf16", "a100-80gb")),
    Scaling("qwen2.5-72b", "bf16", "a100-80gb", ("llama-3.3-70b", "bf16", "a100-80gb")),
    Scaling("qwen2.5-72b", "int4", "h100-sxm", ("llama-3.3-70b", "int4", "h100-sxm")),
    Scaling("qwen2.5-72b", "int4", "a100-80gb", ("llama-3.3-70b", "int4", "h100-sxm")),
)


def compute_precision(precision: Precision, gpu: Gpu) -> Precision:
    """The tensor-core mode the matrix multiplications run in."""
    # int4 serving (AWQ/GPTQ, Marlin kernels) is weight-only: activations stay 16-bit.
    if precision == "int4" or gpu.dense_tflops[precision] is None:
        return "bf16"
    return precision


def prefill(model: OpenModel, precision: Precision, gpu: Gpu) -> tuple[float, str]:
    mode = compute_precision(precision, gpu)
    tflops = gpu.dense_tflops[mode]
    assert tflops is not None, f"{gpu.id} has no {mode} rate"
    rate = tflops * 1e12 * MFU / (2 * model.params_b * 1e9)
    note = "" if mode == precision else f" ({precision} weights multiply in {mode})"
    return rate, (
        f"prefill = {tflops:,g} dense {mode} TFLOPS{note} × MFU {MFU} / "
        f"(2 × {model.params_b:g} B params) = {rate:,.1f} tok/s/GPU."
    )


def from_benchmark(
    m: Measurement, gpus: Mapping[str, Gpu], models: Mapping[str, OpenModel]
) -> DerivedRate:
    model, gpu = models[m.model], gpus[m.gpu]
    prefill_rate, prefill_text = prefill(model, m.precision, gpu)
    output_per_gpu = m.output_tps / m.gpus
    if m.input_tps is None:
        decode = output_per_gpu
        decode_text = (
            f"decode = published output {m.output_tps:,g} tok/s / {m.gpus} GPU = {decode:,.1f} "
            "tok/s/GPU (only output tok/s under load is published: taken as the decode rate, "
            "conservative)."
        )
    else:
        input_per_gpu = m.input_tps / m.gpus
        decode_seconds = 1 - input_per_gpu / prefill_rate
        decode = output_per_gpu / decode_seconds
        decode_text = (
            f"decode solved from the measured mix: per GPU {input_per_gpu:,.1f} input + "
            f"{output_per_gpu:,.1f} output tok/s; prefill takes {input_per_gpu:,.1f} / "
            f"{prefill_rate:,.1f} = {1 - decode_seconds:.4f} s of each second, so decode = "
            f"{output_per_gpu:,.1f} / {decode_seconds:.4f} = {decode:,.1f} tok/s/GPU, which makes "
            "R = (I+O)/(I/prefill + O/decode) reproduce the measured total."
        )
    text = f"{prefill_text} {decode_text}"
    if m.note:
        text += f" {m.note}"
    return DerivedRate(
        m.model, m.precision, m.gpu, prefill_rate, decode, "benchmark", m.source, text
    )


def from_scaling(
    s: Scaling,
    benchmarks: Mapping[tuple[str, Precision, str], DerivedRate],
    gpus: Mapping[str, Gpu],
    models: Mapping[str, OpenModel],
) -> DerivedRate:
    basis = benchmarks[s.basis]
    model, gpu = models[s.model], gpus[s.gpu]
    basis_model, basis_precision, basis_gpu_id = s.basis
    basis_gpu = gpus[basis_gpu_id]
    prefill_rate, prefill_text = prefill(model, s.precision, gpu)
    bandwidth_ratio = gpu.memory_bandwidth_tbs / basis_gpu.memory_bandwidth_tbs
    size_ratio = models[basis_model].params_b / model.params_b
    factors = f"bandwidth {gpu.memory_bandwidth_tbs:g}/{basis_gpu.memory_bandwidth_tbs:g} TB/s"
    if s.precision == basis_precision:
        precision_ratio = 1.0
        factors += (
            f" × weight bytes {weight_gb(models[basis_model], basis_precision):g}/"
            f"{weight_gb(model, s.precision):g} GB"
        )
    else:
        precision_ratio = QUANTISED_DECODE_SPEEDUP[(basis_precision, s.precision)]
        factors += (
            f" × parameters {models[basis_model].params_b:g}/{model.params_b:g} B"
            f" × measured {basis_precision}→{s.precision} decode speed-up "
            f"{precision_ratio:.4f} ({QUANTISED_DECODE_SOURCE}; the 4x weight-bytes ratio would "
            "overstate it)"
        )
    scaled = basis.decode_tps_per_gpu * bandwidth_ratio * size_ratio * precision_ratio
    decode = min(scaled, prefill_rate)
    text = (
        f"{prefill_text} decode = {basis.decode_tps_per_gpu:,.1f} tok/s/GPU of the "
        f"{basis_model} {basis_precision} {basis_gpu_id} benchmark row × {factors} = "
        f"{scaled:,.1f} tok/s/GPU"
    )
    if decode < scaled:
        text += (
            f", capped at the prefill rate {prefill_rate:,.1f} (an output token costs at least "
            "the FLOPs of an input token)"
        )
    text += "."
    source = (
        f"Estimate from the {basis_model} {basis_precision} {basis_gpu_id} benchmark row "
        f"({basis.source}), scaled by this catalogue's GPU datasheet figures"
    )
    return DerivedRate(s.model, s.precision, s.gpu, prefill_rate, decode, "estimate", source, text)


def derive_rates(gpus: Mapping[str, Gpu], models: Mapping[str, OpenModel]) -> list[DerivedRate]:
    """Every throughput row, benchmark rows first, unrounded."""
    benchmarks = {r.key: r for r in (from_benchmark(m, gpus, models) for m in MEASUREMENTS)}
    estimates = [from_scaling(s, benchmarks, gpus, models) for s in ESTIMATES]
    rows = [*benchmarks.values(), *estimates]
    for row in rows:
        weights = weight_gb(models[row.model], row.precision)
        if default_gpus_per_replica(weights, gpus[row.gpu].vram_gb) is None:
            raise ValueError(f"{row.key}: {weights:g} GB of weights do not fit on 8 GPUs")
    return rows


class _NoAliases(yaml.SafeDumper):
    def ignore_aliases(self, data: object) -> bool:
        return True


def as_yaml(rows: list[DerivedRate]) -> str:
    entries = [
        {
            "model": r.model,
            "precision": r.precision,
            "gpu": r.gpu,
            "prefill_tps_per_gpu": round(r.prefill_tps_per_gpu),
            "decode_tps_per_gpu": round(r.decode_tps_per_gpu),
            "kind": r.kind,
            "derivation": r.derivation,
            "source": r.source,
            "as_of": AS_OF,
        }
        for r in rows
    ]
    return yaml.dump(
        {"throughput": entries}, Dumper=_NoAliases, sort_keys=False, allow_unicode=True, width=100
    )


def main() -> None:
    catalogue = load_catalogue()
    sys.stdout.write(as_yaml(derive_rates(catalogue.gpus, catalogue.models)))


if __name__ == "__main__":
    main()
