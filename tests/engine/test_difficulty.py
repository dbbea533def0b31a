"""Routing by difficulty inside a tier (economics §7b): the easier share of a tier may go to a
candidate its quality rule excludes; the rest only where the rule allows."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crossover.catalogue import Catalogue
from crossover.engine import analyse
from crossover.engine.checks import check_scenario
from crossover.engine.parts import TierPart
from crossover.formatting import display_for
from crossover.scenario import ScenarioError
from crossover.wording import CallWords, Words

from .test_quality import HAND_DEPLOYMENTS

HAIKU = "anthropic/claude-haiku-4-5"
DEPLOYMENTS = HAND_DEPLOYMENTS
"""cheap: Qwen2.5 14B, 1 GPU a replica at 2,000 tok/s; dear: Llama 3.3 70B, 2 GPUs at 1,000 a GPU;
both $1 a GPU-hour, one GPU a machine."""
EVALUATIONS = [
    {"model": m, "tier": "all", "score": s, "sample_size": 300, "date": "2026-11-20"}
    for m, s in [(HAIKU, 90), ("qwen2.5-14b", 82), ("llama-3.3-70b", 89)]
]
"""The client's own scores: Qwen 8 points below Haiku misses a 5-point rule; Llama passes."""


def _scenario(make_scenario: Any, **tier: Any) -> Any:
    """One tier of 100 + 20 Mtok/day on Haiku at $1 in / $5 out, 24 months, no ops staff, no
    spare replica: the figures of test_quality's dearer-plan case, split by difficulty."""
    return make_scenario(
        tiers=[
            {
                "tier": "all",
                "share_pct": 100,
                "api_model": HAIKU,
                "candidates": ["cheap", "dear"],
                "max_quality_drop": 5,
                **tier,
            }
        ],
        deployments=DEPLOYMENTS,
        operations={"redundancy": 0, "horizon_months": 24, "ops_fte": 0},
        price_overrides=[
            {
                "api_model": HAIKU,
                "input_per_mtok": 1,
                "cached_input_per_mtok": 1,
                "output_per_mtok": 5,
            }
        ],
        evaluations=EVALUATIONS,
    )


def test_the_easier_share_goes_to_the_excluded_model_the_rest_stays_on_the_api(
    make_scenario: Any, fixture_catalogue: Catalogue
) -> None:
    """75% of the requests are easy enough for Qwen, which the rule otherwise excludes.

    API: 30.41667 days × (100 × $1 + 20 × $5) = $6,083.33 a month for the whole tier: the
    rest (25%) $1,520.83, the easier share (75%) $4,562.50.
    Peak demand at twice the average, replicas filled to 80%:
      easier on cheap: 90e6 / 86,400 × 2 = 2,083.3 tok/s over 2,000 × 0.8 = 1,600 a replica:
        2 replicas, 2 GPUs × $1 × 730 h × 1.1 overhead = $1,606 a month;
      rest on dear: 30e6 / 86,400 × 2 = 694.4 tok/s over 2 × 1,000 × 0.8 = 1,600: 1 replica
        of 2 GPUs, $1,606 a month;
      the whole tier on dear: 2,777.8 / 1,600 → 2 replicas of 2 GPUs, $3,212 a month.
    Over 24 months with $9,000 setup (3 weeks × 1 engineer × $3,000):
      easier on cheap, rest on the API: 24 × ($1,606 + $1,520.83) + 9,000 = $84,044;
      easier on cheap, rest on dear:    24 × $3,212 + 9,000 = $86,088 (so is all on dear);
      all on the API: 24 × $6,083.33 = $146,000.
    Without the split the rule leaves dear or the API: the best is $86,088 on dear.
    """
    split = analyse(_scenario(make_scenario, small_model_share_pct=75), fixture_catalogue)
    whole = analyse(_scenario(make_scenario), fixture_catalogue)

    assert whole.headline_plan.routes == {"all": "dear"}
    assert whole.headline_plan.horizon_cost_usd == pytest.approx(86_088)

    plan = split.headline_plan
    assert plan.routes == {"all": "api", "all#easier": "cheap"}
    assert plan.horizon_cost_usd == pytest.approx(84_044)
    assert plan.monthly_cost_usd == pytest.approx(1_606 + 6_083.333333 / 4)
    assert plan.monthly_savings_usd == pytest.approx(6_083.333333 * 3 / 4 - 1_606)
    assert split.headline.verdict == "adopt_plan"
    assert split.headline.proposal_horizon_cost_change_usd == pytest.approx(146_000 - 84_044)

    # The tier as routed: its two parts, with their share of it and of the volume.
    rest, easier = split.tiers
    assert (rest.tier, rest.part) == ("all", TierPart(part="rest", of="all", share_of_tier_pct=25))
    assert (easier.tier, easier.part) == (
        "all#easier",
        TierPart(part="easier", of="all", share_of_tier_pct=75),
    )
    assert (rest.share_pct, easier.share_pct) == pytest.approx((25, 75))
    assert (rest.input_mtok_per_day, rest.output_mtok_per_day) == pytest.approx((25, 5))
    assert (easier.input_mtok_per_day, easier.output_mtok_per_day) == pytest.approx((75, 15))
    assert rest.api_month_usd == pytest.approx(6_083.333333 / 4)
    (cheap,) = plan.deployments
    assert (cheap.deployment, cheap.tiers, cheap.replicas) == ("cheap", ["all#easier"], 2)

    # Quality by part: the rest keeps the rule's exclusion; the easier part excludes nothing
    # but still shows Qwen's 8-point gap.
    assert split.quality is not None
    rest_q, easier_q = split.quality.tiers
    assert [c.deployment for c in rest_q.excluded] == ["cheap"]
    assert easier_q.excluded == []
    assert [c.deployment for c in easier_q.misses] == ["cheap"]
    assert easier_q.option("cheap").gap_points == pytest.approx(8)
    # The client's tier as typed stays in the results' scenario.
    assert [t.tier for t in split.scenario.tiers] == ["all"]


