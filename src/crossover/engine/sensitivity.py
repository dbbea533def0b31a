"""The tornado: each cost driver moved down and up on its own, savings and payback priced again."""

from __future__ import annotations

from dataclasses import dataclass, replace

from crossover.engine.horizon import payback_weeks, setup_cost_usd
from crossover.engine.results import (
    SensitivityBar,
    SensitivityDriver,
    SensitivityUnit,
    TierPrices,
)
from crossover.engine.scenarios import CostModel, Routing, api_only_routing
from crossover.engine.sizing import ResolvedDeployment
from crossover.scenario import Scenario

DRIVERS: tuple[SensitivityDriver, ...] = (
    "daily_volume",
    "peak_to_average",
    "throughput",
    "gpu_hour_price",
    "api_prices",
    "setup_cost",
    "ops_fte",
)
"""The drivers in the order they are tried (the tornado sorts them by swing)."""


@dataclass(frozen=True)
class Perturbation:
    """Multipliers on the engine's inputs (1: as entered), and a replacement growth rate."""

    volume: float = 1.0
    """On the daily input and output volume."""
    peak_to_average: float = 1.0
    """On the peak-to-average ratio; the result is floored at 1 (flat traffic)."""
    throughput: float = 1.0
    """On every deployment's serving rates."""
    gpu_hour_price: float = 1.0
    """On every deployment's GPU-hour price."""
    api_prices: float = 1.0
    """On every API price (input, cached input, output)."""
    setup_cost: float = 1.0
    """On the loaded engineer-week cost, hence on the setup cost."""
    ops_fte: float = 1.0
    """On the ops staff."""
    monthly_growth_pct: float | None = None
    """Volume growth, percent per month; None: the workload's own."""


@dataclass(frozen=True)
class Perturbed:
    """The engine's inputs with a perturbation applied: what CostModel and payback need."""

    model: CostModel
    setup_cost_usd: float


def perturb(
    scenario: Scenario,
    deployments: dict[str, ResolvedDeployment],
    prices: dict[str, TierPrices],
    change: Perturbation,
) -> Perturbed:
    """The same inputs with the changes applied, priced by the scalar CostModel.

    The changed values are those a client would type (volumes, ratios and costs in the scenario,
    rates and GPU prices in the Deployments table, API prices as price overrides), so analyse()
    of a scenario typed that way gives the same figures to the bit.
    """
    workload = scenario.workload
    ops = scenario.operations
    changed = scenario.model_copy(
        update={
            # A tier's own volume moves with the workload's (economics §1: every tier scaled
            # by the same factor in both volume forms).
            "tiers": [
                t.model_copy(
                    update={
                        "input_mtok_per_day": _times(t.input_mtok_per_day, change.volume),
                        "output_mtok_per_day": _times(t.output_mtok_per_day, change.volume),
                    }
                )
                if t.gives_volume
                else t
                for t in scenario.tiers
            ],
            "workload": workload.model_copy(
                update={
                    "input_mtok_per_day": workload.input_mtok_per_day * change.volume,
                    "output_mtok_per_day": workload.output_mtok_per_day * change.volume,
                    "peak_to_average": max(1.0, workload.peak_to_average * change.peak_to_average),
                    "monthly_growth_pct": workload.monthly_growth_pct
                    if change.monthly_growth_pct is None
                    else change.monthly_growth_pct,
                }
            ),
            "operations": ops.model_copy(
                update={
                    "engineer_week_cost": ops.engineer_week_cost * change.setup_cost,
                    "ops_fte": ops.ops_fte * change.ops_fte,
                }
            ),
        }
    )
    changed_deployments = {
        name: replace(
            dep,
            throughput_factor=dep.throughput_factor * change.throughput,
            gpu_hour_price_usd=dep.gpu_hour_price_usd * change.gpu_hour_price,
        )
        for name, dep in deployments.items()
    }
    changed_prices = {
        tier: p.model_copy(
            update={
                "input_per_mtok": p.input_per_mtok * change.api_prices,
                "cached_input_per_mtok": p.cached_input_per_mtok * change.api_prices,
                "output_per_mtok": p.output_per_mtok * change.api_prices,
            }
        )
        for tier, p in prices.items()
    }
    return Perturbed(
        model=CostModel(changed, changed_deployments, changed_prices),
        setup_cost_usd=setup_cost_usd(changed),
    )


