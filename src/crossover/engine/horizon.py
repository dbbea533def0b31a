"""Payback of the engineering effort and the month-by-month horizon with growth (economics §6)."""

from __future__ import annotations

from crossover.engine.results import Horizon, HorizonMonth, ScenarioName
from crossover.engine.scenarios import CostModel, Routing
from crossover.scenario import Scenario

WEEKS_PER_MONTH = 52 / 12


def setup_cost_usd(scenario: Scenario) -> float:
    """economics §6: setup_weeks × setup_engineers × engineer_week_cost."""
    ops = scenario.operations
    return ops.setup_weeks * ops.setup_engineers * ops.engineer_week_cost


def payback_weeks(setup_cost_usd: float, monthly_savings_usd: float) -> float | None:
    """setup / (monthly savings × 12/52); None ("never") when the proposal saves nothing."""
    if monthly_savings_usd <= 0:
        return None
    return setup_cost_usd / (monthly_savings_usd * 12 / 52)


def horizon(
    model: CostModel,
    routings: dict[ScenarioName, Routing],
    setup_cost_usd: float,
) -> Horizon:
    """Both scenarios month by month, replicas re-sized to each month's volume."""
    workload = model.scenario.workload
    growth = 1 + workload.monthly_growth_pct / 100
    api_only, proposed = routings["api_only"], routings["proposed"]
    all_self = routings.get("all_self_hosted")
    proposed_setup = setup_cost_usd if proposed.has_self_hosting else 0.0
    months = []
    cumulative_api = cumulative_proposed = 0.0
    cumulative_all_self = setup_cost_usd
    payback_month = None
    for month in range(model.scenario.operations.horizon_months):
        factor = growth**month
        api_cost = model.cost(api_only, factor).monthly_cost_usd
        proposed_cost = model.cost(proposed, factor)
        proposed_usd = proposed_cost.monthly_cost_usd + (proposed_setup if month == 0 else 0.0)
        cumulative_api += api_cost
        cumulative_proposed += proposed_usd
        if all_self is not None:
            cumulative_all_self += model.cost(all_self, factor).monthly_cost_usd
        if (
            payback_month is None
            and proposed.has_self_hosting
            and cumulative_proposed < cumulative_api
        ):
            payback_month = month
        months.append(
            HorizonMonth(
                month=month,
                volume_factor=factor,
                total_mtok_per_day=workload.total_mtok_per_day * factor,
                api_only_usd=api_cost,
                proposed_usd=proposed_usd,
                cumulative_api_only_usd=cumulative_api,
                cumulative_proposed_usd=cumulative_proposed,
                replicas={d: c.replicas for d, c in proposed_cost.deployments.items()},
            )
        )
    return Horizon(
        months=months,
        setup_cost_usd=setup_cost_usd,
        payback_month=payback_month,
        cumulative_api_only_usd=cumulative_api,
        cumulative_proposed_usd=cumulative_proposed,
        cumulative_all_self_hosted_usd=cumulative_all_self if all_self is not None else None,
    )
