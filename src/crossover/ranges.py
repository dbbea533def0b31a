"""What a real client's numbers look like: one plausible range for every numeric input, with its reason.

docs/inputs.md's table of plausible values is generated from PLAUSIBLE
(`python scripts/contract_doc.py --write`). A value outside its plausible range is a warning;
beyond its floor or ceiling (where no real value lies) it is refused. Either way the message
names the value the client probably meant when one of the entry's misreadings (a ratio typed
as a percentage, thousands typed as units) turns the typed value into a plausible one.
"""

from __future__ import annotations

import typing
from dataclasses import dataclass

from crossover.scenario import Scenario, WarningCode


@dataclass(frozen=True)
class Misreading:
    """A habit that turns a meant value into the typed one: typed = meant / factor."""

    factor: float
    """What the typed value is multiplied by to give the meant one."""
    said: str
    """The habit in the client's words, with {typed} and {meant} filled in."""


@dataclass(frozen=True)
class Plausible:
    """The values of one numeric input a real client has, and those no client has."""

    section: str
    path: tuple[str, ...]
    """The field within its section's row: ('peak_to_average',) or ('volume_factor', 'low')."""
    unit: str
    """Said after the number: '200 times the daily average'."""
    reason: str
    """Why the range is what it is, in a client's words."""
    low: float | None = None
    high: float | None = None
    floor: float | None = None
    """Below it no real value lies: refused (None: the schema's own bound is the floor)."""
    ceiling: float | None = None
    """Above it no real value lies: refused (None: the schema's own bound is the ceiling)."""
    misreadings: tuple[Misreading, ...] = ()
    source: str = ""
    judged: str = ""
    """For inputs judged against the catalogue or a reference table rather than fixed bounds."""
    code: WarningCode = "implausible_value"

    @property
    def field(self) -> str:
        """'workload.peak_to_average', 'tiers[].tpot_ms', 'uncertainty.volume_factor.low'."""
        row = "[]" if self.section in TABLES else ""
        return f"{self.section}{row}." + ".".join(self.path)

    def meant(self, value: float) -> tuple[float, Misreading] | None:
        """The value probably meant, when a misreading of it lies in the plausible range."""
        for misreading in self.misreadings:
            meant = round(value * misreading.factor, 10)
            if self.holds(meant):
                return meant, misreading
        return None

    def holds(self, value: float) -> bool:
        """Whether a value lies in the plausible range."""
        return (self.low is None or value >= self.low) and (self.high is None or value <= self.high)

    def absurd(self, value: float) -> bool:
        """Whether a value lies beyond the floor or the ceiling, where no real value lies."""
        return (self.floor is not None and value < self.floor) or (
            self.ceiling is not None and value > self.ceiling
        )


TABLES = frozenset(
    key for key, info in Scenario.model_fields.items() if typing.get_origin(info.annotation) is list
)
"""The sections that are tables (a list of rows): their fields are checked row by row."""

_THOUSANDS = Misreading(1000, "typed in thousands, {typed} is {meant}")
_PERCENT_RATIO = Misreading(0.01, "a ratio typed as a percentage: {typed}% is {meant}")
_SECONDS = Misreading(1000, "typed in seconds, {typed} s is {meant} ms")
_TOKEN_COUNT = Misreading(1e-6, "a count of tokens, {typed} tokens is {meant} million")
_YEAR_IN_WEEK = Misreading(1 / 52, "a year's cost, {typed} a year is {meant} a week")

_FACTOR_REASON = (
    "a multiplier on today's figure: 1 is as entered, 0.5 half, 2 double; a tenfold miss is "
    "not an uncertainty but a different client"
)
_GROWTH_REASON = "30% a month is 23 times a year; a yearly growth typed as monthly looks like this"
_PROMPT_REASON = (
    "from a short instruction to a long document: the largest context windows hold a few "
    "million tokens"
)
_ANSWER_REASON = (
    "from a one-word label to a long report: API models write at most tens of "
    "thousands of tokens per answer"
)
_LATENCY_REASON = (
    "5 ms is 200 tokens a second, faster than users read; 500 ms is 2 tokens a second, slower "
    "than any chat product"
)


def _range_parts(
    name: str,
    unit: str,
    reason: str,
    low: float,
    high: float,
    *,
    ceiling: float | None = None,
    misreadings: tuple[Misreading, ...] = (),
) -> tuple[Plausible, ...]:
    """The low, likely and high parts of an uncertainty range share the field's range."""
    return tuple(
        Plausible(
            "uncertainty",
            (name, part),
            unit,
            reason,
            low=low,
            high=high,
            ceiling=ceiling,
            misreadings=misreadings,
        )
        for part in ("low", "likely", "high")
    )


