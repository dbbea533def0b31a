"""The results as an Excel workbook of plain values, for the consultant who keeps working in Excel.

Every figure is copied from `Results` as computed (money in US dollars, full precision, in
columns headed USD); the summary shows money in the client's display currency with the US
dollars beside it, and sentences use the display currency. The number formats only change
how a cell looks. No cell holds a formula: text that a spreadsheet
would read as one (=, +, -, @, tab, CR first) is stored as quote-prefixed text.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Generic, TypeVar

from babel.numbers import get_currency_symbol
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from pydantic import BaseModel

from crossover.engine.results import (
    CostCurvePoint,
    DeploymentResult,
    HorizonMonth,
    Plan,
    Results,
    SensitivityBar,
    TierResult,
)
from crossover.files import write_bytes_atomic
from crossover.prose import Block, Bullets, blocks
from crossover.summary import (
    crossover_text,
    display,
    payback_text,
    plan_name,
    plan_routes,
    verdict,
)
from crossover.wording import DRIVER_LABELS, Words, gpu_price_from

# Number formats: how a value looks, never what it is.
USD = '"$"#,##0.00'
USD_PER_MTOK = '"$"#,##0.00##'
USD_PER_HOUR = '"$"#,##0.00##'
FRACTION_PCT = "0.0%"
"""For fractions (0.385 shows as 38.5%)."""
POINTS_PCT = '0.0#"%"'
"""For values already in percent (share_pct 95 shows as 95.0%)."""
THOUSANDS = "#,##0"
MTOK = "#,##0.0##"
DECIMAL = "#,##0.00"
FACTOR = "0.000"
DATE = "yyyy-mm-dd"

# What a spreadsheet reads as the start of a formula (or, for tab and CR, of a new cell
# when the value is later exported to CSV): such text is stored quote-prefixed.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
_LABEL_FONT = Font(bold=True)
_SECTION_FONT = Font(bold=True, size=12, color="1F4E79")
_TOP = Alignment(vertical="top")
_MIN_WIDTH = 8
_MAX_WIDTH = 60

Row = TypeVar("Row")
Value = str | float | int | bool | date | None


@dataclass(frozen=True)
class Column(Generic[Row]):
    """One column of a table sheet: its header, where its value comes from, how it looks."""

    header: str
    value: Callable[[Row], Any]
    number_format: str | None = None


def write_results_workbook(results: Results, path: Path) -> None:
    """Write the inputs as read and every computed figure to an .xlsx file, atomically."""
    write_bytes_atomic(path, results_workbook_bytes(results))


def results_workbook_bytes(results: Results) -> bytes:
    """The results workbook as the bytes of an .xlsx file."""
    buffer = io.BytesIO()
    build_results_workbook(results).save(buffer)
    return buffer.getvalue()


def build_results_workbook(results: Results) -> Workbook:
    """The workbook in memory: a summary, the figures sheet by sheet, and the inputs as read."""
    workbook = Workbook()
    plan = results.headline_plan
    _summary_sheet(workbook.active, results)
    words = Words(results, display(results))
    _table_sheet(workbook, "Plans", results.plans, _plan_columns(results))
    _table_sheet(workbook, "Tiers", results.tiers, _tier_columns(words))
    _sizing_sheet(
        workbook.create_sheet("Sizing"), plan.deployments + results.unused_deployments, words
    )
    _table_sheet(workbook, "Horizon", plan.horizon.months, _horizon_columns(plan))
    _table_sheet(workbook, "Crossover curve", plan.crossover.curve, _CURVE_COLUMNS)
    _table_sheet(workbook, "Sensitivity", plan.sensitivity, _sensitivity_columns(words))
    _simulation_sheet(workbook.create_sheet("Simulation"), results, words)
    _inputs_sheets(workbook, results)
    return workbook


# -- cells -------------------------------------------------------------------------------


def put(
    sheet: Worksheet, row: int, column: int, value: Any, number_format: str | None = None
) -> None:
    """Write one value: text never becomes a formula, lists become text, dates stay dates."""
    cell = sheet.cell(row=row, column=column)
    plain = _plain(value)
    if isinstance(plain, str):
        cell.value = plain
        # openpyxl stores text starting with '=' as a formula unless told it is text.
        cell.data_type = "s"
        cell.quotePrefix = plain.startswith(FORMULA_TRIGGERS)
    else:
        cell.value = plain
    if isinstance(plain, date):
        cell.number_format = DATE
    elif (
        number_format is not None and isinstance(plain, int | float) and not isinstance(plain, bool)
    ):
        cell.number_format = number_format
    cell.alignment = _TOP


def _plain(value: Any) -> Value:
    if value is None or isinstance(value, bool | int | date):
        return value
    if isinstance(value, float):
        # A non-finite figure must show, not turn into a blank cell (openpyxl writes "").
        return value if math.isfinite(value) else str(value)
    if isinstance(value, list | tuple):
        return _text(", ".join(str(item) for item in value))
    return _text(str(value))


def _text(text: str) -> str:
    # XML 1.0 cannot hold most control characters; keep the text, mark where they were.
    return str(ILLEGAL_CHARACTERS_RE.sub("\ufffd", text))


def _header(sheet: Worksheet, row: int, column: int, text: str) -> None:
    put(sheet, row, column, text)
    cell = sheet.cell(row=row, column=column)
    cell.font = _HEADER_FONT
    cell.fill = _HEADER_FILL
    cell.alignment = Alignment(vertical="top", wrap_text=True)


def _fit_widths(sheet: Worksheet) -> None:
    widths: dict[int, int] = {}
    for row in sheet.iter_rows():
        for cell in row:
            if cell.value is None:
                continue
            widths[cell.column] = max(widths.get(cell.column, 0), _shown_width(cell.value))
    for column, width in widths.items():
        letter = get_column_letter(column)
        sheet.column_dimensions[letter].width = min(_MAX_WIDTH, max(_MIN_WIDTH, width + 2))


def _shown_width(value: Any) -> int:
    if isinstance(value, bool):
        return 5
    if isinstance(value, int | float):
        return len(f"{value:,.2f}") + 1
    if isinstance(value, date):
        return 10
    return max((len(line) for line in str(value).splitlines()), default=0)


# -- table sheets ------------------------------------------------------------------------


def _table_sheet(
    workbook: Workbook, title: str, rows: Sequence[Row], columns: Sequence[Column[Row]]
) -> Worksheet:
    sheet = workbook.create_sheet(title)
    for c, column in enumerate(columns, start=1):
        _header(sheet, 1, c, column.header)
    for r, item in enumerate(rows, start=2):
        for c, column in enumerate(columns, start=1):
            put(sheet, r, c, column.value(item), column.number_format)
    sheet.freeze_panes = "A2"
    last = get_column_letter(len(columns))
    sheet.auto_filter.ref = f"A1:{last}{max(1, len(rows)) + 1}"
    _fit_widths(sheet)
    return sheet


def _plan_columns(results: Results) -> list[Column[Plan]]:
    """The plans compared (economics §7a), as the report's Options compared table, with each
    plan's monthly cost by kind."""
    return [
        Column("Plan", lambda p: plan_name(results, p)),
        Column("Recommended", lambda p: p.key == results.headline.plan),
        Column("Allowed", lambda p: p.allowed),
        Column("Routes", lambda p: plan_routes(p, results)),
        Column("API (USD/month)", lambda p: p.api_month_usd, USD),
        Column("GPUs (USD/month)", lambda p: p.gpu_month_usd, USD),
        Column("Infrastructure overhead (USD/month)", lambda p: p.overhead_month_usd, USD),
        Column("Operations (USD/month)", lambda p: p.ops_month_usd, USD),
        Column("Today (USD/month)", lambda p: p.monthly_cost_usd, USD),
        Column("Over the horizon (USD)", lambda p: p.horizon_cost_usd, USD),
        Column("Savings (USD/month)", lambda p: p.monthly_savings_usd, USD),
        Column("Payback (weeks)", lambda p: p.payback_weeks, DECIMAL),
        Column("GPUs billed", lambda p: p.billed_gpus, THOUSANDS),
        Column("Proven best", lambda p: p.proven),
    ]


