"""The economics: pure functions from a validated scenario to every figure (docs/economics.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from crossover.catalogue import STALE_AFTER_DAYS, Catalogue, PricePlanAssumption
from crossover.engine.api_cost import api_month_usd, resolve_prices
from crossover.engine.checks import check_scenario
from crossover.engine.compare import NamedPlan, instances, named_plans, summary, tier_choices
from crossover.engine.constants import (
    CALIBRATION_TOLERANCE_PCT,
    COMFORTABLE_FIT,
    DAYS_PER_MONTH,
    HOURS_PER_MONTH,
    HOURS_PER_YEAR,
)
from crossover.engine.crossover import solve_crossover
from crossover.engine.difficulty import parts, split_quality, split_scenario, split_tiers
from crossover.engine.horizon import first_year_by_quarter, horizon, payback_weeks, setup_cost_usd
from crossover.engine.ids import canonical_ids
from crossover.engine.instances import kept_out
from crossover.engine.montecarlo import monte_carlo
from crossover.engine.parts import TierPart
from crossover.engine.plans import PlanSearch
from crossover.engine.quality import assess_quality
from crossover.engine.rates import LatencyUnreachableError, RequestShape
from crossover.engine.recommend import headline, risks
from crossover.engine.results import (
    Calibration,
    Commitment,
    DeploymentResult,
    InputWarning,
    Plan,
    Results,
    Sourced,
    StalePrice,
    TierPrices,
    TierResult,
    UtilisationCurve,
    UtilisationPoint,
)
from crossover.engine.scenarios import Cost, CostModel, Routing, api_only_routing, routings
from crossover.engine.sensitivity import sensitivity
from crossover.engine.sizing import (
    ResolvedDeployment,
    break_even_utilisation,
    cost_per_mtok,
    demand_tps,
    resolve_deployments,
)
from crossover.problem_facts import BillMismatch, NoPlan
from crossover.scenario import Problem, Scenario, ScenarioError

__all__ = ["Results", "analyse", "check_scenario"]


def analyse(scenario: Scenario, catalogue: Catalogue) -> Results:
    """Every figure of docs/economics.md for one scenario; ScenarioError if it breaks a rule."""
    scenario = canonical_ids(scenario, catalogue)
    problems = check_scenario(scenario, catalogue)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise ScenarioError("scenario", errors)
    warnings = [InputWarning.of(p) for p in problems if p.severity == "warning"]
    # Quality rules remove the candidates that miss them before the search (economics §7b);
    # a tier split by difficulty is routed as two parts, the easier open to them all.
    judged = assess_quality(scenario, catalogue)
    split = split_tiers(scenario, judged)
    tier_parts = parts(scenario, split)
    quality = split_quality(judged, tier_parts)
    client_scenario, scenario = scenario, split_scenario(scenario, split)

    resolved, _ = resolve_deployments(scenario, catalogue)
    prices = {
        t.tier: _priced(resolve_prices(scenario, catalogue, t.api_model, t.api_mode))
        for t in scenario.tiers
    }
    base = CostModel(scenario, resolved, prices)
    setup = setup_cost_usd(scenario)
    search = PlanSearch(base, setup, quality.excluded_by_tier)
    outcome = search.search()
    if not outcome.ranked:
        raise ScenarioError("scenario", [_no_plan_problem()])
    api_only = search.plan(search.choice_of(dict.fromkeys(search.names)))
    proposed = search.plan(search.choice_of(_routes_of(routings(scenario)["proposed"])))
    calibration = _calibration(scenario, base.cost(api_only_routing(scenario)))
    if calibration.flagged:
        warnings.append(
            InputWarning.of(
                Problem(loc=(), severity="warning", code="bill_mismatch", facts=BillMismatch())
            )
        )
    equivalents = {m.id: m.api_equivalents for m in catalogue.models.values()}
    analysed = [
        _analysed_plan(
            search,
            base,
            named,
            prices,
            setup,
            calibration,
            equivalents,
            outcome.all_self_hosted_proven if named.name == "all_self_hosted" else outcome.proven,
        )
        for named in named_plans(search, outcome, api_only, proposed)
    ]
    plans = [a.plan for a in analysed]
    chosen = headline(scenario, plans)
    headline_model = next(a for a in analysed if a.plan.key == chosen.plan)
    unused = [
        _deployment_result(
            headline_model.model,
            headline_model.model.deployments[d.deployment],
            headline_model.routing,
            headline_model.cost,
        )
        for d in scenario.deployments
        if d.deployment not in headline_model.plan.instances
    ]
    # What the plans used, then the options shown beside them: each figure sourced once.
    used = [(a.model, d) for a in analysed for d in a.plan.deployments]
    used += [(headline_model.model, d) for d in unused]
    return Results(
        scenario=client_scenario,
        catalogue_versions=catalogue.versions,
        hours_per_month=HOURS_PER_MONTH,
        days_per_month=DAYS_PER_MONTH,
        total_mtok_per_day=scenario.workload.total_mtok_per_day,
        tiers=[
            _tier_result(scenario, catalogue, base, t.tier, prices, tier_parts.get(t.tier))
            for t in scenario.tiers
        ],
        plans=plans,
        headline=chosen,
        unused_deployments=unused,
        plan_search=summary(outcome),
        tier_choices=tier_choices(search, outcome.ranked[0], proposed),
        calibration=calibration,
        kept_out=[
            exclusion
            for d in resolved.values()
            for exclusion in kept_out(
                d.spec, d.gpus_per_replica, catalogue, scenario.operations, scenario.compliance
            )
        ],
        quality=quality,
        warnings=warnings,
        sources=(sources := _sources(scenario, used, prices, catalogue)),
        stale_prices=_stale(sources, scenario.client.report_date),
        display_currency=scenario.client.currency,
        usd_fx_rate=scenario.client.usd_fx_rate,
    )


def _no_plan_problem() -> Problem:
    return Problem(loc=("tiers",), facts=NoPlan())


def _routes_of(routing: Routing) -> dict[str, str | None]:
    found: dict[str, str | None] = {t.tier: None for t in routing.api_tiers}
    for deployment_id, tiers in routing.self_hosted.items():
        found.update({t.tier: deployment_id for t in tiers})
    return found


@dataclass(frozen=True)
class _Analysed:
    """A plan's results with the cost model and routing they came from (for its sources)."""

    plan: Plan
    model: CostModel
    routing: Routing
    cost: Cost