def test_a_tier_with_its_own_volume_splits_it(
    make_scenario: Any, fixture_catalogue: Catalogue
) -> None:
    """The same tier given as 100 + 20 Mtok/day of its own: the same parts and plan."""
    scenario = _scenario(
        make_scenario,
        share_pct=None,
        input_mtok_per_day=100,
        output_mtok_per_day=20,
        small_model_share_pct=75,
    )
    results = analyse(scenario, fixture_catalogue)
    rest, easier = results.tiers
    assert (rest.input_mtok_per_day, easier.output_mtok_per_day) == pytest.approx((25, 15))
    assert (rest.share_pct, easier.share_pct) == pytest.approx((25, 75))
    assert results.headline_plan.horizon_cost_usd == pytest.approx(84_044)


@pytest.mark.parametrize(
    ("tier", "reason"),
    [
        ({"max_quality_drop": None}, "no quality rule"),
        ({"max_quality_drop": 10}, "excludes none of its candidates"),
        ({"locked": True}, "locked to its proposed route"),
    ],
)
def test_a_share_that_splits_nothing_is_warned_of_and_ignored(
    make_scenario: Any, fixture_catalogue: Catalogue, tier: dict[str, Any], reason: str
) -> None:
    scenario = _scenario(make_scenario, small_model_share_pct=75, **tier)
    (warning,) = [
        p for p in check_scenario(scenario, fixture_catalogue) if p.code == "split_without_effect"
    ]
    assert warning.loc == ("tiers", 0, "small_model_share_pct")
    assert reason in warning.message
    results = analyse(scenario, fixture_catalogue)
    assert [t.tier for t in results.tiers] == ["all"]
    assert "split_without_effect" in [w.code for w in results.warnings]


def test_a_tier_named_like_a_part_is_refused(
    make_scenario: Any, fixture_catalogue: Catalogue
) -> None:
    scenario = _scenario(make_scenario, tier="all#easier")
    with pytest.raises(ScenarioError) as raised:
        analyse(scenario.model_copy(update={"evaluations": []}), fixture_catalogue)
    (named,) = [p for p in raised.value.problems if p.loc == ("tiers", 0, "tier")]
    assert "rename the tier" in named.message


@given(share=st.integers(min_value=1, max_value=99))
@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_a_split_never_makes_the_best_plan_dearer(
    make_scenario: Any, fixture_catalogue: Catalogue, share: int
) -> None:
    """Sending both parts the same way is the unsplit tier at the same cost, so the search
    with a split finds a plan at most as dear as the $86,088 it finds without one."""
    split = analyse(_scenario(make_scenario, small_model_share_pct=share), fixture_catalogue)
    assert split.headline_plan.horizon_cost_usd <= 86_088 + 1e-6
    rest, easier = split.tiers
    assert rest.share_pct + easier.share_pct == pytest.approx(100)
    assert easier.part is not None and easier.part.share_of_tier_pct == share


