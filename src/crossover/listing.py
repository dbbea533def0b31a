"""The catalogue as listings: display tables (headers and string rows, each row ending in its
source) and, row for row, typed records for `--json` (numbers, null, ISO dates, snake_case)."""

from __future__ import annotations

import csv
import difflib
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from crossover.catalogue import Catalogue, PricePlanAssumption, PriceSeen
from crossover.catalogue.api_prices import SNAPSHOT_SEEN, ApiPrice
from crossover.scenario import PRECISIONS

KINDS = ("gpus", "instances", "plans", "models", "throughput", "prices", "providers")

NONE = "—"
"""Shown where the catalogue has no figure (no spot price, no batch API, unsupported precision)."""

_PROVENANCE = ["Source", "As of"]
_SEEN = ["Source", "Seen"]
"""Prices end in the day they were seen at their source."""

Table = tuple[list[str], list[list[str]]]

JsonValue = str | int | float | bool | None | list["JsonValue"] | dict[str, "JsonValue"]
Record = dict[str, JsonValue]
"""One catalogue entry as typed values under stable snake_case keys."""


@dataclass(frozen=True)
class Listing:
    """A display table and, for each of its rows, the same entry as a typed record."""

    headers: list[str]
    rows: list[list[str]]
    records: list[Record]

    @property
    def table(self) -> Table:
        return self.headers, self.rows


_T = TypeVar("_T")


def catalogue_table(kind: str, catalogue: Catalogue, *, on: date | None = None) -> Table:
    """Column headers and display rows for one kind of catalogue entry.

    `on` is the date API prices are read at; by default the day the price snapshot was seen.
    """
    return catalogue_listing(kind, catalogue, on=on).table


