"""The shipped catalogues, loaded once: GPUs, instances, price plans, models, rates, API prices."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml

from crossover.catalogue.api_prices import ApiPrice, ApiPriceBook
from crossover.catalogue.models import (
    BYTES_PER_PARAM,
    STALE_AFTER_DAYS,
    ApiModelListFile,
    ApiPriceOverlayFile,
    ApiRetirement,
    CatalogueFile,
    EngineFacts,
    Gpu,
    Instance,
    Measurement,
    OpenModel,
    PricePlanAssumption,
    PriceSeen,
    ProviderFacts,
    StoredFit,
)
from crossover.quality import EvaluationTable, shipped_evaluations
from crossover.scenario import ApiMode, Engine, PricePlan

__all__ = [
    "BYTES_PER_PARAM",
    "STALE_AFTER_DAYS",
    "STORED_FIT",
    "ApiPrice",
    "ApiPriceBook",
    "ApiRetirement",
    "Catalogue",
    "EngineFacts",
    "Gpu",
    "Instance",
    "Measurement",
    "OpenModel",
    "PricePlanAssumption",
    "PriceSeen",
    "ProviderFacts",
    "StoredFit",
    "load_catalogue",
    "overlay_path",
    "shipped_catalogue",
    "with_local_overlay",
]


@dataclass(frozen=True)
class Catalogue:
    """Everything the engine may look up, by id."""

    version: str
    gpus: dict[str, Gpu]
    instances: dict[str, Instance]
    price_plans: tuple[PricePlanAssumption, ...]
    models: dict[str, OpenModel]
    engines: dict[Engine, EngineFacts]
    measurements: tuple[Measurement, ...]
    """Published serving runs the rate model is calibrated on (economics §3a)."""
    api: ApiPriceBook
    """The API prices: the engine reads them from here and nowhere else."""
    local_overlay: str | None = None
    """The refreshed-price overlay laid over the shipped instance prices, if any."""
    stored_fit: StoredFit | None = None
    """The rate model's fit computed ahead for the shipped measurements (used only where it
    matches this catalogue's data)."""
    providers: dict[str, ProviderFacts] = field(default_factory=dict)
    """Each cloud's compliance facts (account, HIPAA BAA, EU regions), by cloud id."""
    evaluations: EvaluationTable = field(default_factory=shipped_evaluations)
    """Public evaluation scores by model and task family (economics §7b; crossover.quality)."""

    def provider(self, cloud: str) -> ProviderFacts:
        """The compliance facts of a cloud; KeyError naming the known ones if it has none."""
        try:
            return self.providers[cloud]
        except KeyError:
            known = ", ".join(sorted(self.providers))
            raise KeyError(f"no provider facts for {cloud!r}; known: {known}") from None

    def __repr__(self) -> str:
        """Its release and sizes: the whole data would run to hundreds of kilobytes in a
        failing test's report."""
        return (
            f"Catalogue(version={self.version!r}, {len(self.gpus)} GPUs, "
            f"{len(self.instances)} instances, {len(self.models)} models, "
            f"{len(self.measurements)} measurements)"
        )

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        """The same short form for pretty-printers (IPython, Hypothesis), which would otherwise
        print every field of a dataclass."""
        printer.text(repr(self))

    @property
    def versions(self) -> dict[str, str]:
        """The data releases a result depends on, named in every report."""
        found = {"catalogue": self.version, **self.api.versions()}
        if self.local_overlay is not None:
            found["local price overlay"] = self.local_overlay
        return found

    def instance_for(self, gpu: str, instance: str | None, min_gpus: int = 1) -> Instance | None:
        """The named instance, or the GPU's reference one; where a replica needs more GPUs
        than that holds, the smallest priced instance of the GPU that fits a whole replica
        (the reference's own cloud first): one model is not split across machines. None where
        the catalogue knows no rentable instance of the GPU."""
        if instance is not None:
            return self.instances[instance]
        reference_id = self.gpus[gpu].reference_instance
        if reference_id is None:
            return None
        reference = self.instances[reference_id]
        if reference.gpus_per_instance >= min_gpus:
            return reference
        fitting = [
            i
            for i in self.instances.values()
            if i.gpu == gpu
            and i.gpus_per_instance >= min_gpus
            and i.on_demand_usd_per_gpu_hour is not None
        ]
        if not fitting:
            return reference
        return min(
            fitting,
            key=lambda i: (
                i.cloud != reference.cloud,
                i.gpus_per_instance,
                i.on_demand_usd_per_gpu_hour,
            ),
        )

    def price_plan(self, plan: PricePlan, cloud: str) -> PricePlanAssumption | None:
        """A provider's own reserved discount for a term; None where it publishes none."""
        return next((p for p in self.price_plans if p.plan == plan and p.cloud == cloud), None)

    def gpu_hour_price(self, instance: Instance, plan: PricePlan) -> float | None:
        """USD per GPU-hour of an instance on a plan; None when the catalogue has no price.

        The one place a GPU price is read: reserved plans take the provider's own stated
        discount off the on-demand price; a provider that publishes none has no reserved price.
        """
        on_demand = instance.on_demand_usd_per_gpu_hour
        if plan == "spot":
            return instance.spot_usd_per_gpu_hour
        if on_demand is None:
            return None
        if plan == "on_demand":
            return on_demand
        committed = self.price_plan(plan, instance.cloud)
        if committed is None:
            return None
        return on_demand * (1 - committed.discount_vs_on_demand_pct / 100)

    def price_basis(
        self, instance: Instance, plan: PricePlan
    ) -> list[PriceSeen | PricePlanAssumption]:
        """The dated observations gpu_hour_price rests on, for the report's sources."""
        if plan == "spot":
            return [instance.spot] if instance.spot else []
        if instance.on_demand is None:
            return []
        if plan == "on_demand":
            return [instance.on_demand]
        committed = self.price_plan(plan, instance.cloud)
        return [] if committed is None else [instance.on_demand, committed]

    def api_price(self, model_ref: str, mode: ApiMode, on: date) -> ApiPrice | None:
        """The catalogue's API price for a canonical provider/model id; None if not offered."""
        return self.api.price(model_ref, mode, on)

    def resolve_api_model(self, model_ref: str) -> str | None:
        return self.api.resolve(model_ref)

    def known_api_models(self) -> list[str]:
        return self.api.known_models()

    def listed_api_models(self) -> list[str]:
        return self.api.listed_models()

    def is_retired_api_model(self, model_ref: str) -> bool:
        return self.api.is_retired(model_ref)

    def api_retirement(self, model_ref: str) -> ApiRetirement | None:
        """The provider's dated retirement of an API model and its successor, if recorded."""
        return self.api.retirement(model_ref)


