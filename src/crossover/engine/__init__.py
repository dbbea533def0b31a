"""The economics: pure functions from a validated scenario to every figure (docs/economics.md)."""

from __future__ import annotations

from datetime import date

from crossover.catalogue import STALE_AFTER_DAYS, Catalogue, PricePlanAssumption
from crossover.engine.api_cost import api_month_usd, resolve_prices
from crossover.engine.checks import check_scenario
from crossover.engine.compare import named_plans, summary, tier_choices
from crossover.engine.constants import (
    CALIBRATION_TOLERANCE_PCT,
    COMFORTABLE_FIT,
    DAYS_PER_MONTH,
    HOURS_PER_MONTH,
)
from crossover.engine.crossover import solve_crossover
from crossover.engine.horizon import horizon, payback_weeks, setup_cost_usd
from crossover.engine.ids import canonical_ids
from crossover.engine.montecarlo import monte_carlo
from crossover.engine.plans import TIE_TOLERANCE, PlanCost, PlanSearch
from crossover.engine.rates import LatencyUnreachableError, RequestShape
from crossover.engine.recommend import choose_scenario, risks
from crossover.engine.results import (
    Calibration,
    DeploymentResult,
    InputWarning,
    Plan,
    PlanAnalysis,
    Recommendation,
    Results,
    ScenarioCost,
    ScenarioName,
    Scenarios,
    Sourced,
    StalePrice,
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
    """Every figure of docs/economics.md for one scenario; ScenarioError if it breaks a rule."""
    scenario = canonical_ids(scenario, catalogue)
    problems = check_scenario(scenario, catalogue)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise ScenarioError("scenario", errors)
    warnings = [InputWarning.of(p) for p in problems if p.severity == "warning"]

    resolved, _ = resolve_deployments(scenario, catalogue)
    prices = {
        t.tier: _priced(resolve_prices(scenario, catalogue, t.api_model, t.api_mode))
        for t in scenario.tiers
    }
    base = CostModel(scenario, resolved, prices)
    setup = setup_cost_usd(scenario)
    search = PlanSearch(base, setup)
    outcome = search.search()
    routes = routings(scenario)
    route_plans = {
        name: search.plan(search.choice_of(_routes_of(routing))) for name, routing in routes.items()
    }
    # Each deployment on the instance its plan chose: the proposal's first, else all self-hosted's.
    placed = {
        d: resolved[d].placed(p)
        for name in ("all_self_hosted", "proposed")
        if name in route_plans
        for d, p in route_plans[name].placements.items()
    }
    deployments = {**resolved, **placed}
    model = base.placed(placed)
    costs = {name: model.cost(routing) for name, routing in routes.items()}

    savings = costs["api_only"].monthly_cost_usd - costs["proposed"].monthly_cost_usd
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
            InputWarning(
                code="bill_mismatch",
                message="The API cost priced from the catalogue differs from the client's "
                "current bill by more than 20%: check the volumes and prices, or the bill.",
            )
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
    best = outcome.ranked[0]
    beats = route_plans["proposed"].horizon_usd - best.horizon_usd
    plans = named_plans(outcome, route_plans["api_only"], route_plans["proposed"], setup)
    calibration = _best_at_bill(calibration, plans, model.tier_api_month)
    recommended = _plan_analysis(
        search,
        best,
        base,
        routes["api_only"],
        setup,
        calibration,
        scenario.compliance.flags,
        {m.id: m.api_equivalents for m in catalogue.models.values()},
    )
    recommendation = Recommendation(
        plan="best",
        best_saves_vs_proposal_usd=beats,
        best_beats_proposal=beats > TIE_TOLERANCE * route_plans["proposed"].horizon_usd,
        scenario=chosen,
        required_by_compliance=bool(scenario.compliance.flags),
        compliance_flags=list(scenario.compliance.flags),
        compliance_premium_month_usd=premium,
        reason=reason,
        risks=chosen_risks,
        proposal_risks=proposal_risks,
    )
    sources = _sources(scenario, deployments, deployment_results, prices, catalogue)
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
        sources=sources,
        stale_prices=_stale(sources, scenario.client.report_date),
        display_currency=scenario.client.currency,
        usd_fx_rate=scenario.client.usd_fx_rate,
        sensitivity=sensitivity(scenario, deployments, prices),
        monte_carlo=monte_carlo(scenario, deployments, prices),
        plans=plans,
        plan_search=summary(outcome),
        tier_choices=tier_choices(search, best, route_plans["proposed"]),
        recommended=recommended,
    )