def _tier_columns(words: Words) -> list[Column[TierResult]]:
    """The tiers as routed: a tier split by difficulty as its two parts, each named."""
    return [
        Column("Tier", lambda t: words.tier(t.tier)),
        Column(
            "Share of its tier", lambda t: t.part.share_of_tier_pct if t.part else 100.0, POINTS_PCT
        ),
        *_TIER_COLUMNS,
    ]


_TIER_COLUMNS: list[Column[TierResult]] = [
    Column("Share of volume", lambda t: t.share_pct, POINTS_PCT),
    Column("API model", lambda t: t.api_model),
    Column("API mode", lambda t: t.api_mode),
    Column("Route", lambda t: t.route),
    Column("Deployment", lambda t: t.deployment),
    Column("Input (Mtok/day)", lambda t: t.input_mtok_per_day, MTOK),
    Column("Output (Mtok/day)", lambda t: t.output_mtok_per_day, MTOK),
    Column("Input price (USD/Mtok)", lambda t: t.prices.input_per_mtok, USD_PER_MTOK),
    Column("Cached input price (USD/Mtok)", lambda t: t.prices.cached_input_per_mtok, USD_PER_MTOK),
    Column("Output price (USD/Mtok)", lambda t: t.prices.output_per_mtok, USD_PER_MTOK),
    Column("Price source", lambda t: t.prices.source),
    Column("Price reference", lambda t: t.prices.reference),
    Column("API cost (USD/month)", lambda t: t.api_month_usd, USD),
    Column("API cost without cache (USD/month)", lambda t: t.api_month_without_cache_usd, USD),
    Column(
        "API cost at realtime prices (USD/month)",
        lambda t: t.api_month_at_realtime_price_usd,
        USD,
    ),
    Column("Blended API price (USD/Mtok)", lambda t: t.blended_price_per_mtok_usd, USD_PER_MTOK),
]

