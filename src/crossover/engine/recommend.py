"""The recommendation and its named risks (economics §7)."""

from __future__ import annotations

from crossover.engine.constants import CALIBRATION_TOLERANCE_PCT, LOW_UTILISATION
from crossover.engine.results import (
    Calibration,
    Crossover,
    DeploymentResult,
    Horizon,
    ReasonCode,
    Risk,
    ScenarioName,
)
from crossover.engine.scenarios import Routing
from crossover.scenario import Scenario


def choose_scenario(
    scenario: Scenario, routings: dict[ScenarioName, Routing], horizon: Horizon
) -> tuple[ScenarioName, ReasonCode]:
    """Compliance first; otherwise the cheapest scenario over the horizon, setup included."""
    proposed_all_self = not routings["proposed"].api_tiers
    if scenario.compliance.flags:
        return ("proposed" if proposed_all_self else "all_self_hosted"), "compliance"
    candidates: list[tuple[float, ScenarioName]] = [(horizon.cumulative_api_only_usd, "api_only")]
    if routings["proposed"].has_self_hosting:
        candidates.append((horizon.cumulative_proposed_usd, "proposed"))
    if horizon.cumulative_all_self_hosted_usd is not None and not proposed_all_self:
        candidates.append((horizon.cumulative_all_self_hosted_usd, "all_self_hosted"))
    # Ties go to the simpler option: the API (first in the list).
    _, best = min(candidates, key=lambda c: c[0])
    if best == "api_only":
        if routings["proposed"].has_self_hosting:
            return best, "api_beats_proposal"
        return best, "api_cheapest"
    return best, "proposed_cheapest" if best == "proposed" else "all_self_hosted_cheapest"


def risks(
    scenario: Scenario,
    chosen: ScenarioName,
    deployments: list[DeploymentResult],
    payback_month: int | None,
    crossover: Crossover,
    calibration: Calibration,
    compliance_premium_month_usd: float | None,
    api_equivalents: dict[str, list[str]],
) -> tuple[list[Risk], list[Risk]]:
    """What could make the chosen scenario wrong, and what would go wrong self-hosting as
    proposed (the same list when self-hosting is chosen), most material first."""
    self_hosting = _self_hosting_risks(
        scenario,
        deployments,
        payback_month,
        crossover,
        compliance_premium_month_usd,
        api_equivalents,
    )
    calibration_risks = []
    if calibration.flagged:
        calibration_risks.append(
            Risk(
                code="calibration_mismatch",
                value=calibration.difference_pct,
                threshold=CALIBRATION_TOLERANCE_PCT,
            )
        )
    chosen_risks = self_hosting if chosen != "api_only" else []
    return chosen_risks + calibration_risks, self_hosting + calibration_risks


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
            if deployment is not None and tier.api_model not in api_equivalents.get(
                deployment.model, []
            ):
                found.append(
                    Risk(code="quality_change", deployment=deployment.deployment, tier=tier.tier)
                )
    return found