def _routes_of(routing: Routing) -> dict[str, str | None]:
    found: dict[str, str | None] = {t.tier: None for t in routing.api_tiers}
    for deployment_id, tiers in routing.self_hosted.items():
        found.update({t.tier: deployment_id for t in tiers})
    return found


def _plan_analysis(
    search: PlanSearch,
    plan: PlanCost,
    base: CostModel,
    api_only: Routing,
    setup: float,
    calibration: Calibration,
    compliance_flags: tuple[str, ...],
    api_equivalents: dict[str, list[str]],
) -> PlanAnalysis:
    """The recommended plan through the same sizing, crossover, horizon and risks as the proposal."""
    model = base.placed({d: base.deployments[d].placed(p) for d, p in plan.placements.items()})
    routing = search.routing(plan.choice)
    cost = model.cost(routing)
    crossover = solve_crossover(model, routing, api_only)
    months = horizon(model, {"api_only": api_only, "proposed": routing}, setup)
    deployments = [
        _deployment_result(model, model.deployments[d], routing, cost)
        for d in sorted(cost.deployments)
    ]
    premium = None
    if compliance_flags:
        premium = cost.monthly_cost_usd - model.cost(api_only).monthly_cost_usd
    plan_risks, _ = risks(
        model.scenario,
        "proposed" if routing.has_self_hosting else "api_only",
        deployments,
        months.payback_month,
        crossover,
        calibration,
        premium,
        api_equivalents,
    )
    savings = model.cost(api_only).monthly_cost_usd - cost.monthly_cost_usd
    return PlanAnalysis(
        plan="best",
        deployments=deployments,
        crossover=crossover,
        payback_weeks=payback_weeks(setup, savings) if routing.has_self_hosting else None,
        payback_month=months.payback_month,
        risks=plan_risks,
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
    shape = model.shapes[name]
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
        input_tokens_per_request=shape.shape.input_tokens,
        output_tokens_per_request=shape.shape.output_tokens,
        request_shape_assumed=shape.assumed,
        tpot_ms=shape.shape.tpot_ms,
        tpot_assumed=shape.tpot_assumed,
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
    replica_tps = model.replica_tps_for(spec.deployment, tuple(t.tier for t in tiers))
    rated = load if load.total_mtok > 0 else model.option_load(spec.deployment)
    try:
        rates = model.rates(spec.deployment, rated)
    except LatencyUnreachableError:
        # An option that cannot keep its tiers' latency promise (the search never uses it) is
        # shown at its throughput-bound rates.
        shape = model.shape(spec.deployment, rated)
        rates = dep.rates_for(RequestShape(shape.input_tokens, shape.output_tokens, None))
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
        price_plan=dep.price_plan,
        instance=dep.instance.id if dep.instance is not None else None,
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
        rates=rates,
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
        at_bill = _savings_at_bill(
            bill_usd, api_only.api_month_usd, proposed.api_month_usd, proposed.monthly_cost_usd
        )
    return Calibration(
        catalogue_api_month_usd=catalogue_api_month_usd,
        client_bill_display=bill,
        client_bill_usd=bill_usd,
        difference_pct=difference,
        flagged=difference is None or abs(difference) > CALIBRATION_TOLERANCE_PCT,
        monthly_savings_at_client_bill_usd=at_bill,
    )


def _best_at_bill(
    calibration: Calibration, plans: list[Plan], tier_api_month: dict[str, float]
) -> Calibration:
    """The best plan's month-0 savings if the client's bill is right, as for the proposal."""
    bill, listed = calibration.client_bill_usd, calibration.catalogue_api_month_usd
    if bill is None or listed <= 0:
        return calibration
    best = next(p for p in plans if p.name == "best")
    api = sum(tier_api_month[tier] for tier, route in best.routes.items() if route == "api")
    at_bill = _savings_at_bill(bill, listed, api, best.monthly_cost_usd)
    return calibration.model_copy(update={"best_monthly_savings_at_client_bill_usd": at_bill})


def _savings_at_bill(bill: float, listed: float, api: float, monthly_cost: float) -> float:
    """A plan's month-0 savings if the client's bill is right (economics §8): every API cost
    scaled by bill / list-price bill, the plan's self-hosted costs unchanged."""
    return bill / listed * (listed - api) - (monthly_cost - api)


def _sources(
    scenario: Scenario,
    deployments: dict[str, ResolvedDeployment],
    deployment_results: list[DeploymentResult],
    prices: dict[str, TierPrices],
    catalogue: Catalogue,
) -> list[Sourced]:
    """Every catalogue figure the analysis leaned on, once each."""
    found: dict[tuple[str, ...], Sourced] = {}
    on = scenario.client.report_date

    def add(key: tuple[str, ...], entry: Sourced, *, price: bool = False) -> None:
        if (
            price
            and entry.as_of is not None
            and (entry.undated or (on - entry.as_of).days > STALE_AFTER_DAYS)
        ):
            entry = entry.model_copy(update={"stale": True})
        found.setdefault(key, entry)

    for tier in scenario.tiers:
        p = prices[tier.tier]
        api_model = catalogue.resolve_api_model(tier.api_model) or tier.api_model
        add(
            ("api_prices", api_model, tier.api_mode, p.reference),
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
                as_of=p.seen,
            ),
            price=True,
        )
    for dep in deployments.values():
        g, m, i = dep.gpu, dep.model, dep.instance
        add(
            ("gpu", g.id),
            Sourced(
                kind="gpu",
                subject=g.id,
                name=g.name,
                figures={"vram_gb": g.vram_gb, "bandwidth_tbs": g.memory_bandwidth_tbs},
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
                figures={
                    "params_b": m.params_b,
                    "layers": float(m.layers),
                    "kv_heads": float(m.kv_heads),
                    "head_dim": float(m.head_dim),
                },
                source=m.source,
                as_of=m.as_of,
            ),
        )
        if dep.spec.gpu_hour_price is None and i is not None:
            for basis in catalogue.price_basis(i, dep.price_plan):
                if isinstance(basis, PricePlanAssumption):
                    add(
                        ("price_plan", basis.plan, basis.cloud or ""),
                        Sourced(
                            kind="price_plan",
                            subject=basis.plan,
                            name=basis.plan,
                            figures={
                                "discount_pct": basis.discount_vs_on_demand_pct,
                                "range_low_pct": basis.range_pct[0],
                                "range_high_pct": basis.range_pct[1],
                            },
                            cloud=basis.cloud,
                            note=basis.basis,
                            source=basis.source,
                            as_of=basis.day,
                            undated=not basis.dated,
                        ),
                        price=True,
                    )
                else:
                    plan = "spot" if dep.price_plan == "spot" else "on_demand"
                    add(
                        ("instance", i.id, plan),
                        Sourced(
                            kind="instance",
                            subject=i.id,
                            name=i.id,
                            figures={
                                "gpus_per_instance": float(i.gpus_per_instance),
                                f"{plan}_usd_per_gpu_hour": basis.usd_per_gpu_hour,
                            },
                            gpu_name=g.name,
                            source=basis.source,
                            as_of=basis.day,
                            undated=not basis.dated,
                        ),
                        price=True,
                    )
    for d in deployment_results:
        r = d.rates
        if r.kind == "modelled" and r.error is not None:
            engine = catalogue.engines[r.error.engine]
            add(
                ("engine", r.error.engine, d.gpu),
                Sourced(
                    kind="engine",
                    subject=r.error.engine,
                    name=engine.name,
                    figures={
                        "mem_fraction": engine.mem_fraction,
                        "max_batch": float(engine.max_batch_on(d.gpu)),
                    },
                    gpu_name=d.gpu_name,
                    source=engine.source,
                    as_of=engine.as_of,
                ),
            )
            measured = [m for m in catalogue.measurements if m.engine == r.error.engine]
            add(
                ("serving_efficiency", r.error.engine),
                Sourced(
                    kind="serving_efficiency",
                    subject=r.error.engine,
                    name=engine.name,
                    figures={"measurements": float(len(measured))},
                    source="; ".join(sorted({m.source.split(",")[0] for m in measured})),
                    as_of=max(m.as_of for m in measured) if measured else None,
                ),
            )
    return list(found.values())


def _stale(sources: list[Sourced], on: date) -> list[StalePrice]:
    """The prices used that were seen longer ago than the catalogue's stale age."""
    return [
        StalePrice(
            kind=s.kind,
            subject=s.subject,
            name=s.name,
            api_mode=s.api_mode,
            cloud=s.cloud,
            source=s.source,
            seen=s.as_of,
            undated=s.undated,
            age_days=(on - s.as_of).days,
            limit_days=STALE_AFTER_DAYS,
        )
        for s in sources
        if s.stale and s.as_of is not None
    ]
