"""Where each scenario field lives in the workbook, derived from the pydantic schema.

The schema (crossover.scenario) owns names, types, ranges, defaults and descriptions; this
module adds only what a spreadsheet needs on top (a short label, a unit, an example) and the
geometry of the blank template. The writer and the reader both work from these specs.
"""

from __future__ import annotations

import dataclasses
import re
import types
import typing
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any, Literal

import annotated_types
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from crossover.scenario import Scenario

FieldKind = Literal["text", "number", "percent", "integer", "choice", "flag", "date"]

START_SHEET = "Start here"
LISTS_SHEET = "Lists"
YES_NO = ("yes", "no")

# Geometry of the blank template. The reader never relies on it: it finds cells through
# defined names and table headers, so a client may move things around.
TITLE_ROW = 1
INTRO_ROW = 2
CAPTION_ROW = 3
HEADER_ROW = 4
FIRST_ROW = 5
FIRST_COLUMN = 2
LABEL_COLUMN, INPUT_COLUMN, UNIT_COLUMN, HELP_COLUMN, NAME_COLUMN = 2, 3, 4, 5, 6
# Validations reach well below the blank rows so that rows a client adds keep drop-downs.
VALIDATED_ROWS = 200


@dataclass(frozen=True)
class Words:
    """What a spreadsheet shows about a field beyond the schema's description."""

    label: str
    unit: str
    example: str
    expects: str = ""
    """The noun phrase of 'expected ...' for numbers and text; other kinds derive their own."""
    blank: str = ""
    """What a blank cell means, where neither the default nor the description says."""


@dataclass(frozen=True)
class FieldSpec:
    """One input: a scalar cell (scalar sections) or a table column (list sections)."""

    section: str
    name: str
    label: str
    description: str
    unit: str
    example: str
    kind: FieldKind
    required: bool
    default: Any
    """The value the template shows (None: blank)."""
    choices: tuple[str | int, ...] = ()
    list_name: str | None = None
    """Defined name of the drop-down's list on the Lists sheet."""
    catalogue_list: bool = False
    """The list comes from a catalogue: other values may be typed (the checks judge them)."""
    ge: float | None = None
    gt: float | None = None
    le: float | None = None
    lt: float | None = None
    max_length: int | None = None
    words_expects: str = ""
    words_blank: str = ""
    path: tuple[str, ...] = ()
    """Where the value sits within its section's row: ('draws',) or ('volume_factor', 'low')."""

    @property
    def group(self) -> str | None:
        """The field a part belongs to (a range's low, likely and high); None for a plain field."""
        return self.path[0] if len(self.path) > 1 else None

    @property
    def expects(self) -> str:
        """What a valid value is, in words: 'a number of millions of tokens per day'."""
        if self.kind == "percent":
            return "a percentage"
        if self.kind == "flag":
            return "yes or no"
        if self.kind == "date":
            return "a date as YYYY-MM-DD (e.g. 2026-01-12) or a date cell"
        if self.kind == "choice" and not self.catalogue_list:
            return "one of " + ", ".join(str(c) for c in self.choices)
        return self.words_expects or "a value"

    @property
    def bounds(self) -> str:
        """The allowed range in words ('between 0 and 100', '0 or more'), or ''."""
        low = format_number(self.ge if self.ge is not None else self.gt)
        high = format_number(self.le if self.le is not None else self.lt)
        if self.ge is not None and self.le is not None:
            return f"between {low} and {high}"
        parts = []
        if self.ge is not None:
            parts.append(f"{low} or more")
        if self.gt is not None:
            parts.append(f"more than {low}")
        if self.le is not None:
            parts.append(f"at most {high}")
        if self.lt is not None:
            parts.append(f"less than {high}")
        return " and ".join(parts)

    @property
    def expects_in_range(self) -> str:
        """expects with the range or length limit: 'a percentage (between 0 and 100)'."""
        if self.bounds:
            return f"{self.expects} ({self.bounds})"
        if self.max_length is not None:
            return f"{self.expects} (at most {self.max_length} characters)"
        return self.expects

    @property
    def note(self) -> str:
        """The cell note: what the field is, its unit and an example."""
        lines = [self.description, f"Unit: {self.unit}", f"Example: {self.example}"]
        if self.bounds:
            lines.append(f"Allowed: {self.bounds}")
        lines.append("Required." if self.required else f"Blank: {self.blank_means}")
        return "\n".join(lines)

    @property
    def blank_means(self) -> str:
        if self.required:
            return "not allowed"
        if self.words_blank:
            return self.words_blank
        # The schema's descriptions say it themselves: "...; blank: the catalogue's rates."
        said = re.search(r"blank: ([^.;]+)", self.description)
        if said:
            return said[1]
        if self.default is None:
            return "not used"
        return self.display_default

    @property
    def display_default(self) -> str:
        if self.kind == "flag":
            return "yes" if self.default else "no"
        if isinstance(self.default, float) and abs(self.default) >= 1000:
            return f"{self.default:,.0f}" if self.default.is_integer() else f"{self.default:,}"
        return format_number(self.default) if isinstance(self.default, float) else str(self.default)