_CURVE_COLUMNS: list[Column[CostCurvePoint]] = [
    Column("Total volume (Mtok/day)", lambda p: p.mtok_per_day, MTOK),
    Column("API only (USD/month)", lambda p: p.api_only_usd, USD),
    Column("Recommended plan (USD/month)", lambda p: p.plan_usd, USD),
]


def _sensitivity_columns(words: Words) -> list[Column[SensitivityBar]]:
    return [
        Column("Driver", lambda b: DRIVER_LABELS[b.driver]),
        Column("Low end", lambda b: words.sensitivity_end(b, "low")),
        Column("High end", lambda b: words.sensitivity_end(b, "high")),
        Column("Monthly savings at the low end (USD)", lambda b: b.monthly_savings_usd_low, USD),
        Column("Monthly savings at the high end (USD)", lambda b: b.monthly_savings_usd_high, USD),
        Column("Payback at the low end (weeks)", lambda b: _or_never(b.payback_weeks_low), DECIMAL),
        Column(
            "Payback at the high end (weeks)", lambda b: _or_never(b.payback_weeks_high), DECIMAL
        ),
        Column("Swing (USD/month)", lambda b: b.swing, USD),
    ]


def _or_never(weeks: float | None) -> float | str:
    return "never" if weeks is None else weeks


