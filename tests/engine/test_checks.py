"""The rules beyond single fields: each problem's location and exact words."""

from __future__ import annotations

from typing import Any

import pytest

from crossover.catalogue import Catalogue
from crossover.engine import analyse, check_scenario
from crossover.plausibility import scenario_problems
from crossover.scenario import ScenarioError


def _problems(scenario: Any, catalogue: Catalogue) -> list[tuple[tuple[Any, ...], str, str]]:
    return [(p.loc, p.severity, p.message) for p in check_scenario(scenario, catalogue)]


def _deployment(**kw: Any) -> dict[str, Any]:
    return {
        "deployment": "d",
        "model": "llama-3.3-70b",
        "precision": "fp8",
        "gpu": "h100-sxm",
        **kw,
    }


@pytest.mark.parametrize(
    ("sections", "expected"),
    [
        (
            {
                "tiers": [
                    {"tier": "a", "share_pct": 60, "api_model": "openai/gpt-4o"},
                    {"tier": "a", "share_pct": 40, "api_model": "openai/gpt-4o"},
                ]
            },
            (
                ("tiers", 1, "tier"),
                "error",
                "'a' appears more than once; each row needs its own tier",
            ),
        ),
        (
            {"tiers": [{"tier": "a", "share_pct": 90, "api_model": "openai/gpt-4o"}]},
            (("tiers", "share_pct"), "error", "the tiers' shares add up to 90%, expected 100%"),
        ),
        (
            {
                "tiers": [
                    {"tier": "a", "share_pct": 100, "api_model": "openai/gpt-4o", "deployment": "x"}
                ],
                "deployments": [_deployment(deployment="y")],
            },
            (
                ("tiers", 0, "deployment"),
                "error",
                "tier 'a' names deployment 'x', which is not in the Deployments table",
            ),
        ),
        (
            {
                "tiers": [
                    {
                        "tier": "a",
                        "share_pct": 100,
                        "api_model": "groq/qwen/qwen3-32b",
                        "api_mode": "batch",
                    }
                ]
            },
            (
                ("tiers", 0, "api_mode"),
                "error",
                "groq/qwen/qwen3-32b: the price list has no batch price for this model; "
                "price it in PriceOverrides, or use realtime",
            ),
        ),
        (
            {
                "tiers": [{"tier": "a", "share_pct": 100, "api_model": "openai/gpt-4o"}],
                "compliance": {"data_must_stay_in_network": True},
            },
            (
                ("tiers", 0, "deployment"),
                "error",
                "compliance (data_must_stay_in_network) forbids sending tier 'a' to an outside "
                "API, so it must name a deployment to be self-hosted on",
            ),
        ),
        (
            {
                "price_overrides": [
                    {"api_model": "acme/private", "input_per_mtok": 1},
                ]
            },
            (
                ("price_overrides", 0, "api_model"),
                "error",
                "'acme/private' is not in the catalogue, so its row must give both "
                "input_per_mtok and output_per_mtok",
            ),
        ),
        (
            {"deployments": [_deployment(instance="runpod/1x_a100-80gb_secure")]},
            (
                ("deployments", 0, "instance"),
                "error",
                "instance runpod/1x_a100-80gb_secure has a100-80gb GPUs, not h100-sxm",
            ),
        ),
        (
            {
                "deployments": [
                    _deployment(
                        gpu="a100-80gb",
                        price_plan="spot",
                        precision="bf16",
                        model="qwen2.5-14b",
                        instance="runpod/1x_a100-80gb_secure",
                    )
                ]
            },
            (
                ("deployments", 0, "gpu_hour_price"),
                "error",
                "the catalogue has no spot price for runpod/1x_a100-80gb_secure; give "
                "gpu_hour_price or choose another price plan",
            ),
        ),
        (
            {
                "deployments": [
                    _deployment(
                        gpu="a100-80gb", price_plan="spot", precision="bf16", model="qwen2.5-14b"
                    )
                ]
            },
            (
                ("deployments", 0, "instance"),
                "error",
                "no catalogue instance with a100-80gb GPUs holding a whole 1-GPU replica is "
                "priced among any provider on spot; allow more providers or price plans, or name "
                "an instance (or your own premises) and give its gpu_hour_price",
            ),
        ),
        (
            {
                "tiers": [
                    {
                        "tier": "chat",
                        "share_pct": 100,
                        "api_model": "openai/gpt-4o-mini",
                        "candidates": "d, llama",
                    }
                ]
            },
            (
                ("tiers", 0, "candidates"),
                "error",
                "tier 'chat' lists candidate 'llama', which is not in the Deployments table",
            ),
        ),
        (
            {
                "workload": {"input_mtok_per_day": 101, "output_mtok_per_day": 20},
                "tiers": [
                    {
                        "tier": "a",
                        "api_model": "openai/gpt-4o-mini",
                        "input_mtok_per_day": 60,
                        "output_mtok_per_day": 15,
                    },
                    {
                        "tier": "b",
                        "api_model": "openai/gpt-4o-mini",
                        "input_mtok_per_day": 40,
                        "output_mtok_per_day": 5,
                    },
                ],
            },
            (
                ("workload", "input_mtok_per_day"),
                "error",
                "the workload's 101 Mtok/day does not match the tiers' own volumes, which add up "
                "to 100 Mtok/day; leave it blank or make them agree (within 0.5%)",
            ),
        ),
        (
            {
                "tiers": [
                    {
                        "tier": "a",
                        "api_model": "openai/gpt-4o-mini",
                        "input_mtok_per_day": 60,
                        "output_mtok_per_day": 15,
                    },
                    {"tier": "b", "share_pct": 50, "api_model": "openai/gpt-4o-mini"},
                ],
            },
            (
                ("tiers", 1, "input_mtok_per_day"),
                "error",
                "tier 'b' gives no volume of its own while other tiers do: give every tier its "
                "input and output Mtok per day, or every tier a share_pct",
            ),
        ),
        (
            {"operations": {"providers": "aws, azure"}},
            (
                ("operations", "providers"),
                "error",
                "unknown provider 'azure'; known: aws, runpod",
            ),
        ),
        (
            {
                "deployments": [
                    _deployment(
                        model="llama-3.3-70b",
                        precision="bf16",
                        gpu="a100-80gb",
                        gpus_per_replica=2,
                        tps_per_gpu=300,
                        instance="runpod/1x_a100-80gb_secure",
                    )
                ]
            },
            (
                ("deployments", 0, "gpus_per_replica"),
                "warning",
                "d: weights fill 88% of 2 × 80 GB, leaving little room for KV cache: few requests fit "
                "at once, so throughput is low",
            ),
        ),
    ],
)
def test_each_rule_names_its_place(
    sections: dict[str, Any],
    expected: tuple[Any, ...],
    make_scenario: Any,
    fixture_catalogue: Catalogue,
) -> None:
    assert expected in _problems(make_scenario(**sections), fixture_catalogue)