def format_number(value: float | int | None) -> str:
    """1200.0 -> 1200, 0.1 -> 0.1: the shortest text that reads back as the same number."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


@dataclass(frozen=True)
class SectionSpec:
    """A scenario section: one sheet of labelled cells, or one Excel table."""

    key: str
    """The Scenario attribute: 'workload', 'tiers'."""
    sheet: str
    fields: tuple[FieldSpec, ...]
    required: bool
    is_table: bool
    intro: str
    table: str = ""
    """The Excel table's name (tables only): 'Tiers', 'PriceOverrides'."""
    blank_rows: int = 0
    min_rows: int = 0
    max_rows: int = 0

    def field(self, name: str) -> FieldSpec:
        return next(f for f in self.fields if f.name == name)


@dataclass(frozen=True)
class ChoiceList:
    """A drop-down list: its defined name, and whether its values come from the catalogue."""

    name: str
    values: tuple[str | int, ...]


# A short label, a unit and an example for every field, keyed by (section, field). A schema
# field missing here still gets a sheet row (label from its name); a test keeps this complete.
WORDS: dict[tuple[str, str], Words] = {
    ("client", "client_name"): Words("Client name", "text", "Acme Health", "the client's name"),
    ("client", "industry"): Words("Industry", "text", "Healthcare", "text"),
    ("client", "prepared_by"): Words("Prepared by", "text", "Jane Doe, Crossover", "text"),
    ("client", "report_date"): Words(
        "Report date", "date (YYYY-MM-DD)", "2026-01-12", blank="today"
    ),
    ("client", "currency"): Words(
        "Currency",
        "ISO 4217 code",
        "EUR",
        "a three-letter currency code in capitals, such as USD or EUR",
    ),
    ("client", "usd_fx_rate"): Words(
        "Exchange rate",
        "currency units per US dollar",
        "0.92",
        "a number of currency units per US dollar",
    ),
    ("client", "current_monthly_api_bill"): Words(
        "Current monthly API bill",
        "currency per month",
        "42,000",
        "an amount of money per month, in the display currency",
    ),
    ("client", "notes"): Words(
        "Our view",
        'text: a blank line between paragraphs, "- " before a bullet; up to 4,000 characters',
        "Self-hosting extraction pays within a month. - Keep reasoning on the API",
        "plain text",
    ),
    ("workload", "input_mtok_per_day"): Words(
        "Input tokens per day",
        "millions of tokens per day",
        "500",
        "a number of millions of tokens per day",
    ),
    ("workload", "output_mtok_per_day"): Words(
        "Output tokens per day",
        "millions of tokens per day",
        "120",
        "a number of millions of tokens per day",
    ),
    ("workload", "peak_to_average"): Words(
        "Peak ÷ average demand", "ratio", "2.5", "a ratio (busiest hour ÷ daily average)"
    ),
    ("workload", "monthly_growth_pct"): Words("Monthly growth", "% per month", "5"),
    ("workload", "cache_hit_pct"): Words("Prompt-cache hits", "% of input tokens", "30"),
    ("workload", "input_tokens_per_request"): Words(
        "Typical prompt",
        "tokens per request",
        "1500",
        "a number of tokens",
        "derived from the answer length and the input/output mix",
    ),
    ("workload", "output_tokens_per_request"): Words(
        "Typical answer", "tokens per request", "300", "a number of tokens", "300 tokens assumed"
    ),
    ("tiers", "tier"): Words("Tier name", "text, unique", "premium", "a tier name"),
    ("tiers", "share_pct"): Words("Share of volume", "% (all rows add up to 100)", "60"),
    ("tiers", "api_model"): Words(
        "API model today",
        "provider/model",
        "anthropic/claude-haiku-4-5",
        "an API model as provider/model",
    ),
    ("tiers", "api_mode"): Words("API mode", "realtime or batch", "realtime"),
    ("tiers", "route"): Words("Proposed route", "api or self_host", "self_host"),
    ("tiers", "input_mtok_per_day"): Words(
        "Tier's own input tokens per day",
        "millions of tokens per day",
        "300",
        "a number of millions of tokens per day",
        blank="the tier's share of the workload",
    ),
    ("tiers", "output_mtok_per_day"): Words(
        "Tier's own output tokens per day",
        "millions of tokens per day",
        "60",
        "a number of millions of tokens per day",
        blank="the tier's share of the workload",
    ),
    ("tiers", "candidates"): Words(
        "Candidate deployments",
        "deployment ids, comma-separated",
        "llama70-h100, qwen72-h100",
        "deployment ids from the Deployments table, separated by commas",
    ),
    ("tiers", "locked"): Words("Keep proposed route", "yes or no", "no"),
    ("tiers", "deployment"): Words(
        "Deployment",
        "id from the Deployments sheet",
        "llama70-h100",
        "a deployment id from the Deployments table",
    ),
    ("tiers", "input_tokens_per_request"): Words(
        "Typical prompt", "tokens per request", "2000", "a number of tokens", "the workload's"
    ),
    ("tiers", "output_tokens_per_request"): Words(
        "Typical answer", "tokens per request", "250", "a number of tokens", "the workload's"
    ),
    ("tiers", "tpot_ms"): Words(
        "Time per output token",
        "ms (latency promised)",
        "50",
        "milliseconds",
        "50 ms for realtime; none for batch",
    ),
    ("tiers", "task_family"): Words(
        "Task family", "knowledge … long_context", "instruction_following", blank="no public scores"
    ),
    ("tiers", "max_quality_drop"): Words(
        "Allowed quality drop",
        "points below the API model",
        "5",
        "a number of points",
        "no such rule",
    ),
    ("tiers", "quality_floor"): Words(
        "Quality floor", "points (lowest score allowed)", "75", "a number of points", "no floor"
    ),
    ("tiers", "small_model_share_pct"): Words(
        "Easier share",
        "% of the tier's requests a smaller model handles",
        "60",
        "a percentage between 0 and 100",
        "no split",
    ),
    ("deployments", "deployment"): Words(
        "Deployment id", "text, unique", "llama70-h100", "a deployment id"
    ),
    ("deployments", "model"): Words(
        "Open-weight model", "catalogue id", "llama-3.3-70b", "an open-weight model id"
    ),
    ("deployments", "precision"): Words("Precision", "bf16 … fp4", "fp8"),
    ("deployments", "engine"): Words("Serving engine", "vllm, sglang or trt-llm", "vllm"),
    ("deployments", "kv_precision"): Words("KV-cache precision", "bf16 or fp8", "fp8"),
    ("deployments", "gpu"): Words("GPU", "catalogue id", "h100-sxm", "a GPU id"),
    ("deployments", "price_plan"): Words("Price plan", "on_demand … spot", "reserved_1y"),
    ("deployments", "instance"): Words(
        "Instance", "cloud/type", "aws/p5.48xlarge", "an instance id as cloud/type"
    ),
    ("deployments", "gpu_hour_price"): Words(
        "GPU-hour price", "USD per GPU-hour", "2.49", "a price in US dollars per GPU-hour"
    ),
    ("deployments", "gpus_per_replica"): Words("GPUs per replica", "1, 2, 4 or 8", "4"),
    ("deployments", "gpus_per_instance"): Words(
        "GPUs per instance", "GPUs", "8", "a whole number of GPUs"
    ),
    ("deployments", "tps_per_gpu"): Words(
        "Tokens/s per GPU",
        "tokens per second",
        "1,800",
        "a number of tokens per second per GPU",
    ),
    ("deployments", "prefill_tps_per_gpu"): Words(
        "Prefill tokens/s per GPU",
        "tokens per second",
        "9,000",
        "a number of tokens per second per GPU",
        blank="the catalogue's rates",
    ),
    ("deployments", "decode_tps_per_gpu"): Words(
        "Decode tokens/s per GPU",
        "tokens per second",
        "1,200",
        "a number of tokens per second per GPU",
        blank="the catalogue's rates",
    ),
    ("operations", "target_peak_utilisation_pct"): Words("Peak utilisation target", "%", "80"),
    ("operations", "redundancy"): Words("Spare replicas", "0 or 1", "1"),
    ("operations", "infra_overhead_pct"): Words("Infrastructure overhead", "% of GPU cost", "10"),
    ("operations", "setup_weeks"): Words("Setup time", "weeks", "3", "a number of weeks"),
    ("operations", "setup_engineers"): Words(
        "Setup engineers", "people", "2", "a number of people"
    ),
    ("operations", "engineer_week_cost"): Words(
        "Cost of an engineer-week", "USD, loaded", "3,000", "an amount in US dollars"
    ),
    ("operations", "ops_fte"): Words(
        "Operations staff", "full-time equivalents", "0.25", "a number of full-time equivalents"
    ),
    ("operations", "fte_annual_cost"): Words(
        "Cost of an engineer-year", "USD per year, loaded", "180,000", "an amount in US dollars"
    ),
    ("operations", "horizon_months"): Words("Horizon", "months", "24", "a whole number of months"),
    ("operations", "providers"): Words(
        "Allowed providers",
        "catalogue providers, comma-separated",
        "aws, runpod",
        "provider ids (aws, gcp, azure, ...) separated by commas",
        blank="every provider",
    ),
    ("operations", "price_plans"): Words(
        "Allowed price plans",
        "price plans, comma-separated",
        "on_demand, reserved_1y",
        "price plans (on_demand, reserved_1y, reserved_3y, spot) separated by commas",
        blank="every plan",
    ),
    ("compliance", "hipaa"): Words("HIPAA patient data", "yes or no", "no"),
    ("compliance", "gdpr_restricted_subprocessors"): Words(
        "GDPR limits sub-processors", "yes or no", "no"
    ),
    ("compliance", "financial_regulated"): Words("Financially regulated data", "yes or no", "no"),
    ("compliance", "data_must_stay_in_network"): Words(
        "Data must stay in your network", "yes or no", "no"
    ),
    ("price_overrides", "api_model"): Words(
        "API model", "provider/model", "openai/gpt-4o", "an API model as provider/model"
    ),
    ("price_overrides", "api_mode"): Words("API mode", "realtime or batch", "batch"),
    ("price_overrides", "input_per_mtok"): Words(
        "Input price", "USD per million tokens", "2.50", "a price in US dollars per million tokens"
    ),
    ("price_overrides", "cached_input_per_mtok"): Words(
        "Cached input price",
        "USD per million tokens",
        "1.25",
        "a price in US dollars per million tokens",
    ),
    ("price_overrides", "output_per_mtok"): Words(
        "Output price", "USD per million tokens", "10", "a price in US dollars per million tokens"
    ),
    ("evaluations", "model"): Words(
        "Model tested",
        "provider/model or open-weight id",
        "qwen2.5-14b",
        "an API model as provider/model, or an open-weight model id",
    ),
    ("evaluations", "tier"): Words("Tier", "a tier name from Tiers", "extraction", "a tier name"),
    ("evaluations", "score"): Words(
        "Score", "your metric, higher is better", "91.5", "a score (higher is better)"
    ),
    ("evaluations", "sample_size"): Words(
        "Requests tested", "requests", "400", "a whole number of requests"
    ),
    ("evaluations", "date"): Words("Date run", "date (YYYY-MM-DD)", "2026-11-02"),
    ("uncertainty", "volume_factor"): Words(
        "Volume factor", "× today's volume", "0.8 / 1 / 1.3", "a multiplier"
    ),
    ("uncertainty", "monthly_growth_pct"): Words("Monthly growth", "% per month", "0 / 3 / 8"),
    ("uncertainty", "throughput_factor"): Words(
        "Throughput factor", "× the serving rates", "0.7 / 1 / 1.1", "a multiplier"
    ),
    ("uncertainty", "gpu_price_factor"): Words(
        "GPU price factor", "× the GPU-hour price", "0.9 / 1 / 1.2", "a multiplier"
    ),
    ("uncertainty", "api_price_change_pct"): Words("API price change", "% change", "-30 / 0 / 10"),
    ("uncertainty", "distribution"): Words("Distribution", "pert or triangular", "pert"),
    ("uncertainty", "draws"): Words(
        "Simulated futures", "draws", "10000", "a whole number of draws"
    ),
    ("uncertainty", "seed"): Words("Random seed", "whole number", "20261127", "a whole number"),
    ("uncertainty", "sensitivity_pct"): Words("Tornado swing", "% down and up", "25"),
}

