"""The scenario: everything a client tells us, validated (the input contract, docs/workbook.md)."""

from __future__ import annotations

import json
import math
import re
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    model_validator,
)

from crossover.errors import ProblemsError
from crossover.problem_facts import ProblemFacts
from crossover.problem_words import words
from crossover.prose import NOTES_MAX_CHARS, tidy
from crossover.quality.families import TaskFamily

Precision = Literal["bf16", "fp16", "fp8", "int8", "int4", "fp4"]
PricePlan = Literal["on_demand", "reserved_1y", "reserved_3y", "spot"]
Route = Literal["api", "self_host"]
ApiMode = Literal["realtime", "batch"]
Engine = Literal["vllm", "sglang", "trt-llm"]
KvPrecision = Literal["bf16", "fp8"]

PRECISIONS: tuple[Precision, ...] = ("bf16", "fp16", "fp8", "int8", "int4", "fp4")
ENGINES: tuple[Engine, ...] = ("vllm", "sglang", "trt-llm")
KV_PRECISIONS: tuple[KvPrecision, ...] = ("bf16", "fp8")
PRICE_PLANS: tuple[PricePlan, ...] = ("on_demand", "reserved_1y", "reserved_3y", "spot")
ROUTES: tuple[Route, ...] = ("api", "self_host")
API_MODES: tuple[ApiMode, ...] = ("realtime", "batch")
GPUS_PER_REPLICA_CHOICES = (1, 2, 4, 8)

SHARE_TOLERANCE_PCT = 0.01


def _reject_lax_number(value: Any) -> Any:
    """Refuse what pydantic's lax mode would quietly turn into a number.

    Booleans, "nan", "inf" and "1_000" are not amounts a client meant to type; the workbook
    reader normalises what people really type ("1,200", "15%") before it gets here.
    """
    if isinstance(value, bool):
        raise ValueError("expected a number, found a yes/no value")
    if isinstance(value, str):
        text = value.strip()
        try:
            number = float(text)
        except ValueError:
            raise ValueError(f"expected a number, found {value!r}") from None
        if "_" in text or not math.isfinite(number):
            raise ValueError(f"expected a number, found {value!r}")
        return number
    return value


def _blank_to_none(value: Any) -> Any:
    if isinstance(value, str) and not value.strip():
        return None
    return value