@cache
def load_catalogue() -> Catalogue:
    """The catalogue reports use: the shipped data with the user's refreshed prices, if any."""
    return with_local_overlay(shipped_catalogue())


@cache
def shipped_catalogue() -> Catalogue:
    """Read and validate the shipped YAML once per process."""
    data = files("crossover.catalogue.data")
    # libyaml's loader (in PyYAML's wheels) parses it ten times faster: most of a cold start's
    # catalogue time. The same safe loader otherwise.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    raw = {}
    for name in ("catalogue.yaml", "measurements.yaml", "providers.yaml"):
        raw.update(yaml.load(data.joinpath(name).read_text("utf-8"), Loader=loader))
    # The rate model refuses a measurement the hardware cannot have produced when it first
    # calibrates on this catalogue (engine/rates.py owns the physics); loading stays light, so a
    # hostile workbook is refused before numpy and the engine are imported.
    catalogue = build_catalogue(CatalogueFile.model_validate(raw), shipped_api_prices())
    fit = StoredFit.model_validate_json(data.joinpath(STORED_FIT).read_text("utf-8"))
    return replace(catalogue, stored_fit=fit)


STORED_FIT = "fit.json"
"""The shipped rate-model fit, beside the measurements it was fitted on."""


def data_dir() -> Path:
    """The user's data folder for crossover (CROSSOVER_DATA_DIR overrides it, for tests)."""
    override = os.environ.get("CROSSOVER_DATA_DIR")
    if override:
        return Path(override)
    from platformdirs import user_data_dir

    return Path(user_data_dir("crossover", appauthor=False))


def overlay_path() -> Path:
    """Where `crossover catalogue refresh` writes its prices."""
    return data_dir() / "price-overlay.json"


def with_local_overlay(catalogue: Catalogue) -> Catalogue:
    """The catalogue with the prices of `crossover catalogue refresh`, when the user has run it.

    Reads one local file; never the network.
    """
    path = overlay_path()
    if not path.is_file():
        return catalogue
    from crossover.catalogue import refresh

    overlay = refresh.read_overlay(path)
    if overlay is None:
        return catalogue
    return replace(
        catalogue,
        instances=refresh.apply_overlay(catalogue.instances, overlay),
        local_overlay=overlay.name,
    )