def _volumes(section: str) -> tuple[Plausible, ...]:
    return tuple(
        Plausible(
            section,
            (name,),
            "million tokens a day",
            "100 billion tokens a day is more than a large client's whole traffic",
            low=0,
            high=100_000,
            misreadings=(_TOKEN_COUNT,),
            code="raw_token_count",
        )
        for name in ("input_mtok_per_day", "output_mtok_per_day")
    )


def _request_shape(section: str) -> tuple[Plausible, ...]:
    return (
        Plausible(
            section,
            ("input_tokens_per_request",),
            "tokens per prompt",
            _PROMPT_REASON,
            low=10,
            high=2_000_000,
            floor=1,
            misreadings=(_THOUSANDS,),
        ),
        Plausible(
            section,
            ("output_tokens_per_request",),
            "tokens per answer",
            _ANSWER_REASON,
            low=1,
            high=100_000,
            floor=0.5,
            misreadings=(_THOUSANDS,),
        ),
    )


PLAUSIBLE: tuple[Plausible, ...] = (
    Plausible(
        "client",
        ("usd_fx_rate",),
        "units per US dollar",
        "a currency's rate moves by a few percent a month, not by a factor",
        judged="within 25% of the currency's reference rate (a warning); refused beyond half "
        "or twice it, when its inverse is the reference (typed the wrong way round), at 1 "
        "for a currency not at par with the dollar, or other than 1 for one at par",
        source="ECB euro foreign exchange reference rates of 28 February 2025 "
        "(crossover.fx_reference)",
    ),
    Plausible(
        "client",
        ("current_monthly_api_bill",),
        "a month",
        "the client's bill should be what its volumes cost at its prices",
        judged="within 20% of the API cost the volumes and prices give (a warning); 20 to 45 "
        "times that cost: volumes typed per month",
    ),
    *_volumes("workload"),
    Plausible(
        "workload",
        ("peak_to_average",),
        "times the daily average",
        "the busiest hour holds at most the whole day's traffic, 24 times the hourly average; "
        "office-hours traffic peaks at 2 to 4 times it",
        low=1,
        high=10,
        ceiling=24,
        misreadings=(_PERCENT_RATIO,),
    ),
    Plausible(
        "workload",
        ("monthly_growth_pct",),
        "% a month",
        _GROWTH_REASON,
        low=-20,
        high=30,
    ),
    Plausible(
        "workload",
        ("cache_hit_pct",),
        "% of input tokens",
        "every cached prompt is read uncached once, when the cache is written",
        low=0,
        high=95,
    ),
    *_request_shape("workload"),
    Plausible(
        "tiers",
        ("share_pct",),
        "% of the volume",
        "the tiers' shares add up to 100",
        low=0,
        high=100,
    ),
    *_request_shape("tiers"),
    Plausible(
        "tiers",
        ("tpot_ms",),
        "ms per output token",
        _LATENCY_REASON,
        low=5,
        high=500,
        floor=1,
        misreadings=(_SECONDS,),
    ),
    *_volumes("tiers"),
    Plausible(
        "tiers",
        ("max_quality_drop",),
        "points",
        "points on the tier's own score scale, which the tool does not fix",
    ),
    Plausible(
        "tiers",
        ("quality_floor",),
        "points",
        "a score on the tier's own scale, which the tool does not fix",
    ),
    Plausible(
        "tiers",
        ("small_model_share_pct",),
        "% of the tier's requests",
        "a split by difficulty that sends almost none or almost all of a tier's requests to the "
        "smaller model is better stated as no split, or as a candidate that meets the rule",
        low=5,
        high=95,
    ),
    Plausible(
        "evaluations",
        ("score",),
        "points",
        "the client's own metric: any scale where higher is better",
    ),
    Plausible(
        "evaluations",
        ("sample_size",),
        "requests",
        "a score measured on fewer than 30 requests says little",
        low=30,
        high=1_000_000,
    ),
    Plausible(
        "deployments",
        ("gpu_hour_price",),
        "USD per GPU-hour",
        "a GPU rents for what the clouds ask",
        judged="between half the catalogue's lowest and 1.5 times its highest price for the GPU "
        "(a warning); refused above every catalogue price when it divided by the instance's "
        "GPUs is one: the whole instance's price",
        source="the catalogue's instance prices (docs/catalogue.md)",
    ),
    Plausible(
        "deployments",
        ("gpus_per_instance",),
        "GPUs",
        "rented machines hold 1 to 8 GPUs; a few hold 16",
        low=1,
        high=16,
    ),
    *(
        Plausible(
            "deployments",
            (name,),
            "tokens per second per GPU",
            "the catalogue's published serving runs give 7.9 to 27,911 output tokens a second "
            "per GPU (one 72B request on an A100 to an 8B model at full batch on an H200)",
            low=5,
            high=100_000,
            source="the catalogue's serving measurements (docs/rates.md)",
        )
        for name in ("tps_per_gpu", "decode_tps_per_gpu")
    ),
    Plausible(
        "deployments",
        ("prefill_tps_per_gpu",),
        "tokens per second per GPU",
        "reading a prompt is up to tens of times faster than writing an answer",
        low=5,
        high=1_000_000,
    ),
    Plausible(
        "operations",
        ("target_peak_utilisation_pct",),
        "% busy at peak",
        "below 40% a replica idles at its busiest; above 95% latency breaks down",
        low=40,
        high=95,
    ),
    Plausible(
        "operations",
        ("infra_overhead_pct",),
        "% of the GPU cost",
        "hosts, storage, network and monitoring cost a fraction of the GPUs they serve",
        low=0,
        high=50,
    ),
    Plausible(
        "operations",
        ("setup_weeks",),
        "weeks",
        "a self-hosting setup takes days to months; five years is longer than any horizon",
        low=0,
        high=52,
        ceiling=260,
    ),
    Plausible(
        "operations",
        ("setup_engineers",),
        "engineers",
        "a setup team is one to a few engineers",
        low=0,
        high=20,
        ceiling=1000,
    ),
    Plausible(
        "operations",
        ("engineer_week_cost",),
        "US dollars a week",
        "a loaded engineer-week costs from a few hundred dollars offshore to about $10,000 in "
        "the dearest markets",
        low=300,
        high=25_000,
        floor=50,
        ceiling=250_000,
        misreadings=(_THOUSANDS, _YEAR_IN_WEEK),
    ),
    Plausible(
        "operations",
        ("ops_fte",),
        "full-time engineers",
        "a self-hosted estate takes a fraction of an engineer to a small team",
        low=0,
        high=10,
        ceiling=1000,
        misreadings=(
            Misreading(0.01, "a share of one engineer typed as a percentage: {typed}% is {meant}"),
        ),
    ),
    Plausible(
        "operations",
        ("fte_annual_cost",),
        "US dollars a year",
        "a loaded engineer-year costs from about $20,000 offshore to about $500,000 in the "
        "dearest markets",
        low=20_000,
        high=1_000_000,
        floor=1_000,
        ceiling=10_000_000,
        misreadings=(_THOUSANDS,),
    ),
    Plausible(
        "operations",
        ("horizon_months",),
        "months",
        "the schema's own range: up to five years",
        low=1,
        high=60,
    ),
    *(
        Plausible(
            "price_overrides",
            (name,),
            "USD per million tokens",
            "a negotiated price is a discount on the list price, not a different unit",
            judged="within 5 times above or below the catalogue's price for the model and mode "
            "(a warning); output dearer than input and cached input cheaper than input, as every "
            "catalogue model is priced (a warning otherwise)",
            source="the catalogue's API prices (genai-prices and crossover's overlay)",
        )
        for name in ("input_per_mtok", "cached_input_per_mtok", "output_per_mtok")
    ),
    *_range_parts(
        "volume_factor",
        "× today's volume",
        _FACTOR_REASON,
        0.2,
        5,
        ceiling=20,
        misreadings=(_PERCENT_RATIO,),
    ),
    *_range_parts("monthly_growth_pct", "% a month", _GROWTH_REASON, -20, 30),
    *_range_parts(
        "throughput_factor",
        "× the serving rates",
        _FACTOR_REASON,
        0.2,
        5,
        ceiling=20,
        misreadings=(_PERCENT_RATIO,),
    ),
    *_range_parts(
        "gpu_price_factor",
        "× the GPU-hour price",
        _FACTOR_REASON,
        0.2,
        5,
        ceiling=20,
        misreadings=(_PERCENT_RATIO,),
    ),
    *_range_parts(
        "api_price_change_pct",
        "% change of every API price",
        "list prices have fallen up to tenfold in a year and rarely risen; doubling is the "
        "most a plan should fear",
        -95,
        100,
    ),
    Plausible(
        "uncertainty",
        ("draws",),
        "draws",
        "the schema's own range: enough draws for stable percentiles, few enough to be quick",
        low=1000,
        high=200_000,
    ),
    Plausible(
        "uncertainty",
        ("seed",),
        "",
        "any whole number: it only fixes the random draws",
    ),
    Plausible(
        "uncertainty",
        ("sensitivity_pct",),
        "% down and up",
        "a swing of 5 to 50% shows which input matters; beyond that every bar says the same",
        low=5,
        high=50,
    ),
)
"""Every numeric input, in the order of the workbook (tests keep it complete)."""


def plausible(section: str, path: tuple[str, ...]) -> Plausible | None:
    """The plausible range of a field, or None for one judged otherwise (or not numeric)."""
    return next((p for p in PLAUSIBLE if p.section == section and p.path == path), None)
