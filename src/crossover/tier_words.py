"""A tier's name as the client reads it, including the parts of a tier split by difficulty.

The engine routes a split tier as two parts (engine/difficulty.py): the rest under the tier's
own id and the easier share under an id of its own. Every output names them through here, so
no part id reaches a page: 'extraction (the easier 60%)', 'extraction (the other 40%)'.
"""

from __future__ import annotations

from crossover import formatting
from crossover.engine.parts import TierPart
from crossover.engine.results import Plan, Results
from crossover.formatting import Display


def tier_label(tier: str, part: TierPart | None, display: Display) -> str:
    """A tier, or a part of one, by name."""
    if part is None:
        return tier
    share = formatting.percent_points(part.share_of_tier_pct, display)
    which = "the easier" if part.part == "easier" else "the other"
    return f"{part.of} ({which} {share})"


def tier_labels(results: Results, display: Display) -> dict[str, str]:
    """Every routed tier or part of one, id → name (the client's own tiers as typed)."""
    return {t.tier: tier_label(t.tier, t.part, display) for t in results.tiers}


def named_routes(plan: Plan, results: Results, display: Display) -> list[tuple[str, str]]:
    """The plan's routes as (name, route), in its order; a split tier whose two parts go the
    same way is named once, as the tier."""
    part_of = {t.tier: t.part for t in results.tiers}
    found: list[tuple[str, str]] = []
    named: set[str] = set()
    for tier, route in plan.routes.items():
        if tier in named:
            continue
        part = part_of.get(tier)
        if part is not None:
            pair = [t for t, p in part_of.items() if p is not None and p.of == part.of]
            if len({plan.routes[t] for t in pair}) == 1:
                found.append((part.of, route))
                named.update(pair)
                continue
        found.append((tier_label(tier, part, display), route))
    return found


def tier_names(tier_ids: list[str], results: Results, display: Display) -> list[str]:
    """Tiers or parts of tiers by name, in order; both parts of a split tier as the tier."""
    part_of = {t.tier: t.part for t in results.tiers}
    wholes = {
        p.of
        for p in part_of.values()
        if p is not None
        and all(t in tier_ids for t, q in part_of.items() if q is not None and q.of == p.of)
    }
    found: list[str] = []
    for tier in tier_ids:
        part = part_of.get(tier)
        name = (
            part.of if part is not None and part.of in wholes else tier_label(tier, part, display)
        )
        if name not in found:
            found.append(name)
    return found
