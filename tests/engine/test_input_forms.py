"""Every form of input the contract allows runs through the engine to one headline plan, never
to an internal error: tiers by share or by their own volumes, under every combination of the
compliance flags, on each shipped example (hypothesis)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crossover.catalogue import Catalogue
from crossover.engine import analyse
from crossover.scenario import Scenario, ScenarioError

EXAMPLES = Path(__file__).resolve().parents[2] / "inputs" / "examples"
FLAGS = (
    "hipaa",
    "gdpr_restricted_subprocessors",
    "financial_regulated",
    "data_must_stay_in_network",
)


@st.composite
def forms(draw: st.DrawFn) -> dict[str, Any]:
    """An example with its tiers in either volume form and any compliance flags set."""
    name = draw(st.sampled_from(sorted(p.stem for p in EXAMPLES.glob("*.json"))))
    data: dict[str, Any] = json.loads((EXAMPLES / f"{name}.json").read_text())
    if draw(st.booleans()):
        # Each tier its own volume (and its own mix), the workload's totals left blank.
        workload = data["workload"]
        total_in, total_out = (
            workload.pop("input_mtok_per_day"),
            workload.pop("output_mtok_per_day"),
        )
        for tier in data["tiers"]:
            share = tier.pop("share_pct") / 100
            mix = draw(st.floats(0.5, 1.5))
            tier["input_mtok_per_day"] = total_in * share * mix
            tier["output_mtok_per_day"] = total_out * share
    data["compliance"] = {flag: draw(st.booleans()) for flag in FLAGS}
    return data


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=forms())
def test_every_input_form_reaches_one_headline_plan_or_a_clear_refusal(
    data: dict[str, Any], catalogue: Catalogue
) -> None:
    scenario = Scenario.model_validate(data)
    try:
        results = analyse(scenario, catalogue)
    except ScenarioError as refused:
        # A rule the input breaks, said with where and what to do: never an internal error.
        assert refused.problems
        for problem in refused.problems:
            assert problem.severity == "error" and problem.message
        return
    plan = results.headline_plan
    assert sum(p.key == results.headline.plan for p in results.plans) == 1
    assert plan.allowed
    if scenario.compliance.flags:
        # No tier is left on an outside API, and every placement is with an allowed provider.
        assert all(route != "api" for route in plan.routes.values())
        kept_out = {e.cloud for e in results.kept_out}
        for placed in plan.instances.values():
            if placed.instance is not None:
                assert placed.instance.partition("/")[0] not in kept_out
    # Shares shown add up to 100 whichever form the volumes came in.
    assert sum(t.share_pct for t in results.tiers) == pytest.approx(100)
    assert results.total_mtok_per_day == pytest.approx(
        sum(t.input_mtok_per_day + t.output_mtok_per_day for t in results.tiers)
    )
