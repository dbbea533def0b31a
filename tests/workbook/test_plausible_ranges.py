"""Every number a client types is checked against what the world allows (issue 28)."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from crossover.catalogue import load_catalogue
from crossover.cli import main
from crossover.fx_reference import reference_rate
from crossover.inputs import analyse_file, load_scenario_with_warnings
from crossover.ranges import PLAUSIBLE, TABLES
from crossover.report import default_brand
from crossover.report.render import report_display
from crossover.scenario import ScenarioError
from crossover.wording import CallWords
from crossover.workbook import layout

from .helpers import BASE, ROOT, named, spoil

CATALOGUE = load_catalogue()


def scenario_json(tmp_path: Path, change: Any) -> Path:
    data = json.loads(json.dumps(BASE))
    change(data)
    path = tmp_path / "scenario.json"
    path.write_text(json.dumps(data))
    return path


def problems_of(path: Path) -> list[tuple[str, str, str | None]]:
    """(severity, 'field: message', code) for every problem reading the file finds."""
    try:
        _, warnings = load_scenario_with_warnings(path, CATALOGUE)
        found = warnings
    except ScenarioError as e:
        found = e.problems
    return [(p.severity, p.describe(), p.code) for p in found]


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "contract_doc", ROOT / "scripts" / "contract_doc.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


# -- one table, in the docs ----------------------------------------------------------------


def test_the_plausible_table_in_the_docs_is_current() -> None:
    script = _script()
    text = (ROOT / "docs" / "inputs.md").read_text(encoding="utf-8")
    shown = text.split(script.PLAUSIBLE_BEGIN)[1].split(script.PLAUSIBLE_END)[0].strip()
    assert shown == script.plausible_table(), "run python scripts/contract_doc.py --write"


def test_every_numeric_input_has_one_plausible_range_with_a_reason() -> None:
    numeric = {
        (spec.key, field.path)
        for spec in layout.sections()
        for field in spec.fields
        if field.kind in ("number", "percent", "integer")
    }
    listed = [(entry.section, entry.path) for entry in PLAUSIBLE]
    assert sorted(listed) == sorted(numeric)
    assert all(entry.reason for entry in PLAUSIBLE)


def test_a_row_of_the_table_reads_as_the_range_says() -> None:
    rows = {line.split(" | ")[0]: line for line in _script().plausible_table().splitlines()}
    assert rows["| `workload.peak_to_average`"] == (
        "| `workload.peak_to_average` | 1 to 10 times the daily average | above 24 | a ratio "
        "typed as a percentage (÷ 100) | the busiest hour holds at most the whole day's "
        "traffic, 24 times the hourly average; office-hours traffic peaks at 2 to 4 times it "
        "| none: a judgement of what clients have |"
    )
    assert {entry.section for entry in PLAUSIBLE} >= TABLES


# -- exchange rates ------------------------------------------------------------------------


def test_the_reference_rates_are_the_ecbs_crossed_through_the_dollar() -> None:
    # ECB, 28 February 2025: 1 EUR = 1.0411 USD = 156.96 JPY = 0.82608 GBP.
    jpy, gbp, eur = (reference_rate(c) for c in ("JPY", "GBP", "EUR"))
    assert jpy is not None and gbp is not None and eur is not None
    assert jpy.per_usd == pytest.approx(150.7636, abs=1e-4)
    assert gbp.per_usd == pytest.approx(0.793468, abs=1e-6)
    assert eur.per_usd == pytest.approx(0.960523, abs=1e-6)
    assert reference_rate("XAU") is None


def test_a_rate_left_at_1_for_a_currency_not_at_par_is_refused(tmp_path: Path) -> None:
    path = scenario_json(tmp_path, lambda d: d["client"].update(currency="JPY", usd_fx_rate=1))
    assert problems_of(path) == [
        (
            "error",
            "client.usd_fx_rate: 1 JPY per US dollar is the template's rate for US dollars, and "
            "the JPY is not at par with the dollar: it was 150.8 JPY per US dollar on "
            "2025-02-28, ECB reference rates; type the rate of the report's day, in JPY per US "
            "dollar",
            None,
        )
    ]


def test_a_rate_of_1_is_right_for_a_currency_at_par(tmp_path: Path) -> None:
    path = scenario_json(tmp_path, lambda d: d["client"].update(currency="BSD", usd_fx_rate=1))
    assert problems_of(path) == []


@pytest.mark.parametrize(
    ("currency", "rate", "message"),
    [
        (
            "GBP",
            1.27,
            "1.27 GBP per US dollar is the rate the wrong way round: 1.27 is US dollars per GBP, "
            "and the rate is GBP per US dollar (0.7935 GBP per US dollar on 2025-02-28, ECB "
            "reference rates); type 0.7874",
        ),
        (
            "JPY",
            0.0067,
            "0.0067 JPY per US dollar is the rate the wrong way round: 0.0067 is US dollars per "
            "JPY, and the rate is JPY per US dollar (150.8 JPY per US dollar on 2025-02-28, ECB "
            "reference rates); type 149.3",
        ),
        (
            "INR",
            8.3,
            "8.3 INR per US dollar is 1/10.53 of the reference rate (87.38 INR per US dollar on "
            "2025-02-28, ECB reference rates), further than the INR has moved; type the rate of "
            "the report's day, in INR per US dollar",
        ),
    ],
)
def test_a_rate_the_wrong_way_round_or_far_off_is_refused_with_the_expected_rate(
    tmp_path: Path, currency: str, rate: float, message: str
) -> None:
    path = scenario_json(
        tmp_path, lambda d: d["client"].update(currency=currency, usd_fx_rate=rate)
    )
    assert problems_of(path) == [("error", f"client.usd_fx_rate: {message}", None)]


def test_a_rate_a_quarter_off_its_reference_is_a_warning(tmp_path: Path) -> None:
    # 110 / 87.38 = 1.26: a currency can move that far, but rarely does.
    path = scenario_json(tmp_path, lambda d: d["client"].update(currency="INR", usd_fx_rate=110))
    assert problems_of(path) == [
        (
            "warning",
            "client.usd_fx_rate: 110 INR per US dollar is 1.26 times the reference rate (87.38 "
            "INR per US dollar on 2025-02-28, ECB reference rates); is it the rate of the "
            "report's day?",
            "fx_rate_far",
        )
    ]


# GPU-hour prices are judged against the catalogue: tests/engine/test_checks.py, on the
# fixture catalogue, whose prices do not move.


# -- people, weeks, ratios, latency ------------------------------------------------------

PEAK_REASON = (
    "the busiest hour holds at most the whole day's traffic, 24 times the hourly average; "
    "office-hours traffic peaks at 2 to 4 times it"
)
YEAR_REASON = (
    "a loaded engineer-year costs from about $20,000 offshore to about $500,000 in the dearest "
    "markets"
)
WEEK_REASON = (
    "a loaded engineer-week costs from a few hundred dollars offshore to about $10,000 in the "
    "dearest markets"
)


@pytest.mark.parametrize(
    ("section", "name", "value", "message"),
    [
        (
            "workload",
            "peak_to_average",
            200,
            f"200 times the daily average is more than any real client has ({PEAK_REASON}); did "
            "you mean 2? (a ratio typed as a percentage: 200% is 2)",
        ),
        (
            "workload",
            "peak_to_average",
            130,
            f"130 times the daily average is more than any real client has ({PEAK_REASON}); did "
            "you mean 1.3? (a ratio typed as a percentage: 130% is 1.3)",
        ),
        (
            "workload",
            "peak_to_average",
            30,
            f"30 times the daily average is more than any real client has ({PEAK_REASON}); check "
            "the number and its unit",
        ),
        (
            "operations",
            "fte_annual_cost",
            180,
            f"180 US dollars a year is less than any real client has ({YEAR_REASON}); did you "
            "mean 180,000? (typed in thousands, 180 is 180,000)",
        ),
        (
            "operations",
            "engineer_week_cost",
            3,
            f"3 US dollars a week is less than any real client has ({WEEK_REASON}); did you mean "
            "3,000? (typed in thousands, 3 is 3,000)",
        ),
    ],
)
def test_a_value_no_client_has_is_refused_with_the_value_meant(
    tmp_path: Path, section: str, name: str, value: float, message: str
) -> None:
    path = scenario_json(tmp_path, lambda d: d.setdefault(section, {}).update({name: value}))
    assert problems_of(path) == [("error", f"{section}.{name}: {message}", None)]


def test_a_year_typed_as_a_week_is_a_warning_naming_the_week(tmp_path: Path) -> None:
    # 180,000 / 52 = 3,461.54.
    path = scenario_json(
        tmp_path, lambda d: d.setdefault("operations", {}).update(engineer_week_cost=180_000)
    )
    assert problems_of(path) == [
        (
            "warning",
            "operations.engineer_week_cost: 180,000 US dollars a week is outside the 300 to "
            f"25,000 a real client has ({WEEK_REASON}); is it right, or did you mean 3,461.54? "
            "(a year's cost, 180,000 a year is 3,461.54 a week)",
            "implausible_value",
        )
    ]


def test_a_latency_typed_in_seconds_is_refused_as_50_ms(tmp_path: Path) -> None:
    path = scenario_json(
        tmp_path, lambda d: d["tiers"][1].update(api_mode="realtime", tpot_ms=0.05)
    )
    assert (
        "error",
        "tiers[1].tpot_ms: 0.05 ms per output token is less than any real client has (5 ms is "
        "200 tokens a second, faster than users read; 500 ms is 2 tokens a second, slower than "
        "any chat product); did you mean 50? (typed in seconds, 0.05 s is 50 ms)",
        None,
    ) in problems_of(path)


def test_a_volume_range_typed_in_percent_is_refused_part_by_part(tmp_path: Path) -> None:
    factor = {"low": 80, "likely": 100, "high": 130}
    path = scenario_json(tmp_path, lambda d: d.update(uncertainty={"volume_factor": factor}))
    reason = (
        "a multiplier on today's figure: 1 is as entered, 0.5 half, 2 double; a tenfold miss is "
        "not an uncertainty but a different client"
    )
    assert problems_of(path) == [
        (
            "error",
            f"uncertainty.volume_factor.{part}: {typed} × today's volume is more than any real "
            f"client has ({reason}); did you mean {meant}? (a ratio typed as a percentage: "
            f"{typed}% is {meant})",
            None,
        )
        for part, typed, meant in (("low", 80, "0.8"), ("likely", 100, "1"), ("high", 130, "1.3"))
    ]


def test_an_unusual_growth_is_a_warning_that_travels_into_the_results(tmp_path: Path) -> None:
    path = scenario_json(tmp_path, lambda d: d["workload"].update(monthly_growth_pct=50))
    warnings = analyse_file(path, CATALOGUE).model_dump(mode="json")["warnings"]
    assert {
        "field": "workload.monthly_growth_pct",
        "cell": None,
        "code": "implausible_value",
        "message": "50% a month is outside the -20 to 30 a real client has (30% a month is 23 "
        "times a year; a yearly growth typed as monthly looks like this); check the number and "
        "its unit",
    } in warnings


def test_a_workbook_names_the_cell_of_a_value_no_client_has(filled_path: Path) -> None:
    spoil(filled_path, lambda wb: setattr(named(wb, "peak_to_average"), "value", 200))
    with pytest.raises(ScenarioError) as raised:
        load_scenario_with_warnings(filled_path, CATALOGUE)
    assert [p.describe() for p in raised.value.problems] == [
        f"Workload!C7 (peak_to_average): 200 times the daily average is more than any real "
        f"client has ({PEAK_REASON}); did you mean 2? (a ratio typed as a percentage: 200% is 2)"
    ]


# -- API prices and references -------------------------------------------------------------


def test_an_override_no_tier_uses_is_refused_not_dropped(tmp_path: Path) -> None:
    path = scenario_json(
        tmp_path, lambda d: d["price_overrides"][0].update(api_model="openai/gpt-4.1")
    )
    assert problems_of(path) == [
        (
            "error",
            "price_overrides[0].api_model: no tier runs on openai/gpt-4.1, so this "
            "negotiated price would be ignored; name the model a tier runs on today (did you "
            "mean openai/gpt-4o?), or delete the row",
            None,
        )
    ]


def test_an_override_in_the_mode_no_tier_uses_is_refused_at_its_mode(tmp_path: Path) -> None:
    path = scenario_json(tmp_path, lambda d: d["price_overrides"][0].update(api_mode="batch"))
    assert problems_of(path) == [
        (
            "error",
            "price_overrides[0].api_mode: this batch price for openai/gpt-4o is used by no "
            "tier: the tiers on openai/gpt-4o run realtime, so the negotiated price would be "
            "ignored; set api_mode to realtime, or delete the row",
            None,
        )
    ]


def test_override_prices_in_the_wrong_order_are_questioned(tmp_path: Path) -> None:
    def change(data: dict[str, Any]) -> None:
        data["price_overrides"][0].update(
            input_per_mtok=8.0, cached_input_per_mtok=9.0, output_per_mtok=2.0
        )

    path = scenario_json(tmp_path, change)
    assert [p for p in problems_of(path) if p[2] == "price_override_order"] == [
        (
            "warning",
            "price_overrides[0].output_per_mtok: the output price, $2 per million tokens, is "
            "below the input price, $8, but every listed model charges more for output than for "
            "input; were the two swapped?",
            "price_override_order",
        ),
        (
            "warning",
            "price_overrides[0].cached_input_per_mtok: the cached input price, $9 per million "
            "tokens, is above the input price, $8, but a cache read is always the cheaper; were "
            "the two swapped?",
            "price_override_order",
        ),
    ]


def test_a_deployment_no_tier_names_is_a_warning(tmp_path: Path) -> None:
    def change(data: dict[str, Any]) -> None:
        data["deployments"].append(
            {
                "deployment": "qwen-spare",
                "model": "llama-3.3-70b",
                "precision": "fp8",
                "gpu": "h100-sxm",
            }
        )

    path = scenario_json(tmp_path, change)
    assert problems_of(path) == [
        (
            "warning",
            "deployments[1].deployment: no tier names qwen-spare as its deployment or among its "
            "candidates, so no plan considers it; name it in a tier's row, or delete this row",
            "unused_deployment",
        )
    ]


def test_the_call_brief_asks_about_a_value_a_client_rarely_has(tmp_path: Path) -> None:
    path = scenario_json(tmp_path, lambda d: d["workload"].update(monthly_growth_pct=50))
    results = analyse_file(path, CATALOGUE)
    questions = CallWords(results, report_display(results, default_brand())).questions()
    assert (
        "Are these figures right? 50% a month is outside the -20 to 30 a real client has (30% "
        "a month is 23 times a year; a yearly growth typed as monthly looks like this); check "
        "the number and its unit." in questions
    )


def test_a_rate_other_than_1_for_dollars_is_refused(tmp_path: Path) -> None:
    # The rate of the euro typed, the currency left at USD.
    path = scenario_json(tmp_path, lambda d: d["client"].update(usd_fx_rate=0.92))
    assert problems_of(path) == [
        (
            "error",
            "client.usd_fx_rate: 0.92 USD per US dollar, but the USD is worth exactly one US "
            "dollar (the US dollar itself), so the rate is 1; if the report is in another "
            "currency, type its code in the currency cell too",
            None,
        )
    ]


def test_a_rate_of_1_is_refused_for_a_currency_the_reference_table_lacks(tmp_path: Path) -> None:
    path = scenario_json(tmp_path, lambda d: d["client"].update(currency="AED", usd_fx_rate=1))
    assert problems_of(path) == [
        (
            "error",
            "client.usd_fx_rate: 1 AED per US dollar is the template's rate for US dollars, and "
            "the AED is not at par with the dollar; type the rate of the report's day, in AED "
            "per US dollar",
            None,
        )
    ]


def test_a_workbook_warning_of_a_new_kind_reaches_the_terminal_and_the_json(
    filled_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spoil(filled_path, lambda wb: setattr(named(wb, "setup_weeks"), "value", 100))
    message = (
        "100 weeks is outside the 0 to 52 a real client has (a self-hosting setup takes days to "
        "months; five years is longer than any horizon); check the number and its unit"
    )
    out_json = tmp_path / "results.json"
    with pytest.raises(SystemExit) as exit_info:
        main(["analyse", str(filled_path), "--json", str(out_json)])
        raise SystemExit(0)
    out, err = capsys.readouterr()
    assert (exit_info.value.code, err) == (0, "")
    assert {
        "field": "operations.setup_weeks",
        "cell": "Operations!C8 (setup_weeks)",
        "code": "implausible_value",
        "message": message,
    } in json.loads(out_json.read_text())["warnings"]
    assert f"Operations!C8 (setup_weeks): {message}" in " ".join(out.split())