def _strip_text(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _split_commas(value: Any) -> Any:
    """'a, b' -> ['a', 'b']: the workbook holds a list as comma-separated text."""
    if value is None:
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


def _fold_choices(value: Any) -> Any:
    """'Reserved 1y', 'ON-DEMAND' -> 'reserved_1y', 'on_demand': choices typed in a list ignore
    case, spaces and hyphens, as the workbook's drop-down choices do."""
    if not isinstance(value, list):
        return value
    return [re.sub(r"[\s_-]+", "_", v.strip().lower()) if isinstance(v, str) else v for v in value]


def _reject_int_date(value: Any) -> Any:
    """pydantic reads an int as Unix seconds; a date must be a date or ISO text."""
    if isinstance(value, bool | int | float):
        raise ValueError("expected a date (YYYY-MM-DD), found a number")
    return value


Number = Annotated[float, BeforeValidator(_reject_lax_number)]
_NonNegative = Annotated[float, Field(ge=0)]
_Positive = Annotated[float, Field(gt=0)]
OptionalNonNegative = Annotated[
    _NonNegative | None, BeforeValidator(_reject_lax_number), BeforeValidator(_blank_to_none)
]
OptionalPositive = Annotated[
    _Positive | None, BeforeValidator(_reject_lax_number), BeforeValidator(_blank_to_none)
]
OptionalTokens = Annotated[
    Annotated[float, Field(gt=0, le=10_000_000)] | None,
    BeforeValidator(_reject_lax_number),
    BeforeValidator(_blank_to_none),
]
"""Tokens per request: more than 0, at most ten million (no model reads more)."""
OptionalLatency = Annotated[
    Annotated[float, Field(gt=0, le=60_000)] | None,
    BeforeValidator(_reject_lax_number),
    BeforeValidator(_blank_to_none),
]
"""Milliseconds per output token: more than 0, at most a minute."""
Text = Annotated[str, BeforeValidator(_strip_text)]
Id = Annotated[str, BeforeValidator(_strip_text), Field(min_length=1, max_length=200)]
OptionalId = Annotated[str | None, BeforeValidator(_strip_text), BeforeValidator(_blank_to_none)]
IdList = Annotated[list[Id], BeforeValidator(_split_commas), Field(max_length=50)]
"""Ids, as a JSON list or comma-separated text; blank: none."""


def _tidy_prose(value: Any) -> Any:
    return tidy(value) if isinstance(value, str) else value


Prose = Annotated[str, BeforeValidator(_tidy_prose), Field(max_length=NOTES_MAX_CHARS)]
"""Plain text in paragraphs and bullets; control characters refused, line ends made one kind."""


class _Model(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        allow_inf_nan=False,
        use_attribute_docstrings=True,
        validate_default=True,
    )


class Client(_Model):
    """Who the report is for and how money is shown."""

    client_name: Annotated[Text, Field(min_length=1, max_length=200)]
    """The client's name, as it appears on the report's cover."""
    industry: Annotated[Text, Field(max_length=200)] = ""
    """The client's industry, for context in the report."""
    prepared_by: Annotated[Text, Field(max_length=200)] = ""
    """The consultant who prepared the report."""
    report_date: Annotated[date, BeforeValidator(_reject_int_date)] = Field(
        default_factory=date.today
    )
    """The report's date; also the date at which catalogue prices are read."""
    currency: Annotated[Text, Field(pattern=r"^[A-Z]{3}$")] = "USD"
    """ISO 4217 code of the display currency (display only: the maths is in USD)."""
    usd_fx_rate: Annotated[Number, Field(gt=0)] = 1.0
    """Display-currency units per US dollar."""
    current_monthly_api_bill: OptionalNonNegative = None
    """The client's real monthly API bill today, in the display currency (for calibration)."""
    notes: Prose = ""
    """The consultant's own words for the client, shown in the report as "Our view"; blank: none."""


class Workload(_Model):
    """The client's whole LLM volume today."""

    input_mtok_per_day: Annotated[Number, Field(ge=0)]
    """Input (prompt) tokens per day, in millions."""
    output_mtok_per_day: Annotated[Number, Field(ge=0)]
    """Output (generated) tokens per day, in millions."""
    peak_to_average: Annotated[Number, Field(ge=1)] = 2.0
    """Busiest-hour demand divided by the daily average, for realtime traffic."""
    monthly_growth_pct: Annotated[Number, Field(ge=-50, le=100)] = 0.0
    """Volume growth, percent per month (compounded)."""
    cache_hit_pct: Annotated[Number, Field(ge=0, le=100)] = 0.0
    """Share of input tokens served from the API provider's prompt cache, percent."""
    input_tokens_per_request: OptionalTokens = None
    """The typical prompt, tokens; blank: derived from the output length and the mix."""
    output_tokens_per_request: OptionalTokens = None
    """The typical answer, tokens; blank: a stated default (economics §3a)."""

    @model_validator(mode="after")
    def _some_volume(self) -> Workload:
        if self.input_mtok_per_day + self.output_mtok_per_day <= 0:
            raise ValueError("input_mtok_per_day + output_mtok_per_day must be more than 0")
        return self

    @property
    def total_mtok_per_day(self) -> float:
        return self.input_mtok_per_day + self.output_mtok_per_day


class Tier(_Model):
    """A quality tier: a share of the traffic, what it costs on an API, and where it goes."""

    tier: Id
    """The tier's name (unique)."""
    share_pct: Annotated[
        Annotated[Number, Field(gt=0, le=100)] | None, BeforeValidator(_blank_to_none)
    ] = None
    """Share of the total volume, percent; all tiers add up to 100 (blank: the tier's own volume)."""
    api_model: Id
    """The API model this traffic runs on today, as provider/model (anthropic/claude-haiku-4-5)."""
    api_mode: ApiMode = "realtime"
    """realtime, or batch: deferred work at the batch price, flat load when self-hosted."""
    route: Route = "api"
    """Where the proposal sends this tier: api or self_host."""
    deployment: OptionalId = None
    """The deployment that serves this tier when self-hosted (required when route is self_host)."""
    input_tokens_per_request: OptionalTokens = None
    """This tier's typical prompt, tokens; blank: the workload's."""
    output_tokens_per_request: OptionalTokens = None
    """This tier's typical answer, tokens; blank: the workload's."""
    tpot_ms: OptionalLatency = None
    """Time per output token promised to users, ms; blank: 50 for realtime, none for batch."""

    @model_validator(mode="after")
    def _batch_promises_no_latency(self) -> Tier:
        if self.api_mode == "batch" and self.tpot_ms is not None:
            raise ValueError(
                "a batch tier promises no latency: leave tpot_ms blank or make the tier realtime"
            )
        return self

    input_mtok_per_day: OptionalNonNegative = None
    """The tier's own input tokens per day, in millions, instead of a share; all tiers or none."""
    output_mtok_per_day: OptionalNonNegative = None
    """The tier's own output tokens per day, in millions, instead of a share; all tiers or none."""
    candidates: IdList = []
    """Deployments the best plan may send this tier to, comma-separated; blank: its deployment."""
    locked: bool = False
    """yes keeps the proposed route in every plan the tool searches."""
    task_family: Annotated[TaskFamily | None, BeforeValidator(_blank_to_none)] = None
    """What the tier's work is, for its quality rule: knowledge, reasoning, instruction_following,
    chat, math, coding, structured_data, summary_faithfulness or long_context; blank: no public
    scores are used."""
    max_quality_drop: OptionalNonNegative = None
    """Points a candidate may score below the tier's API model and stay a candidate; blank: no
    such rule."""
    quality_floor: OptionalNonNegative = None
    """The lowest score a candidate may have and stay a candidate; blank: no floor."""
    small_model_share_pct: Annotated[
        Annotated[Number, Field(gt=0, lt=100)] | None, BeforeValidator(_blank_to_none)
    ] = None
    """A split by difficulty: the share of the tier's requests, percent, that a candidate its
    quality rule excludes still handles well (the easier ones); the rest stays on an option that
    meets the rule. Blank: no split."""

    @property
    def gives_volume(self) -> bool:
        """The tier gives its own daily volume (economics §1) rather than a share."""
        return self.input_mtok_per_day is not None or self.output_mtok_per_day is not None

    @property
    def options(self) -> list[str]:
        """The deployments the tier may go to (economics §7a): its candidates, or the one named."""
        if self.candidates:
            return list(self.candidates)
        return [self.deployment] if self.deployment is not None else []


class Deployment(_Model):
    """A candidate self-hosted setup: a model at a precision on a GPU at a price plan."""

    deployment: Id
    """The deployment's id (unique)."""
    model: Id
    """Catalogue id of the open-weight model (e.g. llama-3.3-70b)."""
    precision: Precision
    """Weight precision: bf16, fp16, fp8, int8, int4 or fp4 (NVFP4 or MXFP4)."""
    gpu: Id
    """Catalogue id of the GPU (e.g. h100-sxm)."""
    price_plan: Annotated[PricePlan | None, BeforeValidator(_blank_to_none)] = None
    """on_demand, reserved_1y, reserved_3y or spot; blank: the cheapest allowed plan (reserved_1y
    where the instance or its price is given)."""
    instance: OptionalId = None
    """Catalogue id of the rented instance (cloud/type); blank: the cheapest allowed instance."""
    gpu_hour_price: OptionalPositive = None
    """USD per GPU-hour; blank: the catalogue's price for the instance and plan."""
    gpus_per_replica: Literal[1, 2, 4, 8] | None = None
    """GPUs serving one copy of the model; blank: the size whose replicas carry the tiers it
    may serve for least, from the smallest the memory fits up to 8."""
    gpus_per_instance: Annotated[int, Field(ge=1, le=16)] | None = None
    """GPUs rented together (8 for an 8-GPU node, 1 for single-GPU rental); blank: catalogue."""
    tps_per_gpu: OptionalPositive = None
    """Blended tokens per second per GPU; blank: the catalogue's rates."""
    prefill_tps_per_gpu: OptionalPositive = None
    """Input (prefill) tokens per second per GPU; give both prefill and decode, or neither."""
    decode_tps_per_gpu: OptionalPositive = None
    """Output (decode) tokens per second per GPU; give both prefill and decode, or neither."""
    engine: Engine = "vllm"
    """Serving engine: vllm, sglang or trt-llm; selects the calibrated efficiencies."""
    kv_precision: KvPrecision = "bf16"
    """KV-cache precision: bf16, or fp8 (half the memory per token)."""

    @model_validator(mode="after")
    def _both_or_neither(self) -> Deployment:
        if (self.prefill_tps_per_gpu is None) != (self.decode_tps_per_gpu is None):
            raise ValueError("give both prefill_tps_per_gpu and decode_tps_per_gpu, or neither")
        return self


class Operations(_Model):
    """How the self-hosted estate is run, and what the people cost."""

    target_peak_utilisation_pct: Annotated[Number, Field(ge=10, le=100)] = 80.0
    """Highest utilisation a replica may reach at peak, percent (u_max)."""
    redundancy: Literal[0, 1] = 1
    """Extra replicas kept for failover: 0, or 1 (N+1)."""
    infra_overhead_pct: Annotated[Number, Field(ge=0, le=200)] = 10.0
    """Host, storage, network and monitoring, percent of GPU cost."""
    setup_weeks: Annotated[Number, Field(ge=0)] = 3.0
    """Weeks of engineering to set self-hosting up."""
    setup_engineers: Annotated[Number, Field(ge=0)] = 1.0
    """Engineers working on the setup."""
    engineer_week_cost: Annotated[Number, Field(ge=0)] = 3000.0
    """Loaded cost of one engineer-week, USD."""
    ops_fte: Annotated[Number, Field(ge=0)] = 0.25
    """People keeping the self-hosted estate running, full-time equivalents."""
    fte_annual_cost: Annotated[Number, Field(ge=0)] = 180000.0
    """Loaded annual cost of one full-time engineer, USD."""
    horizon_months: Annotated[int, Field(ge=1, le=60)] = 24
    """Months the horizon view covers."""
    providers: IdList = []
    """Clouds where instances may be rented (aws, gcp, ...), comma-separated; blank: all."""
    price_plans: Annotated[
        list[PricePlan],
        BeforeValidator(_fold_choices),
        BeforeValidator(_split_commas),
        Field(max_length=4),
    ] = []
    """Price plans the best plan may use, comma-separated; blank: every plan."""


class Compliance(_Model):
    """Rules that forbid sending data to an outside API (economics §7)."""

    hipaa: bool = False
    """Patient data under HIPAA."""
    gdpr_restricted_subprocessors: bool = False
    """GDPR data-processing agreements that restrict sub-processors."""
    financial_regulated: bool = False
    """Financial regulation (FCA, FINRA, ...) on where data may go."""
    data_must_stay_in_network: bool = False
    """Data must stay inside the client's own network."""

    @property
    def flags(self) -> tuple[str, ...]:
        """The names of the flags that are set."""
        return tuple(name for name, value in self if value)


class PriceOverride(_Model):
    """A negotiated API price that wins over the catalogue."""

    api_model: Id
    """The API model, as provider/model."""
    api_mode: ApiMode = "realtime"
    """Which price this row overrides: realtime or batch."""
    input_per_mtok: OptionalNonNegative = None
    """USD per million input tokens; blank: catalogue."""
    cached_input_per_mtok: OptionalNonNegative = None
    """USD per million cache-read input tokens; blank: catalogue."""
    output_per_mtok: OptionalNonNegative = None
    """USD per million output tokens; blank: catalogue."""

    @property
    def is_complete(self) -> bool:
        """Input and output priced: enough to price a model the catalogue does not know."""
        return self.input_per_mtok is not None and self.output_per_mtok is not None


_Date = date


class Evaluation(_Model):
    """One result of the client's own evaluation: how a model scored on a tier's work."""

    model: Id
    """The model tested: an API model as provider/model, or an open-weight model's id."""
    tier: Id
    """The tier whose work the test set samples."""
    score: Annotated[Number, Field(ge=0)]
    """The client's own metric (a pass rate in percent, say); higher is better."""
    sample_size: Annotated[int, Field(ge=1)]
    """Requests the score was measured on."""
    date: Annotated[_Date, BeforeValidator(_reject_int_date)]
    """When the evaluation ran."""


class Range(_Model):
    """An uncertain input: the lowest, most likely and highest value thought plausible."""

    low: Number
    """The lowest plausible value, in the field's unit."""
    likely: Number
    """The most likely value (the mode of the distribution)."""
    high: Number
    """The highest plausible value."""

    @model_validator(mode="after")
    def _ordered(self) -> Range:
        if not self.low <= self.likely <= self.high:
            raise ValueError(
                f"expected low ≤ likely ≤ high, found low {self.low:g}, likely {self.likely:g}, "
                f"high {self.high:g}"
            )
        return self


def _range_within(minimum: float, maximum: float | None, *, open_below: bool) -> AfterValidator:
    """A check that a whole Range lies within its field's own bounds."""

    def check(value: Range | None) -> Range | None:
        if value is None:
            return None
        below = value.low <= minimum if open_below else value.low < minimum
        if below or (maximum is not None and value.high > maximum):
            bound = f"more than {minimum:g}" if open_below else f"at least {minimum:g}"
            if maximum is not None:
                bound += f" and at most {maximum:g}"
            raise ValueError(f"the range must be {bound}, found {value.low:g} to {value.high:g}")
        return value

    return AfterValidator(check)


FactorRange = Annotated[Range | None, _range_within(0, None, open_below=True)]
"""A multiplier on today's figure (1 = as entered): more than 0."""
GrowthRange = Annotated[Range | None, _range_within(-50, 100, open_below=False)]
"""Percent per month, within the workload's own bounds (−50 to 100)."""
PriceChangeRange = Annotated[Range | None, _range_within(-100, None, open_below=False)]
"""Percent change of a price: at least −100 (free)."""


class Uncertainty(_Model):
    """How sure the inputs are: ranges for the Monte Carlo simulation and the tornado's span."""

    volume_factor: FactorRange = None
    """Multiplier on today's daily volume (e.g. 0.8 / 1 / 1.3); blank: not uncertain."""
    monthly_growth_pct: GrowthRange = None
    """Volume growth, percent per month (compounded), replacing the workload's; blank: fixed."""
    throughput_factor: FactorRange = None
    """Multiplier on every deployment's serving rates (prefill and decode); blank: fixed."""
    gpu_price_factor: FactorRange = None
    """Multiplier on every deployment's GPU-hour price; blank: fixed."""
    api_price_change_pct: PriceChangeRange = None
    """Change of every API price, percent (e.g. −30 / 0 / +10); blank: fixed."""
    distribution: Literal["pert", "triangular"] = "pert"
    """Shape drawn between low and high: pert (PERT, λ = 4) or triangular."""
    draws: Annotated[int, Field(ge=1000, le=200_000)] = 10_000
    """Simulated futures (1,000 to 200,000)."""
    seed: Annotated[int, Field(ge=0)] = 20261127
    """Seed of the random generator: the same seed gives the same figures."""
    sensitivity_pct: Annotated[Number, Field(gt=0, lt=100)] = 25.0
    """The tornado's swing: each driver is moved this many percent down and up, on its own."""

    @property
    def ranges(self) -> dict[str, Range]:
        """The uncertain inputs that are given, by field name."""
        return {name: value for name, value in self if isinstance(value, Range)}


class Scenario(_Model):
    """One client's situation: the whole input of an analysis."""

    client: Client
    workload: Workload
    tiers: Annotated[list[Tier], Field(min_length=1, max_length=50)]
    deployments: Annotated[list[Deployment], Field(max_length=50)] = []
    operations: Operations = Operations()
    compliance: Compliance = Compliance()
    price_overrides: Annotated[list[PriceOverride], Field(max_length=200)] = []
    evaluations: Annotated[list[Evaluation], Field(max_length=500)] = []
    uncertainty: Uncertainty = Uncertainty()

    @model_validator(mode="before")
    @classmethod
    def _workload_from_tiers(cls, data: Any) -> Any:
        """Where every tier gives its own volume, blank workload totals are their sums (§1)."""
        if not isinstance(data, dict) or not isinstance(data.get("tiers"), list):
            return data
        tiers = data["tiers"]
        workload = data.get("workload")
        if workload is None:
            workload = {}
        if not isinstance(workload, dict) or not tiers:
            return data
        filled = dict(workload)
        for field in ("input_mtok_per_day", "output_mtok_per_day"):
            if _blank_to_none(filled.get(field)) is not None:
                continue
            total = _sum_of(tiers, field)
            if total is not None:
                filled[field] = total
        return {**data, "workload": filled}

    def deployment(self, deployment_id: str) -> Deployment:
        return next(d for d in self.deployments if d.deployment == deployment_id)


def _sum_of(rows: list[Any], field: str) -> float | None:
    """The sum of a numeric field over every row; None unless every row gives a number."""
    total = 0.0
    for row in rows:
        value = row.get(field) if isinstance(row, dict) else None
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            return None
        try:
            total += float(_reject_lax_number(value))
        except (TypeError, ValueError):
            return None
    return total


Loc = tuple[int | str, ...]

WarningCode = Literal[
    "percent_fraction",
    "unknown_column",
    "missing_column",
    "raw_token_count",
    "price_override_far",
    "fx_rate_inverted",
    "monthly_in_daily",
    "bill_mismatch",
    "latency_unreachable",
    "memory_tight",
    "retired_model",
    "implausible_value",
    "fx_rate_far",
    "price_override_order",
    "unused_deployment",
    "currency_converted",
    "copied_sheet",
    "hidden_input",
    "split_without_effect",
]
"""The kinds of warning: the edge words each kind as a question for the client."""


class Problem(_Model):
    """One thing wrong (or worth a warning) in a scenario, with where it is."""

    loc: Loc
    """Where: ('tiers', 2, 'share_pct') is the third tier's share_pct."""
    message: str = ""
    """What is wrong and what is expected, in words a client understands (written from the
    facts when the engine found it)."""
    severity: Literal["error", "warning"] = "error"
    code: WarningCode | None = None
    """A warning's kind (None for an error)."""
    where: str | None = None
    """Where in the user's own file, when it is not JSON: 'Workload!C5 (input_mtok_per_day)'."""
    facts: ProblemFacts | None = None
    """What the engine found, as a code and its facts (None when reading the input found it)."""

    @model_validator(mode="before")
    @classmethod
    def _worded(cls, data: Any) -> Any:
        # The engine gives facts, never words: its sentence is written here, by problem_words.
        if isinstance(data, dict) and data.get("facts") is not None and not data.get("message"):
            facts = _FACTS.validate_python(data["facts"])
            return {**data, "facts": facts, "message": words(facts)}
        return data

    @model_validator(mode="after")
    def _said(self) -> Problem:
        if not self.message:
            raise ValueError("a problem needs its message, or the facts to word it from")
        return self

    def describe(self) -> str:
        where = self.where or format_loc(self.loc)
        return f"{where}: {self.message}" if where else self.message


_FACTS: TypeAdapter[ProblemFacts] = TypeAdapter(ProblemFacts)


class ScenarioError(ProblemsError):
    """Raised when a scenario cannot be read or does not validate; carries every problem."""

    problems: list[Problem]

    def __init__(self, source: str, problems: list[Problem]) -> None:
        self.source = source
        self.problems = problems
        super().__init__(
            f"{source}: {len(problems)} problem(s): " + "; ".join(p.describe() for p in problems)
        )


def parse_scenario(raw: object, source: str) -> Scenario:
    """Validate raw section data (from JSON or the workbook) into a Scenario, or raise."""
    try:
        return Scenario.model_validate(raw)
    except ValidationError as e:
        raise ScenarioError(source, problems_from(e)) from None


def load_json_scenario(path: Path) -> Scenario:
    """Read a scenario from a JSON file with the workbook's section and field names."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as e:
        raise ScenarioError(
            str(path), [Problem(loc=(), message=f"cannot read the file: {e}")]
        ) from None
    except json.JSONDecodeError as e:
        message = f"not valid JSON at line {e.lineno}, column {e.colno}: {e.msg}"
        raise ScenarioError(str(path), [Problem(loc=(), message=message)]) from None
    return parse_scenario(raw, str(path))


def problems_from(error: ValidationError) -> list[Problem]:
    """One problem per pydantic error: the field's location, what is wrong, what was found."""
    problems = []
    for err in error.errors(include_url=False):
        message = err["msg"].removeprefix("Value error, ")
        found = err.get("input")
        kind = err["type"]
        if kind == "missing":
            message = "required, but missing"
        elif kind == "extra_forbidden":
            message = "not a known field (check the spelling)"
        elif kind in ("too_long", "string_too_long"):
            limit = (err.get("ctx") or {}).get("max_length")
            if isinstance(found, str):
                message = (
                    f"too long: at most {limit:,} characters, found {len(found):,}; shorten it"
                )
            else:
                message = f"too long: at most {limit} rows, found {len(found)}"
        elif kind in ("too_short", "string_too_short") and not found:
            message = "required, but empty"
        elif "found" not in message and not isinstance(found, dict | list):
            message = f"{message}, found {_shown(found)}"
        problems.append(Problem(loc=tuple(err["loc"]), message=message))
    return problems


def _shown(value: object) -> str:
    """The value as found, cut short: a message must stay one readable line."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def format_loc(loc: Loc) -> str:
    """('tiers', 2, 'share_pct') -> 'tiers[2].share_pct'."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text