# Fields whose drop-down offers catalogue ids: (section, field) -> list name.
CATALOGUE_LISTS: dict[tuple[str, str], str] = {
    ("tiers", "api_model"): "list_api_model",
    ("price_overrides", "api_model"): "list_api_model",
    ("deployments", "model"): "list_model",
    ("deployments", "gpu"): "list_gpu",
    ("deployments", "instance"): "list_instance",
}

# What each sheet asks for, in a sentence a newcomer understands (after the model docstring).
SECTION_INTROS: dict[str, str] = {
    "client": "Fill in the client's name; the rest is optional.",
    "workload": "Count every model and provider; your API invoices or dashboards give the tokens.",
    "tiers": "One row per quality tier; the shares add up to 100. Columns marked * are required "
    "in every row you use.",
    "deployments": "Candidate self-hosted setups; leave a column blank to use the catalogue. "
    "Columns marked * are required in every row you use.",
    "operations": "The defaults suit most teams; change what you know better.",
    "compliance": "Answer yes where a rule keeps data away from outside APIs.",
    "price_overrides": "Only if you pay less than list price; blank prices use the catalogue.",
    "evaluations": "Optional: your own test results, one row per model and tier, on one "
    "metric per tier. A tier with rows here is judged on them alone, not on public scores; "
    "score the tier's API model too, so candidates can be compared with it.",
    "uncertainty": "Optional: give low, most likely and high values where you are unsure; "
    "leave a row blank where a figure is certain.",
}

