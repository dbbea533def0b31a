"""Pure formatting of the engine's figures for people: money, prices, percentages, volumes, dates.

Every function takes the value and a Display (currency, USD rate, locale) and returns text;
none computes a figure. Money arrives in USD and is shown in the display currency.
"""

from __future__ import annotations

import decimal
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_compact_currency, format_currency, format_decimal, format_percent

# An English locale per display currency, so that the symbol and the date read naturally;
# a brand may name its own. Anything else reads as en_US with the currency's code or symbol.
CURRENCY_LOCALES = {
    "USD": "en_US",
    "GBP": "en_GB",
    "EUR": "en_IE",
    "CAD": "en_CA",
    "AUD": "en_AU",
    "NZD": "en_NZ",
    "INR": "en_IN",
    "SGD": "en_SG",
    "CHF": "en_CH",
}
DEFAULT_LOCALE = "en_US"
NEVER = "never"
MINUS = "\u2212"
_FRACTION = re.compile(r"0\.0+")


@dataclass(frozen=True)
class Display:
    """How money and numbers are shown: the client's currency and a locale."""

    currency: str
    usd_fx_rate: float
    """Display-currency units per US dollar."""
    locale: str


def display_for(currency: str, usd_fx_rate: float, locale: str | None = None) -> Display:
    """The display for a currency: the brand's locale if it names one, else one that suits it."""
    return Display(currency, usd_fx_rate, locale or CURRENCY_LOCALES.get(currency, DEFAULT_LOCALE))


def to_display(usd: float, display: Display) -> float:
    """USD in display-currency units (for chart axes; text goes through money())."""
    return usd * display.usd_fx_rate


def _minus(text: str) -> str:
    return text.replace("-", MINUS)


# Half up, as finance reads it: Babel otherwise rounds half to even ($12,344.50 → $12,344).
_HALF_UP = decimal.Context(rounding=decimal.ROUND_HALF_UP)


def _decimal(value: float, pattern: str, display: Display) -> str:
    with decimal.localcontext(_HALF_UP):
        return _minus(format_decimal(value, format=pattern, locale=display.locale))


def _percent(
    fraction: float, fraction_pattern: str, display: Display, *, signed: bool = False
) -> str:
    # The locale's own percent pattern ('#,##0%', '#,##0\xa0%'), with our fraction digits.
    pattern = Locale.parse(display.locale).percent_formats[None].pattern.split(";")[0]
    pattern = pattern.replace("0", "0" + fraction_pattern, 1)
    if signed:
        pattern = f"+{pattern};-{pattern}"
    with decimal.localcontext(_HALF_UP):
        return _minus(format_percent(fraction, format=pattern, locale=display.locale))


def _currency(amount: float, display: Display, decimals: int) -> str:
    # The locale's own currency pattern (symbol side, spacing), with our number of decimals.
    pattern = Locale.parse(display.locale).currency_formats["standard"].pattern
    fraction = "0." + "0" * decimals if decimals else "0"
    pattern = _FRACTION.sub(fraction, pattern)
    with decimal.localcontext(_HALF_UP):
        text = format_currency(
            amount, display.currency, format=pattern, locale=display.locale, currency_digits=False
        )
    return _minus(text)


def money(usd: float, display: Display) -> str:
    """A monthly or total amount in whole display-currency units: '$12,345', '−€1,200'."""
    return _currency(to_display(usd, display), display, 0)


def signed_money(usd: float, display: Display) -> str:
    """A change in an amount, always signed: '+$1,200', '−€350', '$0' when it rounds to nothing."""
    return _signed(money(usd, display), money(0, display))


def _signed(text: str, zero: str) -> str:
    """A formatted change with its sign: '+' added, and no '−' on what rounds to zero."""
    if text.replace(MINUS, "") == zero:
        return zero
    return text if text.startswith(MINUS) else f"+{text}"


def local_money(amount: float, display: Display) -> str:
    """An amount the client typed in the display currency itself (their API bill): '€13,100'."""
    return _currency(amount, display, 0)


def money_cents(usd: float, display: Display) -> str:
    """An hourly or unit price with two decimals: '$4.47'."""
    return _currency(to_display(usd, display), display, 2)


def price_per_mtok(usd: float, display: Display) -> str:
    """A price per million tokens: '$3.00/Mtok', and four decimals below one unit: '$0.4464/Mtok'."""
    return unit_price(usd, display) + "/Mtok"


def unit_price(usd: float, display: Display) -> str:
    """A price per million tokens in a table whose heading carries the unit: '$0.4464', '$3.00'."""
    value = to_display(usd, display)
    return _currency(value, display, 2 if abs(value) >= 1 else 4)


def percent(fraction: float, display: Display) -> str:
    """A fraction as a percentage with one decimal: 0.198 → '19.8%'."""
    return _percent(fraction, ".0", display)


