"""The plans compared: the named plans of §7a and, per tier of the headline plan, what its other
options would cost."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from crossover.engine.plans import API, PlanCost, PlanSearch, SearchOutcome
from crossover.engine.results import (
    PlanInstance,
    PlanName,
    SearchSummary,
    TierChoice,
    TierMove,
)

ALTERNATIVES = 3
"""The next-best plans shown beside the named ones."""

ROLE_ORDER: tuple[PlanName, ...] = ("best", "proposed", "api_only", "all_self_hosted")
"""A routing that fills several roles is named by the first of them here."""


@dataclass(frozen=True)
class NamedPlan:
    """A routing to analyse, with its key, its roles and whether the constraints allow it."""

    key: str
    name: PlanName
    also: tuple[PlanName, ...]
    cost: PlanCost
    allowed: bool


def named_plans(
    search: PlanSearch, outcome: SearchOutcome, api_only: PlanCost, proposed: PlanCost
) -> list[NamedPlan]:
    """API only, the proposal, the best, the best all-self-hosted, then the next best; each
    routing once, in that order, with every role it fills."""
    roles: list[tuple[PlanName, PlanCost]] = [
        ("api_only", api_only),
        ("proposed", proposed),
        ("best", outcome.ranked[0]),
    ]
    if outcome.all_self_hosted is not None:
        roles.append(("all_self_hosted", outcome.all_self_hosted))
    by_choice: dict[tuple[int, ...], list[PlanName]] = {}
    costs: dict[tuple[int, ...], PlanCost] = {}
    for role, cost in roles:
        by_choice.setdefault(cost.choice, []).append(role)
        costs.setdefault(cost.choice, cost)
    found = []
    for choice, filled in by_choice.items():
        ordered = sorted(filled, key=ROLE_ORDER.index)
        found.append(
            NamedPlan(
                ordered[0], ordered[0], tuple(ordered[1:]), costs[choice], search.allows(choice)
            )
        )
    others = [
        c for c in outcome.ranked[1:] if c.choice not in by_choice and math.isfinite(c.horizon_usd)
    ][:ALTERNATIVES]
    found += [
        NamedPlan(f"alternative_{i}", "alternative", (), c, True)
        for i, c in enumerate(others, start=1)
    ]
    return found


def instances(cost: PlanCost) -> dict[str, PlanInstance]:
    """Where each deployment a plan uses runs."""
    return {
        d: PlanInstance(
            instance=p.instance.id if p.instance is not None else None,
            price_plan=p.price_plan,
            gpus_per_instance=p.gpus_per_instance,
            gpu_hour_price_usd=p.gpu_hour_price_usd,
        )
        for d, p in sorted(cost.placements.items())
    }


def summary(outcome: SearchOutcome) -> SearchSummary:
    return SearchSummary(
        routings=outcome.routings,
        evaluated=outcome.evaluated,
        exhaustive=outcome.exhaustive,
        method=outcome.method,
        proven=outcome.proven,
        lower_bound_usd=outcome.lower_bound_usd,
        gap_usd=outcome.gap_usd,
        nodes=outcome.nodes,
    )


def tier_choices(search: PlanSearch, best: PlanCost, proposed: PlanCost) -> list[TierChoice]:
    """Per tier: each other option with everything else in the headline plan kept, cheapest
    first."""
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
                    # An option the rate model says cannot serve the tier here is no choice.
                    if math.isfinite(float(e.horizon_usd[i]))
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
