"""Values that read but are not what a real client has: refused with the value probably meant,
or warnings that travel with the results into every output."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Literal

from crossover.catalogue import Catalogue
from crossover.engine.results import InputWarning, Results
from crossover.fx_reference import PAR_SOURCES, ReferenceRate, reference_rate
from crossover.ranges import PLAUSIBLE, TABLES, Plausible
from crossover.scenario import Deployment, Loc, Problem, Scenario, WarningCode

PRICE_FACTOR = 5.0
"""A price override more than 5 times above or below the catalogue's price is questioned."""

MONTHLY_IN_DAILY = (20.0, 45.0)
"""A modelled API cost this many times the client's stated bill: volumes typed per month."""

FX_WARN_FACTOR = 1.25
"""A rate more than 25% from its reference is questioned: a currency moves that far in years."""
FX_REFUSE_FACTOR = 2.0
"""A rate half or twice its reference is refused: no currency among the reference table's
has halved or doubled against the dollar in the years since its date."""

GPU_PRICE_BELOW = 0.5
GPU_PRICE_ABOVE = 1.5
"""A GPU-hour price below half the catalogue's lowest for the GPU, or above 1.5 times its
highest, is questioned."""
INSTANCE_TOTAL_NEAR = 0.25
"""A GPU-hour price within 25% of a whole instance's hourly price, and above every per-GPU
price, was typed for the instance."""

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
_PRICE_FIELDS = ("input_per_mtok", "cached_input_per_mtok", "output_per_mtok")


def scenario_problems(
    scenario: Scenario, catalogue: Catalogue, *, percent_fractions: bool = True
) -> list[Problem]:
    """Values no real client has (errors) and values that look mistyped (warnings); the
    workbook reader judges percent cells itself, knowing their formats."""
    problems = (
        _ranges(scenario)
        + _exchange_rate(scenario)
        + _gpu_prices(scenario, catalogue)
        + _prices(scenario, catalogue)
        + _price_order(scenario, catalogue)
    )
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


def amount(value: float) -> str:
    """180000.0 -> 180,000; 0.05 -> 0.05; 3461.538 -> 3,461.54: a figure as a client reads it
    (1e+20 beyond a million billion, where digits stop meaning anything)."""
    if not 1e-15 <= abs(value) < 1e15:
        return f"{value:.4g}"
    if float(value).is_integer():
        return f"{int(value):,}"
    if abs(value) >= 1:
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    return f"{value:.4g}"


def _warning(loc: Loc, code: WarningCode, message: str) -> Problem:
    return Problem(loc=loc, message=message, severity="warning", code=code)


def _error(loc: Loc, message: str) -> Problem:
    return Problem(loc=loc, message=message)


# --- one range per input ------------------------------------------------------------------


def _ranges(scenario: Scenario) -> list[Problem]:
    problems = []
    for entry in PLAUSIBLE:
        if entry.low is None and entry.high is None:
            continue
        for loc, value in values_of(scenario, entry):
            problem = range_problem(entry, loc, value)
            if problem is not None:
                problems.append(problem)
    return problems


def values_of(scenario: Scenario, entry: Plausible) -> Iterator[tuple[Loc, float]]:
    """Every value a scenario gives for an entry's field, with its loc; blanks are skipped."""
    rows: list[tuple[Loc, Any]]
    if entry.section in TABLES:
        rows = [((entry.section, i), row) for i, row in enumerate(getattr(scenario, entry.section))]
    else:
        rows = [((entry.section,), getattr(scenario, entry.section))]
    for loc, node in rows:
        for part in entry.path:
            node = getattr(node, part, None)
        if isinstance(node, int | float) and not isinstance(node, bool):
            yield (*loc, *entry.path), float(node)


def range_problem(entry: Plausible, loc: Loc, value: float) -> Problem | None:
    """An error beyond the entry's floor or ceiling, a warning outside its plausible range."""
    if entry.holds(value):
        return None
    space = "" if entry.unit.startswith("%") else " "
    typed = f"{amount(value)}{space}{entry.unit}".rstrip()
    guess = entry.meant(value)
    if entry.absurd(value):
        side = "more" if entry.ceiling is not None and value > entry.ceiling else "less"
        message = f"{typed} is {side} than any real client has ({entry.reason})"
        if guess is None:
            return _error(loc, f"{message}; check the number and its unit")
        meant, misreading = guess
        said = misreading.said.format(typed=amount(value), meant=amount(meant))
        return _error(loc, f"{message}; did you mean {amount(meant)}? ({said})")
    message = f"{typed} is outside the {_bounds(entry)} a real client has ({entry.reason})"
    if guess is None:
        return _warning(loc, entry.code, f"{message}; check the number and its unit")
    meant, misreading = guess
    said = misreading.said.format(typed=amount(value), meant=amount(meant))
    return _warning(
        loc, entry.code, f"{message}; is it right, or did you mean {amount(meant)}? ({said})"
    )


