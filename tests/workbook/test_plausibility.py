"""Values that read but look mistyped: warnings with field and cell, in every output (issue 13)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from crossover.catalogue import load_catalogue
from crossover.cli import main
from crossover.inputs import analyse_file

from .helpers import BASE, named, spoil, table_cell

CATALOGUE = load_catalogue()


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(args)
        raise SystemExit(0)
    out, err = capsys.readouterr()
    code = exit_info.value.code
    return (code if isinstance(code, int) else 0), out, err


def scenario_json(tmp_path: Path, change: Any) -> Path:
    data = json.loads(json.dumps(BASE))
    change(data)
    path = tmp_path / "scenario.json"
    path.write_text(json.dumps(data))
    return path


def warnings_of(path: Path) -> list[dict[str, Any]]:
    dumped: list[dict[str, Any]] = analyse_file(path, CATALOGUE).model_dump(mode="json")["warnings"]
    return dumped


@pytest.mark.parametrize(
    ("section", "name", "value", "message"),
    [
        (
            "workload",
            "cache_hit_pct",
            0.35,
            "read as 0.35%; if you meant 35%, write 35 (percent fields take the percentage, "
            "not the fraction)",
        ),
        (
            "workload",
            "monthly_growth_pct",
            0.05,
            "read as 0.05%; if you meant 5%, write 5 (percent fields take the percentage, "
            "not the fraction)",
        ),
        (
            "operations",
            "infra_overhead_pct",
            1,
            "read as 1%; if you meant 100%, write 100 (percent fields take the percentage, "
            "not the fraction)",
        ),
    ],
)
def test_a_fraction_or_one_in_a_json_percent_field_is_a_structured_warning(
    tmp_path: Path, section: str, name: str, value: float, message: str
) -> None:
    path = scenario_json(tmp_path, lambda d: d.setdefault(section, {}).update({name: value}))
    expected = {"field": f"{section}.{name}", "cell": None, "message": message}
    assert {**expected, "code": "percent_fraction"} in warnings_of(path)


def test_raw_token_counts_in_a_millions_cell_are_a_warning(tmp_path: Path) -> None:
    path = scenario_json(tmp_path, lambda d: d["workload"].update(input_mtok_per_day=4e8))
    assert {
        "field": "workload.input_mtok_per_day",
        "cell": None,
        "code": "raw_token_count",
        "message": "400,000,000 million tokens a day is outside the 0 to 100,000 a real client "
        "has (100 billion tokens a day is more than a large client's whole traffic); is it "
        "right, or did you mean 400? (a count of tokens, 400,000,000 tokens is 400 million)",
    } in warnings_of(path)


def test_a_price_override_far_from_the_catalogue_is_a_warning(tmp_path: Path) -> None:
    listed = CATALOGUE.api_price("openai/gpt-4o", "realtime", BASE_DATE)
    assert listed is not None
    typed = listed.input_per_mtok * 100  # 0,125 read as 125 would look like this
    path = scenario_json(tmp_path, lambda d: d["price_overrides"][0].update(input_per_mtok=typed))
    shown = f"{typed:g}"
    assert {
        "field": "price_overrides[0].input_per_mtok",
        "cell": None,
        "code": "price_override_far",
        "message": f"${shown} per million tokens is 100 times the catalogue's "
        f"${listed.input_per_mtok:g} for openai/gpt-4o; check the decimal point and the unit "
        "(USD per million tokens)",
    } in warnings_of(path)


BASE_DATE = __import__("datetime").date(2026, 11, 27)


@pytest.mark.parametrize(("currency", "rate", "inverse"), [("EUR", 1.087, "0.919963")])
def test_an_exchange_rate_that_may_be_the_wrong_way_round_is_a_warning(
    tmp_path: Path, currency: str, rate: float, inverse: str
) -> None:
    # 1.087 euros to the dollar is within 25% of the reference (0.9605), so not refused; but
    # the euro has been worth more than a dollar for most of its life.
    path = scenario_json(
        tmp_path, lambda d: d["client"].update(currency=currency, usd_fx_rate=rate)
    )
    assert {
        "field": "client.usd_fx_rate",
        "cell": None,
        "code": "fx_rate_inverted",
        "message": f"{rate:g} {currency} per US dollar looks inverted (that is {inverse} US "
        f"dollars per {currency}); the rate is {currency} units per US dollar",
    } in warnings_of(path)


def test_a_sensible_exchange_rate_is_not_questioned(tmp_path: Path) -> None:
    path = scenario_json(tmp_path, lambda d: d["client"].update(currency="EUR", usd_fx_rate=0.92))
    assert not [w for w in warnings_of(path) if w["field"] == "client.usd_fx_rate"]


def test_monthly_volumes_in_the_daily_cells_show_in_the_stated_bill(tmp_path: Path) -> None:
    api_month = analyse_file(scenario_json(tmp_path, lambda d: None), CATALOGUE).calibration
    # The client's bill is what these volumes cost over one day of a month: volumes × 30.
    bill = api_month.catalogue_api_month_usd / 30
    path = scenario_json(tmp_path, lambda d: d["client"].update(current_monthly_api_bill=bill))
    messages = {w["field"]: w["message"] for w in warnings_of(path)}
    assert messages["workload.input_mtok_per_day"] == (
        "the modelled API cost is 30 times the client's stated monthly bill, about the number "
        "of days in a month: the volumes look like monthly figures typed in the per-day cells; "
        "divide them by 30.4 if so"
    )
    assert any("differs from the client's current bill" in m for m in messages.values())


def test_a_workbook_fraction_travels_with_its_cell_into_every_output(
    filled_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spoil(filled_path, lambda wb: setattr(named(wb, "cache_hit_pct"), "value", 0.35))
    expected = {
        "field": "workload.cache_hit_pct",
        "cell": "Workload!C9 (cache_hit_pct)",
        "code": "percent_fraction",
        "message": "read as 0.35%; if you meant 35%, type 35 or 35%",
    }
    line = "Workload!C9 (cache_hit_pct): read as 0.35%; if you meant 35%, type 35 or 35%"
    out_json = tmp_path / "results.json"
    code, out, err = run(["analyse", str(filled_path), "--json", str(out_json)], capsys)
    assert (code, err) == (0, "")
    assert expected in json.loads(out_json.read_text())["warnings"]
    assert line in " ".join(out.split())

    reports = tmp_path / "reports"
    code, _, err = run(
        ["report", str(filled_path), "-o", str(reports), "--format", "html,xlsx"], capsys
    )
    assert (code, err) == (0, "")
    (html,) = reports.glob("*.html")
    assert line in " ".join(html.read_text().split())
    (xlsx,) = reports.glob("*-results.xlsx")
    cells = [c.value for row in load_workbook(xlsx)["Summary"].iter_rows() for c in row]
    assert line in cells


def test_a_one_in_a_workbook_percent_cell_is_a_warning(
    filled_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spoil(filled_path, lambda wb: setattr(named(wb, "cache_hit_pct"), "value", 1))
    code, out, err = run(["validate", str(filled_path)], capsys)
    assert (code, err) == (0, "")
    assert (
        "Warning: Workload!C9 (cache_hit_pct): read as 1%; if you meant 100%, type 100 or 100%"
        in out
    )


def test_warnings_are_kept_beside_errors(
    filled_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def change(workbook: Any) -> None:
        named(workbook, "cache_hit_pct").value = 0.35
        table_cell(workbook, "Deployments", 0, "gpus_per_replica").value = "lots"

    spoil(filled_path, change)
    code, _, err = run(["validate", str(filled_path)], capsys)
    assert code == 65
    lines = err.splitlines()
    assert lines[0] == f"Error: {filled_path}: 1 problem(s) to fix:"
    assert lines[1].startswith("  Deployments!") and 'found "lots"' in lines[1]
    assert lines[2] == (
        "  Warning: Workload!C9 (cache_hit_pct): read as 0.35%; if you meant 35%, type 35 or 35%"
    )


def test_one_validate_run_lists_a_field_error_a_share_total_and_an_unknown_gpu(
    filled_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def change(workbook: Any) -> None:
        named(workbook, "cache_hit_pct").value = 150
        table_cell(workbook, "Tiers", 0, "share_pct").value = 65
        table_cell(workbook, "Deployments", 0, "gpu").value = "h100-sxmm"

    spoil(filled_path, change)
    code, _, err = run(["validate", str(filled_path)], capsys)
    assert code == 65
    assert err.splitlines()[0] == f"Error: {filled_path}: 3 problem(s) to fix:"
    assert "cache_hit_pct): expected a percentage (between 0 and 100), found 150" in err
    assert "the tiers' shares add up to 95%, expected 100%" in err
    assert "h100-sxmm" in err


def _drop_names(workbook: Any) -> None:
    for name in list(workbook.defined_names):
        del workbook.defined_names[name]


def _drop_tables(workbook: Any) -> None:
    for sheet in workbook.worksheets:
        for name in list(sheet.tables):
            del sheet.tables[name]


def _drop_names_and_tables(workbook: Any) -> None:
    _drop_names(workbook)
    _drop_tables(workbook)


@pytest.mark.parametrize(
    ("change", "lost"),
    [
        (_drop_names, "defined names"),
        (_drop_names_and_tables, "defined names and none of its tables"),
        (_drop_tables, "tables"),
    ],
)
def test_a_workbook_that_lost_its_names_or_tables_gets_one_message(
    filled_path: Path, change: Any, lost: str, capsys: pytest.CaptureFixture[str]
) -> None:
    spoil(filled_path, change)
    code, out, err = run(["validate", str(filled_path)], capsys)
    assert (code, out) == (65, "")
    assert err == (
        f"Error: {filled_path}: the workbook has none of the template's {lost}, which is how "
        "the tool finds each answer: the program that last saved it (Google Sheets, Numbers or "
        "a converter, say) dropped them. Copy the answers into a fresh template (crossover "
        "template new.xlsx), save it from Excel or LibreOffice, and send that\n"
    )