BLANK_TABLE_ROWS: dict[str, int] = {
    "tiers": 8,
    "deployments": 8,
    "price_overrides": 8,
    "evaluations": 12,
}


def sheet_title(key: str) -> str:
    """'price_overrides' -> 'Price overrides'."""
    return key.replace("_", " ").capitalize()


def table_name(key: str) -> str:
    """'price_overrides' -> 'PriceOverrides'."""
    return "".join(part.capitalize() for part in key.split("_"))


def quote_sheet(sheet: str) -> str:
    """A sheet name as Excel writes it in a reference: 'Price overrides' is quoted."""
    if sheet.replace("_", "").isalnum():
        return sheet
    return "'" + sheet.replace("'", "''") + "'"


@cache
def sections() -> tuple[SectionSpec, ...]:
    """Every section of the Scenario, in the schema's order."""
    return tuple(_section(key, info) for key, info in Scenario.model_fields.items())


def section(key: str) -> SectionSpec:
    return next(s for s in sections() if s.key == key)


def choice_lists() -> dict[str, tuple[str | int, ...]]:
    """The drop-down lists fixed by the schema (catalogue lists are filled by the writer)."""
    lists: dict[str, tuple[str | int, ...]] = {}
    for spec in sections():
        for field in spec.fields:
            if field.list_name and not field.catalogue_list:
                lists[field.list_name] = field.choices
    return lists