def catalogue_listing(kind: str, catalogue: Catalogue, *, on: date | None = None) -> Listing:
    """One kind of catalogue entry as a display table with a typed record per row."""
    try:
        build = _BUILDERS[kind]
    except KeyError:
        close = difflib.get_close_matches(kind, KINDS, n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise KeyError(
            f"unknown catalogue kind {kind!r}: {hint}choose one of {', '.join(KINDS)}"
        ) from None
    return build(catalogue, on or SNAPSHOT_SEEN)


def _gpus(catalogue: Catalogue, _on: date) -> Listing:
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
    records: list[Record] = [
        {
            "gpu": gpu.id,
            "name": gpu.name,
            "vendor": gpu.vendor,
            "vram_gb": gpu.vram_gb,
            "memory_bandwidth_tbs": gpu.memory_bandwidth_tbs,
            "dense_tflops": {p: gpu.dense_tflops[p] for p in PRECISIONS},
            "interconnect": gpu.interconnect,
            "reference_instance": gpu.reference_instance,
            "source": gpu.source,
            "as_of": gpu.as_of.isoformat(),
        }
        for gpu in catalogue.gpus.values()
    ]
    return Listing(headers, rows, records)


def _instances(catalogue: Catalogue, _on: date) -> Listing:
    headers = [
        "Instance",
        "GPU",
        "GPUs",
        "Region",
        "On-demand $/GPU-h",
        "Spot $/GPU-h",
        "Spot seen",
        *_SEEN,
    ]
    rows = []
    records: list[Record] = []
    for instance in catalogue.instances.values():
        # The on-demand price's source and day, else the spot one's (spot-only instances).
        main = instance.on_demand or instance.spot
        assert main is not None
        rows.append(
            [
                instance.id,
                instance.gpu,
                str(instance.gpus_per_instance),
                instance.region or NONE,
                _optional(instance.on_demand_usd_per_gpu_hour, _usd),
                _optional(instance.spot_usd_per_gpu_hour, _usd),
                _optional(instance.spot, _day),
                main.source,
                _day(main),
            ]
        )
        records.append(
            {
                "instance": instance.id,
                "cloud": instance.cloud,
                "instance_type": instance.instance_type,
                "gpu": instance.gpu,
                "gpus_per_instance": instance.gpus_per_instance,
                "region": instance.region,
                "on_demand": _optional_record(instance.on_demand),
                "spot": _optional_record(instance.spot),
            }
        )
    return Listing(headers, rows, records)


def _day(price: PriceSeen | PricePlanAssumption) -> str:
    """The day a price was seen at its source; an undated one as 'undated, read <day>'."""
    if price.dated:
        return price.day.isoformat()
    return f"undated, read {price.day.isoformat()}"


def _dating(price: PriceSeen | PricePlanAssumption) -> Record:
    """Whether and when a price was seen, with where: the keys every price record ends in."""
    return {
        "dated": price.dated,
        "seen": price.seen.isoformat() if price.seen else None,
        "read_on": price.read_on.isoformat() if price.read_on else None,
        "source": price.source,
        "provenance": price.provenance or None,
    }


def _optional_record(price: PriceSeen | None) -> Record | None:
    if price is None:
        return None
    return {"usd_per_gpu_hour": price.usd_per_gpu_hour, **_dating(price)}


def _plans(catalogue: Catalogue, _on: date) -> Listing:
    headers = ["Plan", "Provider", "Discount vs on-demand %", "Range %", "Basis", *_SEEN]
    rows = [
        [
            plan.plan,
            plan.cloud,
            _number(plan.discount_vs_on_demand_pct),
            f"{_number(plan.range_pct[0])}-{_number(plan.range_pct[1])}",
            plan.basis,
            plan.source,
            _day(plan),
        ]
        for plan in catalogue.price_plans
    ]
    records: list[Record] = [
        {
            "plan": plan.plan,
            "cloud": plan.cloud,
            "upfront": plan.upfront,
            "discount_vs_on_demand_pct": plan.discount_vs_on_demand_pct,
            "range_low_pct": plan.range_pct[0],
            "range_high_pct": plan.range_pct[1],
            "basis": plan.basis,
            **_dating(plan),
        }
        for plan in catalogue.price_plans
    ]
    return Listing(headers, rows, records)


def _models(catalogue: Catalogue, _on: date) -> Listing:
    headers = [
        "Model",
        "Name",
        "Params B",
        "Active B",
        "Experts",
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
            _number(model.compute_params_b),
            f"{model.experts_per_token} of {model.experts}" if model.experts else NONE,
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
    records: list[Record] = [
        {
            "model": model.id,
            "name": model.name,
            "params_b": model.params_b,
            "layers": model.layers,
            "kv_heads": model.kv_heads,
            "head_dim": model.head_dim,
            "kv_kib_per_token_16bit": model.kv_bytes_per_token_fp16 / 1024,
            "api_equivalents": list(model.api_equivalents),
            "source": model.source,
            "as_of": model.as_of.isoformat(),
        }
        for model in catalogue.models.values()
    ]
    return Listing(headers, rows, records)


def _throughput(catalogue: Catalogue, _on: date) -> Listing:
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
    runs = calibrate(catalogue).runs
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
        for run in runs
        for m in (run.measurement,)
    ]
    records: list[Record] = [
        {
            "measurement": m.id,
            "model": m.model,
            "precision": m.precision,
            "kv_precision": m.kv_precision,
            "gpu": m.gpu,
            "gpus": m.gpus,
            "tensor_parallel": m.tensor_parallel,
            "engine": m.engine,
            "engine_version": m.engine_version,
            "input_tokens": m.input_tokens,
            "output_tokens": m.output_tokens,
            "concurrency": m.concurrency,
            "tpot_ms_bound": m.tpot_ms_bound,
            "measured_output_tps": m.output_tps,
            "modelled_output_tps": run.modelled_tps,
            "left_out_output_tps": run.left_out_tps,
            "source": m.source,
            "as_of": m.as_of.isoformat(),
        }
        for run in runs
        for m in (run.measurement,)
    ]
    return Listing(headers, rows, records)


def calibration_summary(catalogue: Catalogue) -> Table:
    """Each engine's fitted efficiencies and errors: what every modelled rate states."""
    from crossover.engine.rates import calibrate

    calibration = calibrate(catalogue)
    headers = [
        "Engine",
        "Runs",
        "Bandwidth eff.",
        "Compute eff.",
        "Prefill eff.",
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
                f"{efficiency.e_prefill:.0%}",
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
            *[NONE] * 5,
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


def _prices(catalogue: Catalogue, on: date) -> Listing:
    headers = [
        "API model",
        "Input $/Mtok",
        "Cached input $/Mtok",
        "Output $/Mtok",
        "Batch input $/Mtok",
        "Batch cached $/Mtok",
        "Batch output $/Mtok",
        *_SEEN,
    ]
    rows = []
    records: list[Record] = []
    for model in catalogue.listed_api_models():
        realtime = catalogue.api_price(model, "realtime", on)
        batch = catalogue.api_price(model, "batch", on)
        # Models without both an input and an output token price (embeddings, speech) show
        # dashes and no source.
        quoted = realtime or batch
        rows.append(
            [
                model,
                *_price_cells(realtime),
                *_price_cells(batch),
                quoted.source if quoted else NONE,
                quoted.seen.isoformat() if quoted else NONE,
            ]
        )
        records.append(
            {
                "api_model": model,
                "provider": model.split("/", 1)[0],
                "realtime": _api_record(realtime),
                "batch": _api_record(batch),
            }
        )
    return Listing(headers, rows, records)


def _api_record(price: ApiPrice | None) -> Record | None:
    if price is None:
        return None
    return {
        "input_usd_per_mtok": price.input_per_mtok,
        "cached_input_usd_per_mtok": price.cached_input_per_mtok,
        "output_usd_per_mtok": price.output_per_mtok,
        "dated": True,
        "seen": price.seen.isoformat(),
        "read_on": None,
        "source": price.source,
        "provenance": price.provenance or None,
    }


def _providers(catalogue: Catalogue, _on: date) -> Listing:
    """Each cloud's compliance facts: whose account it runs in, HIPAA BAA, EU regions."""
    headers = ["Provider", "Name", "Client's account", "HIPAA BAA", "EU regions", *_PROVENANCE]
    facts = sorted(catalogue.providers.values(), key=lambda p: p.id)
    rows = [
        [
            p.id,
            p.name,
            "yes" if p.runs_in_client_cloud_account else "no (third party)",
            _unknown_or(p.hipaa_baa),
            "not found" if p.eu_regions is None else ", ".join(p.eu_regions) or "none",
            f"{p.hipaa_source}; {p.regions_source}",
            p.as_of.isoformat(),
        ]
        for p in facts
    ]
    records: list[Record] = [
        {
            "provider": p.id,
            "name": p.name,
            "runs_in_client_cloud_account": p.runs_in_client_cloud_account,
            "hipaa_baa": p.hipaa_baa,
            "hipaa_source": p.hipaa_source,
            "eu_regions": None if p.eu_regions is None else list(p.eu_regions),
            "regions_source": p.regions_source,
            "as_of": p.as_of.isoformat(),
        }
        for p in facts
    ]
    return Listing(headers, rows, records)


def _unknown_or(answer: bool | None) -> str:
    return "not found" if answer is None else "yes" if answer else "no"


_BUILDERS: dict[str, Callable[[Catalogue, date], Listing]] = {
    "gpus": _gpus,
    "instances": _instances,
    "plans": _plans,
    "models": _models,
    "throughput": _throughput,
    "prices": _prices,
    "providers": _providers,
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


@dataclass(frozen=True)
class Filters:
    """What a reader looks up: None keeps every row."""

    provider: str | None = None
    gpu: str | None = None
    model: str | None = None


# The columns each filter reads, where a table has them.
_PROVIDER_COLUMNS = ("Instance", "Reference instance", "API model")
_GPU_COLUMNS = ("GPU",)
_MODEL_COLUMNS = ("Model", "API model")


def filtered(table: Table, filters: Filters) -> Table:
    """The rows matching every filter given; a filter a table has no column for keeps all."""
    headers, rows = table
    keep = _matcher(headers, filters)
    return headers, [row for row in rows if keep(row)]


def filtered_listing(listing: Listing, filters: Filters) -> Listing:
    """The rows, and their records, matching every filter given."""
    keep = _matcher(listing.headers, filters)
    pairs = [
        (row, record)
        for row, record in zip(listing.rows, listing.records, strict=True)
        if keep(row)
    ]
    return Listing(listing.headers, [r for r, _ in pairs], [r for _, r in pairs])


def _matcher(headers: list[str], filters: Filters) -> Callable[[list[str]], bool]:
    """Whether a display row matches every filter given."""

    def cells(row: list[str], columns: tuple[str, ...]) -> list[str]:
        return [row[headers.index(c)] for c in columns if c in headers]

    def keep(row: list[str]) -> bool:
        if filters.provider is not None:
            provider = filters.provider.lower()
            found = cells(row, _PROVIDER_COLUMNS)
            if "Provider" in headers:
                found.append(row[headers.index("Provider")])
            if found and not any(c == provider or c.startswith(provider + "/") for c in found):
                return False
        if filters.gpu is not None and headers[0] == "GPU":
            if row[0] != filters.gpu.lower():
                return False
        elif filters.gpu is not None:
            found = cells(row, _GPU_COLUMNS)
            if found and filters.gpu.lower() not in found:
                return False
        if filters.model is not None:
            found = cells(row, _MODEL_COLUMNS)
            if found and not any(filters.model.lower() in c for c in found):
                return False
        return True

    return keep


def to_csv(headers: list[str], rows: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(headers)
    writer.writerows(rows)
    return out.getvalue()


def held_out_bands(catalogue: Catalogue) -> Table:
    """The rate model's accuracy on measurements it was not fitted on, per engine, GPU vendor and
    regime: each run predicted by a fit without its whole source (a published table, a vendor's
    results page), and the band that contains 80% of such runs (economics §3a, error)."""
    from crossover.engine.rates import calibrate

    calibration = calibrate(catalogue)
    headers = [
        "Engine",
        "Vendor",
        "Regime",
        "Held-out runs",
        "Median error",
        "80% band",
        "Contained",
    ]
    rows = [
        [
            catalogue.engines[band.engine].name if band.engine in catalogue.engines else NONE,
            band.vendor or NONE,
            f"{band.regime}-bound" if band.regime else "either",
            str(band.rows),
            _error(band.median_factor),
            f"×{band.factor:.2f}",
            f"{band.contained:.0%}",
        ]
        for key, band in sorted(calibration.bands.items(), key=lambda kv: str(kv[0]))
        if key[0] is not None and key[1] is not None
    ]
    every = calibration.bands[(None, None, None)]
    rows.append(
        [
            "All engines",
            "both",
            "either",
            str(every.rows),
            _error(every.median_factor),
            f"×{every.factor:.2f}",
            f"{every.contained:.0%}",
        ]
    )
    return headers, rows
