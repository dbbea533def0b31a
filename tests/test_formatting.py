"""Formatting: money in the display currency and locale, small prices, percentages, volumes, dates."""

from __future__ import annotations

from datetime import date

import pytest

from crossover import formatting as f
from crossover.formatting import Display, display_for

USD = display_for("USD", 1.0)
EUR = display_for("EUR", 0.92)
GBP = display_for("GBP", 0.79)
DE = display_for("EUR", 0.92, "de_DE")


@pytest.mark.parametrize(
    ("currency", "locale"),
    [("USD", "en_US"), ("GBP", "en_GB"), ("EUR", "en_IE"), ("INR", "en_IN"), ("JPY", "en_US")],
)
def test_each_currency_reads_in_a_sensible_english_locale(currency: str, locale: str) -> None:
    assert display_for(currency, 1.0).locale == locale


def test_a_brand_locale_wins() -> None:
    assert display_for("EUR", 1.0, "de_DE") == Display("EUR", 1.0, "de_DE")


@pytest.mark.parametrize(
    ("usd", "display", "text"),
    [
        (12345.4, USD, "$12,345"),
        (12345.6, USD, "$12,346"),
        (12344.5, USD, "$12,345"),
        (-29220.5, USD, "−$29,221"),
        (0.0, USD, "$0"),
        (1000.0, EUR, "€920"),
        (1000.0, GBP, "£790"),
        (1_000_000.0, DE, "920.000\xa0€"),
        (-5000.0, DE, "−4.600\xa0€"),
    ],
)
def test_money_is_converted_and_shown_in_whole_units(
    usd: float, display: Display, text: str
) -> None:
    assert f.money(usd, display) == text


@pytest.mark.parametrize(
    ("usd", "display", "text"),
    [
        (0.44642857, USD, "$0.4464/Mtok"),
        (3.0, USD, "$3.00/Mtok"),
        (15.0, USD, "$15.00/Mtok"),
        (0.075, USD, "$0.0750/Mtok"),
        (0.2125, EUR, "€0.1955/Mtok"),
    ],
)
def test_prices_per_mtok_keep_four_decimals_below_one_unit(
    usd: float, display: Display, text: str
) -> None:
    assert f.price_per_mtok(usd, display) == text
    assert f.unit_price(usd, display) == text.removesuffix("/Mtok")


def test_hourly_prices_have_cents() -> None:
    assert f.money_cents(4.472, USD) == "$4.47"


@pytest.mark.parametrize(
    ("fraction", "text"), [(0.19804, "19.8%"), (0.4, "40.0%"), (1.3099, "131.0%"), (0.0, "0.0%")]
)
def test_fractions_are_percentages_with_one_decimal(fraction: float, text: str) -> None:
    assert f.percent(fraction, USD) == text


def test_percent_points_and_signed_differences() -> None:
    assert f.percent_points(30.0, USD) == "30%"
    assert f.percent_points(2.5, USD) == "2.5%"
    assert f.signed_points(34.25, USD) == "+34.3%"
    assert f.signed_points(-7.6, USD) == "−7.6%"
    assert f.percent_points(19.8, DE) == "19,8\xa0%"
    assert f.signed_points(-7.6, DE) == "−7,6\xa0%"
    assert f.percent(0.198, display_for("INR", 1.0)) == "19.8%"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (720.0, "720"),
        (1234.5, "1,235"),
        (13.5, "13.5"),
        (0.25, "0.25"),
        (9.618, "9.62"),
        (967.68, "968"),
    ],
)
def test_quantities_lose_decimals_as_they_grow(value: float, text: str) -> None:
    assert f.number(value, USD) == text
    assert f.mtok(value, USD) == f"{text} Mtok"


def test_counts_rates_sizes_and_multiples() -> None:
    assert f.integer(9818.18, USD) == "9,818"
    assert f.gigabytes(70.6, USD) == "70.6 GB"
    assert f.ratio(2.0, USD) == "2×"
    assert f.ratio(0.7797, USD) == "0.78×"


def test_payback_weeks_and_horizon_months() -> None:
    assert f.weeks(5.0625, USD) == "5.1 weeks"
    assert f.weeks(None, USD) == "never"
    assert f.month(0, USD) == "month 1"
    assert f.month(None, USD) == "not within the horizon"
    assert f.month_number(23, USD) == "24"


def test_dates_follow_the_locale() -> None:
    day = date(2026, 11, 27)
    assert f.long_date(day, USD) == "November 27, 2026"
    assert f.long_date(day, GBP) == "27 November 2026"
    assert f.short_date(day, GBP) == "27 Nov 2026"


def test_chart_ticks_are_compact_or_have_cents() -> None:
    assert f.axis_money(40000.0, USD) == "$40K"
    assert f.axis_money(1_240_000.0, USD) == "$1.2M"
    assert f.axis_money(0.5, USD, cents=True) == "$0.50"


def test_every_named_format_is_bound_for_templates() -> None:
    bound = f.bound_filters(EUR)
    assert set(bound) == set(f.FORMATS)
    assert bound["money"](1000.0) == f.money(1000.0, EUR)


def test_changes_are_signed_and_nothing_reads_as_minus_zero() -> None:
    # $1,000 at 0.92 is €920; −$0.30 rounds to nothing and shows no sign.
    assert f.signed_money(1000, EUR) == "+€920"
    assert f.signed_money(-1000, EUR) == "−€920"
    assert f.signed_money(-0.3, EUR) == "€0"
    assert f.signed_number(360, USD) == "+360"
    assert f.signed_number(-0.5, USD) == "−0.5"
    assert f.signed_number(-0.001, USD) == "0"
    assert f.signed_weeks(-1.05, USD) == "−1.1 weeks"
    assert f.signed_weeks(0.01, USD) == "0.0 weeks"


def test_an_amount_typed_in_the_display_currency_is_not_converted() -> None:
    assert f.local_money(13_100, EUR) == "€13,100"
    assert f.local_money(13_100, DE) == "13.100\xa0€"
