"""Where a deployment may run: the catalogue instances and price plans it may be placed on (§7a)."""

from __future__ import annotations

from dataclasses import dataclass

from crossover.catalogue import Catalogue, Instance
from crossover.engine.results import ConstraintReason, GpuPriceSource, ProviderExclusion
from crossover.problem_facts import NoPlacement, NoPlanPrice, NoRentableInstance
from crossover.scenario import PRICE_PLANS, Compliance, Deployment, Operations, PricePlan

DEFAULT_PRICE_PLAN: PricePlan = "reserved_1y"
"""The plan of a deployment that names its instance (or its price) but no plan."""


@dataclass(frozen=True)
class Placement:
    """One instance on one price plan: what a GPU-hour costs and how many GPUs come together."""

    instance: Instance | None
    """None: a GPU the catalogue rents nowhere, priced at the client's own figure."""
    price_plan: PricePlan
    gpu_hour_price_usd: float
    gpu_hour_price_source: GpuPriceSource
    gpus_per_instance: int

    @property
    def key(self) -> tuple[str, str]:
        return (self.instance.id if self.instance else ""), self.price_plan


def is_searched(spec: Deployment) -> bool:
    """A deployment is placed by the search unless the client fixed its instance or its price."""
    return spec.instance is None and spec.gpu_hour_price is None and spec.gpus_per_instance is None


def provider_exclusions(
    cloud: str, compliance: Compliance, catalogue: Catalogue
) -> list[ConstraintReason]:
    """What keeps a provider out under the client's compliance rules (empty: allowed). A fact
    the catalogue has no source for counts against the provider: it cannot be shown to hold."""
    facts = catalogue.providers.get(cloud)
    reasons: list[ConstraintReason] = []
    if compliance.data_must_stay_in_network and not (
        facts is not None and facts.runs_in_client_cloud_account
    ):
        reasons.append("outside_client_account")
    if compliance.hipaa and not (facts is not None and facts.hipaa_baa is True):
        reasons.append("no_hipaa_baa")
    if compliance.gdpr_restricted_subprocessors and not (facts is not None and facts.eu_regions):
        reasons.append("no_eu_region")
    return reasons


def placements(
    spec: Deployment,
    gpus_per_replica: int,
    catalogue: Catalogue,
    operations: Operations,
    compliance: Compliance | None = None,
) -> list[Placement]:
    """Every placement the deployment may use, cheapest GPU-hour first.

    A fixed deployment has one: its named instance (or the GPU's reference instance) on its
    plan. A searched one may use any instance with its GPU among the allowed providers whose
    machine holds whole replicas (a replica never spans machines), on any allowed plan priced,
    and with a provider the client's compliance rules allow (provider_exclusions).
    """
    if not is_searched(spec):
        instance = catalogue.instance_for(spec.gpu, spec.instance, gpus_per_replica)
        plan = spec.price_plan or DEFAULT_PRICE_PLAN
        if instance is None:
            # A GPU rented nowhere in the catalogue: only the client's own price places it.
            if spec.gpu_hour_price is None:
                return []
            k = spec.gpus_per_instance or gpus_per_replica
            return [Placement(None, plan, spec.gpu_hour_price, "client", k)]
        price, source = gpu_hour_price(spec, instance, plan, catalogue)
        if price is None:
            return []
        k = spec.gpus_per_instance or instance.gpus_per_instance
        return [Placement(instance, plan, price, source, k)]
    plans: tuple[PricePlan, ...] = (
        (spec.price_plan,) if spec.price_plan else tuple(operations.price_plans) or PRICE_PLANS
    )
    found = []
    for instance in catalogue.instances.values():
        if instance.gpu != spec.gpu or instance.gpus_per_instance % gpus_per_replica:
            continue
        if operations.providers and instance.cloud not in operations.providers:
            continue
        if compliance is not None and provider_exclusions(instance.cloud, compliance, catalogue):
            continue
        for plan in plans:
            price, source = gpu_hour_price(spec, instance, plan, catalogue)
            if price is not None:
                found.append(Placement(instance, plan, price, source, instance.gpus_per_instance))
    return sorted(found, key=lambda p: (p.gpu_hour_price_usd * p.gpus_per_instance, p.key))


def gpu_hour_price(
    spec: Deployment, instance: Instance, plan: PricePlan, catalogue: Catalogue
) -> tuple[float | None, GpuPriceSource]:
    """USD per GPU-hour and where it comes from: the client's figure wins over the catalogue.

    A catalogue price's provenance (price list or assumed discount, with its date) is in the
    results' sources.
    """
    if spec.gpu_hour_price is not None:
        return spec.gpu_hour_price, "client"
    return catalogue.gpu_hour_price(instance, plan), "catalogue"


def no_placement(
    spec: Deployment,
    gpus_per_replica: int,
    catalogue: Catalogue,
    operations: Operations,
    compliance: Compliance | None = None,
) -> NoRentableInstance | NoPlanPrice | NoPlacement:
    """Why a deployment has nowhere to run: no instance has its GPU, its instance has no price
    on its plan, or none is priced among the providers and plans allowed."""
    if not is_searched(spec):
        plan = spec.price_plan or DEFAULT_PRICE_PLAN
        instance = catalogue.instance_for(spec.gpu, spec.instance, gpus_per_replica)
        if instance is None:
            return NoRentableInstance(gpu=spec.gpu)
        return NoPlanPrice(price_plan=plan, instance=instance.id)
    if not any(i.gpu == spec.gpu for i in catalogue.instances.values()):
        return NoRentableInstance(gpu=spec.gpu)
    return NoPlacement(
        gpu=spec.gpu,
        gpus_per_replica=gpus_per_replica,
        providers=tuple(operations.providers),
        price_plans=(spec.price_plan,) if spec.price_plan else tuple(operations.price_plans),
        flags=tuple(compliance.flags) if compliance is not None else (),
    )


def kept_out(
    spec: Deployment,
    gpus_per_replica: int,
    catalogue: Catalogue,
    operations: Operations,
    compliance: Compliance,
) -> list[ProviderExclusion]:
    """The providers a searched deployment could have run on but compliance keeps out, each
    once with why (for the report: what each constraint excluded)."""
    if not is_searched(spec) or not compliance.flags:
        return []
    found: dict[str, ProviderExclusion] = {}
    for instance in catalogue.instances.values():
        if instance.gpu != spec.gpu or instance.gpus_per_instance % gpus_per_replica:
            continue
        if operations.providers and instance.cloud not in operations.providers:
            continue
        reasons = provider_exclusions(instance.cloud, compliance, catalogue)
        if reasons and instance.cloud not in found:
            facts = catalogue.providers.get(instance.cloud)
            found[instance.cloud] = ProviderExclusion(
                deployment=spec.deployment,
                cloud=instance.cloud,
                provider_name=facts.name if facts is not None else instance.cloud,
                reasons=reasons,
            )
    return list(found.values())
