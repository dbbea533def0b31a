"""The shipped catalogues, loaded once: GPUs, instances, price plans, models, rates, API prices."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib.resources import files

import yaml

from crossover.catalogue import api_prices
from crossover.catalogue.api_prices import ApiPrice
from crossover.catalogue.models import (
    BYTES_PER_PARAM,
    CatalogueFile,
    EngineFacts,
    Gpu,
    Instance,
    Measurement,
    OpenModel,
    PricePlanAssumption,
)
from crossover.scenario import ApiMode, Engine, PricePlan

__all__ = [
    "BYTES_PER_PARAM",
    "ApiPrice",
    "Catalogue",
    "EngineFacts",
    "Gpu",
    "Instance",
    "Measurement",
    "OpenModel",
    "PricePlanAssumption",
    "load_catalogue",
]


@dataclass(frozen=True)
class Catalogue:
    """Everything the engine may look up, by id."""

    version: str
    gpus: dict[str, Gpu]
    instances: dict[str, Instance]
    price_plans: dict[PricePlan, PricePlanAssumption]
    models: dict[str, OpenModel]
    engines: dict[Engine, EngineFacts]
    measurements: tuple[Measurement, ...]
    """Published serving runs the rate model is calibrated on (economics §3a)."""

    @property
    def versions(self) -> dict[str, str]:
        """The data releases a result depends on, named in every report."""
        return {
            "catalogue": self.version,
            "genai-prices": api_prices.genai_prices_version(),
        }

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

    def gpu_hour_price(self, instance: Instance, plan: PricePlan) -> float | None:
        """USD per GPU-hour of an instance on a plan; None when the catalogue has no price."""
        on_demand = instance.on_demand_usd_per_gpu_hour
        if plan == "spot":
            return instance.spot_usd_per_gpu_hour
        if on_demand is None:
            return None
        if plan == "on_demand":
            return on_demand
        return on_demand * (1 - self.price_plans[plan].discount_vs_on_demand_pct / 100)

    def api_price(self, model_ref: str, mode: ApiMode, on: date) -> ApiPrice | None:
        """The catalogue's API price for a canonical provider/model id; None if not offered."""
        return api_prices.lookup(model_ref, mode, on)

    def resolve_api_model(self, model_ref: str) -> str | None:
        return api_prices.resolve(model_ref)

    def known_api_models(self) -> list[str]:
        return api_prices.known_models()


@cache
def load_catalogue() -> Catalogue:
    """Read and validate the shipped YAML once per process."""
    data = files("crossover.catalogue.data")
    # libyaml's loader (in PyYAML's wheels) parses it ten times faster: most of a cold start's
    # catalogue time. The same safe loader otherwise.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    raw = {}
    for name in ("catalogue.yaml", "measurements.yaml"):
        raw.update(yaml.load(data.joinpath(name).read_text("utf-8"), Loader=loader))
    catalogue = build_catalogue(CatalogueFile.model_validate(raw))
    # The rate model refuses a measurement the hardware cannot have produced; it lives in the
    # engine (it owns the physics), so it is imported here, after the catalogue exists.
    from crossover.engine.rates import check_measurements

    check_measurements(catalogue)
    return catalogue


def build_catalogue(data: CatalogueFile) -> Catalogue:
    """Index validated catalogue data by id, refusing dangling references."""
    catalogue = Catalogue(
        version=data.version,
        gpus={g.id: g for g in data.gpus},
        instances={i.id: i for i in data.instances},
        price_plans={p.plan: p for p in data.price_plans},
        models={m.id: m for m in data.models},
        engines={e.id: e for e in data.engines},
        measurements=tuple(data.measurements),
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
    ):
        ids = [item.id for item in items]
        dangling += [f"{name}: {i} twice" for i in set(ids) if ids.count(i) > 1]
    if dangling:
        raise ValueError("catalogue data is inconsistent: " + "; ".join(sorted(dangling)))
    return catalogue