def percent_points(pct: float, display: Display) -> str:
    """A value already in percent, as the client typed it: 30 → '30%', 2.5 → '2.5%'."""
    return _percent(pct / 100, ".#", display)


def signed_points(pct: float, display: Display) -> str:
    """A difference in percent, always signed: '+34.3%', '−12%'."""
    return _percent(pct / 100, ".#", display, signed=True)


def number(value: float, display: Display) -> str:
    """A plain quantity with up to two decimals, fewer as it grows: '720', '13.5', '0.25'."""
    pattern = "#,##0" if abs(value) >= 100 else "#,##0.#" if abs(value) >= 10 else "#,##0.##"
    return _decimal(value, pattern, display)


def signed_number(value: float, display: Display) -> str:
    """A change in a quantity, always signed, with number()'s decimals: '+360', '−0.5'."""
    return _signed(number(value, display), number(0, display))


def mtok(value: float, display: Display) -> str:
    """Millions of tokens (per day): '720 Mtok'."""
    return f"{number(value, display)} Mtok"


def integer(value: float, display: Display) -> str:
    """A whole count or a rate rounded to the unit: '9,818'."""
    return _decimal(value, "#,##0", display)


def milliseconds(value: float, display: Display) -> str:
    """A latency: '49.6 ms', '570 ms'."""
    return f"{number(value, display)} ms"


def seconds_as_ms(value: float, display: Display) -> str:
    """A latency held in seconds, shown in ms: 0.57 → '570 ms'."""
    return milliseconds(value * 1000, display)


def error_band(factor: float, display: Display) -> str:
    """A ratio of modelled to measured rates as the share it may be off: 1.19 → '±19%'."""
    return f"±{_percent(factor - 1, '', display)}"


def gigabytes(value: float, display: Display) -> str:
    return f"{number(value, display)} GB"


def ratio(value: float, display: Display) -> str:
    """A multiple: '2×', '0.78×'."""
    return f"{number(value, display)}×"


def weeks(value: float | None, display: Display) -> str:
    """A payback time in weeks with one decimal, or 'never'."""
    if value is None:
        return NEVER
    return f"{_decimal(value, '#,##0.0', display)} weeks"


def signed_weeks(value: float, display: Display) -> str:
    """A change in a payback time, signed, with weeks()' one decimal: '−1.1 weeks'."""
    return f"{_signed(_decimal(value, '#,##0.0', display), _decimal(0, '#,##0.0', display))} weeks"


def month(value: int | None, display: Display) -> str:
    """A 0-based horizon month as people count it: 0 → 'month 1', or 'not within the horizon'."""
    if value is None:
        return "not within the horizon"
    return f"month {month_number(value, display)}"


def axis_money(amount: float, display: Display, *, cents: bool = False) -> str:
    """A chart tick, already in display units: compact ('$40K') or, for unit prices, '$0.10'."""
    if cents:
        return _currency(amount, display, 2)
    with decimal.localcontext(_HALF_UP):
        text = format_compact_currency(
            amount, display.currency, fraction_digits=1, locale=display.locale
        )
    return _minus(str(text))


def month_number(value: int, display: Display) -> str:
    """A 0-based horizon month as people count it, for a table's Month column: 0 → '1'."""
    return integer(value + 1, display)


def long_date(value: date, display: Display) -> str:
    """'27 November 2026' or 'November 27, 2026', as the locale writes it."""
    return str(format_date(value, format="long", locale=display.locale))


def short_date(value: date, display: Display) -> str:
    """'27 Nov 2026' or 'Nov 27, 2026': for narrow table columns."""
    return str(format_date(value, format="medium", locale=display.locale))


FORMATS: dict[str, Callable[[Any, Display], str]] = {
    "money": money,
    "money_cents": money_cents,
    "price": price_per_mtok,
    "unit_price": unit_price,
    "percent": percent,
    "points": percent_points,
    "signed_points": signed_points,
    "number": number,
    "mtok": mtok,
    "integer": integer,
    "gb": gigabytes,
    "ms": milliseconds,
    "seconds_as_ms": seconds_as_ms,
    "error_band": error_band,
    "ratio": ratio,
    "weeks": weeks,
    "month": month,
    "month_number": month_number,
    "date": long_date,
    "short_date": short_date,
}
"""Every format by the name templates (and their data-format attributes) use."""


def bound_filters(display: Display) -> dict[str, Callable[[Any], str]]:
    """The formats with the display filled in, to register as Jinja2 filters."""
    return {name: _bind(format_, display) for name, format_ in FORMATS.items()}


def _bind(format_: Callable[[Any, Display], str], display: Display) -> Callable[[Any], str]:
    return lambda value: format_(value, display)
