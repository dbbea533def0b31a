"""Quality next to cost: per tier, each option's score, its gap to the API model, and which
candidates the tier's rule excludes before the search (economics §7b). Numbers and ids only.

Scores compare only on one scale. A tier the client's Evaluations table covers (any row for
that tier) is judged on the client's own scores alone; any other tier on the public table's
benchmark for its task family. A score from one is never set against a score from the other.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict

from crossover.catalogue import Catalogue
from crossover.engine.parts import TierPart
from crossover.quality import TaskFamily
from crossover.scenario import Scenario, Tier

RULE_TOLERANCE_POINTS = 1e-9
"""A gap equal to the allowed drop passes: scores are rounded figures, compared exactly."""

Basis = Literal["client", "public"]
Verdict = Literal["passes", "below_drop", "below_floor", "no_score", "no_api_score"]
"""passes; below_drop: more than max_quality_drop under the API model; below_floor: under
quality_floor; no_score: the option has no score on the tier's basis; no_api_score: the rule
is relative to the API model, which has none."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


class Evidence(_Model):
    """Where a score comes from."""

    basis: Basis
    """client: the client's Evaluations table; public: the shipped evaluation table."""
    points: float
    """The score: the client's metric, or the public benchmark's 0-100."""
    on: date
    """When the client's evaluation ran, or when the public figure was seen at its source."""
    sample_size: int | None = None
    """Requests the client's score was measured on (client basis only)."""
    benchmark: str | None = None
    """The public benchmark's name (public basis only)."""
    source_id: str | None = None
    """The public source's id in the evaluation table (public basis only)."""
    independent: bool | None = None
    """The public source ran every model the same way (public basis only)."""
    evaluated_as: str | None = None
    """The exact model the public source ran (public basis only)."""
    quantised: bool | None = None
    """The public source ran the model quantised below its trained precision (its host's
    statement); None: not stated, an API model, or the client's own test."""


class OptionQuality(_Model):
    """One option of a tier: its API model or a candidate deployment, as scored."""

    deployment: str | None
    """The deployment id; None for the tier's API model."""
    model: str
    """The model scored: the API model's id, or the deployment's open-weight model."""
    evidence: Evidence | None
    """None: no score on the tier's basis (missing, never filled in)."""
    gap_points: float | None
    """API model's score minus this option's (positive: below the API model); None where
    either score is missing."""
    verdict: Verdict
    shortfall_points: float | None
    """By how much the option misses its tier's rule (below_drop, below_floor); else None."""

    @property
    def excluded(self) -> bool:
        return self.verdict != "passes"


class TierQuality(_Model):
    """A tier's quality rule and how every option fares against it."""

    tier: str
    task_family: TaskFamily | None
    max_quality_drop: float | None
    quality_floor: float | None
    basis: Basis | None
    """The scale the tier is judged on; None: no family and no client scores."""
    api: OptionQuality
    candidates: list[OptionQuality]
    """One per candidate deployment, in the tier's order."""
    part: TierPart | None = None
    """Where the tier is split by difficulty, which part this is (engine/difficulty.py)."""

    @property
    def has_rule(self) -> bool:
        return self.max_quality_drop is not None or self.quality_floor is not None

    @property
    def misses(self) -> list[OptionQuality]:
        """The candidates that miss the rule."""
        return [c for c in self.candidates if c.excluded]

    @property
    def excluded(self) -> list[OptionQuality]:
        """The candidates the rule removes from the search: those that miss it, except from a
        split tier's easier part, which the client says they handle."""
        if self.part is not None and self.part.part == "easier":
            return []
        return self.misses

    def option(self, deployment: str | None) -> OptionQuality:
        """The scored option for a route: a deployment id, or None (or 'api') for the API."""
        if deployment in (None, "api"):
            return self.api
        return next(c for c in self.candidates if c.deployment == deployment)


class EvaluationSource(_Model):
    """A public source the assessment drew on, as the evaluation table states it."""

    id: str
    publisher: str
    independent: bool
    """One party ran every model the same way (else: a model's maker's claim)."""
    link: str
    seen: date
    """The day its figures were read at the source."""


class QualityAssessment(_Model):
    """Every tier's quality rule and its options' scores, for the search and the report."""

    tiers: list[TierQuality]
    sources: list[EvaluationSource]
    """The public sources of the scores shown, by id order."""

    def tier(self, name: str) -> TierQuality:
        return next(t for t in self.tiers if t.tier == name)

    @property
    def excluded_by_tier(self) -> dict[str, frozenset[str]]:
        """Per tier, the candidate deployments its rule excludes (for plans.tier_options)."""
        return {
            t.tier: frozenset(c.deployment for c in t.excluded if c.deployment is not None)
            for t in self.tiers
        }