def _analysed_plan(
    search: PlanSearch,
    base: CostModel,
    named: NamedPlan,
    prices: dict[str, TierPrices],
    setup: float,
    calibration: Calibration,
    api_equivalents: dict[str, list[str]],
    proven: bool,
) -> _Analysed:
    """One plan through sizing, crossover, horizon, sensitivity, simulation and risks."""
    placed = {d: base.deployments[d].placed(p) for d, p in named.cost.placements.items()}
    model = base.placed(placed)
    routing = search.routing(named.cost.choice)
    everything_on_api = api_only_routing(base.scenario)
    cost = model.cost(routing)
    api_cost = model.cost(everything_on_api)
    scenario = model.scenario
    self_hosts = routing.has_self_hosting
    crossover = solve_crossover(model, routing, everything_on_api)
    months = horizon(model, everything_on_api, routing, setup)
    deployments = [
        _deployment_result(model, model.deployments[d], routing, cost) for d in sorted(placed)
    ]
    savings = api_cost.monthly_cost_usd - cost.monthly_cost_usd
    premium = (
        cost.monthly_cost_usd - api_cost.monthly_cost_usd if scenario.compliance.flags else None
    )
    at_bill = None
    if calibration.client_bill_usd is not None and calibration.catalogue_api_month_usd > 0:
        at_bill = _savings_at_bill(
            calibration.client_bill_usd,
            calibration.catalogue_api_month_usd,
            cost.api_month_usd,
            cost.monthly_cost_usd,
        )
    plan = Plan(
        key=named.key,
        name=named.name,
        also=list(named.also),
        allowed=named.allowed,
        routes=named.cost.routes,
        instances=instances(named.cost),
        api_month_usd=cost.api_month_usd,
        gpu_month_usd=cost.gpu_month_usd,
        overhead_month_usd=cost.overhead_month_usd,
        ops_month_usd=cost.ops_month_usd,
        monthly_cost_usd=cost.monthly_cost_usd,
        monthly_savings_usd=savings,
        monthly_savings_at_client_bill_usd=at_bill,
        compliance_premium_month_usd=premium,
        setup_cost_usd=setup if self_hosts else 0.0,
        payback_weeks=payback_weeks(setup, savings) if self_hosts else None,
        billed_gpus=sum(c.billed_gpus for c in cost.deployments.values()),
        proven=proven,
        deployments=deployments,
        crossover=crossover,
        horizon=months,
        utilisation_curves=[_utilisation_curve(model, d) for d in deployments],
        sensitivity=sensitivity(scenario, model.deployments, prices, routing),
        monte_carlo=monte_carlo(
            scenario,
            model.deployments,
            prices,
            routing,
            max(
                (
                    d.rates.error.band_factor
                    for d in deployments
                    if d.rates.error is not None and d.rates.error.band_factor is not None
                ),
                default=None,
            ),
        ),
        risks=risks(
            scenario,
            deployments,
            months.payback_month,
            crossover,
            calibration,
            premium,
            api_equivalents,
        ),
        commitments=[c for d in deployments if (c := _commitment(d)) is not None],
        first_year=first_year_by_quarter(months),
    )
    return _Analysed(plan, model, routing, cost)