def _section(key: str, info: FieldInfo) -> SectionSpec:
    annotation = info.annotation
    is_table = typing.get_origin(annotation) is list
    model = typing.get_args(annotation)[0] if is_table else annotation
    assert isinstance(model, type) and issubclass(model, BaseModel)
    fields = tuple(
        spec for name, info in model.model_fields.items() for spec in _fields(key, name, info)
    )
    # The docstrings cite the economics contract ("(economics §7)"): not for a client's eyes.
    doc = re.sub(r"\s*\(economics §[\d.]+\)", "", (model.__doc__ or "").strip())
    intro = " ".join(part for part in (doc, SECTION_INTROS.get(key, "")) if part)
    if not is_table:
        return SectionSpec(
            key=key,
            sheet=sheet_title(key),
            fields=fields,
            required=info.is_required(),
            is_table=False,
            intro=intro,
        )
    lengths = _constraints(info.metadata)
    return SectionSpec(
        key=key,
        sheet=sheet_title(key),
        fields=fields,
        required=info.is_required(),
        is_table=True,
        intro=intro,
        table=table_name(key),
        blank_rows=BLANK_TABLE_ROWS.get(key, 8),
        min_rows=int(lengths.get("min_length", 0)),
        max_rows=int(lengths.get("max_length", 0)),
    )


