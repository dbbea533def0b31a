"""The catalogue as display tables (headers and string rows), each row ending in its source."""

from __future__ import annotations

import difflib
from collections.abc import Callable
from datetime import date
from typing import TypeVar

from crossover.catalogue import Catalogue, api_prices
from crossover.catalogue.api_prices import ApiPrice
from crossover.scenario import PRECISIONS

KINDS = ("gpus", "instances", "plans", "models", "throughput", "prices")

NONE = "—"
"""Shown where the catalogue has no figure (no spot price, no batch API, unsupported precision)."""

_PROVENANCE = ["Source", "As of"]

Table = tuple[list[str], list[list[str]]]

_T = TypeVar("_T")


def catalogue_table(kind: str, catalogue: Catalogue, *, on: date | None = None) -> Table:
    """Column headers and display rows for one kind of catalogue entry.

    `on` is the date API prices are read at; by default the day the price snapshot was checked.
    """
    try:
        build = _BUILDERS[kind]
    except KeyError:
        close = difflib.get_close_matches(kind, KINDS, n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise KeyError(
            f"unknown catalogue kind {kind!r}: {hint}choose one of {', '.join(KINDS)}"
        ) from None
    return build(catalogue, on or api_prices.SNAPSHOT_AS_OF)


def _gpus(catalogue: Catalogue, _on: date) -> Table:
    headers = [
        "GPU",
        "Name",
        "Vendor",
        "VRAM GB",
        "Bandwidth TB/s",
        *(f"{p} TFLOPS" for p in PRECISIONS),
        "Reference instance",
        *_PROVENANCE,
    ]
    rows = [
        [
            gpu.id,
            gpu.name,
            gpu.vendor,
            _number(gpu.vram_gb),
            _number(gpu.memory_bandwidth_tbs),
            *(_optional(gpu.dense_tflops[p], _number) for p in PRECISIONS),
            gpu.reference_instance or NONE,
            gpu.source,
            gpu.as_of.isoformat(),
        ]
        for gpu in catalogue.gpus.values()
    ]
    return headers, rows


def _instances(catalogue: Catalogue, _on: date) -> Table:
    headers = [
        "Instance",
        "GPU",
        "GPUs",
        "Region",
        "On-demand $/GPU-h",
        "Spot $/GPU-h",
        *_PROVENANCE,
    ]
    rows = [
        [
            instance.id,
            instance.gpu,
            str(instance.gpus_per_instance),
            instance.region or NONE,
            _optional(instance.on_demand_usd_per_gpu_hour, _usd),
            _optional(instance.spot_usd_per_gpu_hour, _usd),
            instance.source,
            instance.as_of.isoformat(),
        ]
        for instance in catalogue.instances.values()
    ]
    return headers, rows


def _plans(catalogue: Catalogue, _on: date) -> Table:
    headers = ["Plan", "Discount vs on-demand %", "Basis", *_PROVENANCE]
    rows = [
        [
            plan.plan,
            _number(plan.discount_vs_on_demand_pct),
            plan.basis,
            plan.source,
            plan.as_of.isoformat(),
        ]
        for plan in catalogue.price_plans.values()
    ]
    return headers, rows


def _models(catalogue: Catalogue, _on: date) -> Table:
    headers = [
        "Model",
        "Name",
        "Params B",
        "Layers",
        "KV heads",
        "Head dim",
        "KV KiB/token (16-bit)",
        "Same model on APIs",
        *_PROVENANCE,
    ]
    rows = [
        [
            model.id,
            model.name,
            _number(model.params_b),
            str(model.layers),
            str(model.kv_heads),
            str(model.head_dim),
            _number(model.kv_bytes_per_token_fp16 / 1024),
            ", ".join(model.api_equivalents) or NONE,
            model.source,
            model.as_of.isoformat(),
        ]
        for model in catalogue.models.values()
    ]
    return headers, rows


def _throughput(catalogue: Catalogue, _on: date) -> Table:
    """Every published run against the rate model: fitted with it, and with it left out."""
    from crossover.engine.rates import calibrate

    headers = [
        "Model",
        "Weights/KV",
        "GPUs",
        "Engine",
        "In/out tokens",
        "Bound",
        "Measured tok/s",
        "Modelled",
        "Left out",
        *_PROVENANCE,
    ]
    rows = [
        [
            m.model,
            f"{m.precision}/{m.kv_precision}",
            f"{m.gpus} × {m.gpu} (TP{m.tensor_parallel})",
            f"{m.engine} {m.engine_version}",
            f"{m.input_tokens:,.0f}/{m.output_tokens:,.0f}",
            _bound(m.concurrency, m.tpot_ms_bound),
            f"{m.output_tps:,.0f}",
            f"{run.modelled_tps:,.0f} ({_signed_pct(run.modelled_tps / m.output_tps)})",
            f"{run.left_out_tps:,.0f} ({_signed_pct(run.left_out_tps / m.output_tps)})",
            m.source,
            m.as_of.isoformat(),
        ]
        for run in calibrate(catalogue).runs
        for m in (run.measurement,)
    ]
    return headers, rows


def calibration_summary(catalogue: Catalogue) -> Table:
    """Each engine's fitted efficiencies and errors: what every modelled rate states."""
    from crossover.engine.rates import calibrate

    calibration = calibrate(catalogue)
    headers = [
        "Engine",
        "Runs",
        "Bandwidth eff.",
        "Compute eff.",
        "Step ms",
        "PCIe link",
        "Median error",
        "Worst error",
        "Left-out median",
        "Left-out worst",
    ]
    rows = []
    for engine, efficiency in calibration.engines.items():
        error = calibration.by_engine[engine]
        rows.append(
            [
                catalogue.engines[engine].name,
                str(error.measurements),
                f"{efficiency.e_bw:.0%}",
                f"{efficiency.e_f:.0%}",
                f"{efficiency.t_step_s * 1000:.1f}",
                f"{efficiency.e_link:.0%}",
                *(
                    _error(f)
                    for f in (
                        error.median_factor,
                        error.worst_factor,
                        error.left_out_median_factor,
                        error.left_out_worst_factor,
                    )
                ),
            ]
        )
    overall = calibration.overall
    rows.append(
        [
            "All engines",
            str(overall.measurements),
            *[NONE] * 4,
            *(
                _error(f)
                for f in (
                    overall.median_factor,
                    overall.worst_factor,
                    overall.left_out_median_factor,
                    overall.left_out_worst_factor,
                )
            ),
        ]
    )
    return headers, rows


def _bound(concurrency: int | None, tpot_ms: float | None) -> str:
    parts = []
    if concurrency is not None:
        parts.append(f"{concurrency:,} in flight")
    if tpot_ms is not None:
        parts.append(f"≤ {tpot_ms:g} ms/token")
    return ", ".join(parts) or "max throughput"


def _signed_pct(ratio: float) -> str:
    """Modelled ÷ measured as a signed percentage: 1.12 → '+12%'."""
    return f"{ratio - 1:+.0%}"


def _error(factor: float) -> str:
    """An error factor as a percentage off: 1.25 → '±25%'."""
    return f"±{factor - 1:.0%}"


def _prices(_catalogue: Catalogue, on: date) -> Table:
    headers = [
        "API model",
        "Input $/Mtok",
        "Cached input $/Mtok",
        "Output $/Mtok",
        "Batch input $/Mtok",
        "Batch cached $/Mtok",
        "Batch output $/Mtok",
        *_PROVENANCE,
    ]
    rows = []
    for model in api_prices.listed_models():
        realtime = api_prices.lookup(model, "realtime", on)
        batch = api_prices.lookup(model, "batch", on)
        # Models without both an input and an output token price (embeddings, speech) show
        # dashes; their provenance is still the snapshot.
        quoted = realtime or batch
        rows.append(
            [
                model,
                *_price_cells(realtime),
                *_price_cells(batch),
                quoted.source if quoted else f"genai-prices {api_prices.genai_prices_version()}",
                (quoted.as_of if quoted else api_prices.SNAPSHOT_AS_OF).isoformat(),
            ]
        )
    return headers, rows


_BUILDERS: dict[str, Callable[[Catalogue, date], Table]] = {
    "gpus": _gpus,
    "instances": _instances,
    "plans": _plans,
    "models": _models,
    "throughput": _throughput,
    "prices": _prices,
}


def _price_cells(price: ApiPrice | None) -> list[str]:
    if price is None:
        return [NONE] * 3
    return [
        _usd(price.input_per_mtok),
        _optional(price.cached_input_per_mtok, _usd),
        _usd(price.output_per_mtok),
    ]


def _optional(value: _T | None, show: Callable[[_T], str]) -> str:
    return NONE if value is None else show(value)


def _number(value: float) -> str:
    """Up to three decimals, no trailing zeros: 141, 0.864, 242.5."""
    return f"{value:,.3f}".rstrip("0").rstrip(".")


def _usd(value: float) -> str:
    """Two to four decimals: 6.88, 2.7447, 0.075, 1.00."""
    text = f"{value:,.4f}"
    return text[:-2] + text[-2:].rstrip("0")
