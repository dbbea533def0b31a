"""The economics: pure functions from a validated scenario to every figure (economics.md)."""

from __future__ import annotations

from crossover.catalogue import Catalogue
from crossover.engine.api_cost import api_month_usd, resolve_prices
from crossover.engine.checks import check_scenario
from crossover.engine.constants import (
    CALIBRATION_TOLERANCE_PCT,
    COMFORTABLE_FIT,
    DAYS_PER_MONTH,
    HOURS_PER_MONTH,
)
from crossover.engine.crossover import solve_crossover
from crossover.engine.horizon import horizon, payback_weeks, setup_cost_usd
from crossover.engine.montecarlo import monte_carlo
from crossover.engine.recommend import choose_scenario, risks
from crossover.engine.results import (
    Calibration,
    DeploymentResult,
    Recommendation,
    Results,
    ScenarioCost,
    ScenarioName,
    Scenarios,
    Sourced,
    TierPrices,
    TierResult,
    UtilisationCurve,
    UtilisationPoint,
)
from crossover.engine.scenarios import LABELS, Cost, CostModel, Routing, routings
from crossover.engine.sensitivity import sensitivity
from crossover.engine.sizing import (
    ResolvedDeployment,
    break_even_utilisation,
    cost_per_mtok,
    demand_tps,
    resolve_deployments,
)
from crossover.scenario import Scenario, ScenarioError

__all__ = ["Results", "analyse", "check_scenario"]


def analyse(scenario: Scenario, catalogue: Catalogue) -> Results:
    """Every figure of economics.md for one scenario; ScenarioError if it breaks a rule."""
    problems = check_scenario(scenario, catalogue)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise ScenarioError("scenario", errors)
    warnings = [p.describe() for p in problems if p.severity == "warning"]

    deployments, _ = resolve_deployments(scenario, catalogue)
    prices = {
        t.tier: _priced(resolve_prices(scenario, catalogue, t.api_model, t.api_mode))
        for t in scenario.tiers
    }
    model = CostModel(scenario, deployments, prices)
    routes = routings(scenario)
    costs = {name: model.cost(routing) for name, routing in routes.items()}

    savings = costs["api_only"].monthly_cost_usd - costs["proposed"].monthly_cost_usd
    setup = setup_cost_usd(scenario)
    crossover = solve_crossover(model, routes["proposed"], routes["api_only"])
    months = horizon(model, routes, setup)
    chosen, reason = choose_scenario(scenario, routes, months)
    sized_name: ScenarioName = "all_self_hosted" if chosen == "all_self_hosted" else "proposed"
    sized = routes[sized_name]
    deployment_results = [
        _deployment_result(model, deployments[d.deployment], sized, costs[sized_name])
        for d in scenario.deployments
    ]
    calibration = _calibration(scenario, costs["api_only"], costs["proposed"])
    if calibration.flagged:
        warnings.append(
            "The API cost priced from the catalogue differs from the client's current bill by "
            "more than 20%: check the volumes and prices, or the bill."
        )
    premium = None
    if scenario.compliance.flags:
        premium = costs[chosen].monthly_cost_usd - costs["api_only"].monthly_cost_usd
    weeks = payback_weeks(setup, savings) if routes["proposed"].has_self_hosting else None
    chosen_risks, proposal_risks = risks(
        scenario,
        chosen,
        deployment_results,
        months.payback_month,
        crossover,
        calibration,
        premium,
        {m.id: m.api_equivalents for m in catalogue.models.values()},
    )
    recommendation = Recommendation(
        scenario=chosen,
        required_by_compliance=bool(scenario.compliance.flags),
        compliance_flags=list(scenario.compliance.flags),
        compliance_premium_month_usd=premium,
        reason=reason,
        risks=chosen_risks,
        proposal_risks=proposal_risks,
    )
    return Results(
        scenario=scenario,
        catalogue_versions=catalogue.versions,
        hours_per_month=HOURS_PER_MONTH,
        days_per_month=DAYS_PER_MONTH,
        total_mtok_per_day=scenario.workload.total_mtok_per_day,
        tiers=[_tier_result(scenario, catalogue, model, t.tier, prices) for t in scenario.tiers],
        deployments=deployment_results,
        sized_for=sized_name,
        scenarios=Scenarios(
            api_only=_scenario_cost("api_only", routes, costs),
            proposed=_scenario_cost("proposed", routes, costs),
            all_self_hosted=_scenario_cost("all_self_hosted", routes, costs)
            if "all_self_hosted" in routes
            else None,
        ),
        monthly_savings_usd=savings,
        # No setup without self-hosting: the proposal's setup cost is what the client pays.
        setup_cost_usd=setup if routes["proposed"].has_self_hosting else 0.0,
        payback_weeks=weeks,
        crossover_mtok_per_day=crossover.crossover_mtok_per_day,
        crossover=crossover,
        utilisation_curves=[_utilisation_curve(model, d) for d in deployment_results if d.routed],
        horizon=months,
        recommendation=recommendation,
        calibration=calibration,
        warnings=warnings,
        sources=_sources(scenario, deployments, prices, catalogue),
        display_currency=scenario.client.currency,
        usd_fx_rate=scenario.client.usd_fx_rate,
        sensitivity=sensitivity(scenario, deployments, prices),
        monte_carlo=monte_carlo(scenario, deployments, prices),
    )


