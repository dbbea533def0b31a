"""docs/economics.md §8: every figure of the domain article, computed through the engine."""

from __future__ import annotations

from typing import Any

import pytest

from crossover.catalogue import Catalogue
from crossover.engine import analyse
from crossover.engine.constants import DAYS_PER_MONTH
from crossover.engine.horizon import payback_weeks
from crossover.engine.rates import default_gpus_per_replica
from crossover.engine.sizing import break_even_utilisation, cost_per_mtok, mtok_per_hour


def test_3000_tokens_per_second_is_10_8_mtok_an_hour_and_259_2_a_day() -> None:
    assert mtok_per_hour(3000) == pytest.approx(10.8, rel=1e-12)
    assert mtok_per_hour(3000) * 24 == pytest.approx(259.2, rel=1e-12)


@pytest.mark.parametrize(
    ("hourly", "utilisation", "tps", "expected"),
    [
        (6, 0.2, 3000, 2.7778),  # $6/h at 20%
        (6, 0.1, 3000, 5.5556),  # $6/h at 10%
        (18, 0.7, 16000, 0.4464),  # 8×A100 at $18/h, 16,000 tok/s, 70%
    ],
)
def test_cost_per_mtok_at_utilisation(
    hourly: float, utilisation: float, tps: float, expected: float
) -> None:
    assert cost_per_mtok(hourly, utilisation, tps) == pytest.approx(expected, abs=5e-5)


def test_70_percent_of_16000_tokens_per_second_is_40_32_mtok_an_hour_not_28() -> None:
    per_hour = 0.7 * mtok_per_hour(16000)
    assert per_hour == pytest.approx(40.32, rel=1e-12)
    # The article applied the 70% twice and said ~670 M/day; it is 967.7 M/day.
    assert per_hour * 24 == pytest.approx(967.68, rel=1e-12)


def _node_scenario(make_scenario: Any, **deployment: Any) -> Any:
    """The article's node as a scenario: 8 GPUs at $2.25 each ($18/h), 2,000 tok/s each."""
    return make_scenario(
        workload={"input_mtok_per_day": 100, "output_mtok_per_day": 0, "peak_to_average": 1},
        tiers=[
            {
                "tier": "all",
                "share_pct": 100,
                "api_model": "anthropic/claude-3-7-sonnet",
                "route": "self_host",
                "deployment": "node",
            }
        ],
        deployments=[
            {
                "deployment": "node",
                "model": "llama-3.3-70b",
                "precision": "fp8",
                "gpu": "h100-sxm",
                "gpus_per_replica": 8,
                "gpus_per_instance": 8,
                "gpu_hour_price": 2.25,
                "tps_per_gpu": 2000,
                **deployment,
            }
        ],
        operations={"infra_overhead_pct": 0},
    )


def test_break_even_utilisation_of_the_article_node_against_sonnet_input_price(
    make_scenario: Any, fixture_catalogue: Catalogue
) -> None:
    """18 / (3 × 57.6) = 10.4%, through the whole engine (all-input traffic at $3/Mtok)."""
    results = analyse(_node_scenario(make_scenario), fixture_catalogue)
    node = results.proposal.deployments[0]
    assert node.effective_tps_per_replica == pytest.approx(16000)
    assert node.blended_api_price_per_mtok_usd == pytest.approx(3.0)
    assert node.break_even_utilisation == pytest.approx(18 / (3 * 57.6), rel=1e-12)
    assert node.break_even_utilisation == pytest.approx(0.104, abs=5e-4)
    assert break_even_utilisation(18, 3, 16000) == pytest.approx(node.break_even_utilisation)


def test_break_even_is_lower_still_with_a_real_input_output_mix(
    make_scenario: Any, fixture_catalogue: Catalogue
) -> None:
    """Output tokens cost 5× more on Sonnet: the blended price rises, the break-even falls."""
    scenario = _node_scenario(make_scenario)
    mixed = scenario.model_copy(
        update={"workload": scenario.workload.model_copy(update={"output_mtok_per_day": 20})}
    )
    node = analyse(mixed, fixture_catalogue).proposal.deployments[0]
    assert node.blended_api_price_per_mtok_usd is not None
    assert node.blended_api_price_per_mtok_usd == pytest.approx((100 * 3 + 20 * 15) / 120)
    assert node.break_even_utilisation is not None
    assert node.break_even_utilisation < 18 / (3 * 57.6)


def test_llama_70b_at_bf16_needs_four_h100_not_two(
    make_scenario: Any, fixture_catalogue: Catalogue
) -> None:
    assert default_gpus_per_replica(70.6 * 2, 80) == 4
    scenario = make_scenario(
        tiers=[
            {
                "tier": "all",
                "share_pct": 100,
                "api_model": "groq/llama-3.3-70b-versatile",
                "route": "self_host",
                "deployment": "big",
            }
        ],
        deployments=[
            {
                "deployment": "big",
                "model": "llama-3.3-70b",
                "precision": "bf16",
                "gpu": "h100-sxm",
                "tps_per_gpu": 500,
            }
        ],
    )
    big = analyse(scenario, fixture_catalogue).proposal.deployments[0]
    assert big.weight_gb == pytest.approx(141.2)
    assert big.gpus_per_replica == 4
    assert big.gpus_per_replica_source == "memory_fit"


def test_llama_70b_at_int4_fits_one_h100() -> None:
    assert default_gpus_per_replica(70.6 * 0.5, 80) == 1


def test_case_study_payback_is_about_five_weeks() -> None:
    setup = 3 * 1 * 3000  # 3 weeks × 1 engineer × $3,000 loaded engineer-week
    assert payback_weeks(setup, 7700) == pytest.approx(5.06, abs=5e-3)


def test_case_study_sonnet_on_5_percent_of_800m_costs_at_least_3650_a_month(
    make_scenario: Any, fixture_catalogue: Catalogue
) -> None:
    """40 M input tokens/day at Sonnet's $3/Mtok list price: the article's $1,100 is impossible."""
    scenario = make_scenario(
        workload={"input_mtok_per_day": 40, "output_mtok_per_day": 0},
        tiers=[{"tier": "reasoning", "share_pct": 100, "api_model": "anthropic/claude-3-7-sonnet"}],
        client={
            "client_name": "Document intelligence",
            "report_date": "2026-11-27",
            "current_monthly_api_bill": 1100,
        },
    )
    results = analyse(scenario, fixture_catalogue)
    assert results.tiers[0].api_month_usd == pytest.approx(40 * DAYS_PER_MONTH * 3)
    assert results.tiers[0].api_month_usd == pytest.approx(3650.0)
    # A calibration check against the client's real bill flags it.
    assert results.calibration.flagged
    assert results.calibration.difference_pct == pytest.approx((3650 - 1100) / 1100 * 100)
    assert any(r.code == "calibration_mismatch" for r in results.headline_plan.risks)
