"""The rules a scenario must meet beyond single fields: totals, references, catalogue ids, fit."""

from __future__ import annotations

from crossover.catalogue import Catalogue
from crossover.engine.api_cost import did_you_mean, price_problems
from crossover.engine.difficulty import ineffective
from crossover.engine.ids import canonical_ids
from crossover.engine.parts import EASIER_SUFFIX
from crossover.engine.quality import OptionQuality, assess_quality
from crossover.engine.sizing import resolve_deployments
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
        if retirement is None:
            message = (
                f"{tier.api_model} is retired by its provider: it is priced at its last "
                "published price; price the model the client will move to instead"
            )
        else:
            when = retirement.retires_on.isoformat()
            tense = (
                f"was retired by its provider on {when}"
                if retirement.retires_on <= scenario.client.report_date
                else f"is to be retired by its provider on {when}"
            )
            successor = (
                f"{retirement.successor} replaces it"
                if retirement.successor
                else "its provider names no successor"
            )
            message = (
                f"{tier.api_model} {tense} ({retirement.source}); {successor}: price the model "
                "the client will move to instead"
            )
        problems.append(
            Problem(
                loc=("tiers", i, "api_model"),
                severity="warning",
                code="retired_model",
                message=message,
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
                    message=f"tier {tier.tier!r} contains {EASIER_SUFFIX!r}, which names the "
                    "easier part of a tier split by difficulty; rename the tier",
                )
            )
        if tier.route == "self_host" and tier.deployment is None:
            problems.append(
                Problem(
                    loc=("tiers", i, "deployment"),
                    message=f"tier {tier.tier!r} is routed to self_host but names no deployment; "
                    "name one from the Deployments table, or route it to api",
                )
            )
        if tier.deployment is not None and tier.deployment not in known:
            problems.append(
                Problem(
                    loc=("tiers", i, "deployment"),
                    message=f"tier {tier.tier!r} names deployment {tier.deployment!r}, which is "
                    "not in the Deployments table" + did_you_mean(tier.deployment, known),
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
                message=f"tier {t.tier!r} gives neither a share nor its own daily volume; "
                "give share_pct (or every tier's input and output Mtok per day)",
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
                    message=f"the tiers' shares add up to {total:g}%, expected 100%",
                )
            ]
        return []
    problems = []
    for i, tier in enumerate(tiers):
        if not tier.gives_volume:
            problems.append(
                Problem(
                    loc=("tiers", i, "input_mtok_per_day"),
                    message=f"tier {tier.tier!r} gives no volume of its own while other tiers "
                    "do: give every tier its input and output Mtok per day, or every tier a "
                    "share_pct",
                )
            )
            continue
        for field in ("input_mtok_per_day", "output_mtok_per_day"):
            if getattr(tier, field) is None:
                problems.append(
                    Problem(
                        loc=("tiers", i, field),
                        message=f"tier {tier.tier!r} gives only one of its input and output "
                        "volumes: give both (0 where it has none)",
                    )
                )
        if tier.share_pct is not None:
            problems.append(
                Problem(
                    loc=("tiers", i, "share_pct"),
                    message=f"tier {tier.tier!r} gives both a share and its own volume: leave "
                    "share_pct blank where the tiers give their own volumes",
                )
            )
        if (tier.input_mtok_per_day or 0.0) + (tier.output_mtok_per_day or 0.0) <= 0:
            problems.append(
                Problem(
                    loc=("tiers", i, "input_mtok_per_day"),
                    message=f"tier {tier.tier!r} has no volume: its input + output Mtok per day "
                    "must be more than 0",
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
                    message=f"the workload's {stated:g} Mtok/day does not match the tiers' own "
                    f"volumes, which add up to {total:g} Mtok/day; leave it blank or make "
                    "them agree (within 0.5%)",
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
                        message=f"tier {tier.tier!r} lists candidate {candidate!r}, which is "
                        "not in the Deployments table" + did_you_mean(candidate, known),
                    )
                )
        if tier.candidates and tier.deployment and tier.deployment not in tier.candidates:
            problems.append(
                Problem(
                    loc=("tiers", i, "candidates"),
                    message=f"tier {tier.tier!r} names deployment {tier.deployment!r} but does "
                    "not list it among its candidates; add it to the candidates",
                )
            )
    clouds = sorted({i.cloud for i in catalogue.instances.values()})
    for provider in scenario.operations.providers:
        if provider not in clouds:
            problems.append(
                Problem(
                    loc=("operations", "providers"),
                    message=f"unknown provider {provider!r}"
                    + did_you_mean(provider, clouds)
                    + f"; known: {', '.join(clouds)}",
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
                    message=f"this {mode} price for {model} is used by no tier: the tiers on "
                    f"{model} run {' and '.join(modes)}, so the negotiated price would be "
                    f"ignored; set api_mode to {modes[0]}, or delete the row",
                )
            )
            continue
        problems.append(
            Problem(
                loc=("price_overrides", i, "api_model"),
                message=f"no tier runs on {model}, so this negotiated price would be ignored; "
                "name the model a tier runs on today" + did_you_mean(model, models) + ", or "
                "delete the row",
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
                    message=f"no tier names {deployment.deployment} as its deployment or among "
                    "its candidates, so no plan considers it; name it in a tier's row, or "
                    "delete this row",
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
                    message=f"{value!r} appears more than once; each row needs its own {field}",
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
                    message=f"compliance ({', '.join(flags)}) forbids sending tier {tier.tier!r} "
                    "to an outside API, so it must name a deployment to be self-hosted on",
                )
            )
        elif tier.locked and tier.route == "api":
            problems.append(
                Problem(
                    loc=("tiers", i, "locked"),
                    message=f"tier {tier.tier!r} is locked on the API, but compliance "
                    f"({', '.join(flags)}) forbids sending it to an outside API; unlock it or "
                    "route it to self_host",
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
                    message=f"tier {row.tier!r} is not in the Tiers table"
                    + did_you_mean(row.tier, tiers),
                )
            )
        known = (catalogue.resolve_api_model(row.model) if "/" in row.model else None) or next(
            (m for m in catalogue.models if m.casefold() == row.model.casefold()), None
        )
        if known is None and row.model.casefold() not in private:
            problems.append(
                Problem(
                    loc=("evaluations", i, "model"),
                    message=f"unknown model {row.model!r}: give an API model as provider/model "
                    "or an open-weight model's catalogue id"
                    + did_you_mean(row.model, [*catalogue.models, *catalogue.listed_api_models()]),
                )
            )
        key = ((known or row.model).casefold(), row.tier.casefold())
        if key in seen:
            problems.append(
                Problem(
                    loc=("evaluations", i, "model"),
                    message=f"model {row.model!r} is scored twice for tier {row.tier!r}; keep "
                    "one row per model and tier",
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
                    message=f"tier {tier.tier!r} gives an easier share but "
                    + _SPLIT_WITHOUT_EFFECT[why]
                    + ", so it is not split",
                )
            )
        if not judged.has_rule:
            continue
        if judged.basis is None:
            field = "max_quality_drop" if tier.max_quality_drop is not None else "quality_floor"
            problems.append(
                Problem(
                    loc=("tiers", i, "task_family"),
                    message=f"tier {tier.tier!r} has a quality rule ({field}) but nothing to "
                    "judge it by: name its task_family, or give the client's own scores for "
                    "this tier in the Evaluations table",
                )
            )
        elif (
            flags
            and not tier.locked
            and judged.candidates
            and len(judged.excluded) == len(judged.candidates)
        ):
            field = "max_quality_drop" if tier.max_quality_drop is not None else "quality_floor"
            misses = _misses(judged.excluded)
            problems.append(
                Problem(
                    loc=("tiers", i, field),
                    message=f"compliance ({', '.join(flags)}) keeps tier {tier.tier!r} off the "
                    f"API and its quality rule excludes every candidate ({misses}); relax the "
                    "rule, add a candidate that meets it, or score the tier in the Evaluations "
                    "table",
                )
            )
    return problems


_SPLIT_WITHOUT_EFFECT = {
    "no_rule": "no quality rule (max_quality_drop or quality_floor) to keep the rest of it from "
    "a smaller model",
    "nothing_excluded": "its quality rule excludes none of its candidates: each may take all of "
    "it already",
    "locked": "it is locked to its proposed route",
}


def _misses(options: list[OptionQuality]) -> str:
    """'llama-3.3-70b (l-h100, l-h200): 1 point short; qwen2.5-14b (q-l40s): no score': the
    deployments of one model miss alike, so they are named together."""
    by_model: dict[str, list[OptionQuality]] = {}
    for option in options:
        by_model.setdefault(option.model, []).append(option)
    parts = []
    for model, alike in by_model.items():
        named = f"{model} ({', '.join(o.deployment or 'api' for o in alike)})"
        option = alike[0]
        if option.verdict == "no_score":
            parts.append(f"{named}: no score")
        elif option.verdict == "no_api_score":
            parts.append(f"{named}: the API model has no score to compare with")
        else:
            short = round(option.shortfall_points or 0.0, 2)
            parts.append(f"{named}: {short:g} point{'' if short == 1 else 's'} short")
    return "; ".join(parts)