def _priced(outcome: TierPrices | str) -> TierPrices:
    if isinstance(outcome, str):
        raise AssertionError(f"checked scenario has an unpriced tier: {outcome}")
    return outcome


def _tier_result(
    scenario: Scenario,
    catalogue: Catalogue,
    model: CostModel,
    name: str,
    prices: dict[str, TierPrices],
) -> TierResult:
    tier = next(t for t in scenario.tiers if t.tier == name)
    volume = model.volumes[name]
    at_realtime = None
    if tier.api_mode == "batch":
        realtime = resolve_prices(scenario, catalogue, tier.api_model, "realtime")
        if not isinstance(realtime, str):
            at_realtime = api_month_usd(volume, realtime, scenario.workload.cache_hit_pct)
    cost = model.tier_api_month[name]
    return TierResult(
        tier=name,
        share_pct=tier.share_pct,
        api_model=catalogue.resolve_api_model(tier.api_model) or tier.api_model,
        api_mode=tier.api_mode,
        route=tier.route,
        deployment=tier.deployment,
        input_mtok_per_day=volume.input_mtok_per_day,
        output_mtok_per_day=volume.output_mtok_per_day,
        prices=prices[name],
        api_month_usd=cost,
        api_month_without_cache_usd=api_month_usd(volume, prices[name], 0.0),
        api_month_at_realtime_price_usd=at_realtime,
        blended_price_per_mtok_usd=cost / (DAYS_PER_MONTH * volume.total),
    )


def _scenario_cost(
    name: ScenarioName, routes: dict[ScenarioName, Routing], costs: dict[ScenarioName, Cost]
) -> ScenarioCost:
    routing, cost = routes[name], costs[name]
    return ScenarioCost(
        scenario=name,
        label=LABELS[name],
        api_month_usd=cost.api_month_usd,
        gpu_month_usd=cost.gpu_month_usd,
        overhead_month_usd=cost.overhead_month_usd,
        ops_month_usd=cost.ops_month_usd,
        monthly_cost_usd=cost.monthly_cost_usd,
        tiers_on_api=[t.tier for t in routing.api_tiers],
        tiers_self_hosted=[t.tier for ts in routing.self_hosted.values() for t in ts],
    )


