"""The exact crossover volume, solved per whole-replica step (economics §5)."""

from __future__ import annotations

import heapq
import math

from crossover.engine.constants import DAYS_PER_MONTH, HOURS_PER_MONTH
from crossover.engine.results import CostCurvePoint, Crossover
from crossover.engine.scenarios import CostModel, Routing
from crossover.engine.sizing import demand_tps

# Beyond this many replica steps the search stops: a crossover that far away is "never".
MAX_STEPS = 200_000
CHART_POINTS = 160
NO_CROSSOVER_CHART_FACTOR = 3.0
"""Without a crossover, the chart runs to three times today's volume."""
CHART_MAX_STEPS = 400


def solve_crossover(model: CostModel, plan: Routing, api_only: Routing) -> Crossover:
    """Scale every volume by x; find where a plan becomes, and stays, no dearer
    than API only.

    Self-hosted cost is a step function of whole replicas and API cost is linear, so within each
    step the plan is cheaper on an interval x ≥ S/(B − A), where S is the step's self-hosted
    cost, B the API-only cost per unit of x and A the cost of the tiers the plan keeps on
    the API. Above X_max a linear bound on S guarantees the plan stays cheaper, so scanning
    the steps downwards from X_max, the first step with a dearer part holds the crossover.
    """
    today = model.scenario.workload.total_mtok_per_day
    b = sum(model.tier_api_month[t.tier] for t in api_only.api_tiers)
    a = sum(model.tier_api_month[t.tier] for t in plan.api_tiers)
    moved = b - a
    if not plan.has_self_hosting:
        return Crossover(
            status="no_self_hosting",
            today_mtok_per_day=today,
            crossover_mtok_per_day=None,
            volume_factor=None,
            api_price_rise_needed_pct=None,
            marginal_selfhost_usd_per_mtok=None,
            moved_api_usd_per_mtok=None,
            curve=_curve(model, plan, b, NO_CROSSOVER_CHART_FACTOR, []),
        )

    ops = model.scenario.operations
    u_max = ops.target_peak_utilisation_pct / 100
    overhead = 1 + model.overhead_fraction
    steps: dict[str, float] = {}  # q_d: replica steps (before redundancy) per unit of x
    slope = 0.0
    bound = model.ops_month_usd
    for deployment_id, tiers in plan.self_hosted.items():
        dep = model.deployments[deployment_id]
        load = model.load(tiers)
        _, peak = demand_tps(load, model.scenario.workload.peak_to_average)
        q = peak / (model.replica_tps_for(deployment_id, tuple(t.tier for t in tiers)) * u_max)
        steps[deployment_id] = q
        replica_month = dep.replica_hour_usd * HOURS_PER_MONTH * overhead
        slope += replica_month * q
        # billed GPUs ≤ (x q + 2 + redundancy) n + k: an upper bound on S(x) linear in x.
        bound += replica_month * (2 + ops.redundancy) + (
            dep.gpus_per_instance * dep.gpu_hour_price_usd * HOURS_PER_MONTH * overhead
        )

    moved_mtok = sum(model.volumes[t.tier].total for ts in plan.self_hosted.values() for t in ts)
    per_mtok = DAYS_PER_MONTH * moved_mtok
    marginal = slope / per_mtok
    moved_price = moved / per_mtok

    def outcome(factor: float | None, rise: float | None) -> Crossover:
        chart_max = NO_CROSSOVER_CHART_FACTOR if factor is None else max(2.0, 1.25 * factor)
        return Crossover(
            status="never" if factor is None else "crossover",
            today_mtok_per_day=today,
            crossover_mtok_per_day=None if factor is None else factor * today,
            volume_factor=factor,
            api_price_rise_needed_pct=rise,
            marginal_selfhost_usd_per_mtok=marginal,
            moved_api_usd_per_mtok=moved_price,
            curve=_curve(model, plan, b, chart_max, sorted(_breakpoints(steps, chart_max))),
        )

    if moved <= slope:
        return outcome(None, (slope / moved - 1) * 100 if moved > 0 else None)
    # None when not found within MAX_STEPS replica steps: too far away to call it a crossover.
    return outcome(_scan_down(model, plan, a, moved, steps, bound / (moved - slope)), None)


def _scan_down(
    model: CostModel,
    plan: Routing,
    a: float,
    moved: float,
    steps: dict[str, float],
    x_max: float,
) -> float | None:
    """The crossover factor: the threshold inside the highest step that has a dearer part."""

    def selfhost_cost(x: float) -> float:
        return model.cost(plan, x).monthly_cost_usd - a * x

    # Each deployment's replica count steps up just after x = j / q; walk them downwards.
    heap: list[tuple[float, str, int]] = []
    for deployment_id, q in steps.items():
        top = math.floor(x_max * q)
        if top >= 1:
            heapq.heappush(heap, (-(top / q), deployment_id, top))
    hi = x_max
    for _ in range(MAX_STEPS):
        if heap:
            negative_lo, deployment_id, j = heapq.heappop(heap)
            lo = -negative_lo
            if j > 1:
                heapq.heappush(heap, (-((j - 1) / steps[deployment_id]), deployment_id, j - 1))
        else:
            lo = 0.0
        if lo < hi:
            threshold = selfhost_cost((lo + hi) / 2) / moved
            if threshold > lo:
                return min(threshold, hi)
            hi = lo
        if lo == 0.0:
            return None
    return None


def _breakpoints(steps: dict[str, float], x_max: float) -> set[float]:
    points: set[float] = set()
    for q in steps.values():
        count = math.floor(x_max * q)
        if count > CHART_MAX_STEPS:
            return set()
        points.update(j / q for j in range(1, count + 1))
    return points if len(points) <= CHART_MAX_STEPS else set()


def _curve(
    model: CostModel, plan: Routing, b: float, x_max: float, breakpoints: list[float]
) -> list[CostCurvePoint]:
    """Both scenarios' monthly cost from zero to x_max × today, each replica step drawn sharp."""
    today = model.scenario.workload.total_mtok_per_day
    xs = {x_max * i / CHART_POINTS for i in range(1, CHART_POINTS + 1)}
    for point in breakpoints:
        xs.update((point, point * (1 + 1e-6)))
    return [
        CostCurvePoint(
            mtok_per_day=x * today,
            api_only_usd=b * x,
            plan_usd=model.cost(plan, x).monthly_cost_usd,
        )
        for x in sorted(xs)
    ]
