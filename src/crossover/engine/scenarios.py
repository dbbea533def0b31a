"""The scenarios' monthly costs at any volume: API only, proposed, all self-hosted (economics §4)."""

from __future__ import annotations

from copy import copy
from dataclasses import dataclass

from crossover.engine.api_cost import TierVolume, api_month_usd, tier_volume
from crossover.engine.rates import DoesNotFitError, LatencyUnreachableError, RequestShape
from crossover.engine.results import Rates, ScenarioName, TierPrices
from crossover.engine.shapes import TierShape, tier_shapes
from crossover.engine.sizing import (
    Load,
    ResolvedDeployment,
    billed_gpus,
    demand_tps,
    gpu_month_usd,
    replicas_needed,
    volume_load,
)
from crossover.scenario import Scenario, Tier

LABELS: dict[ScenarioName, str] = {
    "api_only": "API only",
    "proposed": "Proposed",
    "all_self_hosted": "All self-hosted",
}


@dataclass(frozen=True)
class Routing:
    """Which tiers a scenario sends to which deployment; the rest stay on their API model."""

    name: ScenarioName
    self_hosted: dict[str, list[Tier]]
    """Deployment id → the tiers it serves (only deployments that serve something)."""
    api_tiers: list[Tier]

    @property
    def has_self_hosting(self) -> bool:
        return bool(self.self_hosted)


def api_only_routing(scenario: Scenario) -> Routing:
    """Every tier on its API model."""
    return Routing("api_only", {}, list(scenario.tiers))


def routings(scenario: Scenario) -> dict[ScenarioName, Routing]:
    """API only and proposed always; all self-hosted where every tier names a deployment."""
    found: dict[ScenarioName, Routing] = {
        "api_only": api_only_routing(scenario),
        "proposed": _route(
            "proposed", scenario.tiers, lambda t: t.deployment if t.route == "self_host" else None
        ),
    }
    if all(t.deployment is not None for t in scenario.tiers):
        found["all_self_hosted"] = _route("all_self_hosted", scenario.tiers, lambda t: t.deployment)
    return found


def _route(name: ScenarioName, tiers: list[Tier], target: object) -> Routing:
    assert callable(target)
    self_hosted: dict[str, list[Tier]] = {}
    api_tiers = []
    for tier in tiers:
        deployment = target(tier)
        if deployment is None:
            api_tiers.append(tier)
        else:
            self_hosted.setdefault(deployment, []).append(tier)
    return Routing(name, self_hosted, api_tiers)


@dataclass(frozen=True)
class DeploymentCost:
    load: Load
    replicas: int
    billed_gpus: int
    gpu_month_usd: float
    overhead_month_usd: float


@dataclass(frozen=True)
class Cost:
    """A scenario's monthly cost at one volume factor."""

    api_month_usd: float
    deployments: dict[str, DeploymentCost]
    ops_month_usd: float

    @property
    def gpu_month_usd(self) -> float:
        return sum(d.gpu_month_usd for d in self.deployments.values())

    @property
    def overhead_month_usd(self) -> float:
        return sum(d.overhead_month_usd for d in self.deployments.values())

    @property
    def monthly_cost_usd(self) -> float:
        return (
            self.api_month_usd + self.gpu_month_usd + self.overhead_month_usd + self.ops_month_usd
        )