def _bounds(entry: Plausible) -> str:
    if entry.low is not None and entry.high is not None:
        return f"{amount(entry.low)} to {amount(entry.high)}"
    if entry.low is not None:
        return f"{amount(entry.low)} or more"
    return f"{amount(entry.high or 0)} or less"


# --- exchange rate ------------------------------------------------------------------------


def _exchange_rate(scenario: Scenario) -> list[Problem]:
    client = scenario.client
    currency, rate = client.currency, client.usd_fx_rate
    loc: Loc = ("client", "usd_fx_rate")
    reference = reference_rate(currency)
    if rate == 1 and currency not in PAR_SOURCES:
        known = f": it was {_said(reference)}" if reference else ""
        return [
            _error(
                loc,
                f"1 {currency} per US dollar is the template's rate for US dollars, and the "
                f"{currency} is not at par with the dollar{known}; type the rate of the report's "
                f"day, in {currency} per US dollar",
            )
        ]
    if currency in PAR_SOURCES and rate != 1:
        return [
            _error(
                loc,
                f"{amount(rate)} {currency} per US dollar, but the {currency} is worth exactly "
                f"one US dollar ({PAR_SOURCES[currency]}), so the rate is 1; if the report is "
                "in another currency, type its code in the currency cell too",
            )
        ]
    if reference is not None:
        checked = _against_reference(rate, reference)
        if checked is not None:
            return [checked]
    inverted = (currency in _STRONGER and rate > 1.05) or (currency in _WEAKER and rate < 1)
    if not inverted:
        return []
    return [
        _warning(
            loc,
            "fx_rate_inverted",
            f"{format_number(rate)} {currency} per US dollar looks inverted (that is "
            f"{format_number(round(1 / rate, 6))} US dollars per {currency}); the "
            f"rate is {currency} units per US dollar",
        )
    ]


def _against_reference(rate: float, reference: ReferenceRate) -> Problem | None:
    """The rate's problem against a dated reference rate, or None when it is close to it."""
    loc: Loc = ("client", "usd_fx_rate")
    currency = reference.currency

    def near(value: float, factor: float) -> bool:
        return 1 / factor <= value / reference.per_usd <= factor

    if near(rate, FX_WARN_FACTOR):
        return None
    typed = f"{amount(rate)} {currency} per US dollar"
    if near(1 / rate, FX_WARN_FACTOR):
        return _error(
            loc,
            f"{typed} is the rate the wrong way round: {amount(rate)} is US dollars per "
            f"{currency}, and the rate is {currency} per US dollar ({_said(reference)}); "
            f"type {_rate(1 / rate)}",
        )
    times = rate / reference.per_usd
    far = f"{amount(times)} times" if times > 1 else f"1/{amount(1 / times)} of"
    if not near(rate, FX_REFUSE_FACTOR):
        return _error(
            loc,
            f"{typed} is {far} the reference rate ({_said(reference)}), further than the "
            f"{currency} has moved; type the rate of the report's day, in {currency} per US "
            "dollar",
        )
    return _warning(
        loc,
        "fx_rate_far",
        f"{typed} is {far} the reference rate ({_said(reference)}); is it the rate of the "
        "report's day?",
    )


def _said(reference: ReferenceRate) -> str:
    return (
        f"{_rate(reference.per_usd)} {reference.currency} per US dollar on "
        f"{reference.on.isoformat()}, ECB reference rates"
    )


def _rate(value: float) -> str:
    """An exchange rate to four significant figures: 0.9605, 150.8, 1,460."""
    return amount(float(f"{value:.4g}"))


# --- GPU-hour prices ----------------------------------------------------------------------


def _gpu_prices(scenario: Scenario, catalogue: Catalogue) -> list[Problem]:
    problems = []
    for i, deployment in enumerate(scenario.deployments):
        price = deployment.gpu_hour_price
        if price is None or deployment.gpu not in catalogue.gpus:
            continue
        problem = _gpu_price(("deployments", i, "gpu_hour_price"), deployment, price, catalogue)
        if problem is not None:
            problems.append(problem)
    return problems