def _simulation_sheet(sheet: Worksheet, results: Results, words: Words) -> None:
    """The headline plan's simulation, or why it has none."""
    for c, text in enumerate(("Figure", "Value", "Unit"), start=1):
        _header(sheet, 1, c, text)
    sheet.freeze_panes = "A2"
    simulation = results.headline_plan.monte_carlo
    if simulation is None:
        why = (
            "No uncertainty range was given, so there is no simulation."
            if not results.scenario.uncertainty.ranges
            else "The recommended plan self-hosts nothing: it costs what the API costs in "
            "every future, so there is nothing to simulate."
        )
        put(sheet, 2, 1, why)
        _fit_widths(sheet)
        return
    m = simulation
    rows: list[SummaryRow] = [
        ("In one sentence", words.confidence(), "", None),
        (
            "Chance the recommended plan costs less over the horizon",
            m.probability_plan_cheaper,
            "",
            FRACTION_PCT,
        ),
        ("Monthly savings, 10th percentile", m.monthly_savings_usd_p10, "USD per month", USD),
        ("Monthly savings, median", m.monthly_savings_usd_p50, "USD per month", USD),
        ("Monthly savings, 90th percentile", m.monthly_savings_usd_p90, "USD per month", USD),
        _or_text(
            "Payback, quick end (10th percentile)", m.payback_weeks_p10, "weeks", DECIMAL, "never"
        ),
        _or_text("Payback, median", m.payback_weeks_p50, "weeks", DECIMAL, "never"),
        _or_text(
            "Payback, slow end (90th percentile)", m.payback_weeks_p90, "weeks", DECIMAL, "never"
        ),
        ("Savings over the horizon, 10th percentile", m.cumulative_savings_usd_p10, "USD", USD),
        ("Savings over the horizon, median", m.cumulative_savings_usd_p50, "USD", USD),
        ("Savings over the horizon, 90th percentile", m.cumulative_savings_usd_p90, "USD", USD),
        ("Uncertain inputs drawn", m.uncertain, "", None),
        ("Distribution", m.distribution, "", None),
        ("Simulated futures", m.draws, "draws", THOUSANDS),
        ("Random seed", m.seed, "", None),
    ]
    row = 2
    for label, value, unit, number_format in rows:
        put(sheet, row, 1, label)
        sheet.cell(row=row, column=1).font = _LABEL_FONT
        put(sheet, row, 2, value, number_format)
        put(sheet, row, 3, unit)
        row += 1
    row += 1
    for c, text in enumerate(("Monthly savings from (USD)", "Up to (USD)", "Draws"), start=1):
        _header(sheet, row, c, text)
    edges = m.histogram.edges_usd
    for low, high, count in zip(edges, edges[1:], m.histogram.counts, strict=False):
        row += 1
        put(sheet, row, 1, low, USD)
        put(sheet, row, 2, high, USD)
        put(sheet, row, 3, count, THOUSANDS)
    _fit_widths(sheet)


def _horizon_columns(plan: Plan) -> list[Column[HorizonMonth]]:
    columns: list[Column[HorizonMonth]] = [
        Column("Month (1 = setup)", lambda m: m.month + 1, THOUSANDS),
        Column("Volume factor", lambda m: m.volume_factor, FACTOR),
        Column("Total volume (Mtok/day)", lambda m: m.total_mtok_per_day, MTOK),
        Column("API only (USD)", lambda m: m.api_only_usd, USD),
        Column("Recommended plan incl. setup (USD)", lambda m: m.plan_usd, USD),
        Column("Cumulative API only (USD)", lambda m: m.cumulative_api_only_usd, USD),
        Column("Cumulative recommended plan (USD)", lambda m: m.cumulative_plan_usd, USD),
    ]
    for name in _replica_columns(plan):
        columns.append(Column(f"Replicas: {name}", _replicas_of(name), THOUSANDS))
    return columns


def _replica_columns(plan: Plan) -> list[str]:
    seen = {name for month in plan.horizon.months for name in month.replicas}
    ordered = [d.deployment for d in plan.deployments if d.deployment in seen]
    return ordered + sorted(seen - set(ordered))


def _replicas_of(name: str) -> Callable[[HorizonMonth], int | None]:
    return lambda month: month.replicas.get(name)


# -- sizing: one column per deployment ---------------------------------------------------

TIERS_ROUTED_HERE = "Tiers routed here"
"""Named at the edge (a tier split by difficulty as its parts), so written by _sizing_sheet."""

