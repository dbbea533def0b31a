"""The plans compared: the named plans of §7a and, per tier, what its other options would cost."""

from __future__ import annotations

import numpy as np

from crossover.engine.horizon import payback_weeks
from crossover.engine.plans import API, PlanCost, PlanSearch, SearchOutcome
from crossover.engine.results import (
    Plan,
    PlanInstance,
    PlanName,
    SearchSummary,
    TierChoice,
    TierMove,
)

ALTERNATIVES = 3
"""The next-best plans shown beside the named ones."""


def plan_result(
    name: PlanName, cost: PlanCost, api_only: PlanCost, setup_usd: float, exhaustive: bool
) -> Plan:
    savings = api_only.month0_usd - cost.month0_usd
    return Plan(
        name=name,
        routes=cost.routes,
        instances={
            d: PlanInstance(
                instance=p.instance.id if p.instance is not None else None,
                price_plan=p.price_plan,
                gpus_per_instance=p.gpus_per_instance,
                gpu_hour_price_usd=p.gpu_hour_price_usd,
            )
            for d, p in sorted(cost.placements.items())
        },
        monthly_cost_usd=cost.month0_usd,
        horizon_cost_usd=cost.horizon_usd,
        monthly_savings_usd=savings,
        payback_weeks=payback_weeks(setup_usd, savings) if cost.has_self_hosting else None,
        billed_gpus=cost.billed_gpus,
        deployments=cost.deployments,
        exhaustive=exhaustive,
    )


def named_plans(
    outcome: SearchOutcome, api_only: PlanCost, proposed: PlanCost, setup_usd: float
) -> list[Plan]:
    """API only, the proposal, the best, the best all-self-hosted, then the next best."""
    exhaustive = outcome.exhaustive
    best = outcome.ranked[0]
    named: list[tuple[PlanName, PlanCost]] = [
        ("api_only", api_only),
        ("proposed", proposed),
        ("best", best),
    ]
    if outcome.all_self_hosted is not None:
        named.append(("all_self_hosted", outcome.all_self_hosted))
    shown = {cost.choice for _, cost in named}
    others = [c for c in outcome.ranked[1:] if c.choice not in shown][:ALTERNATIVES]
    named += [("alternative", c) for c in others]
    return [plan_result(n, c, api_only, setup_usd, exhaustive) for n, c in named]


def summary(outcome: SearchOutcome) -> SearchSummary:
    return SearchSummary(
        routings=outcome.routings,
        evaluated=outcome.evaluated,
        exhaustive=outcome.exhaustive,
        method="exhaustive" if outcome.exhaustive else "coordinate_descent",
    )


def tier_choices(search: PlanSearch, best: PlanCost, proposed: PlanCost) -> list[TierChoice]:
    """Per tier: each other option with everything else in the best plan kept, cheapest first."""
    found = []
    for t, tier in enumerate(search.tiers):
        others = [o for o in search.options[t] if o != best.choice[t]]
        moves: list[TierMove] = []
        if others:
            batch = [(*best.choice[:t], o, *best.choice[t + 1 :]) for o in others]
            e = search.evaluate(np.array(batch, dtype=np.int64))
            moves = sorted(
                (
                    TierMove(
                        route=_route(search, o),
                        horizon_cost_change_usd=float(e.horizon_usd[i]) - best.horizon_usd,
                    )
                    for i, o in enumerate(others)
                    # An infinite horizon cost: the option cannot serve the tier at all.
                    if np.isfinite(e.horizon_usd[i])
                ),
                key=lambda m: m.horizon_cost_change_usd,
            )
        found.append(
            TierChoice(
                tier=tier.tier,
                route=best.routes[tier.tier],
                proposed_route=proposed.routes[tier.tier],
                locked=tier.locked,
                moves=moves,
            )
        )
    return found


def _route(search: PlanSearch, option: int) -> str:
    return "api" if option == API else search.deployment_ids[option]
