"""The best plan (economics §7a): the search against a brute force, its rules, a hand-worked case."""

from __future__ import annotations

import itertools
import math
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crossover.catalogue import Catalogue, load_catalogue
from crossover.engine import analyse
from crossover.engine.api_cost import resolve_prices
from crossover.engine.plans import PlanSearch
from crossover.engine.results import Results, TierPrices
from crossover.engine.scenarios import CostModel, Routing
from crossover.engine.sizing import resolve_deployments
from crossover.scenario import Scenario

PROFILE = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

DEPLOYMENTS: list[dict[str, Any]] = [
    {"deployment": "llama", "model": "llama-3.3-70b", "precision": "fp8", "gpu": "h100-sxm"},
    {"deployment": "qwen", "model": "qwen2.5-14b", "precision": "bf16", "gpu": "a100-80gb"},
    {
        "deployment": "qwen-fixed",
        "model": "qwen2.5-14b",
        "precision": "bf16",
        "gpu": "a100-80gb",
        "gpu_hour_price": 1.5,
        "gpus_per_instance": 1,
        "tps_per_gpu": 2500,
    },
]
IDS = [d["deployment"] for d in DEPLOYMENTS]


@st.composite
def scenarios(draw: st.DrawFn) -> dict[str, Any]:
    count = draw(st.integers(1, 3))
    weights = [draw(st.floats(1, 10)) for _ in range(count)]
    tiers = []
    for i, weight in enumerate(weights):
        candidates = draw(st.lists(st.sampled_from(IDS), max_size=3, unique=True))
        route = draw(st.sampled_from(["api", "self_host"])) if candidates else "api"
        tier: dict[str, Any] = {
            "tier": f"t{i}",
            "share_pct": 100 * weight / sum(weights),
            "api_model": draw(st.sampled_from(["anthropic/claude-haiku-4-5", "openai/gpt-4o"])),
            "api_mode": draw(st.sampled_from(["realtime", "batch"])),
            "route": route,
            "candidates": candidates,
            "locked": draw(st.booleans()),
        }
        if route == "self_host":
            tier["deployment"] = draw(st.sampled_from(candidates))
        tiers.append(tier)
    compliance = draw(st.booleans()) and all(t["candidates"] for t in tiers)
    if compliance:
        for tier in tiers:
            tier["route"] = "self_host"
            tier.setdefault("deployment", tier["candidates"][0])
    # Shares that add up to 100 within the tolerance, whatever the float rounding.
    tiers[-1]["share_pct"] = 100 - sum(t["share_pct"] for t in tiers[:-1])
    return {
        "client": {"client_name": "Generated", "report_date": "2026-11-27"},
        "workload": {
            "input_mtok_per_day": draw(st.floats(1, 3000)),
            "output_mtok_per_day": draw(st.floats(0.5, 600)),
            "peak_to_average": draw(st.floats(1, 4)),
            "monthly_growth_pct": draw(st.floats(-10, 20)),
        },
        "tiers": tiers,
        "deployments": DEPLOYMENTS,
        "operations": {
            "horizon_months": draw(st.integers(1, 36)),
            "redundancy": draw(st.sampled_from([0, 1])),
            # On demand always, so that every GPU has a priced instance.
            "price_plans": [
                "on_demand",
                *draw(
                    st.lists(st.sampled_from(["reserved_1y", "reserved_3y", "spot"]), unique=True)
                ),
            ],
        },
        "compliance": {"hipaa": compliance},
    }


def _brute_force(scenario: Scenario, catalogue: Catalogue) -> dict[tuple[str | None, ...], Any]:
    """Every routing, each priced month by month through the scalar cost model."""
    resolved, _ = resolve_deployments(scenario, catalogue)
    prices: dict[str, TierPrices] = {}
    for t in scenario.tiers:
        p = resolve_prices(scenario, catalogue, t.api_model, t.api_mode)
        assert not isinstance(p, str)
        prices[t.tier] = p
    model = CostModel(scenario, resolved, prices)
    ops = scenario.operations
    growth = 1 + scenario.workload.monthly_growth_pct / 100
    factors = [growth**m for m in range(ops.horizon_months)]
    setup = ops.setup_weeks * ops.setup_engineers * ops.engineer_week_cost
    options: list[list[str | None]] = []
    for tier in scenario.tiers:
        if tier.locked:
            options.append([tier.deployment if tier.route == "self_host" else None])
        else:
            allowed: list[str | None] = [] if scenario.compliance.flags else [None]
            own: list[str | None] = [tier.deployment]
            options.append(allowed + list(tier.candidates or own))
    found = {}
    for routing in itertools.product(*options):
        api = sum(
            model.tier_api_month[t.tier] * f
            for t, r in zip(scenario.tiers, routing, strict=True)
            if r is None
            for f in factors
        )
        deployments = 0.0
        for d in {r for r in routing if r is not None}:
            served = [t for t, r in zip(scenario.tiers, routing, strict=True) if r == d]
            alone = Routing("proposed", {d: served}, [])
            deployments += min(
                sum(
                    model.placed({d: resolved[d].placed(p)})
                    .cost(alone, f)
                    .deployments[d]
                    .gpu_month_usd
                    * (1 + ops.infra_overhead_pct / 100)
                    for f in factors
                )
                for p in resolved[d].options
            )
        self_hosted = sum(r is not None for r in routing)
        estate = (model.ops_month_usd * len(factors) + setup) if self_hosted else 0.0
        found[routing] = (api + deployments + estate, len(set(routing) - {None}), self_hosted)
    return found


