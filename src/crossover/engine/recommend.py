"""The recommendation and its named risks (economics §7)."""

from __future__ import annotations

from crossover.engine.constants import LOW_UTILISATION
from crossover.engine.results import (
    Calibration,
    Crossover,
    DeploymentResult,
    Horizon,
    Risk,
    ScenarioName,
)
from crossover.engine.scenarios import Routing
from crossover.scenario import Scenario


def choose_scenario(
    scenario: Scenario, routings: dict[ScenarioName, Routing], horizon: Horizon
) -> tuple[ScenarioName, str]:
    """Compliance first; otherwise the cheapest scenario over the horizon, setup included."""
    flags = scenario.compliance.flags
    proposed_all_self = not routings["proposed"].api_tiers
    if flags:
        name: ScenarioName = "proposed" if proposed_all_self else "all_self_hosted"
        return name, (
            f"Compliance ({', '.join(_flag_label(f) for f in flags)}) forbids sending this "
            "data to an outside API, so every tier must be self-hosted, whatever the cost."
        )
    candidates: list[tuple[float, ScenarioName]] = [(horizon.cumulative_api_only_usd, "api_only")]
    if routings["proposed"].has_self_hosting:
        candidates.append((horizon.cumulative_proposed_usd, "proposed"))
    if horizon.cumulative_all_self_hosted_usd is not None and not proposed_all_self:
        candidates.append((horizon.cumulative_all_self_hosted_usd, "all_self_hosted"))
    # Ties go to the simpler option: the API (first in the list).
    _, best = min(candidates, key=lambda c: c[0])
    reasons: dict[ScenarioName, str] = {
        "api_only": "Keeping every tier on its API costs least over the horizon.",
        "proposed": "The proposed split costs least over the horizon, engineering setup included.",
        "all_self_hosted": "Self-hosting every tier costs least over the horizon, "
        "engineering setup included.",
    }
    if best == "api_only" and routings["proposed"].has_self_hosting:
        reasons["api_only"] = (
            "Keeping every tier on its API costs less than the proposed self-hosting over "
            "the horizon, engineering setup included."
        )
    return best, reasons[best]


def _flag_label(flag: str) -> str:
    return {
        "hipaa": "HIPAA",
        "gdpr_restricted_subprocessors": "GDPR sub-processor limits",
        "financial_regulated": "financial regulation",
        "data_must_stay_in_network": "data must stay in the client's network",
    }[flag]


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
                message="The API cost priced from the catalogue differs from your current bill "
                "by more than 20%: check volumes and prices before relying on the figures.",
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
            found.append(
                Risk(
                    code="compliance_premium",
                    message="Staying compliant costs more each month than the API would: a "
                    "premium paid to keep the data in, not a loss.",
                )
            )
        # The horizon's own month-by-month test (growth, re-sizing), not month 0's payback.
        if not scenario.compliance.flags and payback_month is None:
            found.append(
                Risk(
                    code="payback_beyond_horizon",
                    message="The engineering setup does not pay back within the "
                    f"{scenario.operations.horizon_months}-month horizon.",
                )
            )
        if crossover.status == "never" and not scenario.compliance.flags:
            found.append(
                Risk(
                    code="no_crossover",
                    message="At these prices self-hosting never becomes cheaper than the API, "
                    "however much the volume grows.",
                )
            )
        for d in routed:
            if d.average_utilisation is not None and d.average_utilisation < LOW_UTILISATION:
                found.append(
                    Risk(
                        code="low_utilisation",
                        message=f"{d.deployment} would average {d.average_utilisation:.0%} "
                        f"utilisation, below the {LOW_UTILISATION:.0%} at which self-hosting "
                        "reliably pays; you pay for idle GPUs around the clock.",
                    )
                )
        for d in routed:
            error = d.rates.error
            if error is not None and error.measured_alike == 0:
                found.append(
                    Risk(
                        code="extrapolated_rate",
                        message=f"{d.deployment}'s serving rate is modelled with no published "
                        f"run of {d.gpu_name} at {d.precision} behind it: runs left out of the "
                        f"fit were typically {_error_pct(error.left_out_median_error_factor)} "
                        f"off, at worst {_error_pct(error.left_out_worst_error_factor)}. Measure "
                        "it on your own traffic before committing.",
                    )
                )
            if d.precision in ("int4", "fp4"):
                found.append(
                    Risk(
                        code="low_precision",
                        message=f"{d.deployment} serves {d.model_name} with {d.precision} "
                        "weights: published 4-bit accuracy holds for the models and tasks "
                        "tested, not for every model. Compare it with the full-precision model "
                        "on your own evaluation set before switching.",
                    )
                )
            if d.memory_fit == "tight":
                found.append(
                    Risk(
                        code="memory_tight",
                        message=f"{d.deployment}'s weights fill {d.memory_fit_ratio:.0%} of its "
                        "GPU memory, leaving little for the KV cache: real throughput may fall "
                        "well short of the rate used.",
                    )
                )
        for tier in scenario.tiers:
            deployment = next((d for d in routed if tier.tier in d.tiers), None)
            if deployment is not None and tier.api_model not in api_equivalents.get(
                deployment.model, []
            ):
                found.append(
                    Risk(
                        code="quality_change",
                        message=f"Tier {tier.tier} would move from {tier.api_model} to "
                        f"{deployment.model_name}: evaluate it on your own data before switching.",
                    )
                )
    return found


def _error_pct(factor: float) -> str:
    """A ratio of rates as the percentage it is off: 1.25 → '25%'."""
    return f"{factor - 1:.0%}"
