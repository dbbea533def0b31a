"""Monte Carlo: the vectorised engine against the scalar one, draw by draw, and its summary."""

from __future__ import annotations

import copy
import json
from typing import Any

import numpy as np
import pytest

from crossover.catalogue import Catalogue
from crossover.engine import analyse
from crossover.engine.api_cost import resolve_prices
from crossover.engine.horizon import payback_weeks
from crossover.engine.montecarlo import (
    draw_inputs,
    evaluate_draw,
    simulate,
)
from crossover.engine.results import TierPrices
from crossover.engine.scenarios import routings
from crossover.engine.sizing import ResolvedDeployment, resolve_deployments
from crossover.scenario import Scenario, ScenarioError, parse_scenario

RANGES: dict[str, Any] = {
    "volume_factor": {"low": 0.6, "likely": 1, "high": 1.5},
    "monthly_growth_pct": {"low": -2, "likely": 2, "high": 6},
    "throughput_factor": {"low": 0.6, "likely": 1, "high": 1.2},
    "gpu_price_factor": {"low": 0.8, "likely": 1, "high": 1.4},
    "api_price_change_pct": {"low": -40, "likely": -10, "high": 10},
}


def _raw(**uncertainty: Any) -> dict[str, Any]:
    """A proposal that wins in about half of the futures drawn from RANGES."""
    return {
        "client": {"client_name": "Monte Carlo", "report_date": "2026-11-27"},
        "workload": {
            "input_mtok_per_day": 800,
            "output_mtok_per_day": 120,
            "peak_to_average": 1.6,
            "monthly_growth_pct": 2,
            "cache_hit_pct": 10,
        },
        "tiers": [
            {
                "tier": "bulk",
                "share_pct": 65,
                "api_model": "anthropic/claude-haiku-4-5",
                "route": "self_host",
                "deployment": "llama-h100",
            },
            {
                "tier": "nightly",
                "share_pct": 15,
                "api_model": "anthropic/claude-haiku-4-5",
                "api_mode": "batch",
                "route": "self_host",
                "deployment": "llama-h100",
            },
            {"tier": "hard", "share_pct": 20, "api_model": "anthropic/claude-sonnet-4-5"},
        ],
        "deployments": [
            {
                "deployment": "llama-h100",
                "model": "llama-3.3-70b",
                "precision": "fp8",
                "gpu": "h100-sxm",
                "gpus_per_instance": 1,
            }
        ],
        "operations": {"setup_weeks": 8, "setup_engineers": 2},
        "uncertainty": uncertainty,
    }


def _inputs(
    scenario: Scenario, catalogue: Catalogue
) -> tuple[dict[str, ResolvedDeployment], dict[str, TierPrices]]:
    deployments, _ = resolve_deployments(scenario, catalogue)
    prices = {}
    for t in scenario.tiers:
        found = resolve_prices(scenario, catalogue, t.api_model, t.api_mode)
        assert isinstance(found, TierPrices)
        prices[t.tier] = found
    return deployments, prices


def test_with_no_range_only_the_rate_models_error_is_drawn(fixture_catalogue: Catalogue) -> None:
    """No range given: the serving rates are drawn within the rate model's held-out band
    (1/band, 1, band) and nothing else moves; with the client's own rates, no simulation."""
    results = analyse(Scenario.model_validate(_raw()), fixture_catalogue)
    plan = results.proposal
    assert len(plan.sensitivity) == 7
    mc = plan.monte_carlo
    assert mc is not None and mc.basis == "rate_model"
    assert mc.uncertain == ["throughput_factor"]
    (deployment,) = plan.deployments
    assert deployment.rates.error is not None and deployment.rates.error.band_factor is not None
    measured = _raw()
    measured["deployments"][0] |= {"prefill_tps_per_gpu": 20_000, "decode_tps_per_gpu": 2_000}
    own = analyse(Scenario.model_validate(measured), fixture_catalogue)
    assert own.proposal.monte_carlo is None


def test_ranges_collapsed_to_todays_inputs_reproduce_the_scalar_result_exactly(
    fixture_catalogue: Catalogue,
) -> None:
    today = {
        "volume_factor": 1.0,
        "monthly_growth_pct": 2.0,
        "throughput_factor": 1.0,
        "gpu_price_factor": 1.0,
        "api_price_change_pct": 0.0,
    }
    collapsed = {k: {"low": v, "likely": v, "high": v} for k, v in today.items()}
    results = analyse(Scenario.model_validate(_raw(**collapsed, draws=1000)), fixture_catalogue)
    mc = results.proposal.monte_carlo
    assert mc is not None
    horizon = results.proposal.horizon
    cumulative = horizon.cumulative_api_only_usd - horizon.cumulative_plan_usd
    # To the bit: the vectorised path repeats the scalar engine's arithmetic.
    assert (
        mc.monthly_savings_usd_p10,
        mc.monthly_savings_usd_p50,
        mc.monthly_savings_usd_p90,
    ) == (results.proposal.monthly_savings_usd,) * 3
    assert (
        mc.cumulative_savings_usd_p10,
        mc.cumulative_savings_usd_p50,
        mc.cumulative_savings_usd_p90,
    ) == (cumulative,) * 3
    assert (mc.payback_weeks_p10, mc.payback_weeks_p50, mc.payback_weeks_p90) == (
        results.proposal.payback_weeks,
    ) * 3
    cheaper = horizon.cumulative_plan_usd < horizon.cumulative_api_only_usd
    assert mc.probability_plan_cheaper == (1.0 if cheaper else 0.0)
    assert sum(mc.histogram.counts) == 1000