def _times(value: float | None, factor: float) -> float | None:
    return None if value is None else value * factor


def savings_and_payback(perturbed: Perturbed, plan: Routing) -> tuple[float, float | None]:
    """A plan's month-0 savings (API only − the plan) and payback weeks, as analyse() computes
    them."""
    model = perturbed.model
    savings = (
        model.cost(api_only_routing(model.scenario)).monthly_cost_usd
        - model.cost(plan).monthly_cost_usd
    )
    weeks = None
    if plan.has_self_hosting:
        weeks = payback_weeks(perturbed.setup_cost_usd, savings)
    return savings, weeks


def sensitivity(
    scenario: Scenario,
    deployments: dict[str, ResolvedDeployment],
    prices: dict[str, TierPrices],
    plan: Routing,
) -> list[SensitivityBar]:
    """Every driver ± uncertainty.sensitivity_pct on its own, on a plan's savings; the largest
    swing first. A plan that self-hosts nothing saves nothing whatever moves: no bars."""
    if not plan.has_self_hosting:
        return []
    pct = scenario.uncertainty.sensitivity_pct
    down, up = 1 - pct / 100, 1 + pct / 100
    bars = []
    for driver in DRIVERS:
        low_savings, low_weeks = savings_and_payback(
            perturb(scenario, deployments, prices, _moved(driver, down)), plan
        )
        high_savings, high_weeks = savings_and_payback(
            perturb(scenario, deployments, prices, _moved(driver, up)), plan
        )
        unit, value = _value(scenario, deployments, driver)
        low = None if value is None else value * down
        high = None if value is None else value * up
        floored = driver == "peak_to_average" and low is not None and low < 1
        bars.append(
            SensitivityBar(
                driver=driver,
                move_pct=pct,
                unit=unit,
                low_value=max(1.0, low) if floored and low is not None else low,
                high_value=high,
                low_floored=floored,
                monthly_savings_usd_low=low_savings,
                monthly_savings_usd_high=high_savings,
                payback_weeks_low=low_weeks,
                payback_weeks_high=high_weeks,
                swing=abs(high_savings - low_savings),
            )
        )
    # sorted() is stable: equal swings keep the drivers' order.
    return sorted(bars, key=lambda bar: -bar.swing)


def _moved(driver: SensitivityDriver, factor: float) -> Perturbation:
    return {
        "daily_volume": Perturbation(volume=factor),
        "peak_to_average": Perturbation(peak_to_average=factor),
        "throughput": Perturbation(throughput=factor),
        "gpu_hour_price": Perturbation(gpu_hour_price=factor),
        "api_prices": Perturbation(api_prices=factor),
        "setup_cost": Perturbation(setup_cost=factor),
        "ops_fte": Perturbation(ops_fte=factor),
    }[driver]


def _value(
    scenario: Scenario,
    deployments: dict[str, ResolvedDeployment],
    driver: SensitivityDriver,
) -> tuple[SensitivityUnit, float | None]:
    """The driver's value as entered, in its unit; None where no single value stands for it."""
    workload, ops = scenario.workload, scenario.operations
    if driver == "daily_volume":
        return "mtok_per_day", workload.total_mtok_per_day
    if driver == "peak_to_average":
        return "ratio", workload.peak_to_average
    if driver == "setup_cost":
        return "usd", setup_cost_usd(scenario)
    if driver == "ops_fte":
        return "fte", ops.ops_fte
    if driver == "gpu_hour_price":
        hourly = {d.gpu_hour_price_usd for d in deployments.values()}
        if len(hourly) == 1:
            return "usd_per_gpu_hour", hourly.pop()
    return "none", None