def _gpu_price(
    loc: Loc, deployment: Deployment, price: float, catalogue: Catalogue
) -> Problem | None:
    instances = [
        i
        for i in catalogue.instances.values()
        if i.gpu == deployment.gpu and (deployment.instance in (None, i.id))
    ]
    plans: tuple[Literal["on_demand", "reserved_1y", "reserved_3y", "spot"], ...] = (
        "on_demand",
        "reserved_1y",
        "reserved_3y",
        "spot",
    )
    seen = [
        (instance, per_gpu)
        for instance in instances
        for plan in plans
        if (per_gpu := catalogue.gpu_hour_price(instance, plan)) is not None
    ]
    if not seen:
        return None
    low = min(p for _, p in seen)
    high = max(p for _, p in seen)
    span = f"{_usd(low)} to {_usd(high)}"
    gpu = deployment.gpu
    if price > high:
        for instance, per_gpu in sorted(seen, key=lambda s: -s[0].gpus_per_instance):
            gpus = deployment.gpus_per_instance or instance.gpus_per_instance
            total = per_gpu * gpus
            if gpus > 1 and abs(price - total) <= INSTANCE_TOTAL_NEAR * total:
                return _error(
                    loc,
                    f"{_usd(price)} per GPU-hour is above every catalogue price for {gpu} "
                    f"({span}) and near the {_usd(total)} an hour of a whole {gpus}-GPU "
                    f"instance ({instance.id}): it looks like the instance's price; per GPU "
                    f"that is {_usd(price / gpus)}, so type {price / gpus:.2f}",
                )
    if GPU_PRICE_BELOW * low <= price <= GPU_PRICE_ABOVE * high:
        return None
    return _warning(
        loc,
        "implausible_value",
        f"{_usd(price)} per GPU-hour is outside the catalogue's {span} for {gpu} (every "
        "cloud and price plan it knows); check the price and its unit (USD per GPU-hour)",
    )


def _usd(value: float) -> str:
    """$1.80, $24.77: an hourly price in cents."""
    return f"${value:,.2f}"


# --- API price overrides ------------------------------------------------------------------


def _prices(scenario: Scenario, catalogue: Catalogue) -> list[Problem]:
    problems = []
    for i, override in enumerate(scenario.price_overrides):
        canonical = catalogue.resolve_api_model(override.api_model)
        if canonical is None:
            continue
        base = catalogue.api_price(canonical, override.api_mode, scenario.client.report_date)
        if base is None:
            continue
        for name in _PRICE_FIELDS:
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


def _price_order(scenario: Scenario, catalogue: Catalogue) -> list[Problem]:
    """Output cheaper than input, or a cache read dearer than a plain one: no model is priced so."""
    problems = []
    for i, override in enumerate(scenario.price_overrides):
        canonical = catalogue.resolve_api_model(override.api_model)
        base = (
            catalogue.api_price(canonical, override.api_mode, scenario.client.report_date)
            if canonical
            else None
        )

        typed = [getattr(override, name) for name in _PRICE_FIELDS]
        input_price, cached, output = (
            value if value is not None else getattr(base, name, None)
            for value, name in zip(typed, _PRICE_FIELDS, strict=True)
        )
        if input_price is None:
            continue
        if (
            output is not None
            and output < input_price
            and (override.output_per_mtok, override.input_per_mtok) != (None, None)
        ):
            problems.append(
                _warning(
                    ("price_overrides", i, "output_per_mtok"),
                    "price_override_order",
                    f"the output price, ${amount(output)} per million tokens, is below the input "
                    f"price, ${amount(input_price)}, but every listed model charges more for "
                    "output than for input; were the two swapped?",
                )
            )
        if (
            cached is not None
            and cached > input_price
            and (override.cached_input_per_mtok, override.input_per_mtok) != (None, None)
        ):
            problems.append(
                _warning(
                    ("price_overrides", i, "cached_input_per_mtok"),
                    "price_override_order",
                    f"the cached input price, ${amount(cached)} per million tokens, is above the "
                    f"input price, ${amount(input_price)}, but a cache read is always the "
                    "cheaper; were the two swapped?",
                )
            )
    return problems


def _times(ratio: float) -> str:
    return f"{ratio:,.0f} times" if ratio >= 1 else f"1/{1 / ratio:,.0f} of"


# --- fractions in percent fields ----------------------------------------------------------


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
