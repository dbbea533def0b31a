"""Ids are matched regardless of case and surrounding spaces: the spelling that names wins."""

from __future__ import annotations

import copy
from functools import cache
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crossover.catalogue import load_catalogue
from crossover.engine import analyse, check_scenario
from crossover.engine.results import Results
from crossover.inputs import analyse_file
from crossover.scenario import Scenario
from crossover.workbook import write_filled

# Every kind of reference: a tier's deployment and candidates, catalogue API models and a
# private one priced by an override, open-weight models, GPUs, an instance, providers, plans.
BASE: dict[str, Any] = {
    "client": {"client_name": "Acme Health", "report_date": "2026-11-27"},
    "workload": {"input_mtok_per_day": 500, "output_mtok_per_day": 120},
    "tiers": [
        {
            "tier": "chat",
            "share_pct": 60,
            "api_model": "openai/gpt-4o",
            "route": "self_host",
            "deployment": "Llama70-H100",
            "candidates": ["Llama70-H100", "qwen72-h100"],
        },
        {
            "tier": "nightly",
            "share_pct": 30,
            "api_model": "anthropic/claude-haiku-4-5",
            "api_mode": "batch",
        },
        {"tier": "private", "share_pct": 10, "api_model": "Acme/Private-LLM"},
    ],
    "deployments": [
        {
            "deployment": "Llama70-H100",
            "model": "llama-3.3-70b",
            "precision": "fp8",
            "gpu": "h100-sxm",
            "instance": "aws/p5.48xlarge",
        },
        {
            "deployment": "qwen72-h100",
            "model": "qwen2.5-72b",
            "precision": "fp8",
            "gpu": "h100-sxm",
        },
    ],
    "operations": {"providers": ["aws", "gcp"], "price_plans": ["on_demand", "reserved_1y"]},
    "price_overrides": [
        {"api_model": "openai/gpt-4o", "input_per_mtok": 2.0, "output_per_mtok": 8.0},
        {"api_model": "Acme/Private-LLM", "input_per_mtok": 1.0, "output_per_mtok": 3.0},
    ],
}

REFERENCES: tuple[tuple[Any, ...], ...] = (
    ("tiers", 0, "deployment"),
    ("tiers", 0, "candidates", 0),
    ("tiers", 0, "candidates", 1),
    ("tiers", 0, "api_model"),
    ("tiers", 1, "api_model"),
    ("tiers", 2, "api_model"),
    ("deployments", 0, "model"),
    ("deployments", 0, "gpu"),
    ("deployments", 0, "instance"),
    ("deployments", 1, "model"),
    ("deployments", 1, "gpu"),
    ("operations", "providers", 0),
    ("operations", "providers", 1),
    ("operations", "price_plans", 0),
    ("operations", "price_plans", 1),
    ("price_overrides", 0, "api_model"),
)
"""Where a reference sits in BASE; price_overrides[1] defines the private model's spelling."""


def _get(data: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        data = data[part]
    return data


def _set(data: Any, path: tuple[Any, ...], value: Any) -> None:
    _get(data, path[:-1])[path[-1]] = value


@cache
def _base_results() -> Results:
    return analyse(Scenario.model_validate(BASE), load_catalogue())


def _spelling(text: str) -> st.SearchStrategy[str]:
    """The same id in any capitals, with spaces around it or none."""
    cases = st.lists(st.booleans(), min_size=len(text), max_size=len(text)).map(
        lambda upper: "".join(
            c.upper() if u else c.lower() for c, u in zip(text, upper, strict=True)
        )
    )
    pad = st.sampled_from(["", " ", "  ", "\u00a0"])
    return st.tuples(pad, cases, pad).map("".join)


@st.composite
def _varied(draw: st.DrawFn) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    for path in REFERENCES:
        _set(data, path, draw(_spelling(_get(BASE, path))))
    return data


def test_the_base_scenario_is_valid_and_uses_every_reference() -> None:
    results = _base_results()
    problems = check_scenario(results.scenario, load_catalogue())
    assert [p for p in problems if p.severity == "error"] == []
    assert [c.tier for c in results.tier_choices] == ["chat", "nightly", "private"]
    assert results.scenario.deployments[0].instance == "aws/p5.48xlarge"


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(_varied())
def test_any_capitals_of_valid_references_give_identical_results(data: dict[str, Any]) -> None:
    results = analyse(Scenario.model_validate(data), load_catalogue())
    assert results == _base_results()


def test_the_spelling_that_names_is_kept() -> None:
    data = copy.deepcopy(BASE)
    _set(data, ("tiers", 0, "deployment"), "LLAMA70-h100")
    _set(data, ("tiers", 2, "api_model"), "acme/private-llm")
    _set(data, ("deployments", 0, "gpu"), "H100-SXM")
    _set(data, ("operations", "providers", 0), "AWS")
    _set(data, ("operations", "price_plans", 0), "On Demand")
    scenario = analyse(Scenario.model_validate(data), load_catalogue()).scenario
    # The Deployments table and the price override define; the catalogue spells its own ids.
    assert scenario.tiers[0].deployment == "Llama70-H100"
    assert scenario.tiers[2].api_model == "Acme/Private-LLM"
    assert scenario.deployments[0].gpu == "h100-sxm"
    assert scenario.operations.providers == ["aws", "gcp"]
    assert scenario.operations.price_plans == ["on_demand", "reserved_1y"]


def test_a_workbook_with_references_in_other_capitals_gives_identical_results(
    tmp_path: Path,
) -> None:
    data = copy.deepcopy(BASE)
    _set(data, ("tiers", 0, "deployment"), "llama70-H100")
    _set(data, ("tiers", 0, "candidates"), ["LLAMA70-H100", "Qwen72-H100"])
    _set(data, ("tiers", 2, "api_model"), "ACME/private-llm")
    _set(data, ("deployments", 0, "model"), "Llama-3.3-70B")
    _set(data, ("deployments", 0, "instance"), "AWS/P5.48xlarge")
    _set(data, ("operations", "providers"), ["Aws", "GCP"])
    _set(data, ("operations", "price_plans"), ["ON_DEMAND", "Reserved_1y"])
    path = tmp_path / "client.xlsx"
    write_filled(Scenario.model_validate(data), path)
    results = analyse_file(path, load_catalogue())
    # Which inputs were left to their defaults is known only when read from a file.
    apart = {"warnings": [], "defaulted": _base_results().defaulted}
    assert results.model_copy(update=apart) == _base_results().model_copy(update=apart)
    assert results.warnings == _base_results().warnings


def test_deployments_that_differ_only_in_capitals_are_duplicates() -> None:
    data = copy.deepcopy(BASE)
    data["deployments"].append({**BASE["deployments"][1], "deployment": " QWEN72-h100 "})
    problems = check_scenario(Scenario.model_validate(data), load_catalogue())
    assert [(p.loc, p.message) for p in problems if p.severity == "error"] == [
        (
            ("deployments", 2, "deployment"),
            "'QWEN72-h100' appears more than once; each row needs its own deployment",
        )
    ]
