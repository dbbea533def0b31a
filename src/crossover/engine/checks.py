"""The rules a scenario must meet beyond single fields: totals, references, catalogue ids, fit."""

from __future__ import annotations

from crossover.catalogue import Catalogue
from crossover.engine.api_cost import close_matches, price_problems
from crossover.engine.difficulty import ineffective
from crossover.engine.ids import canonical_ids
from crossover.engine.parts import EASIER_SUFFIX
from crossover.engine.quality import OptionQuality, assess_quality
from crossover.engine.sizing import resolve_deployments
from crossover.problem_facts import (
    ComplianceLockedApi,
    ComplianceNeedsDeployment,
    ComplianceRuleExcludesAll,
    DeploymentNotCandidate,
    DuplicateId,
    EvaluationScoredTwice,
    EvaluationUnknownModel,
    EvaluationUnknownTier,
    Miss,
    NoShareNorVolume,
    NoVolume,
    OneVolumeOnly,
    OverrideModelUnused,
    OverrideModeUnused,
    RetiredModel,
    RetirementNotice,
    RuleWithoutBasis,
    SelfHostWithoutDeployment,
    ShareAndVolume,
    SharesNot100,
    SplitWithoutEffect,
    TierNamedLikePart,
    TierWithoutOwnVolume,
    UnknownCandidate,
    UnknownDeployment,
    UnknownProvider,
    UnusedDeployment,
    WorkloadVolumeMismatch,
)
from crossover.scenario import SHARE_TOLERANCE_PCT, Problem, Scenario

VOLUME_TOLERANCE = 0.005
"""The workload's totals and the tiers' own volumes may differ by 0.5% (rounding in a sheet)."""


def check_scenario(scenario: Scenario, catalogue: Catalogue) -> list[Problem]:
    """Every problem (errors and warnings) in a schema-valid scenario, in the order of the file."""
    typed, scenario = scenario, canonical_ids(scenario, catalogue)
    return (
        _structure_problems(scenario, typed)
        + price_problems(scenario, catalogue)
        + _retirement_problems(scenario, catalogue)
        + _option_problems(scenario, catalogue)
        + _unused_problems(scenario, catalogue)
        + resolve_deployments(scenario, catalogue)[1]
        + _compliance_problems(scenario)
        + _quality_problems(scenario, catalogue)
    )


def _retirement_problems(scenario: Scenario, catalogue: Catalogue) -> list[Problem]:
    """A warning for each tier on a model its provider has retired or will retire, naming the
    day and the successor the provider recommends."""
    problems = []
    for i, tier in enumerate(scenario.tiers):
        model = catalogue.resolve_api_model(tier.api_model)
        if model is None or not catalogue.is_retired_api_model(model):
            continue
        retirement = catalogue.api_retirement(model)
        notice = (
            None
            if retirement is None
            else RetirementNotice(
                retires_on=retirement.retires_on,
                already=retirement.retires_on <= scenario.client.report_date,
                source=retirement.source,
                successor=retirement.successor,
            )
        )
        problems.append(
            Problem(
                loc=("tiers", i, "api_model"),
                severity="warning",
                code="retired_model",
                facts=RetiredModel(api_model=tier.api_model, notice=notice),
            )
        )
    return problems


def _structure_problems(scenario: Scenario, typed: Scenario) -> list[Problem]:
    """Totals, unique ids (named as typed) and references (matched in any capitals)."""
    problems = _volume_problems(scenario)
    problems += _duplicates("tiers", "tier", [t.tier for t in typed.tiers])
    problems += _duplicates("deployments", "deployment", [d.deployment for d in typed.deployments])
    problems += _duplicates(
        "price_overrides",
        "api_model",
        [f"{p.api_model} ({p.api_mode})" for p in typed.price_overrides],
    )
    known = [d.deployment for d in scenario.deployments]
    for i, tier in enumerate(scenario.tiers):
        if EASIER_SUFFIX in tier.tier:
            problems.append(
                Problem(
                    loc=("tiers", i, "tier"),
                    facts=TierNamedLikePart(tier=tier.tier, suffix=EASIER_SUFFIX),
                )
            )
        if tier.route == "self_host" and tier.deployment is None:
            problems.append(
                Problem(
                    loc=("tiers", i, "deployment"),
                    facts=SelfHostWithoutDeployment(tier=tier.tier),
                )
            )
        if tier.deployment is not None and tier.deployment not in known:
            problems.append(
                Problem(
                    loc=("tiers", i, "deployment"),
                    facts=UnknownDeployment(
                        tier=tier.tier,
                        deployment=tier.deployment,
                        close=close_matches(tier.deployment, known),
                    ),
                )
            )
    return problems