_SIZING_ROWS: list[Column[DeploymentResult]] = [
    Column("Model", lambda d: d.model),
    Column("Model name", lambda d: d.model_name),
    Column("Precision", lambda d: d.precision),
    Column("GPU", lambda d: d.gpu),
    Column("GPU name", lambda d: d.gpu_name),
    Column("Price plan", lambda d: d.price_plan),
    Column("Instance", lambda d: d.instance),
    Column(TIERS_ROUTED_HERE, lambda d: d.tiers),
    Column("Routed", lambda d: d.routed),
    Column("Weights (GB)", lambda d: d.weight_gb, DECIMAL),
    Column("VRAM per GPU (GB)", lambda d: d.vram_gb, DECIMAL),
    Column("GPUs per replica", lambda d: d.gpus_per_replica, THOUSANDS),
    Column("GPUs per replica from", lambda d: Words.replica_size_source(d)),
    Column("Weights / replica VRAM", lambda d: d.memory_fit_ratio, FRACTION_PCT),
    Column("Memory fit", lambda d: d.memory_fit),
    Column("Prefill rate per GPU (tokens/s)", lambda d: d.rates.prefill_tps_per_gpu, THOUSANDS),
    Column("Decode rate per GPU (tokens/s)", lambda d: d.rates.decode_tps_per_gpu, THOUSANDS),
    Column("Blended rate per GPU (tokens/s)", lambda d: d.rates.tps_per_gpu, THOUSANDS),
    Column("Rate kind", lambda d: d.rates.kind),
    Column("Rate source", lambda d: d.rates.source),
    Column("Rate as of", lambda d: d.rates.as_of),
    Column("Requests decoded at once", lambda d: d.rates.batch, THOUSANDS),
    Column("Batch capped by", lambda d: d.rates.batch_limited_by),
    Column("Time per output token (ms)", lambda d: d.rates.tpot_ms, THOUSANDS),
    Column(
        "Rate error, left-out median (×)",
        lambda d: d.rates.error.left_out_median_error_factor if d.rates.error else None,
    ),
    Column(
        "Rate error, left-out worst (×)",
        lambda d: d.rates.error.left_out_worst_error_factor if d.rates.error else None,
    ),
    Column("Input (Mtok/day)", lambda d: d.input_mtok_per_day, MTOK),
    Column("Output (Mtok/day)", lambda d: d.output_mtok_per_day, MTOK),
    Column("Realtime share", lambda d: d.realtime_share, FRACTION_PCT),
    Column(
        "Rate per replica at this mix (tokens/s)", lambda d: d.effective_tps_per_replica, THOUSANDS
    ),
    Column("Average demand (tokens/s)", lambda d: d.demand_avg_tps, THOUSANDS),
    Column("Peak demand (tokens/s)", lambda d: d.demand_peak_tps, THOUSANDS),
    Column("Target peak utilisation", lambda d: d.target_peak_utilisation, FRACTION_PCT),
    Column("Replicas (incl. redundancy)", lambda d: d.replicas, THOUSANDS),
    Column("Redundancy", lambda d: d.redundancy, THOUSANDS),
    Column("GPUs", lambda d: d.gpus, THOUSANDS),
    Column("GPUs per instance", lambda d: d.gpus_per_instance, THOUSANDS),
    Column("Instances", lambda d: d.instances, THOUSANDS),
    Column("GPUs billed", lambda d: d.billed_gpus, THOUSANDS),
    Column("GPU-hour price (USD)", lambda d: d.gpu_hour_price_usd, USD_PER_HOUR),
    Column("GPU-hour price from", gpu_price_from),
    Column("Average utilisation", lambda d: d.average_utilisation, FRACTION_PCT),
    Column("Utilisation ceiling", lambda d: d.utilisation_ceiling, FRACTION_PCT),
    Column("GPUs (USD/month)", lambda d: d.gpu_month_usd, USD),
    Column("Infrastructure overhead (USD/month)", lambda d: d.overhead_month_usd, USD),
    Column("Share of operations (USD/month)", lambda d: d.ops_share_month_usd, USD),
    Column("GPU cost (USD/Mtok)", lambda d: d.gpu_cost_per_mtok_usd, USD_PER_MTOK),
    Column("All-in cost (USD/Mtok)", lambda d: d.all_in_cost_per_mtok_usd, USD_PER_MTOK),
    Column(
        "Blended API price replaced (USD/Mtok)",
        lambda d: d.blended_api_price_per_mtok_usd,
        USD_PER_MTOK,
    ),
    Column("Break-even utilisation", lambda d: d.break_even_utilisation, FRACTION_PCT),
]


def _sizing_sheet(sheet: Worksheet, deployments: list[DeploymentResult], words: Words) -> None:
    # Dozens of figures for a handful of deployments read better down than across.
    _header(sheet, 1, 1, "Deployment")
    for c, deployment in enumerate(deployments, start=2):
        _header(sheet, 1, c, deployment.deployment)
    if not deployments:
        put(sheet, 1, 2, "no self-hosted deployment in this scenario")
    for r, row in enumerate(_SIZING_ROWS, start=2):
        put(sheet, r, 1, row.header)
        sheet.cell(row=r, column=1).font = _LABEL_FONT
        for c, deployment in enumerate(deployments, start=2):
            value = row.value(deployment)
            if row.header == TIERS_ROUTED_HERE:
                value = ", ".join(words.tiers(deployment.tiers))
            put(sheet, r, c, value, row.number_format)
    sheet.freeze_panes = "B2"
    _fit_widths(sheet)


