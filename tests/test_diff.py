"""diff: two versions of a scenario, the inputs that changed, and a waterfall that adds up."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from crossover.catalogue import Catalogue
from crossover.cli import main
from crossover.diff import diff_scenarios
from crossover.engine import analyse
from crossover.scenario import Scenario

EXAMPLE = Path(__file__).resolve().parents[1] / "inputs" / "examples" / "document-intelligence.json"


def _versions() -> tuple[dict[str, Any], dict[str, Any]]:
    old = json.loads(EXAMPLE.read_text())
    new = json.loads(EXAMPLE.read_text())
    new["client"]["current_monthly_api_bill"] = 30_000
    new["workload"]["input_mtok_per_day"] = 1080
    new["workload"]["peak_to_average"] = 2
    new["operations"]["ops_fte"] = 3
    # Two shares that are only valid together: the waterfall takes them as one step.
    new["tiers"][0]["share_pct"] = 90
    new["tiers"][1]["share_pct"] = 10
    return old, new


def test_the_waterfall_attributes_the_whole_change(catalogue: Catalogue) -> None:
    old_raw, new_raw = _versions()
    old, new = Scenario.model_validate(old_raw), Scenario.model_validate(new_raw)
    diff = diff_scenarios(old, new, catalogue)
    extraction, reasoning = (t["tier"] for t in old_raw["tiers"])
    assert [(c.field, c.old, c.new) for c in diff.changes] == [
        ("client.current_monthly_api_bill", 13_100, 30_000),
        ("workload.input_mtok_per_day", 720, 1080),
        ("workload.peak_to_average", 1.5, 2),
        (f"tiers[{extraction}].share_pct", 95, 90),
        (f"tiers[{reasoning}].share_pct", 5, 10),
        ("operations.ops_fte", 0.25, 3),
    ]
    steps = {s.field: s.monthly_savings_usd_delta for s in diff.attribution}
    assert list(steps) == [
        "client.current_monthly_api_bill",
        "workload.input_mtok_per_day",
        "workload.peak_to_average",
        f"tiers[{extraction}].share_pct + tiers[{reasoning}].share_pct",
        "operations.ops_fte",
    ]
    # The bill is only compared with, never priced: no effect on the savings.
    assert steps["client.current_monthly_api_bill"] == 0
    # 2.75 more FTE at $180,000 a year costs self-hosting $41,250 a month more: more than the
    # self-hosted plan saved by then, so the recommendation moves to API only (which saves
    # nothing) and the step takes away what the plan saved before it.
    before = analyse(old, catalogue).headline_plan.monthly_savings_usd + math.fsum(
        delta for field, delta in steps.items() if field != "operations.ops_fte"
    )
    assert 0 < before < 2.75 * 180_000 / 12
    assert steps["operations.ops_fte"] == pytest.approx(-before, rel=1e-9)
    assert diff.verdict_new == "stay_on_api" and diff.headline_changed
    # The waterfall explains the headline plan's savings, each version's own.
    total = (
        analyse(new, catalogue).headline_plan.monthly_savings_usd
        - analyse(old, catalogue).headline_plan.monthly_savings_usd
    )
    assert math.fsum(steps.values()) == pytest.approx(total, rel=1e-12, abs=1e-9)
    figures = {f.figure: f for f in diff.figures}
    assert figures["monthly_savings_usd"].change == total


def test_the_same_scenario_has_no_change(catalogue: Catalogue) -> None:
    old_raw, _ = _versions()
    scenario = Scenario.model_validate(old_raw)
    diff = diff_scenarios(scenario, scenario, catalogue)
    assert diff.changes == [] and diff.attribution == []
    assert not diff.headline_changed


def test_a_change_of_recommended_plan_is_said(catalogue: Catalogue) -> None:
    """Northwind adopts its proposal; under HIPAA its complex reasoning must leave the API too,
    so the recommended plan self-hosts every tier, and the diff says the recommendation moved."""
    old_raw, _ = _versions()
    new_raw = json.loads(EXAMPLE.read_text())
    new_raw["compliance"] = {"hipaa": True}
    for field in ("task_family", "max_quality_drop"):
        new_raw["tiers"][1].pop(field)
    old, new = Scenario.model_validate(old_raw), Scenario.model_validate(new_raw)
    diff = diff_scenarios(old, new, catalogue)
    assert (diff.verdict_old, diff.verdict_new) == ("adopt_proposal", "self_host_all")
    assert diff.routes_old["complex-reasoning"] == "api"
    assert diff.routes_new["complex-reasoning"] == "llama70b-h100"
    assert diff.headline_changed
    old_results, new_results = analyse(old, catalogue), analyse(new, catalogue)
    figures = {f.figure: (f.old, f.new) for f in diff.figures}
    # Each version's own recommended plan.
    assert figures["monthly_savings_usd"] == (
        old_results.headline_plan.monthly_savings_usd,
        new_results.headline_plan.monthly_savings_usd,
    )


def test_diff_prints_and_writes_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old_raw, new_raw = _versions()
    old, new = tmp_path / "v1.json", tmp_path / "v2.json"
    old.write_text(json.dumps(old_raw))
    new.write_text(json.dumps(new_raw))
    assert _run(["diff", str(old), str(new), "--json", "-"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) >= {"changes", "figures", "attribution"}
    assert {"field", "old", "new"} <= set(data["changes"][0])
    assert {"field", "monthly_savings_usd_delta"} <= set(data["attribution"][0])
    assert _run(["diff", str(old), str(new)]) == 0
    out = capsys.readouterr().out
    assert "Inputs that changed" in out and "operations.ops_fte" in out
    assert "The recommended plan changed: Adopt the proposed split → Stay on the API" in out


def _run(args: list[str]) -> int:
    """The CLI as `crossover` runs it; its exit code."""
    with pytest.raises(SystemExit) as exit_info:
        main(args)
        raise SystemExit(0)
    code = exit_info.value.code
    return code if isinstance(code, int) else 0