def test_every_output_names_the_parts_and_merges_a_tier_routed_one_way(
    make_scenario: Any, fixture_catalogue: Catalogue
) -> None:
    """The words the report, brief and workbook share: parts by name, a tier whose parts go
    one way as the tier, and the easier part's rule stated as waived, not as met."""
    results = analyse(_scenario(make_scenario, small_model_share_pct=75), fixture_catalogue)
    words = Words(results, display_for("USD", 1.0))
    assert words.tier("all") == "all (the other 25%)"
    assert words.tier("all#easier") == "all (the easier 75%)"
    assert words.routes(results.headline_plan) == [
        ("all (the other 25%)", "api"),
        ("all (the easier 75%)", "cheap"),
    ]
    assert words.tiers(["all#easier"]) == ["all (the easier 75%)"]
    assert words.tiers(["all", "all#easier"]) == ["all"]
    # API only routes both parts to the API: one tier.
    assert words.routes(results.api_only) == [("all", "api")]
    quality = words.quality()
    assert quality is not None and results.quality is not None
    rest, easier = results.quality.tiers
    assert quality.rule(rest) == "at most 5 points below the API model on the client's own test"
    assert quality.rule(easier) == (
        "none for this share, which the client says a smaller model handles (the tier's: at "
        "most 5 points below the API model on the client's own test)"
    )
    assert quality.line(easier, "cheap") == (
        "all (the easier 75%) moves to Qwen2.5 14B: 82.0 against Claude Haiku 4.5 "
        "(Anthropic)'s 90.0, 8.0 points below (the client's own test, 300 requests, "
        "2026-11-20); below the rule, taken for the easier share the client says it handles."
    )
    assert quality.standing(easier.option("cheap"), easier) == (
        "misses the rule (8.0 points below the API model, 3.0 more than the 5 allowed), but "
        "may take the easier share the client says a smaller model handles"
    )
    assert words.splits() == (
        "Split by difficulty: you state that a smaller model handles the easier 75% of all, so "
        "that share may go to a candidate the tier's quality rule otherwise excludes; the rest "
        "goes only where the rule allows. Each part is routed and costed as a tier of its own."
    )


def test_a_share_that_splits_nothing_is_asked_about_on_the_call(
    make_scenario: Any, fixture_catalogue: Catalogue
) -> None:
    scenario = _scenario(make_scenario, small_model_share_pct=75, max_quality_drop=None)
    results = analyse(scenario, fixture_catalogue)
    asked = CallWords(results, display_for("USD", 1.0)).questions()
    (question,) = [q for q in asked if "split by difficulty" in q]
    assert question == (
        # A scenario read from JSON has no cell to name; a workbook's warning names its cell.
        "Was a split by difficulty meant? tier 'all' gives an easier share but no quality rule (max_quality_drop or quality_floor) to keep the rest "
        "of it from a smaller model, so it is not split. A split needs a quality rule that keeps "
        "the smaller model from the rest."
    )


def test_a_split_tier_routed_one_way_is_one_quality_line(
    make_scenario: Any, fixture_catalogue: Catalogue
) -> None:
    """All on dear (the best without the split) sends both parts one way: one line, as the
    tier; the headline, which splits them, has a line a part."""
    results = analyse(_scenario(make_scenario, small_model_share_pct=75), fixture_catalogue)
    words = Words(results, display_for("USD", 1.0))
    one_way = next(p for p in results.plans if set(p.routes.values()) == {"dear"})
    assert words.quality_lines(one_way) == [
        "all moves to Llama 3.3 70B: 89.0 against Claude Haiku 4.5 (Anthropic)'s 90.0, 1.0 point "
        "below (the client's own test, 300 requests, 2026-11-20); its rule left out 1 "
        "candidate; its easier 75% could go to a smaller model, but costs least here too."
    ]
    assert [
        line.split(" moves")[0].split(" stays")[0]
        for line in words.quality_lines(results.headline_plan)
    ] == ["all (the other 25%)", "all (the easier 75%)"]