def _deployment_result(
    model: CostModel, dep: ResolvedDeployment, routing: Routing, cost: Cost
) -> DeploymentResult:
    """A deployment as sized in a scenario; one no tier is routed to is shown but not costed."""
    spec = dep.spec
    scenario = model.scenario
    tiers = routing.self_hosted.get(spec.deployment, [])
    load = model.load(tiers)
    replica_tps = model.replica_tps(spec.deployment, load)
    u_max = scenario.operations.target_peak_utilisation_pct / 100
    avg, peak = demand_tps(load, scenario.workload.peak_to_average)
    sized = cost.deployments.get(spec.deployment)
    # The tiers it takes over (or would, for an option): their blended API price.
    taken = tiers or [t for t in scenario.tiers if t.deployment == spec.deployment]
    taken_api = sum(model.tier_api_month[t.tier] for t in taken)
    taken_mtok = sum(model.volumes[t.tier].total for t in taken)
    blended_api = taken_api / (DAYS_PER_MONTH * taken_mtok) if taken_mtok > 0 else None
    overhead = 1 + model.overhead_fraction
    break_even = None
    if blended_api is not None:
        break_even = break_even_utilisation(
            dep.replica_hour_usd * overhead, blended_api, replica_tps
        )
    volume_month = DAYS_PER_MONTH * load.total_mtok
    ops_share = 0.0
    if sized is not None:
        estate_mtok = sum(c.load.total_mtok for c in cost.deployments.values())
        ops_share = cost.ops_month_usd * load.total_mtok / estate_mtok
    replicas = sized.replicas if sized else 0
    billed = sized.billed_gpus if sized else 0
    gpu_month = sized.gpu_month_usd if sized else 0.0
    overhead_month = sized.overhead_month_usd if sized else 0.0
    return DeploymentResult(
        deployment=spec.deployment,
        model=dep.model.id,
        model_name=dep.model.name,
        precision=spec.precision,
        gpu=dep.gpu.id,
        gpu_name=dep.gpu.name,
        price_plan=spec.price_plan,
        instance=dep.instance.id,
        tiers=[t.tier for t in tiers],
        routed=sized is not None,
        weight_gb=dep.weight_gb,
        vram_gb=dep.gpu.vram_gb,
        gpus_per_replica=dep.gpus_per_replica,
        gpus_per_replica_source="client-supplied"
        if dep.gpus_per_replica_supplied
        else "memory-fit rule",
        memory_fit_ratio=dep.memory_fit_ratio,
        memory_fit="comfortable" if dep.memory_fit_ratio <= COMFORTABLE_FIT else "tight",
        rates=dep.rates,
        input_mtok_per_day=load.input_mtok,
        output_mtok_per_day=load.output_mtok,
        realtime_share=(load.realtime_input + load.realtime_output) / load.total_mtok
        if load.total_mtok > 0
        else 1.0,
        effective_tps_per_replica=replica_tps,
        demand_avg_tps=avg,
        demand_peak_tps=peak,
        target_peak_utilisation=u_max,
        replicas=replicas,
        redundancy=scenario.operations.redundancy,
        gpus=replicas * dep.gpus_per_replica,
        gpus_per_instance=dep.gpus_per_instance,
        instances=billed // dep.gpus_per_instance,
        billed_gpus=billed,
        gpu_hour_price_usd=dep.gpu_hour_price_usd,
        gpu_hour_price_source=dep.gpu_hour_price_source,
        average_utilisation=avg / (replicas * replica_tps) if sized else None,
        # u_max × D_avg / D_peak: u_max / peak_to_average for realtime-only traffic.
        utilisation_ceiling=u_max * avg / peak
        if peak > 0
        else u_max / scenario.workload.peak_to_average,
        gpu_month_usd=gpu_month,
        overhead_month_usd=overhead_month,
        ops_share_month_usd=ops_share,
        gpu_cost_per_mtok_usd=gpu_month / volume_month if sized else None,
        all_in_cost_per_mtok_usd=(gpu_month + overhead_month + ops_share) / volume_month
        if sized
        else None,
        blended_api_price_per_mtok_usd=blended_api,
        break_even_utilisation=break_even,
    )


UTILISATION_GRID = [i / 100 for i in range(4, 101, 2)]


def _utilisation_curve(model: CostModel, d: DeploymentResult) -> UtilisationCurve:
    """The article's picture: cost per Mtok = hourly cost / (u × R × 3600 / 10^6)."""
    assert d.blended_api_price_per_mtok_usd is not None and d.break_even_utilisation is not None
    assert d.average_utilisation is not None
    hourly = d.gpu_hour_price_usd * d.gpus_per_replica * (1 + model.overhead_fraction)
    return UtilisationCurve(
        deployment=d.deployment,
        points=[
            UtilisationPoint(
                average_utilisation=u,
                cost_per_mtok_usd=cost_per_mtok(hourly, u, d.effective_tps_per_replica),
            )
            for u in UTILISATION_GRID
        ],
        blended_api_price_per_mtok_usd=d.blended_api_price_per_mtok_usd,
        break_even_utilisation=d.break_even_utilisation,
        current_utilisation=d.average_utilisation,
        utilisation_ceiling=d.utilisation_ceiling,
    )