def test_analyse_refuses_a_scenario_with_errors_and_lists_them_all(
    make_scenario: Any, fixture_catalogue: Catalogue
) -> None:
    scenario = make_scenario(
        tiers=[
            {"tier": "a", "share_pct": 50, "api_model": "nobody/nothing"},
            {"tier": "b", "share_pct": 20, "api_model": "openai/gpt-4o", "route": "self_host"},
        ]
    )
    with pytest.raises(ScenarioError) as error:
        analyse(scenario, fixture_catalogue)
    assert [p.loc for p in error.value.problems] == [
        ("tiers", "share_pct"),
        ("tiers", 1, "deployment"),
        ("tiers", 0, "api_model"),
    ]


def test_two_overrides_differing_only_in_capitals_are_duplicates(
    make_scenario: Any, fixture_catalogue: Catalogue
) -> None:
    scenario = make_scenario(
        price_overrides=[
            {"api_model": "openai/gpt-4o", "input_per_mtok": 2.0, "output_per_mtok": 8.0},
            {"api_model": "OpenAI/GPT-4o", "input_per_mtok": 2.5, "output_per_mtok": 10.0},
        ]
    )
    assert (
        ("price_overrides", 1, "api_model"),
        "error",
        "'OpenAI/GPT-4o (realtime)' appears more than once; each row needs its own api_model",
    ) in _problems(scenario, fixture_catalogue)


def test_blank_workload_totals_are_the_tiers_own_volumes(
    make_scenario: Any, fixture_catalogue: Catalogue
) -> None:
    scenario = make_scenario(
        workload={"peak_to_average": 2},
        tiers=[
            {
                "tier": "a",
                "api_model": "openai/gpt-4o-mini",
                "input_mtok_per_day": 60.5,
                "output_mtok_per_day": 15,
            },
            {
                "tier": "b",
                "api_model": "openai/gpt-4o-mini",
                "input_mtok_per_day": "40",
                "output_mtok_per_day": 0,
            },
        ],
    )
    assert (scenario.workload.input_mtok_per_day, scenario.workload.output_mtok_per_day) == (
        100.5,
        15,
    )
    assert _problems(scenario, fixture_catalogue) == []


