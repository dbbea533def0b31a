"""Monte Carlo: the uncertain inputs drawn many times, and the engine run on every draw at once.

The vectorised path repeats the scalar engine's arithmetic (scenarios.CostModel, horizon) on
numpy arrays of one value per draw, looping only over the months. `evaluate_draw` runs the
scalar engine itself on one draw: the tests hold the two together.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from crossover.engine.constants import HOURS_PER_MONTH, SECONDS_PER_DAY, TOKENS_PER_MTOK
from crossover.engine.horizon import horizon, payback_weeks, setup_cost_usd
from crossover.engine.results import Histogram, MonteCarlo, TierPrices
from crossover.engine.scenarios import CostModel, Routing, api_only_routing
from crossover.engine.sensitivity import Perturbation, perturb, savings_and_payback
from crossover.engine.sizing import WHOLE_TOLERANCE, ResolvedDeployment
from crossover.scenario import Range, Scenario, Tier

FloatArray = NDArray[np.float64]

PERT_LAMBDA = 4.0
"""The usual PERT weight on the most likely value: mean = (low + 4 × likely + high) / 6."""
HISTOGRAM_BINS = 30


@dataclass(frozen=True)
class Draw:
    """One simulated future's inputs."""

    volume_factor: float
    monthly_growth_pct: float
    throughput_factor: float
    gpu_price_factor: float
    api_price_change_pct: float


@dataclass(frozen=True)
class Outcome:
    """One simulated future's figures."""

    monthly_savings_usd: float
    """API only − the plan in month 0."""
    payback_weeks: float | None
    cumulative_savings_usd: float
    """Cumulative API only − cumulative plan (setup included) over the horizon."""
    plan_cheaper: bool


@dataclass(frozen=True)
class Simulation:
    """Every draw's inputs and outcomes: arrays of one value per draw."""

    volume_factor: FloatArray
    monthly_growth_pct: FloatArray
    throughput_factor: FloatArray
    gpu_price_factor: FloatArray
    api_price_change_pct: FloatArray
    monthly_savings_usd: FloatArray
    cumulative_savings_usd: FloatArray
    plan_cheaper: NDArray[np.bool_]

    def draw(self, i: int) -> Draw:
        return Draw(
            volume_factor=float(self.volume_factor[i]),
            monthly_growth_pct=float(self.monthly_growth_pct[i]),
            throughput_factor=float(self.throughput_factor[i]),
            gpu_price_factor=float(self.gpu_price_factor[i]),
            api_price_change_pct=float(self.api_price_change_pct[i]),
        )


def monte_carlo(
    scenario: Scenario,
    deployments: dict[str, ResolvedDeployment],
    prices: dict[str, TierPrices],
    plan: Routing,
    rate_band: float | None = None,
) -> MonteCarlo | None:
    """The simulation of a plan's savings; None where the plan self-hosts nothing (it then
    saves nothing in every draw), or where the client gives no range and no modelled rate
    carries an error band.

    rate_band: the widest held-out error band of the plan's modelled rates; with no range from
    the client, the serving rates are drawn within it (1/band, 1, band) and nothing else moves.
    """
    basis: Literal["client", "rate_model"] = "client"
    if not plan.has_self_hosting:
        return None
    if not scenario.uncertainty.ranges:
        if rate_band is None or rate_band <= 1:
            return None
        band = Range(low=1 / rate_band, likely=1.0, high=rate_band)
        scenario = scenario.model_copy(
            update={
                "uncertainty": scenario.uncertainty.model_copy(update={"throughput_factor": band})
            }
        )
        basis = "rate_model"
    uncertainty = scenario.uncertainty
    simulation = simulate(scenario, deployments, prices, plan)
    setup = setup_cost_usd(scenario)
    savings = np.percentile(simulation.monthly_savings_usd, [10, 50, 90])
    cumulative = np.percentile(simulation.cumulative_savings_usd, [10, 50, 90])
    probability = float(np.mean(simulation.plan_cheaper))

    def weeks(monthly_savings: float) -> float | None:
        return payback_weeks(setup, monthly_savings)

    counts, edges = np.histogram(simulation.monthly_savings_usd, bins=HISTOGRAM_BINS)
    return MonteCarlo(
        draws=uncertainty.draws,
        seed=uncertainty.seed,
        distribution=uncertainty.distribution,
        uncertain=list(uncertainty.ranges),
        basis=basis,
        probability_plan_cheaper=probability,
        monthly_savings_usd_p10=float(savings[0]),
        monthly_savings_usd_p50=float(savings[1]),
        monthly_savings_usd_p90=float(savings[2]),
        # Payback falls as savings rise: its quick end is the high end of savings.
        payback_weeks_p10=weeks(float(savings[2])),
        payback_weeks_p50=weeks(float(savings[1])),
        payback_weeks_p90=weeks(float(savings[0])),
        cumulative_savings_usd_p10=float(cumulative[0]),
        cumulative_savings_usd_p50=float(cumulative[1]),
        cumulative_savings_usd_p90=float(cumulative[2]),
        histogram=Histogram(edges_usd=edges.tolist(), counts=counts.tolist()),
    )