def _calibration(scenario: Scenario, api_only: Cost, proposed: Cost) -> Calibration:
    catalogue_api_month_usd = api_only.monthly_cost_usd
    bill = scenario.client.current_monthly_api_bill
    if bill is None:
        return Calibration(
            catalogue_api_month_usd=catalogue_api_month_usd,
            client_bill_display=None,
            client_bill_usd=None,
            difference_pct=None,
            flagged=False,
        )
    bill_usd = bill / scenario.client.usd_fx_rate
    difference = (catalogue_api_month_usd - bill_usd) / bill_usd * 100 if bill_usd > 0 else None
    at_bill = None
    if catalogue_api_month_usd > 0:
        scale = bill_usd / catalogue_api_month_usd
        self_hosted = proposed.monthly_cost_usd - proposed.api_month_usd
        at_bill = scale * (api_only.api_month_usd - proposed.api_month_usd) - self_hosted
    return Calibration(
        catalogue_api_month_usd=catalogue_api_month_usd,
        client_bill_display=bill,
        client_bill_usd=bill_usd,
        difference_pct=difference,
        flagged=difference is None or abs(difference) > CALIBRATION_TOLERANCE_PCT,
        monthly_savings_at_client_bill_usd=at_bill,
    )


def _sources(
    scenario: Scenario,
    deployments: dict[str, ResolvedDeployment],
    prices: dict[str, TierPrices],
    catalogue: Catalogue,
) -> list[Sourced]:
    """Every catalogue figure the analysis leaned on, once each."""
    found: dict[tuple[str, ...], Sourced] = {}

    def add(key: tuple[str, ...], entry: Sourced) -> None:
        found.setdefault(key, entry)

    for tier in scenario.tiers:
        p = prices[tier.tier]
        api_model = catalogue.resolve_api_model(tier.api_model) or tier.api_model
        add(
            ("api_prices", api_model, tier.api_mode),
            Sourced(
                kind="api_prices",
                subject=api_model,
                name=api_model,
                figures={
                    "input_usd_per_mtok": p.input_per_mtok,
                    "cached_input_usd_per_mtok": p.cached_input_per_mtok,
                    "output_usd_per_mtok": p.output_per_mtok,
                },
                api_mode=tier.api_mode,
                source=p.reference,
                as_of=None,
            ),
        )
    for dep in deployments.values():
        g, m, i = dep.gpu, dep.model, dep.instance
        figures = {"vram_gb": g.vram_gb, "bandwidth_tbs": g.memory_bandwidth_tbs}
        add(
            ("gpu", g.id),
            Sourced(
                kind="gpu",
                subject=g.id,
                name=g.name,
                figures=figures,
                source=g.source,
                as_of=g.as_of,
            ),
        )
        add(
            ("model", m.id),
            Sourced(
                kind="model",
                subject=m.id,
                name=m.name,
                figures={"params_b": m.params_b},
                source=m.source,
                as_of=m.as_of,
            ),
        )
        if dep.spec.gpu_hour_price is None:
            instance = {"gpus_per_instance": float(i.gpus_per_instance)}
            if i.on_demand_usd_per_gpu_hour:
                instance["on_demand_usd_per_gpu_hour"] = i.on_demand_usd_per_gpu_hour
            add(
                ("instance", i.id),
                Sourced(
                    kind="instance",
                    subject=i.id,
                    name=i.id,
                    figures=instance,
                    gpu_name=g.name,
                    source=i.source,
                    as_of=i.as_of,
                ),
            )
            if dep.spec.price_plan in ("reserved_1y", "reserved_3y"):
                plan = catalogue.price_plans[dep.spec.price_plan]
                add(
                    ("price_plan", plan.plan),
                    Sourced(
                        kind="price_plan",
                        subject=plan.plan,
                        name=plan.plan,
                        figures={"discount_pct": plan.discount_vs_on_demand_pct},
                        source=plan.source,
                        as_of=plan.as_of,
                    ),
                )
        r = dep.rates
        if r.kind != "client-supplied":
            rates = {}
            if r.prefill_tps_per_gpu is not None:
                rates["prefill_tps_per_gpu"] = r.prefill_tps_per_gpu
            if r.decode_tps_per_gpu is not None:
                rates["decode_tps_per_gpu"] = r.decode_tps_per_gpu
            if r.tps_per_gpu is not None:
                rates["tps_per_gpu"] = r.tps_per_gpu
            add(
                ("serving_rates", m.id, dep.spec.precision, g.id),
                Sourced(
                    kind="serving_rates",
                    subject=m.id,
                    name=m.name,
                    figures=rates,
                    gpu_name=g.name,
                    precision=dep.spec.precision,
                    rate_kind=r.kind,
                    source=r.source,
                    as_of=r.as_of,
                ),
            )
    return list(found.values())
