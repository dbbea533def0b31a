"""Peer check: the rate model against NVIDIA's AIConfigurator on a grid of NVIDIA cases.

    pip install aiconfigurator-core==0.12.0     # not a dependency of crossover
    python bench/aiconfigurator_peer.py         # prints a Markdown table and a summary
    python bench/aiconfigurator_peer.py --json  # the rows as JSON

AIConfigurator (`aiconfigurator-core`) times a model's operations from kernel measurements
NVIDIA made per GPU and engine, offline. For each case (model, GPU, tensor-parallel size,
precision, request shape) this compares two figures both models give for TensorRT-LLM:

- the decode step of a batch of B sequences at the shape's context (crossover: `step_s`;
  AIConfigurator: `decode_step_latency`), at B = 1, 16, 64 and 256;
- the prefill of one request (crossover: input tokens ÷ the replica's prefill rate;
  AIConfigurator: `predict_prefill_latency`).

Mixture-of-experts models run with their experts spread over the replica's GPUs (expert
parallel = tensor parallel), as TensorRT-LLM's performance overview runs them. A benchmark,
not a test: it needs the peer installed and reports what it finds.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import time
from dataclasses import asdict, dataclass
from typing import Any

from crossover.catalogue import load_catalogue
from crossover.engine.rates import Replica, RequestShape, calibrate, serving_rate, step_s
from crossover.scenario import Precision

BATCHES = (1, 16, 64, 256)


@dataclass(frozen=True)
class Case:
    model: str
    """Catalogue id."""
    peer_model: str
    """The Hugging Face id AIConfigurator knows the model by (a config it ships)."""
    gpu: str
    peer_system: str
    gpus: int
    precision: Precision
    input_tokens: int
    output_tokens: int


CASES = [
    Case("llama-3.1-8b", "meta-llama/Meta-Llama-3.1-8B", "h100-sxm", "h100_sxm", 1, "fp8", 1000, 1000),
    Case("llama-3.1-8b", "meta-llama/Meta-Llama-3.1-8B", "b200", "b200_sxm", 1, "fp8", 1000, 1000),
    Case("llama-3.3-70b", "meta-llama/Meta-Llama-3.1-70B", "h100-sxm", "h100_sxm", 2, "fp8", 5000, 500),
    Case("llama-3.3-70b", "meta-llama/Meta-Llama-3.1-70B", "h200", "h200_sxm", 1, "fp8", 1000, 1000),
    Case("llama-3.3-70b", "meta-llama/Meta-Llama-3.1-70B", "b200", "b200_sxm", 1, "fp8", 1000, 1000),
    Case("qwen3-32b", "Qwen/Qwen3-32B", "h100-sxm", "h100_sxm", 1, "fp8", 1000, 1000),
    Case("qwen3-32b", "Qwen/Qwen3-32B", "h200", "h200_sxm", 1, "fp8", 1000, 1000),
    Case("qwen3-30b-a3b", "Qwen/Qwen3-30B-A3B", "h100-sxm", "h100_sxm", 1, "fp8", 1000, 1000),
    Case("qwen3-30b-a3b", "Qwen/Qwen3-30B-A3B", "h200", "h200_sxm", 1, "fp8", 1000, 1000),
    Case("qwen3-235b-a22b", "Qwen/Qwen3-235B-A22B", "h200", "h200_sxm", 8, "fp8", 1000, 1000),
    Case("qwen3-235b-a22b", "Qwen/Qwen3-235B-A22B", "h100-sxm", "h100_sxm", 8, "fp8", 1000, 1000),
    Case("llama-4-scout", "meta-llama/Llama-4-Scout-17B-16E-Instruct", "h200", "h200_sxm", 4, "fp8", 1000, 1000),
    Case("gpt-oss-120b", "openai/gpt-oss-120b", "h200", "h200_sxm", 1, "fp8", 1000, 1000),
    Case("deepseek-v3", "deepseek-ai/DeepSeek-V3", "h200", "h200_sxm", 8, "fp8", 1000, 1000),
]  # fmt: skip
QUANT = {"fp8": "fp8", "bf16": "bfloat16"}


@dataclass(frozen=True)
class Row:
    case: str
    batch: int
    ours_ms: float
    peer_ms: float

    @property
    def ratio(self) -> float:
        return self.ours_ms / self.peer_ms


def _peer(case: Case) -> Any:
    from aiconfigurator_core.sdk import EngineHandle

    moe = load_catalogue().models[case.model].is_moe
    quant = QUANT[case.precision]
    options: dict[str, Any] = {
        "tp_size": case.gpus,
        "gemm_quant_mode": quant,
        "kvcache_quant_mode": "fp8",
    }
    if moe:
        options |= {"moe_tp_size": 1, "moe_ep_size": case.gpus, "moe_quant_mode": quant}
    return EngineHandle.compile(case.peer_model, case.peer_system, "trtllm", **options)


def compare(case: Case) -> tuple[list[Row], float]:
    """The decode steps at each batch, and the prefill of one request, as (rows, seconds)."""
    catalogue = load_catalogue()
    gpu = catalogue.gpus[case.gpu]
    replica = Replica.of(
        catalogue.models[case.model],
        case.precision,
        gpu,
        case.gpus,
        catalogue.engines["trt-llm"],
        "fp8",
    )
    efficiency = calibrate(catalogue).efficiency("trt-llm", gpu.vendor).on(replica)
    shape = RequestShape(case.input_tokens, case.output_tokens, None)
    started = time.perf_counter()
    peer = _peer(case)
    label = (
        f"{case.model} fp8 on {case.gpus} × {case.gpu}, {case.input_tokens}/{case.output_tokens}"
    )
    rows = [
        Row(
            label,
            batch,
            step_s(replica, efficiency, shape, batch) * 1000,
            peer.decode_step_latency(batch, case.input_tokens, case.output_tokens),
        )
        for batch in BATCHES
    ]
    prefill_tps = serving_rate(replica, efficiency, shape).prefill_tps
    rows.append(
        Row(
            label,
            0,
            case.input_tokens / prefill_tps * 1000,
            peer.predict_prefill_latency(1, case.input_tokens),
        )
    )
    return rows, time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    rows: list[Row] = []
    seconds: list[float] = []
    for case in CASES:
        try:
            found, took = compare(case)
        except Exception as e:  # the peer refuses some cases: say which and why
            print(f"skipped {case.model} on {case.gpus} × {case.gpu}: {e}", file=sys.stderr)
            continue
        rows += found
        seconds.append(took)
    if args.json:
        print(json.dumps([asdict(r) | {"ratio": r.ratio} for r in rows], indent=1))
        return 0
    print("| Case | Batch | crossover ms | AIConfigurator ms | ratio |")
    print("|---|---|---|---|---|")
    for r in rows:
        batch = "prefill, 1 request" if r.batch == 0 else f"decode step, B = {r.batch}"
        print(f"| {r.case} | {batch} | {r.ours_ms:,.1f} | {r.peer_ms:,.1f} | {r.ratio:.2f} |")
    for name, chosen in (
        ("decode steps", [r for r in rows if r.batch]),
        ("decode steps at B = 1", [r for r in rows if r.batch == 1]),
        ("prefills", [r for r in rows if r.batch == 0]),
    ):
        logs = [abs(math.log(r.ratio)) for r in chosen]
        print(
            f"\n{name}: {len(chosen)} compared, median ratio "
            f"{statistics.median(r.ratio for r in chosen):.2f}, median |error| "
            f"{math.exp(statistics.median(logs)) - 1:.0%}, worst {math.exp(max(logs)) - 1:.0%}"
        )
    print(
        f"\nAIConfigurator: {statistics.median(seconds):.2f} s a case (median, compile and queries)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