def _fields(section_key: str, name: str, info: FieldInfo) -> list[FieldSpec]:
    """One spec per cell: a plain field has one; a nested model (a Range) one per part."""
    base, _ = _unwrap(info.annotation, list(info.metadata))
    if not (isinstance(base, type) and issubclass(base, BaseModel)):
        return [_field(section_key, name, info)]
    words = _words(section_key, name)
    examples = words.example.split(" / ")
    parts = []
    for index, (part, part_info) in enumerate(base.model_fields.items()):
        spec = _field(section_key, part, part_info, percent=name.endswith("_pct"))
        example = examples[index] if len(examples) == len(base.model_fields) else words.example
        parts.append(
            dataclasses.replace(
                spec,
                name=f"{name}_{part}",
                path=(name, part),
                label=f"{words.label}: {part}",
                # The field's own description once, on its first part; then the part's alone.
                description=(
                    f"{info.description or ''} {spec.description}".strip()
                    if index == 0
                    else spec.description
                ),
                unit=words.unit,
                example=example,
                # The whole is optional when it has a default: then so is each part.
                required=info.is_required() and spec.required,
                words_expects=words.expects,
                words_blank="with low, likely and high all blank, the figure is fixed",
            )
        )
    return parts


def _words(section_key: str, name: str) -> Words:
    return WORDS.get((section_key, name)) or Words(name.replace("_", " ").capitalize(), "", "")


def _field(section_key: str, name: str, info: FieldInfo, *, percent: bool = False) -> FieldSpec:
    base, constraints = _unwrap(info.annotation, list(info.metadata))
    words = _words(section_key, name)
    choices: tuple[str | int, ...] = ()
    list_name = CATALOGUE_LISTS.get((section_key, name))
    kind: FieldKind
    if typing.get_origin(base) is Literal:
        kind = "choice"
        choices = typing.get_args(base)
        list_name = f"list_{name}"
    elif base is bool:
        kind = "flag"
        choices = YES_NO
        list_name = "list_yes_no"
    elif base is date:
        kind = "date"
    elif base is int:
        kind = "integer"
    elif base is float:
        kind = "percent" if percent or name.endswith("_pct") else "number"
    else:
        kind = "text"
    default = None if info.is_required() or info.default_factory is not None else info.default
    if default in ("", []):
        default = None
    return FieldSpec(
        section=section_key,
        name=name,
        label=words.label,
        description=info.description or "",
        unit=words.unit,
        example=words.example,
        kind=kind,
        required=info.is_required(),
        default=default,
        choices=choices,
        list_name=list_name,
        catalogue_list=(section_key, name) in CATALOGUE_LISTS,
        ge=constraints.get("ge"),
        gt=constraints.get("gt"),
        le=constraints.get("le"),
        lt=constraints.get("lt"),
        max_length=constraints.get("max_length"),
        words_expects=words.expects,
        words_blank=words.blank,
        path=(name,),
    )


def _unwrap(annotation: Any, metadata: list[Any]) -> tuple[Any, dict[str, Any]]:
    """The base type of an annotation (Optional and Annotated peeled off) and its constraints."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation, *extra = typing.get_args(annotation)
            metadata += extra
        elif origin in (typing.Union, types.UnionType):
            annotation = next(a for a in typing.get_args(annotation) if a is not type(None))
        else:
            return annotation, _constraints(metadata)


def _constraints(metadata: list[Any]) -> dict[str, Any]:
    """ge/gt/le/lt and min_length/max_length from annotated-types metadata (nested too)."""
    found: dict[str, Any] = {}
    for item in metadata:
        if isinstance(item, FieldInfo):
            found.update(_constraints(item.metadata))
        elif isinstance(item, _CONSTRAINTS):
            found.update(dataclasses.asdict(item))
    return found


_CONSTRAINTS = (
    annotated_types.Ge,
    annotated_types.Gt,
    annotated_types.Le,
    annotated_types.Lt,
    annotated_types.MinLen,
    annotated_types.MaxLen,
)
