"""Values that read but look mistyped: warnings that travel with the results into every output."""

from __future__ import annotations

from crossover.catalogue import Catalogue
from crossover.engine.results import InputWarning, Results
from crossover.scenario import Loc, Problem, Scenario, WarningCode

MAX_MTOK_PER_DAY = 100_000.0
"""A sane ceiling for one client: 100 billion tokens a day. Above it, the cell most likely
holds a count of tokens rather than millions of tokens."""

PRICE_FACTOR = 5.0
"""A price override more than 5 times above or below the catalogue's price is questioned."""

MONTHLY_IN_DAILY = (20.0, 45.0)
"""A modelled API cost this many times the client's stated bill: volumes typed per month."""

PERCENT_FIELDS: tuple[tuple[str, str], ...] = (
    ("workload", "monthly_growth_pct"),
    ("workload", "cache_hit_pct"),
    ("operations", "infra_overhead_pct"),
)

# Currencies worth more than a dollar for decades (at most 1.05 units per dollar) and
# currencies worth far less (always more than 1 unit per dollar). A rate on the wrong side
# of 1 was typed as dollars per unit: the other way round.
_STRONGER = frozenset({"EUR", "GBP", "CHF", "KWD", "BHD", "OMR", "JOD", "KYD"})
_WEAKER = frozenset(
    {"JPY", "CNY", "INR", "SEK", "NOK", "DKK", "MXN", "ZAR", "BRL", "HKD", "KRW", "PLN", "CZK"}
)


def scenario_warnings(
    scenario: Scenario, catalogue: Catalogue, *, percent_fractions: bool = True
) -> list[Problem]:
    """Warnings about a scenario's own values; the workbook reader judges percent cells itself."""
    problems = _volumes(scenario) + _prices(scenario, catalogue) + _exchange_rate(scenario)
    if percent_fractions:
        problems += _percents(scenario)
    return problems


def results_warnings(results: Results) -> list[InputWarning]:
    """Warnings that need the modelled figures: volumes typed per month in a per-day cell."""
    bill = results.calibration.client_bill_usd
    if not bill:
        return []
    ratio = results.calibration.catalogue_api_month_usd / bill
    low, high = MONTHLY_IN_DAILY
    if not low <= ratio <= high:
        return []
    return [
        InputWarning(
            field="workload.input_mtok_per_day",
            code="monthly_in_daily",
            message=f"the modelled API cost is {ratio:.0f} times the client's stated monthly "
            "bill, about the number of days in a month: the volumes look like monthly figures "
            "typed in the per-day cells; divide them by 30.4 if so",
        )
    ]


def format_number(value: float) -> str:
    """1200.0 -> 1200, 0.35 -> 0.35: the number as typed."""
    return str(int(value)) if float(value).is_integer() and abs(value) < 1e15 else str(value)


def _warning(loc: Loc, code: WarningCode, message: str) -> Problem:
    return Problem(loc=loc, message=message, severity="warning", code=code)


def _percents(scenario: Scenario) -> list[Problem]:
    problems = []
    for section, name in PERCENT_FIELDS:
        value = getattr(getattr(scenario, section), name)
        if 0 < abs(value) < 1 or value == 1:
            meant = format_number(round(value * 100, 10))
            problems.append(
                _warning(
                    (section, name),
                    "percent_fraction",
                    f"read as {format_number(value)}%; if you meant {meant}%, write {meant} "
                    "(percent fields take the percentage, not the fraction)",
                )
            )
    return problems


def _volumes(scenario: Scenario) -> list[Problem]:
    problems = []
    for name in ("input_mtok_per_day", "output_mtok_per_day"):
        value = getattr(scenario.workload, name)
        if value > MAX_MTOK_PER_DAY:
            problems.append(
                _warning(
                    ("workload", name),
                    "raw_token_count",
                    f"{value:,.0f} million tokens a day is above {MAX_MTOK_PER_DAY:,.0f} "
                    "(100 billion tokens a day); if this is a count of tokens, divide it by "
                    "1,000,000",
                )
            )
    return problems


def _prices(scenario: Scenario, catalogue: Catalogue) -> list[Problem]:
    problems = []
    for i, override in enumerate(scenario.price_overrides):
        canonical = catalogue.resolve_api_model(override.api_model)
        if canonical is None:
            continue
        base = catalogue.api_price(canonical, override.api_mode, scenario.client.report_date)
        if base is None:
            continue
        for name in ("input_per_mtok", "cached_input_per_mtok", "output_per_mtok"):
            typed = getattr(override, name)
            listed = getattr(base, name)
            if typed is None or not listed or not typed:
                continue
            ratio = typed / listed
            if ratio > PRICE_FACTOR or ratio < 1 / PRICE_FACTOR:
                problems.append(
                    _warning(
                        ("price_overrides", i, name),
                        "price_override_far",
                        f"${format_number(typed)} per million tokens is {_times(ratio)} the "
                        f"catalogue's ${format_number(listed)} for {canonical}; check the "
                        "decimal point and the unit (USD per million tokens)",
                    )
                )
    return problems


def _times(ratio: float) -> str:
    return f"{ratio:,.0f} times" if ratio >= 1 else f"1/{1 / ratio:,.0f} of"


def _exchange_rate(scenario: Scenario) -> list[Problem]:
    client = scenario.client
    rate = client.usd_fx_rate
    inverted = (client.currency in _STRONGER and rate > 1.05) or (
        client.currency in _WEAKER and rate < 1
    )
    if not inverted:
        return []
    return [
        _warning(
            ("client", "usd_fx_rate"),
            "fx_rate_inverted",
            f"{format_number(rate)} {client.currency} per US dollar looks inverted (that is "
            f"{format_number(round(1 / rate, 6))} US dollars per {client.currency}); the "
            f"rate is {client.currency} units per US dollar",
        )
    ]