def draw_inputs(scenario: Scenario) -> dict[str, FloatArray]:
    """The drawn inputs by uncertainty field, seeded; a field without a range stays as entered."""
    uncertainty = scenario.uncertainty
    rng = np.random.Generator(np.random.PCG64(uncertainty.seed))
    n = uncertainty.draws
    as_entered = {
        "volume_factor": 1.0,
        "monthly_growth_pct": scenario.workload.monthly_growth_pct,
        "throughput_factor": 1.0,
        "gpu_price_factor": 1.0,
        "api_price_change_pct": 0.0,
    }
    drawn = {}
    # One field after another in a fixed order: the same seed gives the same draws.
    for name, value in as_entered.items():
        given = uncertainty.ranges.get(name)
        if given is None:
            drawn[name] = np.full(n, value)
        else:
            drawn[name] = _sample(rng, given, uncertainty.distribution, n)
    return drawn


def simulate(
    scenario: Scenario,
    deployments: dict[str, ResolvedDeployment],
    prices: dict[str, TierPrices],
    plan: Routing,
) -> Simulation:
    """Every draw through the engine at once: month-0 savings and the horizon's cumulative costs."""
    drawn = draw_inputs(scenario)
    volume = drawn["volume_factor"]
    growth = 1 + drawn["monthly_growth_pct"] / 100
    throughput = drawn["throughput_factor"]
    gpu_price = drawn["gpu_price_factor"]
    api_price = 1 + drawn["api_price_change_pct"] / 100

    model = CostModel(scenario, deployments, prices)
    api_only_month = sum(model.tier_api_month.values())
    kept_month = sum(model.tier_api_month[t.tier] for t in plan.api_tiers)
    sites = [
        _Site.of(model, deployment_id, tiers, throughput, gpu_price)
        for deployment_id, tiers in plan.self_hosted.items()
    ]
    setup = setup_cost_usd(scenario) if plan.has_self_hosting else 0.0
    ops_month = model.ops_month_usd if sites else 0.0
    overhead = model.overhead_fraction

    cumulative_api = np.zeros_like(volume)
    cumulative_plan = np.zeros_like(volume)
    monthly_savings = np.zeros_like(volume)
    compounded = np.ones_like(volume)
    shared_growth = float(growth[0]) if np.all(growth == growth[0]) else None
    for month in range(scenario.operations.horizon_months):
        # A growth shared by every draw is raised to the month's power as horizon() does, to
        # the bit; drawn growth compounds month by month (np.power is 100 times slower).
        if shared_growth is not None:
            factor = volume * shared_growth**month
        else:
            if month > 0:
                compounded *= growth
            factor = volume * compounded
        api_only = api_only_month * api_price * factor
        plan_cost = kept_month * api_price * factor
        if sites:
            # Cost.monthly_cost_usd: api + Σ gpu + Σ overhead + ops, in that order.
            gpu = np.zeros_like(volume)
            overhead_cost = np.zeros_like(volume)
            for site in sites:
                site_gpu = site.gpu_month_usd(factor)
                gpu += site_gpu
                overhead_cost += site_gpu * overhead
            plan_cost += gpu
            plan_cost += overhead_cost
            plan_cost += ops_month
        if month == 0:
            monthly_savings = api_only - plan_cost
            plan_cost += setup
        cumulative_api += api_only
        cumulative_plan += plan_cost
    return Simulation(
        volume_factor=volume,
        monthly_growth_pct=drawn["monthly_growth_pct"],
        throughput_factor=throughput,
        gpu_price_factor=gpu_price,
        api_price_change_pct=drawn["api_price_change_pct"],
        monthly_savings_usd=monthly_savings,
        cumulative_savings_usd=cumulative_api - cumulative_plan,
        plan_cheaper=cumulative_plan < cumulative_api,
    )