def test_ranges_collapsed_elsewhere_reproduce_the_engine_rerun_by_hand(
    fixture_catalogue: Catalogue,
) -> None:
    collapsed = {
        "volume_factor": 1.4,
        "monthly_growth_pct": 4.0,
        "throughput_factor": 1.1,
        "gpu_price_factor": 0.9,
        "api_price_change_pct": -5.0,
    }
    raw = _raw(**{k: {"low": v, "likely": v, "high": v} for k, v in collapsed.items()})
    mc = analyse(Scenario.model_validate(raw), fixture_catalogue).proposal.monte_carlo
    assert mc is not None

    by_hand = copy.deepcopy(raw)
    del by_hand["uncertainty"]
    by_hand["workload"]["input_mtok_per_day"] *= 1.4
    by_hand["workload"]["output_mtok_per_day"] *= 1.4
    by_hand["workload"]["monthly_growth_pct"] = 4.0
    base = analyse(Scenario.model_validate(_raw()), fixture_catalogue)
    rates, price = (
        base.proposal.deployments[0].rates,
        base.proposal.deployments[0].gpu_hour_price_usd,
    )
    assert rates.prefill_tps_per_gpu is not None and rates.decode_tps_per_gpu is not None
    by_hand["deployments"][0] |= {
        "prefill_tps_per_gpu": rates.prefill_tps_per_gpu * 1.1,
        "decode_tps_per_gpu": rates.decode_tps_per_gpu * 1.1,
        "gpu_hour_price": price * 0.9,
    }
    by_hand["price_overrides"] = [
        {
            "api_model": t.api_model,
            "api_mode": t.api_mode,
            "input_per_mtok": t.prices.input_per_mtok * 0.95,
            "cached_input_per_mtok": t.prices.cached_input_per_mtok * 0.95,
            "output_per_mtok": t.prices.output_per_mtok * 0.95,
        }
        for t in base.tiers
    ]
    expected = analyse(Scenario.model_validate(by_hand), fixture_catalogue)
    h = expected.proposal.horizon
    # The same figures reached by another order of multiplications: equal to rounding.
    assert mc.monthly_savings_usd_p50 == pytest.approx(
        expected.proposal.monthly_savings_usd, rel=1e-12
    )
    assert mc.cumulative_savings_usd_p50 == pytest.approx(
        h.cumulative_api_only_usd - h.cumulative_plan_usd, rel=1e-12
    )
    assert expected.proposal.payback_weeks is not None
    assert mc.payback_weeks_p50 == pytest.approx(expected.proposal.payback_weeks, rel=1e-12)


def test_every_sampled_draw_agrees_with_the_scalar_engine(fixture_catalogue: Catalogue) -> None:
    scenario = Scenario.model_validate(_raw(**RANGES, draws=5000, seed=7))
    deployments, prices = _inputs(scenario, fixture_catalogue)
    simulation = simulate(scenario, deployments, prices, routings(scenario)["proposed"])
    setup = 8 * 2 * scenario.operations.engineer_week_cost
    sample = np.random.Generator(np.random.PCG64(1)).choice(5000, size=50, replace=False)
    for i in sample:
        outcome = evaluate_draw(
            scenario, deployments, prices, routings(scenario)["proposed"], simulation.draw(int(i))
        )
        assert outcome.monthly_savings_usd == pytest.approx(
            simulation.monthly_savings_usd[i], rel=1e-9
        )
        assert outcome.cumulative_savings_usd == pytest.approx(
            simulation.cumulative_savings_usd[i], rel=1e-9
        )
        assert outcome.plan_cheaper == bool(simulation.plan_cheaper[i])
        # Payback follows from the savings, as the summary's payback percentiles do.
        weeks = payback_weeks(setup, float(simulation.monthly_savings_usd[i]))
        if outcome.payback_weeks is None:
            assert weeks is None
        else:
            assert outcome.payback_weeks == pytest.approx(weeks, rel=1e-9)
    # The sample spans winning and losing futures, so the comparison means something.
    assert 0 < np.mean(simulation.plan_cheaper[sample]) < 1


def test_the_probability_converges(fixture_catalogue: Catalogue) -> None:
    probabilities = []
    for seed in (1, 2):
        scenario = Scenario.model_validate(_raw(**RANGES, draws=100_000, seed=seed))
        mc = analyse(scenario, fixture_catalogue).proposal.monte_carlo
        assert mc is not None
        probabilities.append(mc.probability_plan_cheaper)
    print(f"P(proposal cheaper) at 100,000 draws, seeds 1 and 2: {probabilities}")
    assert 0.2 < probabilities[0] < 0.8  # a real question, not a foregone conclusion
    assert abs(probabilities[0] - probabilities[1]) <= 0.01