def _volume_problems(scenario: Scenario) -> list[Problem]:
    """Shares adding up to 100, or every tier's own volume agreeing with the workload (§1)."""
    tiers = scenario.tiers
    own = [t.gives_volume for t in tiers]
    if not any(own):
        missing = [
            Problem(
                loc=("tiers", i, "share_pct"),
                facts=NoShareNorVolume(tier=t.tier),
            )
            for i, t in enumerate(tiers)
            if t.share_pct is None
        ]
        if missing:
            return missing
        total = sum(t.share_pct or 0.0 for t in tiers)
        if abs(total - 100) > SHARE_TOLERANCE_PCT:
            return [
                Problem(
                    loc=("tiers", "share_pct"),
                    facts=SharesNot100(total_pct=total),
                )
            ]
        return []
    problems = []
    for i, tier in enumerate(tiers):
        if not tier.gives_volume:
            problems.append(
                Problem(
                    loc=("tiers", i, "input_mtok_per_day"),
                    facts=TierWithoutOwnVolume(tier=tier.tier),
                )
            )
            continue
        for field in ("input_mtok_per_day", "output_mtok_per_day"):
            if getattr(tier, field) is None:
                problems.append(
                    Problem(
                        loc=("tiers", i, field),
                        facts=OneVolumeOnly(tier=tier.tier),
                    )
                )
        if tier.share_pct is not None:
            problems.append(
                Problem(
                    loc=("tiers", i, "share_pct"),
                    facts=ShareAndVolume(tier=tier.tier),
                )
            )
        if (tier.input_mtok_per_day or 0.0) + (tier.output_mtok_per_day or 0.0) <= 0:
            problems.append(
                Problem(
                    loc=("tiers", i, "input_mtok_per_day"),
                    facts=NoVolume(tier=tier.tier),
                )
            )
    if problems:
        return problems
    workload = scenario.workload
    for field in ("input_mtok_per_day", "output_mtok_per_day"):
        total = sum(getattr(t, field) for t in tiers)
        stated = getattr(workload, field)
        if abs(stated - total) > VOLUME_TOLERANCE * max(total, stated):
            problems.append(
                Problem(
                    loc=("workload", field),
                    facts=WorkloadVolumeMismatch(
                        stated_mtok_per_day=stated, total_mtok_per_day=total
                    ),
                )
            )
    return problems


def _option_problems(scenario: Scenario, catalogue: Catalogue) -> list[Problem]:
    """Candidates name known deployments; providers name clouds the catalogue has (§7a)."""
    problems = []
    known = [d.deployment for d in scenario.deployments]
    for i, tier in enumerate(scenario.tiers):
        for candidate in tier.candidates:
            if candidate not in known:
                problems.append(
                    Problem(
                        loc=("tiers", i, "candidates"),
                        facts=UnknownCandidate(
                            tier=tier.tier,
                            candidate=candidate,
                            close=close_matches(candidate, known),
                        ),
                    )
                )
        if tier.candidates and tier.deployment and tier.deployment not in tier.candidates:
            problems.append(
                Problem(
                    loc=("tiers", i, "candidates"),
                    facts=DeploymentNotCandidate(tier=tier.tier, deployment=tier.deployment),
                )
            )
    clouds = sorted({i.cloud for i in catalogue.instances.values()})
    for provider in scenario.operations.providers:
        if provider not in clouds:
            problems.append(
                Problem(
                    loc=("operations", "providers"),
                    facts=UnknownProvider(
                        provider=provider, close=close_matches(provider, clouds), known=clouds
                    ),
                )
            )
    return problems


def _unused_problems(scenario: Scenario, catalogue: Catalogue) -> list[Problem]:
    """Rows no tier uses: an override's negotiated price would be dropped (an error), a
    deployment no tier names would be left out of every plan (a warning: no figure moves)."""

    def key(api_model: str) -> str:
        # As the prices are matched (api_cost.resolve_prices): an alias names its model.
        return catalogue.resolve_api_model(api_model) or api_model.casefold()

    problems = []
    used = {(key(t.api_model), t.api_mode) for t in scenario.tiers}
    models = sorted({t.api_model for t in scenario.tiers})
    for i, override in enumerate(scenario.price_overrides):
        model, mode = override.api_model, override.api_mode
        if (key(model), mode) in used:
            continue
        if catalogue.resolve_api_model(model) is None and not override.is_complete:
            continue  # Already refused on this cell: an unknown model needs both prices.
        modes = sorted({t.api_mode for t in scenario.tiers if key(t.api_model) == key(model)})
        if modes:
            problems.append(
                Problem(
                    loc=("price_overrides", i, "api_mode"),
                    facts=OverrideModeUnused(api_model=model, api_mode=mode, modes=tuple(modes)),
                )
            )
            continue
        problems.append(
            Problem(
                loc=("price_overrides", i, "api_model"),
                facts=OverrideModelUnused(api_model=model, close=close_matches(model, models)),
            )
        )
    named = {
        option.casefold()
        for tier in scenario.tiers
        for option in [*tier.options, tier.deployment or ""]
    }
    known = {d.deployment.casefold() for d in scenario.deployments}
    if named - {""} - known:
        # A tier names a deployment the table lacks (reported): the unused row is likely the
        # one it meant, and the error already names it.
        return problems
    for i, deployment in enumerate(scenario.deployments):
        if deployment.deployment.casefold() not in named:
            problems.append(
                Problem(
                    loc=("deployments", i, "deployment"),
                    severity="warning",
                    code="unused_deployment",
                    facts=UnusedDeployment(deployment=deployment.deployment),
                )
            )
    return problems


