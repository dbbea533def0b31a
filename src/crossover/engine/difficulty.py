"""Routing by difficulty inside a tier (economics §7b).

A tier whose quality rule excludes a candidate may still send it the share of its requests
the client says it handles well (`small_model_share_pct`: the easier ones). The search then
sees the tier as two parts, each routed like any tier:

- the easier part: that share of the tier's volume, which any of the tier's options may take,
  the excluded candidates included;
- the rest: the remaining volume, which only the options meeting the rule may take (its API
  model always does).

Both parts keep the tier's API model, mode, request shape and latency promise, its proposed
route and its lock. The rest keeps the tier's id, so a tier that is not split and the rest of
one that is are read alike; the easier part's id is parts.easier_id(tier).
The split applies only where it can change a plan: the tier has a rule, the rule excludes at
least one candidate, and the tier is not locked (checks.py warns of a share that does none).
"""

from __future__ import annotations

from typing import Literal

from crossover.engine.parts import TierPart, easier_id
from crossover.engine.quality import QualityAssessment, TierQuality
from crossover.scenario import Scenario, Tier

__all__ = [
    "TierPart",
    "easier_id",
    "ineffective",
    "parts",
    "split_quality",
    "split_scenario",
    "split_tiers",
]

Ineffective = Literal["no_rule", "nothing_excluded", "locked"]
"""Why a stated share splits nothing: the tier has no quality rule; its rule excludes no
candidate (every option may take all of it already); it is locked to its proposed route."""


def ineffective(tier: Tier, judged: TierQuality) -> Ineffective | None:
    """Why a tier's stated easier share would split nothing (None: it splits the tier)."""
    if tier.small_model_share_pct is None:
        return None
    if not judged.has_rule:
        return "no_rule"
    if tier.locked:
        return "locked"
    if not judged.excluded:
        return "nothing_excluded"
    return None


def split_tiers(scenario: Scenario, quality: QualityAssessment) -> list[str]:
    """The tiers split by difficulty: a stated easier share that changes what may go where."""
    return [
        t.tier
        for t, judged in zip(scenario.tiers, quality.tiers, strict=True)
        if t.small_model_share_pct is not None and ineffective(t, judged) is None
    ]


def split_scenario(scenario: Scenario, split: list[str]) -> Scenario:
    """The scenario the search and the sizing work on: each split tier as its rest and its
    easier part, in that order, where the tier stood; every other tier as it is."""
    if not split:
        return scenario
    tiers: list[Tier] = []
    for tier in scenario.tiers:
        if tier.tier not in split:
            tiers.append(tier)
            continue
        easier = (tier.small_model_share_pct or 0.0) / 100
        tiers.append(_scaled(tier, tier.tier, 1 - easier))
        tiers.append(_scaled(tier, easier_id(tier.tier), easier))
    return scenario.model_copy(update={"tiers": tiers})


def parts(scenario: Scenario, split: list[str]) -> dict[str, TierPart]:
    """Part id → what it is, for the split tiers' two parts."""
    found: dict[str, TierPart] = {}
    for tier in scenario.tiers:
        if tier.tier in split:
            easier = tier.small_model_share_pct or 0.0
            found[tier.tier] = TierPart(part="rest", of=tier.tier, share_of_tier_pct=100 - easier)
            found[easier_id(tier.tier)] = TierPart(
                part="easier", of=tier.tier, share_of_tier_pct=easier
            )
    return found


def split_quality(quality: QualityAssessment, found: dict[str, TierPart]) -> QualityAssessment:
    """The assessment by part: the rest keeps its tier's rule and exclusions; the easier part
    shows the same scores, and excludes nothing (the client says the smaller model handles
    it)."""
    if not found:
        return quality
    tiers: list[TierQuality] = []
    for judged in quality.tiers:
        rest = found.get(judged.tier)
        if rest is None:
            tiers.append(judged)
            continue
        easier = easier_id(judged.tier)
        tiers.append(judged.model_copy(update={"part": rest}))
        tiers.append(judged.model_copy(update={"tier": easier, "part": found[easier]}))
    return quality.model_copy(update={"tiers": tiers})


def _scaled(tier: Tier, name: str, fraction: float) -> Tier:
    """The tier under another id carrying `fraction` of its volume, split no further."""
    update: dict[str, object] = {"tier": name, "small_model_share_pct": None}
    if tier.share_pct is not None:
        update["share_pct"] = tier.share_pct * fraction
    if tier.input_mtok_per_day is not None:
        update["input_mtok_per_day"] = tier.input_mtok_per_day * fraction
    if tier.output_mtok_per_day is not None:
        update["output_mtok_per_day"] = tier.output_mtok_per_day * fraction
    return tier.model_copy(update=update)