@pytest.mark.parametrize(
    ("sections", "expected"),
    [
        (
            {
                "price_overrides": [
                    {"api_model": "openai/gpt-4o", "input_per_mtok": 2.0, "output_per_mtok": 8.0}
                ]
            },
            (
                ("price_overrides", 0, "api_model"),
                "error",
                "no tier runs on openai/gpt-4o, so this negotiated price would be ignored; name "
                "the model a tier runs on today, or delete the row",
            ),
        ),
        (
            {"price_overrides": [{"api_model": "anthropic/claude-haiku-4-5", "api_mode": "batch"}]},
            (
                ("price_overrides", 0, "api_mode"),
                "error",
                "this batch price for anthropic/claude-haiku-4-5 is used by no tier: the tiers on "
                "anthropic/claude-haiku-4-5 run realtime, so the negotiated price would be "
                "ignored; set api_mode to realtime, or delete the row",
            ),
        ),
        (
            {"deployments": [_deployment()]},
            (
                ("deployments", 0, "deployment"),
                "warning",
                "no tier names d as its deployment or among its candidates, so no plan considers "
                "it; name it in a tier's row, or delete this row",
            ),
        ),
    ],
)
def test_a_row_no_tier_uses_is_named(
    sections: dict[str, Any],
    expected: tuple[Any, ...],
    make_scenario: Any,
    fixture_catalogue: Catalogue,
) -> None:
    assert expected in _problems(make_scenario(**sections), fixture_catalogue)


def test_an_override_of_the_model_a_tier_uses_is_not_questioned(
    make_scenario: Any, fixture_catalogue: Catalogue
) -> None:
    scenario = make_scenario(
        price_overrides=[{"api_model": "Anthropic/Claude-Haiku-4-5", "input_per_mtok": 0.8}]
    )
    assert [p for p in _problems(scenario, fixture_catalogue) if p[0][0] == "price_overrides"] == []


# -- GPU-hour prices against the catalogue (crossover.plausibility) --------------------------
# The fixture rents H100s only as aws/p5.48xlarge (8 GPUs): $6.88 on demand, $4.128 reserved
# for a year (40% off), $2.752 for three (60% off), $3.79 spot. The span is $2.75 to $6.88.


def _gpu_price_problems(
    price: float, make_scenario: Any, catalogue: Catalogue
) -> list[tuple[str, str | None, str]]:
    scenario = make_scenario(
        tiers=[
            {
                "tier": "all",
                "share_pct": 100,
                "api_model": "anthropic/claude-haiku-4-5",
                "deployment": "d",
            }
        ],
        deployments=[_deployment(gpu_hour_price=price)],
    )
    return [
        (p.severity, p.code, p.message)
        for p in scenario_problems(scenario, catalogue)
        if p.loc == ("deployments", 0, "gpu_hour_price")
    ]


def test_a_gpu_hour_price_typed_for_the_whole_instance_is_refused(
    make_scenario: Any, fixture_catalogue: Catalogue
) -> None:
    # 8 × $6.88 = $55.04 an hour for the whole instance; $54 is within 25% of it; 54 / 8 = 6.75.
    assert _gpu_price_problems(54, make_scenario, fixture_catalogue) == [
        (
            "error",
            None,
            "$54.00 per GPU-hour is above every catalogue price for h100-sxm ($2.75 to $6.88) "
            "and near the $55.04 an hour of a whole 8-GPU instance (aws/p5.48xlarge): it looks "
            "like the instance's price; per GPU that is $6.75, so type 6.75",
        )
    ]


def test_a_gpu_hour_price_far_below_the_catalogue_is_a_warning(
    make_scenario: Any, fixture_catalogue: Catalogue
) -> None:
    # Half the lowest price is $1.376: $1 is below it.
    assert _gpu_price_problems(1, make_scenario, fixture_catalogue) == [
        (
            "warning",
            "implausible_value",
            "$1.00 per GPU-hour is outside the catalogue's $2.75 to $6.88 for h100-sxm (every "
            "cloud and price plan it knows); check the price and its unit (USD per GPU-hour)",
        )
    ]


@pytest.mark.parametrize("price", [1.4, 3.0, 6.88, 10.3])
def test_a_gpu_hour_price_near_the_catalogues_is_not_questioned(
    price: float, make_scenario: Any, fixture_catalogue: Catalogue
) -> None:
    # From half the lowest ($1.376) to 1.5 times the highest ($10.32), short of an instance.
    assert _gpu_price_problems(price, make_scenario, fixture_catalogue) == []