def shipped_api_prices() -> ApiPriceBook:
    """genai-prices' snapshot with crossover's overlay (data/api_price_overlay.yaml) on top."""
    text = files("crossover.catalogue.data").joinpath("api_price_overlay.yaml").read_text("utf-8")
    overlay = ApiPriceOverlayFile.model_validate(yaml.safe_load(text))
    listed = files("crossover.catalogue.data").joinpath("api_models.yaml").read_text("utf-8")
    models = ApiModelListFile.model_validate(yaml.safe_load(listed))
    return ApiPriceBook(
        rows=overlay_rows(overlay),
        overlay_name=overlay.version,
        not_chat=tuple(models.not_chat),
        retired=frozenset(models.retired),
        retirements=tuple(models.retirements),
    )


def overlay_rows(overlay: ApiPriceOverlayFile) -> tuple[ApiPrice, ...]:
    """The overlay's rows as prices; time-of-day rows weighted by the stated peak share."""
    rows = [
        ApiPrice(
            model=r.model,
            mode=r.mode,
            input_per_mtok=r.input_per_mtok,
            cached_input_per_mtok=r.cached_input_per_mtok,
            output_per_mtok=r.output_per_mtok,
            source=r.source,
            seen=r.seen,
            provenance=r.provenance,
        )
        for r in overlay.prices
    ]
    share = overlay.peak_hours_per_week / HOURS_PER_WEEK

    def blend(peak: float | None, off_peak: float | None) -> float | None:
        if peak is None or off_peak is None:
            return None
        return share * peak + (1 - share) * off_peak

    for t in overlay.time_of_day:
        input_price = blend(t.peak.input_per_mtok, t.off_peak.input_per_mtok)
        output_price = blend(t.peak.output_per_mtok, t.off_peak.output_per_mtok)
        assert input_price is not None and output_price is not None
        rows.append(
            ApiPrice(
                model=t.model,
                mode="realtime",
                input_per_mtok=input_price,
                cached_input_per_mtok=blend(
                    t.peak.cached_input_per_mtok, t.off_peak.cached_input_per_mtok
                ),
                output_per_mtok=output_price,
                source=f"{t.source}; peak and off-peak prices weighted "
                f"{overlay.peak_hours_per_week}/{HOURS_PER_WEEK} to "
                f"{HOURS_PER_WEEK - overlay.peak_hours_per_week}/{HOURS_PER_WEEK}, assuming "
                f"{overlay.peak_share_basis}",
                seen=t.seen,
                provenance=t.provenance,
            )
        )
    return tuple(rows)


HOURS_PER_WEEK = 168


def build_catalogue(data: CatalogueFile, api: ApiPriceBook) -> Catalogue:
    """Index validated catalogue data by id, refusing dangling references."""
    catalogue = Catalogue(
        version=data.version,
        gpus={g.id: g for g in data.gpus},
        instances={i.id: i for i in data.instances},
        price_plans=tuple(data.price_plans),
        models={m.id: m for m in data.models},
        engines={e.id: e for e in data.engines},
        measurements=tuple(data.measurements),
        api=api,
        providers={p.id: p for p in data.providers},
    )
    dangling = [
        f"gpu {g.id}: reference_instance {g.reference_instance}"
        for g in data.gpus
        if g.reference_instance is not None
        and (
            g.reference_instance not in catalogue.instances
            or catalogue.instances[g.reference_instance].gpu != g.id
        )
    ]
    dangling += [
        f"instance {i.id}: gpu {i.gpu}" for i in data.instances if i.gpu not in catalogue.gpus
    ]
    if data.providers:
        dangling += [
            f"instance {i.id}: no provider facts for {i.cloud}"
            for i in data.instances
            if i.cloud not in catalogue.providers
        ]
    rented = {i.cloud for i in data.instances}
    for term in ("reserved_1y", "reserved_3y"):
        clouds = [p.cloud for p in data.price_plans if p.plan == term]
        dangling += [f"price_plans: {term} {c} twice" for c in set(clouds) if clouds.count(c) > 1]
        dangling += [
            f"price_plans: {term} {c}: no instance of {c}" for c in clouds if c not in rented
        ]
    dangling += [
        f"measurement {m.id}: {what} {ref}"
        for m in data.measurements
        for what, ref, known in (
            ("model", m.model, catalogue.models),
            ("gpu", m.gpu, catalogue.gpus),
            ("engine", m.engine, catalogue.engines),
        )
        if ref not in known
    ]
    for name, items in (
        ("gpus", data.gpus),
        ("instances", data.instances),
        ("models", data.models),
        ("measurements", data.measurements),
        ("providers", data.providers),
    ):
        ids = [item.id for item in items]
        dangling += [f"{name}: {i} twice" for i in set(ids) if ids.count(i) > 1]
    if dangling:
        raise ValueError("catalogue data is inconsistent: " + "; ".join(sorted(dangling)))
    return catalogue
