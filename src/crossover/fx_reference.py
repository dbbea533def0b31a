"""Reference exchange rates, dated and sourced: what a client's rate to the dollar is checked against."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

ECB_DAY = date(2025, 2, 28)
"""The day of the ECB reference rates below."""
ECB_SOURCE = (
    "ECB euro foreign exchange reference rates of 28 February 2025, as reproduced at "
    "https://eurodripusa.net/?p=3470 (seen 2026-12-07)"
)
ECB_USD_PER_EUR = 1.0411
"""US dollars per euro on ECB_DAY: every ECB rate is quoted per euro."""

# Units of each currency per euro, as the ECB published them on ECB_DAY.
_ECB_PER_EUR: dict[str, float] = {
    "JPY": 156.96,
    "BGN": 1.9558,
    "CZK": 25.029,
    "DKK": 7.4583,
    "GBP": 0.82608,
    "HUF": 399.50,
    "PLN": 4.1503,
    "RON": 4.9768,
    "SEK": 11.1880,
    "CHF": 0.9394,
    "ISK": 145.70,
    "NOK": 11.7245,
    "TRY": 38.0186,
    "AUD": 1.6741,
    "BRL": 6.0712,
    "CAD": 1.5019,
    "CNY": 7.5782,
    "HKD": 8.0980,
    "IDR": 17228.17,
    "ILS": 3.7457,
    "INR": 90.9710,
    "KRW": 1519.92,
    "MXN": 21.2191,
    "MYR": 4.6459,
    "NZD": 1.8579,
    "PHP": 60.355,
    "SGD": 1.4037,
    "THB": 35.567,
    "ZAR": 19.1917,
}

PAR_SOURCES: dict[str, str] = {
    "USD": "the US dollar itself",
    "PAB": "Panama's balboa, at par with the US dollar since 1904 (http://www.fact-index.com/b/"
    "ba/balboa__currency_.html, seen 2026-12-07)",
    "BSD": "the Bahamian dollar, pegged one to one by the Central Bank of The Bahamas since 1966 "
    "(http://www.getmoneysmartbahamas.com/central-bank/2018/2/7/bsd-pegged-to-usd-explained, "
    "seen 2026-12-07)",
}
"""Currencies worth exactly one US dollar, by law: the only ones whose rate may be 1."""


@dataclass(frozen=True)
class ReferenceRate:
    """A currency's units per US dollar on a known day, and where the figure comes from."""

    currency: str
    per_usd: float
    on: date
    source: str


def reference_rate(currency: str) -> ReferenceRate | None:
    """The reference rate of a currency to the dollar; None for a currency the table lacks."""
    if currency in PAR_SOURCES:
        return ReferenceRate(currency, 1.0, ECB_DAY, PAR_SOURCES[currency])
    if currency == "EUR":
        return ReferenceRate(currency, 1 / ECB_USD_PER_EUR, ECB_DAY, ECB_SOURCE)
    per_eur = _ECB_PER_EUR.get(currency)
    if per_eur is None:
        return None
    # Cross rate through the euro, as the ECB publishes every rate against it.
    return ReferenceRate(currency, per_eur / ECB_USD_PER_EUR, ECB_DAY, ECB_SOURCE)


def known_currencies() -> list[str]:
    """Every currency with a reference rate, in alphabetical order."""
    return sorted({*PAR_SOURCES, "EUR", *_ECB_PER_EUR})
