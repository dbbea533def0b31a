"""Words for quality next to cost (economics §7b): rules, scores, gaps and evidence as text.

A presenter: it words the engine's QualityAssessment and chooses nothing.
"""

from __future__ import annotations

from collections.abc import Callable

from crossover.engine.quality import Evidence, OptionQuality, QualityAssessment, TierQuality
from crossover.quality import TaskFamily

FAMILY_LABELS: dict[TaskFamily, str] = {
    "knowledge": "knowledge",
    "reasoning": "reasoning",
    "instruction_following": "instruction following",
    "chat": "open-ended chat",
    "math": "mathematics",
    "coding": "coding",
    "structured_data": "structured data",
    "summary_faithfulness": "faithful summaries",
    "long_context": "long documents",
}


def points(value: float | None) -> str:
    """A score as shown: one decimal, or 'no score' where none was published or measured."""
    return "no score" if value is None else f"{value:.1f}"


def gap(value: float | None) -> str:
    """A gap to the API model in words: '5.8 points below', '1.0 point above', 'level'."""
    if value is None:
        return "not comparable"
    if abs(value) < 0.05:
        return "level"
    size = abs(value)
    unit = "point" if round(size, 1) == 1.0 else "points"
    return f"{size:.1f} {unit} {'below' if value > 0 else 'above'}"


class QualityWords:
    """Sentences about one analysis's quality assessment."""

    points = staticmethod(points)
    gap = staticmethod(gap)

    def __init__(
        self,
        assessment: QualityAssessment,
        name: Callable[[str], str] = lambda model: model,
        tier: Callable[[str], str] = lambda tier: tier,
    ) -> None:
        self.publishers = {source.id: source.publisher for source in assessment.sources}
        self.name = name
        """A model's name as the client reads it, for an API model's id or an open model's."""
        self.tier = tier
        """A tier's name, or a part of a tier split by difficulty ('extraction (the easier
        60%)')."""

    def evidence(self, evidence: Evidence | None) -> str:
        """Where a score comes from, with its date; the publisher is named in the sources line."""
        if evidence is None:
            return "no published score, and none from the client's own tests"
        if evidence.basis == "client":
            return (
                f"the client's own test, {evidence.sample_size:,} requests, "
                f"{evidence.on.isoformat()}"
            )
        kind = "independent" if evidence.independent else "vendor's claim"
        served = ", run quantised" if evidence.quantised else ""
        return f"{evidence.benchmark} ({kind}{served}), seen {evidence.on.isoformat()}"

    def source(self, source_id: str) -> str:
        """The publisher of a public source, as the evaluation table names it."""
        return self.publishers.get(source_id, source_id)

    @staticmethod
    def rule(tier: TierQuality) -> str:
        """The tier's rule: 'at most 3 points below the API model on instruction following'."""
        scale = (
            "on the client's own test"
            if tier.basis == "client"
            else f"on {FAMILY_LABELS[tier.task_family]}"
            if tier.task_family is not None
            else ""
        )
        parts = []
        if tier.max_quality_drop is not None:
            parts.append(f"at most {tier.max_quality_drop:g} points below the API model")
        if tier.quality_floor is not None:
            parts.append(f"a score of at least {tier.quality_floor:g}")
        if not parts:
            return f"no rule; scores shown {scale}".rstrip() if scale else "no rule"
        rule = " and ".join(parts) + (f" {scale}" if scale else "")
        if tier.part is not None and tier.part.part == "easier":
            return (
                "none for this share, which the client says a smaller model handles "
                f"(the tier's: {rule})"
            )
        return rule

    @staticmethod
    def verdict(option: OptionQuality, tier: TierQuality) -> str:
        """Why a candidate is in or out, with by how much it misses."""
        short = option.shortfall_points or 0.0
        if option.verdict == "below_drop":
            return (
                f"excluded: {option.gap_points or 0.0:.1f} points below the API model, "
                f"{short:.1f} more than the {tier.max_quality_drop or 0.0:g} allowed"
            )
        if option.verdict == "below_floor":
            return f"excluded: {short:.1f} points under the floor of {tier.quality_floor or 0.0:g}"
        if option.verdict == "no_score":
            return "excluded: no score to show it meets the rule"
        if option.verdict == "no_api_score":
            return "excluded: the API model has no score to compare it with"
        return "meets the rule" if tier.has_rule else "no rule"

    @classmethod
    def standing(cls, option: OptionQuality, tier: TierQuality) -> str:
        """A candidate's standing in the search: its verdict, or for the easier part of a split
        tier, that it may take that share although it misses the rule."""
        verdict = cls.verdict(option, tier)
        if option.excluded and tier.part is not None and tier.part.part == "easier":
            return verdict.replace("excluded: ", "misses the rule (", 1) + (
                "), but may take the easier share the client says a smaller model handles"
            )
        return verdict

    def line(self, tier: TierQuality, route: str, name: str | None = None) -> str:
        """One sentence for a tier of a plan, for a page with room for one line (the brief).

        route: the plan's route for the tier, 'api' or a deployment id; name: the tier's name
        where it is not the assessment's (a split tier said as one).
        """
        chosen = tier.option(route)
        left_out = len(tier.excluded)
        barred = (
            f"; its rule left out {left_out} candidate{'s' if left_out != 1 else ''}"
            if left_out
            else ""
        )
        if chosen.excluded and tier.part is not None and tier.part.part == "easier":
            barred = "; below the rule, taken for the easier share the client says it handles"
        name = name or self.tier(tier.tier)
        api_model, model = self.name(tier.api.model), self.name(chosen.model)
        if chosen.deployment is None:
            return f"{name} stays on {api_model}{barred}."
        api = tier.api.evidence
        if chosen.evidence is None or api is None:
            return f"{name} moves to {model}, with no score to set against {api_model}'s{barred}."
        return (
            f"{name} moves to {model}: {points(chosen.evidence.points)} against "
            f"{api_model}'s {points(api.points)}, {gap(chosen.gap_points)} "
            f"({self.evidence(chosen.evidence)}){barred}."
        )