def assess_quality(scenario: Scenario, catalogue: Catalogue) -> QualityAssessment:
    """Each tier's options scored against its rule (economics §7b); a tier with no rule
    excludes nothing."""
    tiers = [_tier(t, scenario, catalogue) for t in scenario.tiers]
    used = {
        option.evidence.source_id
        for tier in tiers
        for option in [tier.api, *tier.candidates]
        if option.evidence is not None and option.evidence.source_id is not None
    }
    sources = {
        score.source.id: EvaluationSource(
            id=score.source.id,
            publisher=score.source.publisher,
            independent=score.source.kind == "independent",
            link=score.source.link,
            seen=score.source.seen,
        )
        for score in catalogue.evaluations.scores.values()
        if score.source.id in used
    }
    return QualityAssessment(tiers=tiers, sources=[sources[i] for i in sorted(sources)])


def _tier(tier: Tier, scenario: Scenario, catalogue: Catalogue) -> TierQuality:
    own = _client_scores(tier, scenario, catalogue)
    basis: Basis | None = "client" if own else "public" if tier.task_family else None
    api_model = _canonical(tier.api_model, catalogue)
    api_evidence = _evidence(api_model, basis, tier, own, catalogue)
    api = OptionQuality(
        deployment=None,
        model=api_model,
        evidence=api_evidence,
        gap_points=0.0 if api_evidence is not None else None,
        # The API model is the yardstick of its own rule: it always passes it.
        verdict="passes",
        shortfall_points=None,
    )
    models = {d.deployment: d.model for d in scenario.deployments}
    candidates = [
        _candidate(tier, d, _canonical(models[d], catalogue), basis, own, api_evidence, catalogue)
        for d in tier.options
        if d in models
    ]
    return TierQuality(
        tier=tier.tier,
        task_family=tier.task_family,
        max_quality_drop=tier.max_quality_drop,
        quality_floor=tier.quality_floor,
        basis=basis,
        api=api,
        candidates=candidates,
    )


def _candidate(
    tier: Tier,
    deployment: str,
    model: str,
    basis: Basis | None,
    own: Mapping[str, Evidence],
    api: Evidence | None,
    catalogue: Catalogue,
) -> OptionQuality:
    evidence = _evidence(model, basis, tier, own, catalogue)
    gap = None if evidence is None or api is None else api.points - evidence.points
    verdict: Verdict = "passes"
    shortfall = None
    if tier.max_quality_drop is not None or tier.quality_floor is not None:
        verdict, shortfall = _judge(tier, evidence, gap)
    return OptionQuality(
        deployment=deployment,
        model=model,
        evidence=evidence,
        gap_points=gap,
        verdict=verdict,
        shortfall_points=shortfall,
    )


def _judge(
    tier: Tier, evidence: Evidence | None, gap: float | None
) -> tuple[Verdict, float | None]:
    """The rule's verdict on one candidate, and by how much it misses (the larger miss)."""
    if evidence is None:
        return "no_score", None
    misses: list[tuple[float, Verdict]] = []
    if tier.max_quality_drop is not None:
        if gap is None:
            return "no_api_score", None
        if gap > tier.max_quality_drop + RULE_TOLERANCE_POINTS:
            misses.append((gap - tier.max_quality_drop, "below_drop"))
    if (
        tier.quality_floor is not None
        and evidence.points < tier.quality_floor - RULE_TOLERANCE_POINTS
    ):
        misses.append((tier.quality_floor - evidence.points, "below_floor"))
    if not misses:
        return "passes", None
    shortfall, verdict = max(misses)
    return verdict, shortfall


def _evidence(
    model: str,
    basis: Basis | None,
    tier: Tier,
    own: Mapping[str, Evidence],
    catalogue: Catalogue,
) -> Evidence | None:
    if basis == "client":
        return own.get(model)
    if basis is None or tier.task_family is None:
        return None
    public = catalogue.evaluations.score(model, tier.task_family)
    if public is None:
        return None
    return Evidence(
        basis="public",
        points=public.points,
        on=public.source.seen,
        benchmark=public.benchmark.name,
        source_id=public.source.id,
        independent=public.source.kind == "independent",
        evaluated_as=public.evaluated_as,
        quantised=public.quantised,
    )


def _client_scores(tier: Tier, scenario: Scenario, catalogue: Catalogue) -> dict[str, Evidence]:
    """The client's own scores for a tier, by canonical model id (tier named in any capitals)."""
    return {
        _canonical(e.model, catalogue): Evidence(
            basis="client", points=e.score, on=e.date, sample_size=e.sample_size
        )
        for e in scenario.evaluations
        if e.tier.casefold() == tier.tier.casefold()
    }


def _canonical(model: str, catalogue: Catalogue) -> str:
    """An API model's catalogue id (a dated name as its alias), an open-weight model's id as
    the catalogue spells it; else as typed."""
    if "/" in model:
        return catalogue.resolve_api_model(model) or model
    spellings = {m.casefold(): m for m in catalogue.models}
    return spellings.get(model.casefold(), model)