# -- summary -----------------------------------------------------------------------------


def _summary_sheet(sheet: Worksheet, results: Results) -> None:
    sheet.title = "Summary"
    currency = results.display_currency
    in_usd = currency != "USD"
    headers = ("Figure", "Value", "Unit") + (("In US dollars",) if in_usd else ())
    for c, text in enumerate(headers, start=1):
        _header(sheet, 1, c, text)
    shown = _money_format(currency, display(results).locale)
    row = 2
    for label, value, unit, number_format in _summary_rows(results):
        put(sheet, row, 1, label)
        sheet.cell(row=row, column=1).font = _LABEL_FONT
        if number_format == USD and isinstance(value, float) and in_usd:
            # The client reads their own currency; the engine's US dollars stay beside it.
            put(sheet, row, 2, value * results.usd_fx_rate, shown)
            put(sheet, row, 3, unit.replace("USD", currency))
            put(sheet, row, 4, value, USD)
        else:
            put(sheet, row, 2, value, number_format)
            put(sheet, row, 3, unit)
        row += 1
    notes = blocks(results.scenario.client.notes)
    if notes:
        row += 1
        put(sheet, row, 1, "Our view")
        sheet.cell(row=row, column=1).font = _SECTION_FONT
        for line in _note_rows(notes):
            row += 1
            put(sheet, row, 1, line)
    words = Words(results, display(results))
    for title, lines in (
        ("Risks of the recommended plan", [words.risk(r) for r in words.summary_risks()]),
        ("Warnings", [str(warning) for warning in results.warnings]),
    ):
        row += 1
        put(sheet, row, 1, title)
        sheet.cell(row=row, column=1).font = _SECTION_FONT
        for line in lines or ["none"]:
            row += 1
            put(sheet, row, 1, line)
    sheet.freeze_panes = "A2"
    _fit_widths(sheet)


def _note_rows(notes: list[Block]) -> list[str]:
    """A row per paragraph and per point: a spreadsheet shows a cell's line breaks only when wrapped."""
    rows: list[str] = []
    for block in notes:
        if isinstance(block, Bullets):
            rows += [f"• {item}" for item in block.items]
        else:
            rows.append(" ".join(block.lines))
    return rows


SummaryRow = tuple[str, Any, str, str | None]


def _summary_rows(results: Results) -> list[SummaryRow]:
    client = results.scenario.client
    plan, proposal = results.headline_plan, results.proposal
    headline = results.headline
    calibration = results.calibration
    words = Words(results, display(results))
    rows: list[SummaryRow] = [
        ("Client", client.client_name, "", None),
        ("Report date", client.report_date, "", None),
        ("Prepared by", client.prepared_by, "", None),
        ("Recommendation", verdict(results), "", None),
        ("Recommended plan", plan_name(results, plan), "", None),
        ("Why", words.reason(), "", None),
        ("Against your proposal", words.proposal_comparison() or "it is your proposal", "", None),
        ("Compliance flags", headline.compliance_flags or "none", "", None),
        ("Compliance premium", plan.compliance_premium_month_usd, "USD per month", USD),
        ("API only, per month", results.api_only.monthly_cost_usd, "USD per month", USD),
        ("Recommended plan, per month", plan.monthly_cost_usd, "USD per month", USD),
        ("Your proposal, per month", proposal.monthly_cost_usd, "USD per month", USD),
        ("Monthly savings", plan.monthly_savings_usd, "USD per month", USD),
        (
            "Monthly savings if your bill is right",
            plan.monthly_savings_at_client_bill_usd,
            "USD per month",
            USD,
        ),
        ("Setup cost", plan.setup_cost_usd, "USD", USD),
        _or_text("Payback", plan.payback_weeks, "weeks", DECIMAL, payback_text(plan.payback_weeks)),
        ("Today's volume", results.total_mtok_per_day, "Mtok/day", MTOK),
        _or_text(
            "Crossover volume",
            plan.crossover.crossover_mtok_per_day,
            "Mtok/day",
            MTOK,
            crossover_text(results),
        ),
        ("Horizon", len(plan.horizon.months), "months", THOUSANDS),
        _or_text(
            "Payback month in the horizon",
            None if plan.horizon.payback_month is None else plan.horizon.payback_month + 1,
            "month (1 = setup)",
            THOUSANDS,
            "not within the horizon",
        ),
        (
            "Cumulative API only over the horizon",
            plan.horizon.cumulative_api_only_usd,
            "USD",
            USD,
        ),
        (
            "Cumulative recommended plan over the horizon",
            plan.horizon.cumulative_plan_usd,
            "USD",
            USD,
        ),
        (
            "API cost priced from the catalogue",
            calibration.catalogue_api_month_usd,
            "USD per month",
            USD,
        ),
        ("Client's current API bill", calibration.client_bill_usd, "USD per month", USD),
        (
            "Catalogue price vs the client's bill",
            calibration.difference_pct,
            "% difference",
            POINTS_PCT,
        ),
        ("Display currency", results.display_currency, "", None),
        ("Display currency per USD", results.usd_fx_rate, "", "0.0000"),
        ("Hours per month", results.hours_per_month, "hours", DECIMAL),
        ("Days per month", results.days_per_month, "days", DECIMAL),
    ]
    rows += [
        (f"Version of {name}", version, "", None)
        for name, version in results.catalogue_versions.items()
    ]
    return rows


