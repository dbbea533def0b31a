"""Payback of the engineering effort and the month-by-month horizon with growth (economics §6)."""

from __future__ import annotations

from crossover.engine.results import Horizon, HorizonMonth, QuarterCash
from crossover.engine.scenarios import CostModel, Routing
from crossover.scenario import Scenario

WEEKS_PER_MONTH = 52 / 12


def setup_cost_usd(scenario: Scenario) -> float:
    """economics §6: setup_weeks × setup_engineers × engineer_week_cost."""
    ops = scenario.operations
    return ops.setup_weeks * ops.setup_engineers * ops.engineer_week_cost


def payback_weeks(setup_cost_usd: float, monthly_savings_usd: float) -> float | None:
    """setup / (monthly savings × 12/52); None ("never") when the plan saves nothing."""
    if monthly_savings_usd <= 0:
        return None
    return setup_cost_usd / (monthly_savings_usd * 12 / 52)


def horizon(model: CostModel, api_only: Routing, plan: Routing, setup_cost_usd: float) -> Horizon:
    """A plan against API only month by month, replicas re-sized to each month's volume; the
    setup cost falls in month 0 where the plan self-hosts anything."""
    workload = model.scenario.workload
    growth = 1 + workload.monthly_growth_pct / 100
    setup = setup_cost_usd if plan.has_self_hosting else 0.0
    months = []
    cumulative_api = cumulative_plan = 0.0
    payback_month = None
    for month in range(model.scenario.operations.horizon_months):
        factor = growth**month
        api_cost = model.cost(api_only, factor).monthly_cost_usd
        plan_cost = model.cost(plan, factor)
        plan_usd = plan_cost.monthly_cost_usd + (setup if month == 0 else 0.0)
        cumulative_api += api_cost
        cumulative_plan += plan_usd
        if payback_month is None and plan.has_self_hosting and cumulative_plan < cumulative_api:
            payback_month = month
        months.append(
            HorizonMonth(
                month=month,
                volume_factor=factor,
                total_mtok_per_day=workload.total_mtok_per_day * factor,
                api_only_usd=api_cost,
                plan_usd=plan_usd,
                cumulative_api_only_usd=cumulative_api,
                cumulative_plan_usd=cumulative_plan,
                replicas={d: c.replicas for d, c in plan_cost.deployments.items()},
            )
        )
    return Horizon(
        months=months,
        setup_cost_usd=setup,
        payback_month=payback_month,
        cumulative_api_only_usd=cumulative_api,
        cumulative_plan_usd=cumulative_plan,
    )


def first_year_by_quarter(months: Horizon) -> list[QuarterCash]:
    """The horizon's first twelve months summed by quarter (whole quarters only)."""
    year = months.months[:12]
    return [
        QuarterCash(
            quarter=q + 1,
            plan_usd=sum(m.plan_usd for m in year[3 * q : 3 * q + 3]),
            api_only_usd=sum(m.api_only_usd for m in year[3 * q : 3 * q + 3]),
        )
        for q in range(len(year) // 3)
    ]