class CostModel:
    """Prices every scenario at any multiple of today's volume, mix and routing kept."""

    def __init__(
        self,
        scenario: Scenario,
        deployments: dict[str, ResolvedDeployment],
        tier_prices: dict[str, TierPrices],
    ) -> None:
        self.scenario = scenario
        self.deployments = deployments
        self.volumes: dict[str, TierVolume] = {
            t.tier: tier_volume(scenario, t) for t in scenario.tiers
        }
        self.shapes: dict[str, TierShape] = tier_shapes(scenario)
        cache_hit = scenario.workload.cache_hit_pct
        self.tier_api_month: dict[str, float] = {
            t.tier: api_month_usd(self.volumes[t.tier], tier_prices[t.tier], cache_hit)
            for t in scenario.tiers
        }
        ops = scenario.operations
        self.ops_month_usd = ops.ops_fte * ops.fte_annual_cost / 12
        self.overhead_fraction = ops.infra_overhead_pct / 100
        self._tier_by_name = {t.tier: t for t in scenario.tiers}
        self._rates: dict[tuple[str, tuple[str, ...]], float] = {}

    def placed(self, deployments: dict[str, ResolvedDeployment]) -> CostModel:
        """The same scenario with some deployments on other instances (a plan's placements)."""
        model = copy(self)
        model.deployments = {**self.deployments, **deployments}
        return model

    def replica_tps_for(self, deployment_id: str, tiers: tuple[str, ...]) -> float:
        """R of one replica of a deployment serving exactly these tiers (tokens/s).

        The one place a plan's rate comes from: the search builds its table of R per
        deployment and set of tiers from it. Cached per (deployment, tiers).
        """
        key = (deployment_id, tiers)
        rate = self._rates.get(key)
        if rate is None:
            load = self.load([self._tier_by_name[t] for t in tiers])
            try:
                rate = self.replica_tps(deployment_id, load)
            except (DoesNotFitError, LatencyUnreachableError):
                # These tiers together cannot be served here (their mean request does not fit,
                # or the strictest latency cannot be met): 0 marks the combination infeasible.
                rate = 0.0
            self._rates[key] = rate
        return rate

    def load(self, tiers: list[Tier]) -> Load:
        """The daily volume of some tiers at today's volume, realtime and batch apart, with
        their requests (for the mean request shape and the strictest latency)."""
        total = Load()
        for tier in tiers:
            total += volume_load(
                self.volumes[tier.tier], tier.api_mode == "batch", self.shapes[tier.tier].shape
            )
        return total

    def option_load(self, deployment_id: str) -> Load:
        """The load of the tiers that name a deployment: what it would serve as an option."""
        return self.load([t for t in self.scenario.tiers if deployment_id in t.options])

    def shape(self, deployment_id: str, load: Load) -> RequestShape:
        """The load's mean request shape; for an empty load, that of the tiers naming it."""
        shape = load.shape or self.option_load(deployment_id).shape
        if shape is None:
            # A deployment no tier names is rated at the whole workload's shape.
            shape = self.load(list(self.scenario.tiers)).shape
        assert shape is not None
        return shape

    def rates(self, deployment_id: str, load: Load) -> Rates:
        """The deployment's rates per GPU at the load's request shape."""
        return self.deployments[deployment_id].rates_for(self.shape(deployment_id, load))

    def replica_tps(self, deployment_id: str, load: Load) -> float:
        """R at the load's mix and request shape (those of the tiers naming it when empty)."""
        if load.total_mtok <= 0:
            load = self.option_load(deployment_id)
        if load.total_mtok > 0:
            input_share = load.input_mtok / load.total_mtok
        else:
            workload = self.scenario.workload
            input_share = workload.input_mtok_per_day / workload.total_mtok_per_day
        dep = self.deployments[deployment_id]
        return dep.replica_tps(self.rates(deployment_id, load), input_share)

    def cost(self, routing: Routing, factor: float = 1.0) -> Cost:
        api = factor * sum(self.tier_api_month[t.tier] for t in routing.api_tiers)
        deployments = {}
        for deployment_id, tiers in routing.self_hosted.items():
            dep = self.deployments[deployment_id]
            load = self.load(tiers).scaled(factor)
            rate = self.replica_tps_for(deployment_id, tuple(t.tier for t in tiers))
            _, peak = demand_tps(load, self.scenario.workload.peak_to_average)
            replicas = replicas_needed(peak, rate, self.scenario.operations)
            billed = billed_gpus(replicas, dep)
            gpu_month = gpu_month_usd(billed, dep)
            deployments[deployment_id] = DeploymentCost(
                load=load,
                replicas=replicas,
                billed_gpus=billed,
                gpu_month_usd=gpu_month,
                overhead_month_usd=gpu_month * self.overhead_fraction,
            )
        # ops_fte is counted once for the whole self-hosted estate, and only if there is one.
        ops = self.ops_month_usd if deployments else 0.0
        return Cost(api_month_usd=api, deployments=deployments, ops_month_usd=ops)