TERM_MONTHS = {"reserved_1y": 12, "reserved_3y": 36}


def _commitment(d: DeploymentResult) -> Commitment | None:
    """A reserved deployment's commitment: month 0's machines for the plan's term."""
    term = TERM_MONTHS.get(d.price_plan)
    if term is None:
        return None
    per_year = d.billed_gpus * d.gpu_hour_price_usd * HOURS_PER_YEAR
    return Commitment(
        deployment=d.deployment,
        instance=d.instance,
        price_plan=d.price_plan,
        term_months=term,
        instances=d.instances,
        billed_gpus=d.billed_gpus,
        usd_per_year=per_year,
        total_usd=per_year * term / 12,
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
    part: TierPart | None,
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
    whole = sum(v.total for v in model.volumes.values())
    return TierResult(
        tier=name,
        # economics §1: a tier giving its own volume has the share it makes of the whole.
        share_pct=tier.share_pct if tier.share_pct is not None else volume.total / whole * 100,
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
        part=part,
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
    # An option that cannot serve the tiers naming it (rate 0: they do not fit, or their
    # latency cannot be met) has no break-even to speak of.
    if blended_api is not None and replica_tps > 0:
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
        gpus_per_replica_source=dep.gpus_per_replica_reason,
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


def _calibration(scenario: Scenario, api_only: Cost) -> Calibration:
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
    return Calibration(
        catalogue_api_month_usd=catalogue_api_month_usd,
        client_bill_display=bill,
        client_bill_usd=bill_usd,
        difference_pct=difference,
        flagged=difference is None or abs(difference) > CALIBRATION_TOLERANCE_PCT,
    )


def _savings_at_bill(bill: float, listed: float, api: float, monthly_cost: float) -> float:
    """A plan's month-0 savings if the client's bill is right (economics §8): every API cost
    scaled by bill / list-price bill, the plan's self-hosted costs unchanged."""
    return bill / listed * (listed - api) - (monthly_cost - api)


def _sources(
    scenario: Scenario,
    used: list[tuple[CostModel, DeploymentResult]],
    prices: dict[str, TierPrices],
    catalogue: Catalogue,
) -> list[Sourced]:
    """Every catalogue figure the plans and the options shown leaned on, once each: `used`
    pairs each deployment's result with the cost model that placed it."""
    deployments = [model.deployments[d.deployment] for model, d in used]
    deployment_results = [d for _, d in used]
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
    for dep in deployments:
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
            gpu_name=s.gpu_name,
            source=s.source,
            seen=s.as_of,
            undated=s.undated,
            age_days=(on - s.as_of).days,
            limit_days=STALE_AFTER_DAYS,
        )
        for s in sources
        if s.stale and s.as_of is not None
    ]
