"""Quality next to cost (economics §7b): scores, gaps, exclusions, and the plan they change."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crossover.catalogue import Catalogue, load_catalogue
from crossover.engine.api_cost import resolve_prices
from crossover.engine.checks import check_scenario
from crossover.engine.plans import PlanSearch, tier_options
from crossover.engine.quality import assess_quality
from crossover.engine.scenarios import CostModel
from crossover.engine.sizing import resolve_deployments

NORTHWIND_DEPLOYMENTS: list[dict[str, Any]] = [
    {"deployment": "qwen14b", "model": "qwen2.5-14b", "precision": "bf16", "gpu": "a100-80gb"},
    {"deployment": "llama8b", "model": "llama-3.1-8b", "precision": "bf16", "gpu": "l40s"},
]


def _extraction(**rule: Any) -> dict[str, Any]:
    return {
        "tier": "extraction",
        "share_pct": 100,
        "api_model": "anthropic/claude-haiku-4-5",
        "candidates": ["qwen14b", "llama8b"],
        **rule,
    }


def test_public_scores_a_gap_and_an_exclusion_by_hand(make_scenario: Any) -> None:
    """HELM Capabilities v1.15.0, IFEval: Claude Haiku 4.5 80.1, Llama 3.1 8B 74.3, so the 8B
    is 80.1 − 74.3 = 5.8 points below; allowed 3, it misses by 2.8. HELM did not run Qwen2.5
    14B: no score, so the rule cannot be shown to hold and it is excluded too."""
    scenario = make_scenario(
        tiers=[_extraction(task_family="instruction_following", max_quality_drop=3)],
        deployments=NORTHWIND_DEPLOYMENTS,
    )
    (tier,) = assess_quality(scenario, load_catalogue()).tiers
    assert tier.basis == "public"
    assert tier.api.evidence is not None
    assert (tier.api.evidence.points, tier.api.evidence.benchmark) == (80.1, "IFEval")
    assert tier.api.evidence.on == date(2026, 2, 11)
    assert tier.api.evidence.independent is True
    qwen, llama = tier.candidates
    assert llama.gap_points == pytest.approx(5.8)
    assert llama.verdict == "below_drop"
    assert llama.shortfall_points == pytest.approx(2.8)
    assert (qwen.evidence, qwen.gap_points, qwen.verdict) == (None, None, "no_score")
    assert [c.deployment for c in tier.excluded] == ["qwen14b", "llama8b"]


def test_a_tier_without_a_rule_is_scored_but_excludes_nothing(make_scenario: Any) -> None:
    scenario = make_scenario(
        tiers=[_extraction(task_family="chat")], deployments=NORTHWIND_DEPLOYMENTS
    )
    assessment = assess_quality(scenario, load_catalogue())
    (tier,) = assessment.tiers
    # WildBench: Haiku 83.9, Llama 3.1 8B 68.6 → 15.3 points below.
    assert tier.option("llama8b").gap_points == pytest.approx(15.3)
    assert [c.verdict for c in tier.candidates] == ["passes", "passes"]
    assert assessment.excluded_by_tier == {"extraction": frozenset()}


def test_the_clients_own_scores_win_and_are_not_mixed_with_public_ones(
    make_scenario: Any,
) -> None:
    """With rows for the tier, the tier is judged on them alone: Haiku 94, Qwen 92.5 (1.5
    below, passes 3), Llama 8B 90 (4 below, misses by 1), though public scores exist."""
    scenario = make_scenario(
        tiers=[_extraction(task_family="instruction_following", max_quality_drop=3)],
        deployments=NORTHWIND_DEPLOYMENTS,
        evaluations=[
            {"model": m, "tier": "Extraction", "score": s, "sample_size": 400, "date": "2026-11-02"}
            for m, s in [
                ("anthropic/claude-haiku-4-5-20251001", 94),
                ("Qwen2.5-14B", 92.5),
                ("llama-3.1-8b", 90),
            ]
        ],
    )
    (tier,) = assess_quality(scenario, load_catalogue()).tiers
    assert tier.basis == "client"
    assert tier.api.evidence is not None
    assert (tier.api.evidence.points, tier.api.evidence.sample_size) == (94, 400)
    assert tier.api.evidence.on == date(2026, 11, 2)
    assert tier.api.evidence.benchmark is None
    qwen, llama = tier.candidates
    assert qwen.gap_points == pytest.approx(1.5) and qwen.verdict == "passes"
    assert llama.gap_points == pytest.approx(4) and llama.verdict == "below_drop"
    assert llama.shortfall_points == pytest.approx(1)


def test_a_floor_and_the_larger_of_two_misses(make_scenario: Any) -> None:
    """Client scores: API 90, Qwen 80, Llama 70. Floor 75: Qwen passes, Llama is 5 short; with a
    drop of 12 as well, Llama is 20 below (8 over the drop): the larger miss is named."""
    rows = [("anthropic/claude-haiku-4-5", 90), ("qwen2.5-14b", 80), ("llama-3.1-8b", 70)]
    evaluations = [
        {"model": m, "tier": "extraction", "score": s, "sample_size": 50, "date": "2026-10-01"}
        for m, s in rows
    ]
    floor_only = make_scenario(
        tiers=[_extraction(quality_floor=75)],
        deployments=NORTHWIND_DEPLOYMENTS,
        evaluations=evaluations,
    )
    qwen, llama = assess_quality(floor_only, load_catalogue()).tiers[0].candidates
    assert qwen.verdict == "passes"
    assert llama.verdict == "below_floor" and llama.shortfall_points == pytest.approx(5)
    both = make_scenario(
        tiers=[_extraction(quality_floor=75, max_quality_drop=12)],
        deployments=NORTHWIND_DEPLOYMENTS,
        evaluations=evaluations,
    )
    _, llama = assess_quality(both, load_catalogue()).tiers[0].candidates
    assert llama.verdict == "below_drop" and llama.shortfall_points == pytest.approx(8)


def test_a_drop_rule_against_an_unscored_api_model_excludes_every_candidate(
    make_scenario: Any,
) -> None:
    """HELM did not run Claude 3.5 Haiku under its current id: nothing to measure a drop from."""
    tier = _extraction(task_family="chat", max_quality_drop=10)
    tier["api_model"] = "anthropic/claude-3-5-haiku"
    scenario = make_scenario(tiers=[tier], deployments=NORTHWIND_DEPLOYMENTS)
    (judged,) = assess_quality(scenario, load_catalogue()).tiers
    assert judged.api.evidence is None
    assert judged.api.verdict == "passes"
    assert [c.verdict for c in judged.candidates] == ["no_score", "no_api_score"]


def test_tier_options_drop_excluded_candidates_but_keep_a_locked_route(
    make_scenario: Any,
) -> None:
    locked = _extraction(route="self_host", deployment="llama8b", locked=True)
    locked["tier"] = "locked"
    free = _extraction()
    free["share_pct"] = locked["share_pct"] = 50
    scenario = make_scenario(tiers=[free, locked], deployments=NORTHWIND_DEPLOYMENTS)
    excluded = {"extraction": {"llama8b"}, "locked": {"llama8b"}}
    assert tier_options(scenario, excluded) == [[None, "qwen14b"], ["llama8b"]]
    assert tier_options(scenario) == [[None, "qwen14b", "llama8b"], ["llama8b"]]


# Two deployments whose costs are fixed by hand: 'cheap' (Qwen2.5 14B, $1 per GPU-hour, 2,000
# tok/s per GPU, 1 GPU a replica) and 'dear' (Llama 3.3 70B, $1 per GPU-hour, 1,000 tok/s per GPU,
# 2 GPUs a replica).
HAND_DEPLOYMENTS: list[dict[str, Any]] = [
    {
        "deployment": "cheap",
        "model": "qwen2.5-14b",
        "precision": "bf16",
        "gpu": "a100-80gb",
        "gpu_hour_price": 1.0,
        "gpus_per_instance": 1,
        "gpus_per_replica": 1,
        "tps_per_gpu": 2000,
    },
    {
        "deployment": "dear",
        "model": "llama-3.3-70b",
        "precision": "fp8",
        "gpu": "h100-sxm",
        "gpu_hour_price": 1.0,
        "gpus_per_instance": 1,
        "gpus_per_replica": 2,
        "tps_per_gpu": 1000,
    },
]


def test_a_rule_the_cheapest_model_misses_gives_a_dearer_plan(
    make_scenario: Any, fixture_catalogue: Catalogue
) -> None:
    """One tier of 100 + 20 Mtok/day on Haiku at $1/$5, 24 months, no ops staff.

    Peak 120e6 / 86,400 × 2 = 2,777.8 tok/s; a replica serves 2,000 × 0.8 = 1,600, so 2
    replicas. cheap: 2 GPUs × $1 × 730 h = $1,460 + 10% = $1,606 a month; 24 months + setup
    $9,000 = $47,544. dear: 4 GPUs → $3,212 a month; $86,088. API: 30.41667 × (100 + 100) =
    $6,083.33 a month; $146,000.

    The client's own scores: Haiku 90, Qwen 82, Llama 3.3 70B 89, at most 5 below: Qwen misses
    by 3 and the best plan moves to 'dear', $38,544 dearer over the horizon.
    """
    scenario = make_scenario(
        tiers=[
            {
                "tier": "all",
                "share_pct": 100,
                "api_model": "anthropic/claude-haiku-4-5",
                "candidates": ["cheap", "dear"],
                "max_quality_drop": 5,
            }
        ],
        deployments=HAND_DEPLOYMENTS,
        operations={"redundancy": 0, "horizon_months": 24, "ops_fte": 0},
        price_overrides=[
            {
                "api_model": "anthropic/claude-haiku-4-5",
                "input_per_mtok": 1,
                "cached_input_per_mtok": 1,
                "output_per_mtok": 5,
            }
        ],
        evaluations=[
            {"model": m, "tier": "all", "score": s, "sample_size": 300, "date": "2026-11-20"}
            for m, s in [
                ("anthropic/claude-haiku-4-5", 90),
                ("qwen2.5-14b", 82),
                ("llama-3.3-70b", 89),
            ]
        ],
    )
    assert [p for p in check_scenario(scenario, fixture_catalogue) if p.severity == "error"] == []
    assessment = assess_quality(scenario, fixture_catalogue)
    (tier,) = assessment.tiers
    cheap, dear = tier.candidates
    assert cheap.verdict == "below_drop" and cheap.shortfall_points == pytest.approx(3)
    assert dear.verdict == "passes" and dear.gap_points == pytest.approx(1)

    resolved, _ = resolve_deployments(scenario, fixture_catalogue)
    prices = {
        t.tier: resolve_prices(scenario, fixture_catalogue, t.api_model, t.api_mode)
        for t in scenario.tiers
    }
    model = CostModel(scenario, resolved, prices)  # type: ignore[arg-type]
    unruled = PlanSearch(model, 9000).search().ranked
    ruled = PlanSearch(model, 9000, assessment.excluded_by_tier).search().ranked
    assert [p.routes["all"] for p in unruled] == ["cheap", "dear", "api"]
    assert [p.horizon_usd for p in unruled] == pytest.approx([47544, 86088, 146000])
    assert [p.routes["all"] for p in ruled] == ["dear", "api"]
    assert [p.horizon_usd for p in ruled] == pytest.approx([86088, 146000])
    assert ruled[0].horizon_usd - unruled[0].horizon_usd == pytest.approx(38544)


def test_compliance_with_a_rule_that_leaves_no_option_is_an_error(make_scenario: Any) -> None:
    scenario = make_scenario(
        tiers=[
            _extraction(
                task_family="instruction_following",
                max_quality_drop=3,
                route="self_host",
                deployment="qwen14b",
            )
        ],
        deployments=NORTHWIND_DEPLOYMENTS,
        compliance={"hipaa": True},
    )
    errors = [p for p in check_scenario(scenario, load_catalogue()) if p.severity == "error"]
    assert [(p.loc, p.message) for p in errors] == [
        (
            ("tiers", 0, "max_quality_drop"),
            "compliance (hipaa) keeps tier 'extraction' off the API and its quality rule "
            "excludes every candidate (qwen2.5-14b (qwen14b): no score; llama-3.1-8b "
            "(llama8b): 2.8 points short); relax the rule, add a candidate that meets it, "
            "or score the tier in the Evaluations table",
        )
    ]


def test_a_rule_with_nothing_to_judge_by_is_an_error(make_scenario: Any) -> None:
    scenario = make_scenario(
        tiers=[_extraction(quality_floor=70)], deployments=NORTHWIND_DEPLOYMENTS
    )
    errors = [p for p in check_scenario(scenario, load_catalogue()) if p.severity == "error"]
    assert [(p.loc, p.message) for p in errors] == [
        (
            ("tiers", 0, "task_family"),
            "tier 'extraction' has a quality rule (quality_floor) but nothing to judge it by: "
            "name its task_family, or give the client's own scores for this tier in the "
            "Evaluations table",
        )
    ]


def test_evaluation_rows_name_a_tier_and_a_known_model_once(make_scenario: Any) -> None:
    row = {"tier": "extraction", "score": 1, "sample_size": 1, "date": "2026-11-01"}
    scenario = make_scenario(
        tiers=[_extraction()],
        deployments=NORTHWIND_DEPLOYMENTS,
        evaluations=[
            {**row, "model": "qwen2.5-14b"},
            {**row, "model": "Qwen2.5-14B"},
            {**row, "model": "qwen9"},
            {**row, "model": "qwen2.5-14b", "tier": "extractoin"},
        ],
    )
    errors = [p for p in check_scenario(scenario, load_catalogue()) if p.severity == "error"]
    assert [p.loc for p in errors] == [
        ("evaluations", 1, "model"),
        ("evaluations", 2, "model"),
        ("evaluations", 3, "tier"),
    ]
    assert errors[0].message == (
        "model 'Qwen2.5-14B' is scored twice for tier 'extraction'; keep one row per model and tier"
    )
    assert errors[1].message.startswith("unknown model 'qwen9': give an API model as")
    assert errors[2].message == (
        "tier 'extractoin' is not in the Tiers table (did you mean extraction?)"
    )


def test_assessment_depends_only_on_its_arguments(make_scenario: Any) -> None:
    """The catalogue carries the table: a catalogue with other public scores gives other gaps."""
    scenario = make_scenario(
        tiers=[_extraction(task_family="chat")], deployments=NORTHWIND_DEPLOYMENTS
    )
    shipped = load_catalogue()
    empty = replace(shipped, evaluations=replace(shipped.evaluations, scores={}))
    (tier,) = assess_quality(scenario, empty).tiers
    assert tier.api.evidence is None
    assert [c.gap_points for c in tier.candidates] == [None, None]


SCORES = st.floats(0, 100, allow_nan=False).map(lambda x: round(x, 1))
RULE = st.none() | st.floats(0, 30, allow_nan=False).map(lambda x: round(x, 1))


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(api=SCORES, qwen=SCORES, llama=st.none() | SCORES, drop=RULE, floor=RULE)
def test_the_rule_excludes_exactly_what_misses_it(
    make_scenario: Any,
    api: float,
    qwen: float,
    llama: float | None,
    drop: float | None,
    floor: float | None,
) -> None:
    """Written apart from the engine: a candidate stays when it is within the drop of the API
    model and on or above the floor; a missing score never stays under a rule."""
    rows = [("anthropic/claude-haiku-4-5", api), ("qwen2.5-14b", qwen)]
    rows += [("llama-3.1-8b", llama)] if llama is not None else []
    scenario = make_scenario(
        tiers=[_extraction(max_quality_drop=drop, quality_floor=floor)],
        deployments=NORTHWIND_DEPLOYMENTS,
        evaluations=[
            {"model": m, "tier": "extraction", "score": s, "sample_size": 10, "date": "2026-11-01"}
            for m, s in rows
        ],
    )
    assessment = assess_quality(scenario, load_catalogue())
    (tier,) = assessment.tiers
    ruled = drop is not None or floor is not None
    expected = []
    for deployment, score in (("qwen14b", qwen), ("llama8b", llama)):
        if not ruled:
            continue
        if score is None:
            expected.append(deployment)
            continue
        misses = []
        if drop is not None and api - score > drop + 1e-9:
            misses.append(api - score - drop)
        if floor is not None and score < floor - 1e-9:
            misses.append(floor - score)
        if misses:
            expected.append(deployment)
            assert tier.option(deployment).shortfall_points == pytest.approx(max(misses))
    assert [c.deployment for c in tier.excluded] == expected
    assert tier.api.verdict == "passes" and tier.api.gap_points == 0
    without = tier_options(scenario)
    with_rule = tier_options(scenario, assessment.excluded_by_tier)
    assert with_rule == [[o for o in without[0] if o not in expected]]