def _duplicates(section: str, field: str, values: list[str]) -> list[Problem]:
    # Ids differ only in capitals by mistake (Llama70 and llama70): they count as one.
    seen: set[str] = set()
    problems = []
    for i, value in enumerate(values):
        if value.casefold() in seen:
            problems.append(
                Problem(
                    loc=(section, i, field),
                    facts=DuplicateId(value=value, field=field),
                )
            )
        seen.add(value.casefold())
    return problems


def _compliance_problems(scenario: Scenario) -> list[Problem]:
    """economics §7: a flag that forbids outside APIs makes self-hosting required for every tier."""
    flags = scenario.compliance.flags
    if not flags:
        return []
    problems = []
    for i, tier in enumerate(scenario.tiers):
        if not tier.options:
            problems.append(
                Problem(
                    loc=("tiers", i, "deployment"),
                    facts=ComplianceNeedsDeployment(tier=tier.tier, flags=flags),
                )
            )
        elif tier.locked and tier.route == "api":
            problems.append(
                Problem(
                    loc=("tiers", i, "locked"),
                    facts=ComplianceLockedApi(tier=tier.tier, flags=flags),
                )
            )
    return problems


def _quality_problems(scenario: Scenario, catalogue: Catalogue) -> list[Problem]:
    """economics §7b: the client's evaluation rows name a tier and a known model, once each; a
    rule has scores to judge by; compliance with a rule leaves every tier an option."""
    problems = []
    tiers = [t.tier for t in scenario.tiers]
    folded = {t.casefold() for t in tiers}
    private = {o.api_model.casefold() for o in scenario.price_overrides}
    seen: set[tuple[str, str]] = set()
    for i, row in enumerate(scenario.evaluations):
        if row.tier.casefold() not in folded:
            problems.append(
                Problem(
                    loc=("evaluations", i, "tier"),
                    facts=EvaluationUnknownTier(
                        tier=row.tier, close=close_matches(row.tier, tiers)
                    ),
                )
            )
        known = (catalogue.resolve_api_model(row.model) if "/" in row.model else None) or next(
            (m for m in catalogue.models if m.casefold() == row.model.casefold()), None
        )
        if known is None and row.model.casefold() not in private:
            problems.append(
                Problem(
                    loc=("evaluations", i, "model"),
                    facts=EvaluationUnknownModel(
                        model=row.model,
                        close=close_matches(
                            row.model, [*catalogue.models, *catalogue.listed_api_models()]
                        ),
                    ),
                )
            )
        key = ((known or row.model).casefold(), row.tier.casefold())
        if key in seen:
            problems.append(
                Problem(
                    loc=("evaluations", i, "model"),
                    facts=EvaluationScoredTwice(tier=row.tier, model=row.model),
                )
            )
        seen.add(key)
    if problems:
        return problems
    assessment = assess_quality(scenario, catalogue)
    flags = scenario.compliance.flags
    for i, (tier, judged) in enumerate(zip(scenario.tiers, assessment.tiers, strict=True)):
        why = ineffective(tier, judged)
        if why is not None:
            problems.append(
                Problem(
                    loc=("tiers", i, "small_model_share_pct"),
                    severity="warning",
                    code="split_without_effect",
                    facts=SplitWithoutEffect(tier=tier.tier, why=why),
                )
            )
        if not judged.has_rule:
            continue
        if judged.basis is None:
            field = "max_quality_drop" if tier.max_quality_drop is not None else "quality_floor"
            problems.append(
                Problem(
                    loc=("tiers", i, "task_family"),
                    facts=RuleWithoutBasis(tier=tier.tier, field=field),
                )
            )
        elif (
            flags
            and not tier.locked
            and judged.candidates
            and len(judged.excluded) == len(judged.candidates)
        ):
            field = "max_quality_drop" if tier.max_quality_drop is not None else "quality_floor"
            problems.append(
                Problem(
                    loc=("tiers", i, field),
                    facts=ComplianceRuleExcludesAll(
                        tier=tier.tier, flags=flags, misses=_misses(judged.excluded)
                    ),
                )
            )
    return problems


def _misses(options: list[OptionQuality]) -> list[Miss]:
    """How each model's options miss: the deployments of one model miss alike, so they are
    told together."""
    by_model: dict[str, list[OptionQuality]] = {}
    for option in options:
        by_model.setdefault(option.model, []).append(option)
    found = []
    for model, alike in by_model.items():
        option = alike[0]
        verdict = option.verdict
        found.append(
            Miss(
                model=model,
                deployments=[o.deployment or "api" for o in alike],
                verdict=verdict if verdict in ("no_score", "no_api_score") else "short",
                shortfall_points=round(option.shortfall_points or 0.0, 2),
            )
        )
    return found
