"""Cell formats are read, not only values: a currency format is the currency typed (issue 28)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from crossover.catalogue import load_catalogue
from crossover.inputs import load_scenario_with_warnings
from crossover.scenario import Problem, Scenario, ScenarioError
from crossover.workbook.coerce import format_currencies

from .helpers import named, spoil, table_cell

CATALOGUE = load_catalogue()


@pytest.mark.parametrize(
    ("number_format", "currencies"),
    [
        ("General", ()),
        ("#,##0", ()),
        ("0.0%", ()),
        ("yyyy-mm-dd", ()),
        ("[Red]#,##0", ()),
        ('"$"#,##0.00', ("USD",)),
        ("$#,##0", ("USD",)),
        ("[$$-409]#,##0.00", ("USD",)),
        ('#,##0 "USD"', ("USD",)),
        ("[$$-C09]#,##0", ("AUD",)),
        ("[$€-407] #,##0.00", ("EUR",)),
        ("#,##0.00 [$€-407]", ("EUR",)),
        ('#,##0.00\\ "€"', ("EUR",)),
        ("_-* #,##0.00 [$€-1]_-", ("EUR",)),
        ("[$EUR] #,##0.00", ("EUR",)),
        ("£#,##0.00", ("GBP",)),
        ("[$£-809]#,##0.00", ("GBP",)),
        ("[$CHF] #,##0.00", ("CHF",)),
        ("[$¥-411]#,##0", ("JPY",)),
        ("¥#,##0", ("JPY", "CNY")),
        ('#,##0.00 "kr."', ("DKK", "ISK")),
    ],
)
def test_the_currency_a_number_format_shows(number_format: str, currencies: tuple[str]) -> None:
    assert format_currencies(number_format) == currencies


def read(path: Path) -> tuple[Scenario | None, list[Problem]]:
    try:
        return load_scenario_with_warnings(path, CATALOGUE)
    except ScenarioError as e:
        return None, e.problems


def in_euros(workbook: Any) -> None:
    named(workbook, "currency").value = "EUR"
    named(workbook, "usd_fx_rate").value = 0.92


def test_a_cost_formatted_in_the_workbooks_currency_is_converted_at_its_rate(
    filled_path: Path,
) -> None:
    def change(workbook: Any) -> None:
        in_euros(workbook)
        cell = named(workbook, "engineer_week_cost")
        cell.value, cell.number_format = 3000, "#,##0 [$€-407]"

    scenario, problems = read(spoil(filled_path, change))
    # €3,000 at 0.92 euros to the dollar is $3,260.87.
    assert scenario is not None
    assert scenario.operations.engineer_week_cost == pytest.approx(3000 / 0.92)
    assert [(p.severity, p.code, p.describe()) for p in problems] == [
        (
            "warning",
            "currency_converted",
            "Operations!C10 (engineer_week_cost): the cell is formatted as EUR, so it holds "
            "3,000 EUR: read as 3,260.87 USD, at the Client sheet's 0.92 EUR per US dollar",
        )
    ]


def test_a_bill_formatted_in_dollars_is_converted_into_the_display_currency(
    filled_path: Path,
) -> None:
    def change(workbook: Any) -> None:
        in_euros(workbook)
        cell = named(workbook, "current_monthly_api_bill")
        cell.value, cell.number_format = 40_000, '"$"#,##0'

    scenario, problems = read(spoil(filled_path, change))
    assert scenario is not None
    assert scenario.client.current_monthly_api_bill == pytest.approx(36_800)
    assert (
        "Client!C11 (current_monthly_api_bill): the cell is formatted as USD, so it holds "
        "40,000 USD: read as 36,800 EUR, at the Client sheet's 0.92 EUR per US dollar"
        in [p.describe() for p in problems]
    )


def test_a_cost_in_a_currency_the_workbook_has_no_rate_for_is_refused(filled_path: Path) -> None:
    def change(workbook: Any) -> None:
        cell = named(workbook, "engineer_week_cost")
        cell.value, cell.number_format = 3000, "£#,##0"

    _, problems = read(spoil(filled_path, change))
    assert [(p.severity, p.describe()) for p in problems] == [
        (
            "error",
            "Operations!C10 (engineer_week_cost): the cell is formatted as GBP, so it holds "
            "3,000 GBP, but this field is in USD, and the Client sheet gives no exchange rate "
            "for GBP; type the amount in USD",
        )
    ]


def test_a_sign_several_currencies_share_is_refused_as_ambiguous(filled_path: Path) -> None:
    def change(workbook: Any) -> None:
        in_euros(workbook)
        cell = table_cell(workbook, "Deployments", 0, "gpu_hour_price")
        cell.value, cell.number_format = 400, "¥#,##0"

    _, problems = read(spoil(filled_path, change))
    assert [(p.severity, p.describe()) for p in problems] == [
        (
            "error",
            "Deployments!H5 (gpu_hour_price): the cell's currency format shows a sign that "
            "could be JPY or CNY; format the cell as USD or as a plain number, and type the "
            "amount in USD",
        )
    ]


def test_a_shared_sign_the_workbooks_currency_settles_is_converted(filled_path: Path) -> None:
    def change(workbook: Any) -> None:
        named(workbook, "currency").value = "JPY"
        named(workbook, "usd_fx_rate").value = 150
        cell = table_cell(workbook, "Deployments", 0, "gpu_hour_price")
        cell.value, cell.number_format = 375, "¥#,##0"

    scenario, _ = read(spoil(filled_path, change))
    # ¥375 an hour at 150 yen to the dollar is $2.50.
    assert scenario is not None
    assert scenario.deployments[0].gpu_hour_price == pytest.approx(2.5)


def test_a_dollar_format_on_a_dollar_field_is_read_as_it_is(filled_path: Path) -> None:
    def change(workbook: Any) -> None:
        cell = named(workbook, "fte_annual_cost")
        cell.value, cell.number_format = 150_000, '"$"#,##0'

    scenario, problems = read(spoil(filled_path, change))
    assert scenario is not None and problems == []
    assert scenario.operations.fte_annual_cost == 150_000


def test_a_percent_format_on_a_ratio_cell_is_read_as_the_ratio_shown(filled_path: Path) -> None:
    # The client sees 250%: two and a half times the average, which Excel stores as 2.5.
    def change(workbook: Any) -> None:
        cell = named(workbook, "peak_to_average")
        cell.value, cell.number_format = 2.5, "0%"

    scenario, problems = read(spoil(filled_path, change))
    assert scenario is not None and problems == []
    assert scenario.workload.peak_to_average == 2.5


def test_money_typed_as_text_in_the_workbooks_currency_is_converted_too(
    filled_path: Path,
) -> None:
    def change(workbook: Any) -> None:
        in_euros(workbook)
        named(workbook, "engineer_week_cost").value = "€3,000"

    scenario, problems = read(spoil(filled_path, change))
    assert scenario is not None
    assert scenario.operations.engineer_week_cost == pytest.approx(3000 / 0.92)
    assert [p.describe() for p in problems] == [
        "Operations!C10 (engineer_week_cost): the cell is typed in EUR, so it holds 3,000 EUR: "
        "read as 3,260.87 USD, at the Client sheet's 0.92 EUR per US dollar"
    ]


def test_money_typed_as_text_in_another_currency_is_still_refused(filled_path: Path) -> None:
    spoil(filled_path, lambda wb: setattr(named(wb, "engineer_week_cost"), "value", "€3,000"))
    _, problems = read(filled_path)
    assert [(p.severity, p.describe()) for p in problems] == [
        (
            "error",
            "Operations!C10 (engineer_week_cost): expected an amount in US dollars, found "
            '"€3,000", an amount in euros: this field is in US dollars, so convert the amount '
            "(the report shows the client's currency at the exchange rate on the Client sheet)",
        )
    ]