def test_the_same_seed_draws_the_same_futures(fixture_catalogue: Catalogue) -> None:
    scenario = Scenario.model_validate(_raw(**RANGES, draws=2000, seed=42))
    first, second = draw_inputs(scenario), draw_inputs(scenario)
    for name in RANGES:
        assert np.array_equal(first[name], second[name])
    other = draw_inputs(Scenario.model_validate(_raw(**RANGES, draws=2000, seed=43)))
    assert not np.array_equal(first["volume_factor"], other["volume_factor"])


@pytest.mark.parametrize(
    ("distribution", "mean"),
    [
        ("pert", (0.6 + 4 * 1.0 + 1.5) / 6),
        ("triangular", (0.6 + 1.0 + 1.5) / 3),
    ],
)
def test_draws_follow_the_chosen_distribution(distribution: str, mean: float) -> None:
    raw = _raw(
        volume_factor=RANGES["volume_factor"], distribution=distribution, draws=200_000, seed=3
    )
    drawn = draw_inputs(Scenario.model_validate(raw))
    volume = drawn["volume_factor"]
    assert volume.min() >= 0.6 and volume.max() <= 1.5
    assert volume.mean() == pytest.approx(mean, abs=0.002)
    # Fields without a range stay at today's value.
    assert np.all(drawn["monthly_growth_pct"] == 2.0)
    assert np.all(drawn["api_price_change_pct"] == 0.0)


def test_summary_percentiles_histogram_and_sentence_agree(fixture_catalogue: Catalogue) -> None:
    scenario = Scenario.model_validate(_raw(**RANGES, draws=20_000))
    mc = analyse(scenario, fixture_catalogue).proposal.monte_carlo
    assert mc is not None
    deployments, prices = _inputs(scenario, fixture_catalogue)
    simulation = simulate(scenario, deployments, prices, routings(scenario)["proposed"])
    savings = simulation.monthly_savings_usd
    assert mc.monthly_savings_usd_p10 == np.percentile(savings, 10)
    assert mc.monthly_savings_usd_p90 == np.percentile(savings, 90)
    assert mc.probability_plan_cheaper == np.mean(simulation.plan_cheaper)
    assert mc.uncertain == list(RANGES)
    assert (mc.draws, mc.seed, mc.distribution) == (20_000, 20261127, "pert")
    # The histogram covers every draw, lowest to highest.
    assert sum(mc.histogram.counts) == 20_000
    assert len(mc.histogram.edges_usd) == len(mc.histogram.counts) + 1
    assert (mc.histogram.edges_usd[0], mc.histogram.edges_usd[-1]) == (savings.min(), savings.max())
    # Payback falls as savings rise, so its quick end (P10) is never slower than its P90.
    paybacks = [mc.payback_weeks_p10, mc.payback_weeks_p50, mc.payback_weeks_p90]
    known = [weeks for weeks in paybacks if weeks is not None]
    assert known == sorted(known)
    assert paybacks[: len(known)] == known  # "never" only at the slow end


def test_the_results_json_carries_the_simulation_and_the_tornado(
    fixture_catalogue: Catalogue,
) -> None:
    results = analyse(Scenario.model_validate(_raw(**RANGES, draws=1000)), fixture_catalogue)
    assert results.proposal.monte_carlo is not None
    data = json.loads(results.model_dump_json())
    plan_index = results.plans.index(results.proposal)
    probability = results.proposal.monte_carlo.probability_plan_cheaper
    assert data["plans"][plan_index]["monte_carlo"]["probability_plan_cheaper"] == probability
    assert set(data["plans"][plan_index]["monte_carlo"]["histogram"]) == {"edges_usd", "counts"}
    assert [bar["driver"] for bar in data["plans"][plan_index]["sensitivity"]] == [
        bar.driver for bar in results.proposal.sensitivity
    ]


@pytest.mark.parametrize(
    ("uncertainty", "message"),
    [
        (
            {"volume_factor": {"low": 1.2, "likely": 1, "high": 1.5}},
            "expected low ≤ likely ≤ high, found low 1.2, likely 1, high 1.5",
        ),
        (
            {"gpu_price_factor": {"low": 0, "likely": 1, "high": 1.5}},
            "the range must be more than 0, found 0 to 1.5",
        ),
        (
            {"monthly_growth_pct": {"low": -60, "likely": 0, "high": 5}},
            "the range must be at least -50 and at most 100, found -60 to 5",
        ),
        (
            {"api_price_change_pct": {"low": -120, "likely": 0, "high": 5}},
            "the range must be at least -100, found -120 to 5",
        ),
        ({"draws": 500}, "Input should be greater than or equal to 1000, found 500"),
    ],
)
def test_ranges_are_validated_with_a_clear_message(
    uncertainty: dict[str, Any], message: str
) -> None:
    with pytest.raises(ScenarioError) as refused:
        parse_scenario(_raw(**uncertainty), "test")
    assert [p.message for p in refused.value.problems] == [message]
