"""Turn a gathered measurements file (with `published` dates) into the shipped measurements.yaml.

Usage: python scripts/import_measurements.py GATHERED.yaml > src/crossover/catalogue/data/measurements.yaml
The engines section and the file's header are written here; the runs are copied field by field,
the date each source gives becoming `as_of`.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

HEADER = """\
# Serving engines' configuration facts and published serving measurements: what the rate model
# (engine/rates.py, docs/rates.md) is calibrated on. Each run keeps its full conditions, the
# source it was read from and the date that source gives (as_of). Regenerate the measurements
# with scripts/import_measurements.py; the engines are edited here by hand.
"""

ENGINES = [
    {
        "id": "vllm",
        "name": "vLLM",
        "mem_fraction": 0.9,
        "kv_memory_rule": "share_of_total",
        "reserve_gb_per_gpu": 2.0,
        "max_batch": 1024,
        "max_batch_by_gpu": {
            "a10g": 256,
            "l4": 256,
            "l40s": 256,
            "a100-40gb": 256,
            "a100-80gb": 256,
        },
        "source": "vLLM engine arguments: gpu_memory_utilization defaults to 0.9; "
        "EngineArgs.get_batch_defaults sets max_num_seqs to 1024 on GPUs with 70 GiB or more "
        "other than the A100, else 256 (vllm/engine/arg_utils.py, v0.9 and later). The reserve "
        "for activations and CUDA graphs is our estimate",
        "as_of": "2026-12-04",
    },
    {
        "id": "sglang",
        "name": "SGLang",
        "mem_fraction": 0.88,
        "kv_memory_rule": "share_of_total",
        "reserve_gb_per_gpu": 2.0,
        "max_batch": 4096,
        "source": "SGLang server arguments: mem_fraction_static is chosen from the GPU's memory "
        "(0.88 on 80 GB-class GPUs); max_running_requests is derived from the KV pool, taken "
        "here as at most 4,096. The reserve is our estimate",
        "as_of": "2026-12-04",
    },
    {
        "id": "trt-llm",
        "name": "TensorRT-LLM",
        "mem_fraction": 0.9,
        "kv_memory_rule": "share_of_free",
        "reserve_gb_per_gpu": 2.0,
        "max_batch": 2048,
        "source": "TensorRT-LLM LLM API defaults: KvCacheConfig.free_gpu_memory_fraction 0.9 (a "
        "share of the memory left free after the weights are loaded), max_batch_size 2048. The "
        "reserve is our estimate",
        "as_of": "2026-12-04",
    },
]

QWEN_SPEED = (
    "QwenLM/Qwen2.5 docs/source/benchmark/speed_benchmark.rst, vLLM table, A100 80GB, "
    "a single request with a 1-token prompt and 2,048 output tokens"
)
SINGLE_REQUEST_RUNS = [
    # Single-request decode anchors the model at batch 1, where the latency promise binds.
    {
        "id": f"qwen-speed-vllm063-{model}-{precision}-a100-80gb-tp{tp}-1-2048",
        "model": model,
        "model_as_published": published,
        "precision": precision,
        "kv_precision": "bf16",
        "gpu": "a100-80gb",
        "gpus": tp,
        "tensor_parallel": tp,
        "engine": "vllm",
        "engine_version": "0.6.3",
        "input_tokens": 1,
        "output_tokens": 2048,
        "concurrency": 1,
        "tpot_ms_bound": None,
        "output_tps": tps,
        "source": f"{QWEN_SPEED}, row {published}",
        # The page gives no date; the day its figures were read stands in.
        "as_of": "2026-11-27",
        "notes": "Output tokens/s of one request; the page is undated.",
    }
    for model, published, precision, tp, tps in (
        ("qwen2.5-14b", "Qwen2.5-14B-Instruct BF16", "bf16", 1, 46.3),
        ("qwen2.5-14b", "Qwen2.5-14B-Instruct-AWQ", "int4", 1, 92.7),
        ("qwen2.5-72b", "Qwen2.5-72B-Instruct BF16, TP4", "bf16", 4, 31.4),
        ("qwen2.5-72b", "Qwen2.5-72B-Instruct-AWQ, TP2", "int4", 2, 44.3),
    )
]

FIELDS = [
    "id",
    "model",
    "model_as_published",
    "precision",
    "kv_precision",
    "gpu",
    "gpus",
    "tensor_parallel",
    "engine",
    "engine_version",
    "input_tokens",
    "output_tokens",
    "concurrency",
    "tpot_ms_bound",
    "output_tps",
    "source",
]


CATALOGUE = Path(__file__).parent.parent / "src/crossover/catalogue/data/catalogue.yaml"


def main(path: str) -> None:
    gathered = yaml.safe_load(Path(path).read_text(encoding="utf-8"))["measurements"]
    known = yaml.safe_load(CATALOGUE.read_text(encoding="utf-8"))
    gpus = {g["id"] for g in known["gpus"]}
    models = {m["id"] for m in known["models"]}
    runs = []
    for run in gathered:
        if run["gpu"] not in gpus or run["model"] not in models:
            print(
                f"left out {run['id']}: {run['gpu']} or {run['model']} not in the catalogue",
                file=sys.stderr,
            )
            continue
        missing = [name for name in ("input_tokens", "tensor_parallel") if run.get(name) is None]
        if missing:
            # A run whose conditions are incomplete cannot calibrate anything: left out, said so.
            print(f"left out {run['id']}: no {', '.join(missing)}", file=sys.stderr)
            continue
        row = {name: run.get(name) for name in FIELDS}
        # fp16 and bf16 KV caches both take two bytes a value: one class for the model.
        if row["kv_precision"] == "fp16":
            row["kv_precision"] = "bf16"
        row["as_of"] = run["published"]
        row["notes"] = run.get("notes", "")
        runs.append(row)
    runs += SINGLE_REQUEST_RUNS
    sys.stdout.write(HEADER)
    sys.stdout.write(
        yaml.safe_dump(
            {"engines": ENGINES, "measurements": runs},
            sort_keys=False,
            allow_unicode=True,
            width=100,
        )
    )


if __name__ == "__main__":
    main(sys.argv[1])
