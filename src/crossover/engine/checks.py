"""The rules a scenario must meet beyond single fields: totals, references, catalogue ids, fit."""

from __future__ import annotations

from crossover.catalogue import Catalogue
from crossover.engine.api_cost import did_you_mean, price_problems
from crossover.engine.sizing import resolve_deployments
from crossover.scenario import SHARE_TOLERANCE_PCT, Problem, Scenario


def check_scenario(scenario: Scenario, catalogue: Catalogue) -> list[Problem]:
    """Every problem (errors and warnings) in a schema-valid scenario, in the order of the file."""
    return (
        _structure_problems(scenario)
        + price_problems(scenario, catalogue)
        + resolve_deployments(scenario, catalogue)[1]
        + _compliance_problems(scenario)
    )


def _structure_problems(scenario: Scenario) -> list[Problem]:
    problems = []
    total = sum(t.share_pct for t in scenario.tiers)
    if abs(total - 100) > SHARE_TOLERANCE_PCT:
        problems.append(
            Problem(
                loc=("tiers", "share_pct"),
                message=f"the tiers' shares add up to {total:g}%, expected 100%",
            )
        )
    problems += _duplicates("tiers", "tier", [t.tier for t in scenario.tiers])
    problems += _duplicates(
        "deployments", "deployment", [d.deployment for d in scenario.deployments]
    )
    problems += _duplicates(
        "price_overrides",
        "api_model",
        [f"{p.api_model} ({p.api_mode})" for p in scenario.price_overrides],
    )
    known = [d.deployment for d in scenario.deployments]
    for i, tier in enumerate(scenario.tiers):
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
    return [
        Problem(
            loc=("tiers", i, "deployment"),
            message=f"compliance ({', '.join(flags)}) forbids sending tier {tier.tier!r} to an "
            "outside API, so it must name a deployment to be self-hosted on",
        )
        for i, tier in enumerate(scenario.tiers)
        if tier.deployment is None and tier.route == "api"
    ]