@PROFILE
@given(raw=scenarios())
def test_the_search_equals_a_brute_force_enumeration(
    raw: dict[str, Any], fixture_catalogue: Catalogue
) -> None:
    scenario = Scenario.model_validate(raw)
    results = analyse(scenario, fixture_catalogue)
    brute = _brute_force(scenario, fixture_catalogue)
    cheapest = min(cost for cost, _, _ in brute.values())
    best = _plan(results, "best")
    assert best.horizon_cost_usd == pytest.approx(cheapest, rel=1e-9)
    routing = tuple(None if r == "api" else r for r in best.routes.values())
    assert brute[routing][0] == pytest.approx(cheapest, rel=1e-9)
    # Ties go to fewer deployments, then fewer self-hosted tiers.
    tied = [v for v in brute.values() if math.isclose(v[0], cheapest, rel_tol=1e-9)]
    assert brute[routing][1:] == min(v[1:] for v in tied)
    assert results.plan_search.exhaustive
    assert results.plan_search.routings == len(brute)


@PROFILE
@given(raw=scenarios())
def test_the_best_plan_is_never_dearer_and_keeps_locks_and_compliance(
    raw: dict[str, Any], fixture_catalogue: Catalogue
) -> None:
    scenario = Scenario.model_validate(raw)
    results = analyse(scenario, fixture_catalogue)
    best = _plan(results, "best")
    for plan in results.plans:
        # API only and the proposal may break a lock or compliance; every plan that keeps them
        # is in the search, so the best is never dearer.
        if _allowed(scenario, plan.routes):
            assert best.horizon_cost_usd <= plan.horizon_cost_usd * (1 + 1e-12)
    for tier in scenario.tiers:
        route = best.routes[tier.tier]
        if tier.locked:
            assert route == (tier.deployment if tier.route == "self_host" else "api")
        if scenario.compliance.flags:
            assert route != "api"
        own: list[str | None] = [tier.deployment]
        assert route == "api" or route in (tier.candidates or own)
    # The best plan is the headline, always; the proposal is what it is compared with.
    assert results.headline.plan == best.key
    assert results.headline.proposal_horizon_cost_change_usd == pytest.approx(
        _plan(results, "proposed").horizon_cost_usd - best.horizon_cost_usd
    )
    # Each routing appears once, with every role it fills.
    assert len({tuple(p.routes.items()) for p in results.plans}) == len(results.plans)
    named = [r for p in results.plans for r in p.roles() if r != "alternative"]
    assert len(named) == len(set(named)) and {"api_only", "proposed", "best"} <= set(named)
    for plan in results.plans:
        assert plan.allowed == _allowed_by_compliance(scenario, plan.routes)


@settings(max_examples=30, deadline=None)
@given(volume=st.floats(1, 5000), providers=st.sampled_from([["aws"], ["aws", "coreweave"]]))
def test_instance_choice_bills_no_idle_machine_when_a_smaller_one_is_no_dearer(
    volume: float, providers: list[str]
) -> None:
    """L40S on AWS comes as 1, 4 or 8 GPUs, the 1-GPU machine the cheapest per GPU-hour."""
    scenario = Scenario.model_validate(
        {
            "client": {"client_name": "L40S", "report_date": "2026-11-27"},
            "workload": {"input_mtok_per_day": volume, "output_mtok_per_day": volume / 4},
            "tiers": [
                {
                    "tier": "chat",
                    "share_pct": 100,
                    "api_model": "openai/gpt-4o-mini",
                    "route": "self_host",
                    "deployment": "l",
                }
            ],
            "deployments": [
                {"deployment": "l", "model": "llama-3.1-8b", "precision": "fp8", "gpu": "l40s"}
            ],
            "operations": {"providers": providers, "price_plans": ["on_demand"]},
        }
    )
    results = analyse(scenario, load_catalogue())
    proposed = _plan(results, "proposed")
    (deployment,) = proposed.deployments
    assert proposed.instances["l"].instance == "aws/g6e.xlarge"
    assert proposed.billed_gpus == deployment.replicas * deployment.gpus_per_replica
    assert deployment.billed_gpus == proposed.billed_gpus