def _money_format(currency: str, locale: str) -> str:
    """An Excel number format with the currency's symbol: '"€"#,##0.00'."""
    symbol = get_currency_symbol(currency, locale=locale).replace('"', "")
    return f'"{symbol}"#,##0.00'


def _or_text(
    label: str, value: float | None, unit: str, number_format: str, text: str
) -> SummaryRow:
    """A figure that may not exist ('never'): the number when it does, the words when not."""
    if value is None:
        return (label, text, "", None)
    return (label, value, unit, number_format)


# -- inputs as read ----------------------------------------------------------------------


def _inputs_sheets(workbook: Workbook, results: Results) -> None:
    scenario = results.scenario
    sheet = workbook.create_sheet("Inputs")
    for c, text in enumerate(("Section", "Field", "Value", "What it is"), start=1):
        _header(sheet, 1, c, text)
    row = 2
    for section_name, section in scenario:
        if not isinstance(section, BaseModel):
            continue
        for field_name, value in _flat_fields(section):
            put(sheet, row, 1, section_name)
            put(sheet, row, 2, field_name)
            put(sheet, row, 3, value)
            put(sheet, row, 4, _description(section, field_name.split(".")[0]))
            row += 1
    sheet.freeze_panes = "A2"
    _fit_widths(sheet)
    for section_name, items in scenario:
        if isinstance(items, list):
            _input_list_sheet(workbook, section_name, scenario, items)


def _input_list_sheet(
    workbook: Workbook, section_name: str, scenario: BaseModel, items: list[BaseModel]
) -> None:
    item_type = _list_item_type(scenario, section_name)
    columns: list[Column[BaseModel]] = [
        Column(name, _attribute(name)) for name in item_type.model_fields
    ]
    title = "Input " + section_name.replace("_", " ")
    _table_sheet(workbook, title, items, columns)


def _flat_fields(model: BaseModel) -> list[tuple[str, Any]]:
    """A section's fields; a nested one (an uncertainty range) as 'field.low', 'field.likely', …"""
    flat: list[tuple[str, Any]] = []
    for name, value in model:
        if isinstance(value, BaseModel):
            flat += [(f"{name}.{sub}", sub_value) for sub, sub_value in _flat_fields(value)]
        else:
            flat.append((name, value))
    return flat


def _list_item_type(scenario: BaseModel, section_name: str) -> type[BaseModel]:
    annotation = type(scenario).model_fields[section_name].annotation
    (item_type,) = getattr(annotation, "__args__", (None,))
    if not (isinstance(item_type, type) and issubclass(item_type, BaseModel)):
        raise TypeError(f"scenario section {section_name} is not a list of models")
    return item_type


def _attribute(name: str) -> Callable[[BaseModel], Any]:
    return lambda item: getattr(item, name)


def _description(section: BaseModel, field_name: str) -> str:
    text = type(section).model_fields[field_name].description or ""
    return re.sub(r"\s+", " ", text).strip()
