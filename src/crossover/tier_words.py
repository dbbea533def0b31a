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


def split_with(tier_id: str, results: Results) -> list[str]:
    """The ids routed for the client's tier that `tier_id` is, or is part of: both parts of a
    split tier (the rest, then the easier share), or the tier alone."""
    of = {t.tier: t.part.of if t.part is not None else t.tier for t in results.tiers}
    return [t for t in of if of[t] == of.get(tier_id, tier_id)]


def named_routes(plan: Plan, results: Results, display: Display) -> list[tuple[str, str]]:
    """The plan's routes as (name, route), in its order; a split tier whose two parts go the
    same way is named once, as the tier."""
    found: list[tuple[str, str]] = []
    said: set[str] = set()
    for tier, route in plan.routes.items():
        if tier in said:
            continue
        pair = split_with(tier, results)
        ids = pair if all(plan.routes[t] == route for t in pair) else [tier]
        said.update(ids)
        found.append((tier_names(ids, results, display)[0], route))
    return found


def tier_names(tier_ids: list[str], results: Results, display: Display) -> list[str]:
    """Tiers or parts of tiers by name, in order; both parts of a split tier as the tier."""
    parts = {t.tier: t.part for t in results.tiers}
    found: list[str] = []
    for tier in tier_ids:
        part = parts.get(tier)
        whole = part is not None and all(t in tier_ids for t in split_with(tier, results))
        name = part.of if part is not None and whole else tier_label(tier, part, display)
        if name not in found:
            found.append(name)
    return found