def test_a_hand_worked_plan(make_scenario: Any, fixture_catalogue: Catalogue) -> None:
    """One tier of 100 + 20 Mtok/day, Haiku at $1/$5 per Mtok, or one GPU-type at $2/GPU-hour.

    API: 30.41667 days × (100 × 1 + 20 × 5) = $6,083.33 a month; two months $12,166.67.
    Self-hosted: peak 120e6 / 86400 × 2 = 2,777.8 tok/s; R = 2,000; ceil(2,777.8 / 1,600) = 2
    replicas of one GPU: 2 × 2 × 730 = $2,920 + 10% overhead $292 + ops 0.25 × 180,000 / 12 =
    $3,750 → $6,962 a month; two months + setup 3 × 3,000 = $22,924. The API wins by $10,757.33.
    """
    scenario = make_scenario(
        tiers=[
            {
                "tier": "all",
                "share_pct": 100,
                "api_model": "anthropic/claude-haiku-4-5",
                "route": "self_host",
                "deployment": "d",
            }
        ],
        deployments=[
            {
                "deployment": "d",
                "model": "qwen2.5-14b",
                "precision": "bf16",
                "gpu": "a100-80gb",
                "gpu_hour_price": 2.0,
                "gpus_per_instance": 1,
                "gpus_per_replica": 1,
                "tps_per_gpu": 2000,
            }
        ],
        operations={"redundancy": 0, "horizon_months": 2},
        price_overrides=[
            {
                "api_model": "anthropic/claude-haiku-4-5",
                "input_per_mtok": 1,
                "cached_input_per_mtok": 1,
                "output_per_mtok": 5,
            }
        ],
    )
    results = analyse(scenario, fixture_catalogue)
    api_only, proposed, best = (_plan(results, n) for n in ("api_only", "proposed", "best"))
    assert api_only.monthly_cost_usd == pytest.approx(6083.333333, rel=1e-9)
    assert api_only.horizon_cost_usd == pytest.approx(12166.666667, rel=1e-9)
    assert proposed.monthly_cost_usd == pytest.approx(6962)
    assert proposed.horizon_cost_usd == pytest.approx(22924)
    assert proposed.billed_gpus == 2
    assert proposed.monthly_savings_usd == pytest.approx(6083.333333 - 6962)
    assert proposed.payback_weeks is None
    assert best.routes == {"all": "api"}
    assert best.key == api_only.key == results.headline.plan
    assert results.headline.proposal_horizon_cost_change_usd == pytest.approx(10757.333333)
    (choice,) = results.tier_choices
    assert (choice.route, choice.proposed_route) == ("api", "d")
    assert [m.route for m in choice.moves] == ["d"]
    assert [m.horizon_cost_change_usd for m in choice.moves] == pytest.approx([10757.333333])
    assert results.headline_plan.deployments == []
    assert results.headline_plan.payback_weeks is None


def test_beyond_the_exhaustive_limit_branch_and_bound_proves_the_optimum(
    make_scenario: Any, fixture_catalogue: Catalogue
) -> None:
    """Seven tiers with four options each: 4^7 = 16,384 routings; with a limit of 1,000
    branch and bound runs, prices fewer routings and proves the exhaustive optimum."""
    tiers = [
        {
            "tier": f"t{i}",
            "share_pct": 100 / 7 if i < 6 else 100 - 6 * (100 / 7),
            "api_model": "openai/gpt-4o",
            "candidates": IDS,
        }
        for i in range(7)
    ]
    scenario = make_scenario(tiers=tiers, deployments=DEPLOYMENTS)
    resolved, _ = resolve_deployments(scenario, fixture_catalogue)
    prices = {
        t.tier: resolve_prices(scenario, fixture_catalogue, t.api_model, t.api_mode)
        for t in scenario.tiers
    }
    model = CostModel(scenario, resolved, prices)  # type: ignore[arg-type]
    exact = PlanSearch(model, 9000).search()
    heuristic = PlanSearch(model, 9000)
    heuristic.limit = 1000
    found = heuristic.search()
    assert exact.exhaustive and not found.exhaustive
    assert found.method == "branch_and_bound" and found.proven
    assert found.routings == 4**7 and found.evaluated < 4**7
    assert found.ranked[0].horizon_usd == pytest.approx(exact.ranked[0].horizon_usd)


def _allowed(scenario: Scenario, routes: dict[str, str]) -> bool:
    """The routing keeps every lock and compliance rule (written apart from the engine's)."""
    for tier in scenario.tiers:
        route = routes[tier.tier]
        proposed = tier.deployment if tier.route == "self_host" else "api"
        if tier.locked and route != proposed:
            return False
        if scenario.compliance.flags and route == "api":
            return False
    return True


def _allowed_by_compliance(scenario: Scenario, routes: dict[str, str]) -> bool:
    """No tier that compliance or a lock on self-hosting keeps off its API is on it."""
    for tier in scenario.tiers:
        locked_off_api = tier.locked and tier.route == "self_host"
        if routes[tier.tier] == "api" and (scenario.compliance.flags or locked_off_api):
            return False
    return True


def _plan(results: Results, name: str) -> Any:
    """The plan in a role (a routing filling several roles is listed once, with them all)."""
    return results.plan_in_role(name)  # type: ignore[arg-type]