def evaluate_draw(
    scenario: Scenario,
    deployments: dict[str, ResolvedDeployment],
    prices: dict[str, TierPrices],
    plan: Routing,
    draw: Draw,
) -> Outcome:
    """One draw through the scalar engine: the inputs changed as a client would type them."""
    perturbed = perturb(
        scenario,
        deployments,
        prices,
        Perturbation(
            volume=draw.volume_factor,
            throughput=draw.throughput_factor,
            gpu_hour_price=draw.gpu_price_factor,
            api_prices=1 + draw.api_price_change_pct / 100,
            monthly_growth_pct=draw.monthly_growth_pct,
        ),
    )
    savings, weeks = savings_and_payback(perturbed, plan)
    api_only = api_only_routing(perturbed.model.scenario)
    months = horizon(perturbed.model, api_only, plan, perturbed.setup_cost_usd)
    return Outcome(
        monthly_savings_usd=savings,
        payback_weeks=weeks,
        cumulative_savings_usd=months.cumulative_api_only_usd - months.cumulative_plan_usd,
        plan_cheaper=months.cumulative_plan_usd < months.cumulative_api_only_usd,
    )


@dataclass(frozen=True)
class _Site:
    """A deployment of the plan, with what does not change from month to month."""

    replica_steps: FloatArray
    """D_peak / (R × u_max) at each draw's volume 1 and throughput: replicas before ceil."""
    gpus_per_replica: int
    gpus_per_instance: int
    redundancy: int
    billed_gpu_month_usd: FloatArray
    """One billed GPU for a month at each draw's GPU-hour price."""

    @classmethod
    def of(
        cls,
        model: CostModel,
        deployment_id: str,
        tiers: list[Tier],
        throughput: FloatArray,
        gpu_price: FloatArray,
    ) -> _Site:
        dep = model.deployments[deployment_id]
        load = model.load(tiers)
        to_tps = TOKENS_PER_MTOK / SECONDS_PER_DAY
        peak = (load.realtime_input + load.realtime_output) * to_tps * (
            model.scenario.workload.peak_to_average
        ) + (load.batch_input + load.batch_output) * to_tps
        n = dep.gpus_per_replica
        rates = model.rates(deployment_id, load)
        # ResolvedDeployment.replica_tps with every rate × the draw's throughput factor.
        if rates.prefill_tps_per_gpu is not None and rates.decode_tps_per_gpu is not None:
            share = load.input_mtok / load.total_mtok
            prefill = rates.prefill_tps_per_gpu * throughput * n
            decode = rates.decode_tps_per_gpu * throughput * n
            replica_tps = 1 / (share / prefill + (1 - share) / decode)
        else:
            assert rates.tps_per_gpu is not None
            replica_tps = rates.tps_per_gpu * throughput * n
        u_max = model.scenario.operations.target_peak_utilisation_pct / 100
        return cls(
            replica_steps=peak / (replica_tps * u_max),
            gpus_per_replica=n,
            gpus_per_instance=dep.gpus_per_instance,
            redundancy=model.scenario.operations.redundancy,
            billed_gpu_month_usd=dep.gpu_hour_price_usd * gpu_price,
        )

    def gpu_month_usd(self, factor: FloatArray) -> FloatArray:
        """sizing.replicas_needed, billed_gpus and gpu_month_usd on arrays."""
        replicas = _whole(self.replica_steps * factor)
        np.maximum(replicas, 1.0, out=replicas)
        replicas += self.redundancy
        n, k = self.gpus_per_replica, self.gpus_per_instance
        # Whole instances, ceil(gpus / k) × k: the GPUs themselves where k divides n.
        billed = replicas * n if n % k == 0 else _whole(replicas * n / k) * k
        billed *= self.billed_gpu_month_usd
        billed *= HOURS_PER_MONTH
        return billed


def _whole(x: FloatArray) -> FloatArray:
    """sizing.whole on arrays of non-negative values, in place: ceil, tolerant of noise."""
    tolerance = np.maximum(x, 1.0)
    tolerance *= WHOLE_TOLERANCE
    x -= tolerance
    return np.ceil(x, out=x)


def _sample(rng: np.random.Generator, given: Range, distribution: str, n: int) -> FloatArray:
    low, likely, high = given.low, given.likely, given.high
    if low == high:
        return np.full(n, likely)
    if distribution == "triangular":
        return rng.triangular(low, likely, high, n)
    # PERT: a beta distribution on [low, high] whose mode is the likely value.
    alpha = 1 + PERT_LAMBDA * (likely - low) / (high - low)
    beta = 1 + PERT_LAMBDA * (high - likely) / (high - low)
    return low + (high - low) * rng.beta(alpha, beta, n)
