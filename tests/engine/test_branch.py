"""Branch and bound (engine/branch.py, engine/bounds.py) against the exhaustive search it stands in for."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crossover.catalogue import Catalogue
from crossover.engine import analyse
from crossover.engine.api_cost import resolve_prices
from crossover.engine.bounds import Psi
from crossover.engine.horizon import setup_cost_usd
from crossover.engine.plans import EXHAUSTIVE_LIMIT, PlanSearch, SearchOutcome
from crossover.engine.scenarios import CostModel
from crossover.engine.sizing import resolve_deployments
from crossover.scenario import Scenario

from .test_plans import DEPLOYMENTS, IDS, scenarios

WIDE = settings(
    max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
SMALL = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _search(scenario: Scenario, catalogue: Catalogue) -> PlanSearch:
    resolved, _ = resolve_deployments(scenario, catalogue)
    prices = {
        t.tier: resolve_prices(scenario, catalogue, t.api_model, t.api_mode) for t in scenario.tiers
    }
    model = CostModel(scenario, resolved, prices)  # type: ignore[arg-type]
    return PlanSearch(model, setup_cost_usd(scenario))


def _both(scenario: Scenario, catalogue: Catalogue) -> tuple[SearchOutcome, SearchOutcome]:
    """The exhaustive search (its limits lifted) and branch and bound (its limit at 0)."""
    exhaustive = _search(scenario, catalogue)
    exhaustive.limit = exhaustive.sets_limit = 10**9
    bound = _search(scenario, catalogue)
    bound.limit = 0
    return exhaustive.search(), bound.search()


def _same(exhaustive: SearchOutcome, bound: SearchOutcome) -> None:
    assert exhaustive.exhaustive and exhaustive.method == "exhaustive"
    assert bound.method == "branch_and_bound" and bound.proven
    assert [p.choice for p in bound.ranked] == [p.choice for p in exhaustive.ranked]
    assert [p.horizon_usd for p in bound.ranked] == pytest.approx(
        [p.horizon_usd for p in exhaustive.ranked], rel=1e-12
    )
    assert (bound.all_self_hosted is None) == (exhaustive.all_self_hosted is None)
    if bound.all_self_hosted is not None and exhaustive.all_self_hosted is not None:
        assert bound.all_self_hosted.choice == exhaustive.all_self_hosted.choice
    assert bound.lower_bound_usd == bound.ranked[0].horizon_usd
    assert bound.gap_usd == 0
    assert bound.routings == exhaustive.routings


@SMALL
@given(raw=scenarios())
def test_on_small_cases_branch_and_bound_ranks_as_the_exhaustive_search(
    raw: dict[str, Any], fixture_catalogue: Catalogue
) -> None:
    """Locks, compliance, batch tiers, growth, redundancy and price plans as test_plans draws
    them: the same eight cheapest routings in the same order (ties included), the same best
    all self-hosted."""
    _same(*_both(Scenario.model_validate(raw), fixture_catalogue))


@st.composite
def wide_scenarios(draw: st.DrawFn) -> dict[str, Any]:
    """Nine tiers, each free to go to its API or any of three deployments: 4^9 = 262,144
    routings, just past the exhaustive limit; tiers of their own request shapes and modes."""
    weights = [draw(st.floats(0.2, 10)) for _ in range(9)]
    tiers = []
    for i, weight in enumerate(weights):
        mode = draw(st.sampled_from(["realtime", "realtime", "batch"]))
        tier: dict[str, Any] = {
            "tier": f"t{i}",
            "share_pct": 100 * weight / sum(weights),
            "api_model": draw(
                st.sampled_from(
                    ["anthropic/claude-haiku-4-5", "openai/gpt-4o", "openai/gpt-4o-mini"]
                )
            ),
            "api_mode": mode,
            "candidates": draw(st.permutations(IDS)),
            "input_tokens_per_request": draw(st.sampled_from([200, 1000, 4000])),
            "output_tokens_per_request": draw(st.sampled_from([50, 300, 1000])),
        }
        if mode == "realtime":
            tier["tpot_ms"] = draw(st.sampled_from([30, 50, 100]))
        tiers.append(tier)
    tiers[-1]["share_pct"] = 100 - sum(t["share_pct"] for t in tiers[:-1])
    volume = draw(st.floats(20, 4000))
    return {
        "client": {"client_name": "Wide", "report_date": "2026-11-27"},
        "workload": {
            "input_mtok_per_day": volume,
            "output_mtok_per_day": volume * draw(st.floats(0.05, 1)),
            "peak_to_average": draw(st.floats(1, 4)),
            "monthly_growth_pct": draw(st.floats(-5, 15)),
        },
        "tiers": tiers,
        "deployments": DEPLOYMENTS,
        "operations": {
            "horizon_months": draw(st.integers(1, 36)),
            "redundancy": draw(st.sampled_from([0, 1])),
            "price_plans": [
                "on_demand",
                *draw(st.lists(st.sampled_from(["reserved_1y", "reserved_3y"]), unique=True)),
            ],
        },
    }


@WIDE
@given(raw=wide_scenarios())
def test_just_past_the_exhaustive_limit_branch_and_bound_finds_the_true_optimum(
    raw: dict[str, Any], fixture_catalogue: Catalogue
) -> None:
    scenario = Scenario.model_validate(raw)
    search = _search(scenario, fixture_catalogue)
    assert search.routings == 4**9 > EXHAUSTIVE_LIMIT
    found = search.search()
    assert found.method == "branch_and_bound" and not found.exhaustive
    assert found.evaluated < found.routings
    exhaustive, _ = _both(scenario, fixture_catalogue)
    _same(exhaustive, found)


def _together(make_scenario: Any) -> Scenario:
    """Eleven tiers of 15 + 1 Mtok/day (a share of 1/11 of 165 + 11 each); G1 (t0-t5) may go
    to A or C, G2 (t6-t10) to B or C."""
    tiers = [
        {
            "tier": f"t{i}",
            "share_pct": 100 / 11 if i < 10 else 100 - 10 * (100 / 11),
            "api_model": "anthropic/claude-haiku-4-5",
            "candidates": ["a", "c"] if i < 6 else ["b", "c"],
        }
        for i in range(11)
    ]
    deployment = {
        "model": "qwen2.5-14b",
        "precision": "bf16",
        "gpu": "a100-80gb",
        "gpus_per_instance": 1,
        "gpus_per_replica": 1,
    }
    scenario: Scenario = make_scenario(
        workload={"input_mtok_per_day": 165, "output_mtok_per_day": 11, "peak_to_average": 1},
        tiers=tiers,
        deployments=[
            {**deployment, "deployment": "a", "gpu_hour_price": 3.5, "tps_per_gpu": 1112},
            {**deployment, "deployment": "b", "gpu_hour_price": 2.5, "tps_per_gpu": 1000},
            {**deployment, "deployment": "c", "gpu_hour_price": 6.5, "tps_per_gpu": 2100},
        ],
        operations={
            "horizon_months": 12,
            "redundancy": 0,
            "target_peak_utilisation_pct": 100,
            "infra_overhead_pct": 0,
            "setup_weeks": 4,
            "setup_engineers": 1,
            "engineer_week_cost": 5000,
            "ops_fte": 0,
        },
        price_overrides=[
            {
                "api_model": "anthropic/claude-haiku-4-5",
                "input_per_mtok": 1,
                "cached_input_per_mtok": 1,
                "output_per_mtok": 5,
            }
        ],
    )
    return scenario


def test_tiers_that_must_move_together_are_found_where_one_move_at_a_time_stops_6pct_dearer(
    make_scenario: Any, fixture_catalogue: Catalogue
) -> None:
    """3^11 = 177,147 routings, past the exhaustive limit.

    A tier on its API: (15 × $1 + 1 × $5) × 30.41667 days = $608.33 a month, $7,300 a year.
    A tier is 16e6 / 86,400 = 185.2 tokens/s, flat: one GPU of A (1,112 tok/s) holds six
    tiers, of B (1,000) five, of C (2,100) all eleven. A year of one GPU: A 3.5 × 730 × 12 =
    $30,660, B $21,900, C $56,940; setup 4 × $5,000 = $20,000 once, no ops.

    The optimum: G1 on A, G2 on B, 20,000 + 30,660 + 21,900 = $72,560 (API only: $80,300).
    Neither group pays alone (G1 on A, G2 on its API: $87,160; G2 on B, G1 on its API:
    $85,700), so from API only no tier can move by itself, and every tier on C
    (20,000 + 56,940 = $76,940, 6.04% dearer) is where the old one-tier-at-a-time descent
    stopped: from there, a tier moving alone to A or B opens a deployment for nothing.
    """
    scenario = _together(make_scenario)
    search = _search(scenario, fixture_catalogue)
    assert search.routings == 3**11 > EXHAUSTIVE_LIMIT
    found = search.search()
    assert found.method == "branch_and_bound" and found.proven
    best = found.ranked[0]
    assert best.horizon_usd == pytest.approx(72_560)
    assert best.routes == {f"t{i}": "a" if i < 6 else "b" for i in range(11)}
    assert found.lower_bound_usd == best.horizon_usd
    descended = _one_move_at_a_time(search)
    assert descended == pytest.approx(76_940)
    assert descended / best.horizon_usd - 1 == pytest.approx(0.0604, abs=5e-5)
    exhaustive, _ = _both(scenario, fixture_catalogue)
    _same(exhaustive, found)


def _one_move_at_a_time(search: PlanSearch) -> float:
    """The coordinate descent the search used beyond the limit before branch and bound: from
    API only, every tier on its first option, on its last, and each tier alone on each of its
    options, move one tier at a time to its cheapest option until none helps; the cheapest
    routing reached."""
    options = search.options
    starts = {tuple(o[0] for o in options), tuple(o[-1] for o in options)}
    for t in range(len(options)):
        for option in options[t]:
            starts.add(tuple(option if u == t else o[0] for u, o in enumerate(options)))
    reached = []
    for start in sorted(starts):
        current = start
        improved = True
        while improved:
            improved = False
            for t, opts in enumerate(options):
                batch = [(*current[:t], o, *current[t + 1 :]) for o in opts]
                costs = search.evaluate(np.array(batch, dtype=np.int64)).horizon_usd
                best = batch[int(np.argmin(costs))]
                if costs.min() < search.evaluate(np.array([current])).horizon_usd[0] - 1e-6:
                    current, improved = best, True
        reached.append(float(search.evaluate(np.array([current])).horizon_usd[0]))
    return min(reached)


def test_where_the_work_budget_runs_out_the_gap_is_proven(
    make_scenario: Any, fixture_catalogue: Catalogue
) -> None:
    """With a budget of 20,000 cells (a few hundred nodes) the search stops early: its lower bound is at
    most the optimum, and the best it found at least the optimum."""
    scenario = _together(make_scenario)
    search = _search(scenario, fixture_catalogue)
    search.budget = 20_000
    found = search.search()
    assert not found.proven
    assert found.nodes > 0
    assert found.lower_bound_usd <= 72_560 + 1e-6 <= found.ranked[0].horizon_usd + 2e-6
    assert found.gap_usd == pytest.approx(found.ranked[0].horizon_usd - found.lower_bound_usd)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(raw=wide_scenarios(), data=st.data())
def test_no_set_of_tiers_costs_less_than_its_bounds(
    raw: dict[str, Any], data: st.DataObject, fixture_catalogue: Catalogue
) -> None:
    """The bounds rest on the rate model never rating a set faster than its smallest request
    at any of its tiers' latencies; a change to the rate model that breaks this fails here.
    A tier the bounds say no set holding it can be served in makes the set infeasible."""
    search = _search(Scenario.model_validate(raw), fixture_catalogue)
    problem = search.problem()
    for d in range(len(search.deployment_ids)):
        mask = data.draw(st.integers(1, (1 << len(search.tiers)) - 1))
        members = [t for t in range(len(search.tiers)) if mask >> t & 1]
        exact = float(search._tabled(d, np.array([mask]))[0][0])
        work = np.array([problem.work[d, members].sum()])
        assert problem.tables[d](work)[0] <= exact * (1 + 1e-12)
        assert problem.kappa[d] * problem.psi(work)[0] <= exact * (1 + 1e-12)
        if any(d not in problem.options[t] for t in members):
            assert exact == np.inf


def test_psi_counts_fractional_replica_months() -> None:
    """Two months at 100% then 150% of today's work, u = 0.5, redundancy 1:
    ψ(ω) = 2 + max(1, 2ω) + max(1, 3ω). At ω = 0.25: 2 + 1 + 1 = 4; at 0.4: 2 + 1 + 1.2 =
    4.2; at 1: 2 + 2 + 3 = 7; at 3: 2 + 6 + 9 = 17."""
    psi = Psi(np.array([1.0, 1.5]), 0.5, 1)
    assert psi(np.array([0.25, 0.4, 1.0, 3.0])) == pytest.approx([4, 4.2, 7, 17], rel=1e-8)


def test_many_tiers_sharing_one_deployment_go_to_branch_and_bound_below_the_routing_limit(
    make_scenario: Any, fixture_catalogue: Catalogue
) -> None:
    """13 tiers, each on its API or one shared deployment: 2^13 = 8,192 routings, within the
    routing limit, but 8,192 sets of tiers to rate (over 4,096), which made 16 such tiers take
    15 s exhaustively. Branch and bound ranks them as the exhaustive search does."""
    tiers = [
        {
            "tier": f"t{i}",
            "share_pct": 100 / 13 if i < 12 else 100 - 12 * (100 / 13),
            "api_model": "openai/gpt-4o",
            "candidates": ["llama"],
            "input_tokens_per_request": 300 + 150 * i,
            "output_tokens_per_request": 100 + 40 * i,
        }
        for i in range(13)
    ]
    scenario = make_scenario(tiers=tiers, deployments=DEPLOYMENTS[:1])
    search = _search(scenario, fixture_catalogue)
    assert search.routings == 8192 <= EXHAUSTIVE_LIMIT
    assert search.table_sets == 8192
    found = search.search()
    assert found.method == "branch_and_bound"
    exhaustive, _ = _both(scenario, fixture_catalogue)
    _same(exhaustive, found)


def test_analyse_headlines_the_optimum_past_the_exhaustive_limit(
    make_scenario: Any, fixture_catalogue: Catalogue
) -> None:
    """The tiers-move-together case through analyse(): its best plan is the proven optimum,
    G1 on A and G2 on B, $72,560 over the year."""
    results = analyse(_together(make_scenario), fixture_catalogue)
    best = next(p for p in results.plans if p.name == "best")
    assert best.horizon_cost_usd == pytest.approx(72_560)
    assert best.routes == {f"t{i}": "a" if i < 6 else "b" for i in range(11)}
    assert results.plan_search.routings == 3**11
    assert results.plan_search.evaluated < 3**11
