"""The headline plan and every plan's named risks (economics §7)."""

from __future__ import annotations

from crossover.engine.constants import CALIBRATION_TOLERANCE_PCT, LOW_UTILISATION
from crossover.engine.parts import EASIER_SUFFIX
from crossover.engine.results import (
    Calibration,
    Crossover,
    DeploymentResult,
    Headline,
    Plan,
    ReasonCode,
    Risk,
    VerdictCode,
)
from crossover.scenario import Scenario


def headline(scenario: Scenario, plans: list[Plan]) -> Headline:
    """The best plan (the cheapest over the horizon the constraints allow, ties to the simpler:
    the search ranks them so) is the headline; its verdict and reason in codes."""
    chosen = next(p for p in plans if "best" in p.roles())
    proposal = next(p for p in plans if "proposed" in p.roles())
    flags = list(scenario.compliance.flags)
    reason: ReasonCode
    if flags:
        reason = "compliance"
    elif not chosen.self_hosts:
        reason = "api_cheapest"
    else:
        reason = "cheapest"
    verdict: VerdictCode
    if not chosen.self_hosts:
        verdict = "stay_on_api"
    elif "proposed" in chosen.roles():
        verdict = "adopt_proposal"
    elif not chosen.tiers_on_api:
        verdict = "self_host_all"
    else:
        verdict = "adopt_plan"
    return Headline(
        plan=chosen.key,
        verdict=verdict,
        reason=reason,
        compliance_flags=flags,
        proposal_horizon_cost_change_usd=proposal.horizon_cost_usd - chosen.horizon_cost_usd,
    )


def risks(
    scenario: Scenario,
    deployments: list[DeploymentResult],
    payback_month: int | None,
    crossover: Crossover,
    calibration: Calibration,
    compliance_premium_month_usd: float | None,
    api_equivalents: dict[str, list[str]],
) -> list[Risk]:
    """What could make a plan wrong, most material first (its deployments are those it uses)."""
    found = _self_hosting_risks(
        scenario,
        deployments,
        payback_month,
        crossover,
        compliance_premium_month_usd,
        api_equivalents,
    )
    if calibration.flagged:
        found.append(
            Risk(
                code="calibration_mismatch",
                value=calibration.difference_pct,
                threshold=CALIBRATION_TOLERANCE_PCT,
            )
        )
    return found


def _self_hosting_risks(
    scenario: Scenario,
    deployments: list[DeploymentResult],
    payback_month: int | None,
    crossover: Crossover,
    compliance_premium_month_usd: float | None,
    api_equivalents: dict[str, list[str]],
) -> list[Risk]:
    found: list[Risk] = []
    routed = [d for d in deployments if d.routed]
    if routed:
        if compliance_premium_month_usd is not None and compliance_premium_month_usd > 0:
            found.append(Risk(code="compliance_premium", value=compliance_premium_month_usd))
        # The horizon's own month-by-month test (growth, re-sizing), not month 0's payback.
        if not scenario.compliance.flags and payback_month is None:
            found.append(
                Risk(code="payback_beyond_horizon", value=scenario.operations.horizon_months)
            )
        if crossover.status == "never" and not scenario.compliance.flags:
            found.append(Risk(code="no_crossover"))
        for d in routed:
            if d.average_utilisation is not None and d.average_utilisation < LOW_UTILISATION:
                found.append(
                    Risk(
                        code="low_utilisation",
                        deployment=d.deployment,
                        value=d.average_utilisation,
                        threshold=LOW_UTILISATION,
                    )
                )
        for d in routed:
            error = d.rates.error
            if error is not None and error.measured_alike == 0:
                found.append(
                    Risk(
                        code="extrapolated_rate",
                        deployment=d.deployment,
                        value=error.left_out_median_error_factor,
                        threshold=error.left_out_worst_error_factor,
                    )
                )
            if d.precision in ("int4", "fp4"):
                found.append(Risk(code="low_precision", deployment=d.deployment))
            if d.memory_fit == "tight":
                found.append(
                    Risk(code="memory_tight", deployment=d.deployment, value=d.memory_fit_ratio)
                )
        for tier in scenario.tiers:
            deployment = next((d for d in routed if tier.tier in d.tiers), None)
            rest = tier.tier.removesuffix(EASIER_SUFFIX)
            if rest != tier.tier and deployment is not None and rest in deployment.tiers:
                # The easier part of a split tier on its rest's deployment: one move, one risk.
                continue
            if deployment is not None and tier.api_model not in api_equivalents.get(
                deployment.model, []
            ):
                found.append(
                    Risk(code="quality_change", deployment=deployment.deployment, tier=tier.tier)
                )
    return found
