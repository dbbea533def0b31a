"""Results and catalogue listings as readable tables in the terminal (rich)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from crossover import formatting
from crossover.engine.results import RateEstimate, Results
from crossover.formatting import Display, display_for
from crossover.inert import cut_long_values, visible
from crossover.scenario import Scenario
from crossover.summary import (
    VERDICTS,
    display,
    key_figures,
    money,
    payback_text,
    plan_name,
    plan_routes,
    price,
)
from crossover.wording import Words

if TYPE_CHECKING:
    from crossover.diff import ScenarioDiff


def _console() -> Console:
    # Piped output (a file, a pager, CI logs) gets a wide page rather than rich's 80 columns.
    return Console(highlight=False, width=None if sys.stdout.isatty() else 160)


def safe(text: str) -> str:
    """Client text for rich markup: shown as typed, its markup and control characters inert."""
    return escape(cut_long_values(visible(text)))


def print_table(title: str, headers: list[str], rows: list[list[str]]) -> None:
    table = Table(title=title, title_justify="left")
    for header in headers:
        table.add_column(header, overflow="fold")
    for row in rows:
        table.add_row(*row)
    _console().print(table)


CATALOGUE_WIDTH = 100
"""Catalogue tables fit this many columns."""
_LONG_COLUMNS = ("Source", "Basis", "Name", "Same model on APIs", "Reference instance")
"""Left out of the terminal table to fit; --json and --csv carry them."""


def print_catalogue(title: str, headers: list[str], rows: list[list[str]]) -> None:
    """A catalogue table in at most 100 columns: the long text columns left to --json/--csv."""
    keep = [i for i, h in enumerate(headers) if h not in _LONG_COLUMNS]
    table = Table(title=title, title_justify="left")
    for i in keep:
        # Ids are looked up whole: the first column never wraps, the figures fold instead.
        table.add_column(headers[i], overflow="fold", no_wrap=i == 0 or "een" in headers[i])
    for row in rows:
        table.add_row(*(row[i] for i in keep))
    console = Console(highlight=False, width=min(_console().width, CATALOGUE_WIDTH))
    console.print(table)
    if len(keep) < len(headers):
        console.print("Sources and long text: add --json or --csv.")


def print_results(results: Results) -> None:
    """The headline plan's figures, the plans compared, its sizing, its risks and the warnings."""
    console = _console()
    words = Words(results, display(results))
    figures = Table(show_header=False, title="Key figures", title_justify="left")
    figures.add_column(style="bold")
    figures.add_column(justify="right")
    for label, value in key_figures(results):
        figures.add_row(label, safe(value))
    console.print(figures)
    for sentence in (words.bill_caveat(), words.proposal_comparison()):
        if sentence is not None:
            console.print(safe(sentence), soft_wrap=True)
    console.print(plans_table(results))

    plan = results.headline_plan
    for d in [*plan.deployments, *results.unused_deployments]:
        sizing = Table(
            show_header=False,
            title=f"Deployment {safe(d.deployment)} ({'sized for the recommended plan' if d.routed else 'option, no tier routed'})",
            title_justify="left",
        )
        sizing.add_column(style="bold")
        sizing.add_column(justify="right")
        rows = [
            ("Model", f"{d.model_name}, {d.precision}"),
            ("GPU", f"{d.gpu_name} via {d.instance}, {d.price_plan}"),
            (
                "GPUs per replica",
                f"{d.gpus_per_replica} ({Words.replica_size_source(d)}, "
                f"weights fill {d.memory_fit_ratio:.0%})",
            ),
            ("Rate per replica", f"{d.effective_tps_per_replica:,.0f} tokens/s ({d.rates.kind})"),
        ]
        if d.routed and d.average_utilisation is not None:
            rows += [
                (
                    "Replicas",
                    f"{d.replicas} (incl. {d.redundancy} spare), {d.billed_gpus} GPUs billed",
                ),
                (
                    "Average utilisation",
                    f"{d.average_utilisation:.1%} (ceiling {d.utilisation_ceiling:.1%})",
                ),
                ("GPU cost per month", money(results, d.gpu_month_usd)),
                ("GPU cost per Mtok", price(results, d.gpu_cost_per_mtok_usd)),
            ]
        if d.break_even_utilisation is not None:
            rows.append(("Break-even utilisation", f"{d.break_even_utilisation:.1%}"))
        for label, value in rows:
            sizing.add_row(label, safe(value))
        console.print(sizing)

    console.print(f"[bold]Why:[/bold] {safe(words.reason())}")
    for risk in words.summary_risks():
        console.print(f"  [yellow]risk[/yellow] {safe(words.risk(risk))}")
    for warning in results.warnings:
        console.print(f"  [yellow]warning[/yellow] {safe(str(warning))}")


def plans_table(results: Results) -> Table:
    """The plans compared (economics §7a): cost today and over the horizon, savings, GPUs."""
    search = results.plan_search
    if search.exhaustive:
        how = f"every one of {search.routings:,} routings tried"
    elif search.proven:
        how = (
            f"the best of {search.routings:,} routings, proven by branch and bound "
            f"({search.evaluated:,} priced)"
        )
    else:
        how = (
            f"best found among {search.routings:,} routings ({search.evaluated:,} priced), at "
            f"most {money(results, search.gap_usd)} above the best possible"
        )
    horizon = results.scenario.operations.horizon_months
    table = Table(title=f"Plans compared ({how})", title_justify="left")
    for header in (
        "Plan",
        "Routes",
        "Today / month",
        f"Over {horizon} months",
        "Savings / month",
        "Payback",
        "GPUs billed",
    ):
        table.add_column(header, justify="left" if header in ("Plan", "Routes") else "right")
    for plan in results.plans:
        recommended = plan.key == results.headline.plan
        table.add_row(
            escape(plan_name(results, plan) + (" ★ recommended" if recommended else "")),
            escape(plan_routes(plan, results)),
            money(results, plan.monthly_cost_usd),
            money(results, plan.horizon_cost_usd),
            money(results, plan.monthly_savings_usd),
            payback_text(plan.payback_weeks) if plan.self_hosts else "—",
            f"{plan.billed_gpus:,}",
        )
    return table


def print_scenario_summary(file: Path, scenario: Scenario, warnings: list[str]) -> None:
    """What `validate` read: enough to see that the workbook says what the client meant."""
    console = _console()
    w = scenario.workload
    lines = [
        f"{file}: ready.",
        f"  Client: {scenario.client.client_name} ({scenario.client.report_date.isoformat()})",
        f"  Volume: {w.input_mtok_per_day:,.6g} Mtok/day in, {w.output_mtok_per_day:,.6g} Mtok/day "
        f"out, peak {w.peak_to_average:g} × average",
    ]
    for tier in scenario.tiers:
        where = f"self-hosted on {tier.deployment}" if tier.route == "self_host" else "API"
        volume = (
            f"{tier.input_mtok_per_day or 0:,.6g} + {tier.output_mtok_per_day or 0:,.6g} Mtok/day"
            if tier.gives_volume
            else f"{tier.share_pct or 0:g}%"
        )
        split = (
            f"; the easier {tier.small_model_share_pct:g}% may go to a smaller model"
            if tier.small_model_share_pct is not None
            else ""
        )
        lines.append(
            f"  Tier {tier.tier}: {volume} on {tier.api_model} ({tier.api_mode}) → {where}{split}"
        )
    lines += [f"  Warning: {warning}" for warning in warnings]
    for line in lines:
        console.print(visible(line), markup=False, soft_wrap=True)


def print_estimate(figures: RateEstimate) -> None:
    """`crossover estimate`: the rates, the batch and what capped it, the latency, the error."""
    table = Table(show_header=False, title="Serving-rate estimate", title_justify="left")
    table.add_column(style="bold")
    table.add_column(justify="right")
    error = figures.calibration
    target = f"{figures.tpot_target_ms:g} ms" if figures.tpot_target_ms else "none (offline)"
    rows = [
        (
            "Replica",
            f"{figures.model} {figures.precision} on {figures.gpus} × {figures.gpu}, "
            f"{figures.engine}, KV {figures.kv_precision}",
        ),
        ("Request", f"{figures.input_tokens:,.0f} in / {figures.output_tokens:,.0f} out tokens"),
        ("Latency promised", target),
        ("Output tokens/s per GPU", f"{figures.output_tps_per_gpu:,.0f}"),
        ("Prefill (input) tokens/s", f"{figures.prefill_tps:,.0f} per replica"),
        ("Decode (output) tokens/s", f"{figures.decode_tps:,.0f} per replica"),
        ("Batch", f"{figures.batch:,} sequences, capped by {figures.batch_limited_by}"),
        ("Time per output token", f"{figures.tpot_ms:.1f} ms"),
        ("Time to first token", f"{figures.ttft_s * 1000:,.0f} ms (no queueing)"),
        ("KV cache", f"{figures.kv_cache_gb:,.1f} GB"),
        (
            "Calibration error",
            f"±{error.median_error_factor - 1:.0%} median, ±{error.worst_error_factor - 1:.0%} "
            f"worst over {error.measurements} {figures.engine} runs; left out of the fit "
            f"±{error.left_out_median_error_factor - 1:.0%} median, "
            f"±{error.left_out_worst_error_factor - 1:.0%} worst",
        ),
        (
            "Error band (held out)",
            f"within ×{error.band_factor:.2f} either way for 80% of {error.band_rows} published "
            f"runs predicted with their whole source left out ({Words.band_basis(error)})"
            if error.band_factor
            else "none",
        ),
        (
            "Published runs alike",
            f"{error.measured_alike} on {figures.gpu} at {figures.precision}"
            if error.measured_alike
            else f"none on {figures.gpu} at {figures.precision}: extrapolated",
        ),
    ]
    for label, value in rows:
        table.add_row(label, value)
    _console().print(table)


def print_diff(diff: ScenarioDiff, currency: str, usd_fx_rate: float) -> None:
    """The changed inputs, the key figures before and after, and the savings waterfall."""
    console = _console()
    shown = display_for(currency, usd_fx_rate)
    changes = Table(title="Inputs that changed", title_justify="left")
    for header in ("Input", "Old", "New"):
        changes.add_column(header, overflow="fold")
    for change in diff.changes:
        changes.add_row(safe(change.field), safe(_value(change.old)), safe(_value(change.new)))
    console.print(changes)
    figures = Table(title="Key figures", title_justify="left")
    for header in ("Figure", "Old", "New"):
        figures.add_column(header, justify="left" if header == "Figure" else "right")
    for figure in diff.figures:
        show = _figure_format(figure.figure)
        figures.add_row(figure.figure, show(figure.old, shown), show(figure.new, shown))
    console.print(figures)
    if diff.headline_changed:
        console.print(
            f"The recommended plan changed: {VERDICTS[diff.verdict_old]} → "
            f"{VERDICTS[diff.verdict_new]}; each version's figures are its own recommended plan's."
        )
    steps = Table(
        title="What moved the recommended plan's monthly savings (one change at a time)",
        title_justify="left",
    )
    steps.add_column("Change", overflow="fold")
    steps.add_column("Monthly savings", justify="right")
    for step in diff.attribution:
        steps.add_row(safe(step.field), formatting.money(step.monthly_savings_usd_delta, shown))
    console.print(steps)


def _value(value: object) -> str:
    return "—" if value is None else str(value)


def _figure_format(name: str) -> Callable[[float | None, Display], str]:
    def money(value: float | None, shown: Display) -> str:
        return "—" if value is None else formatting.money(value, shown)

    def weeks(value: float | None, shown: Display) -> str:
        return formatting.weeks(value, shown)

    def volume(value: float | None, shown: Display) -> str:
        return "never" if value is None else f"{formatting.mtok(value, shown)}/day"

    if name == "payback_weeks":
        return weeks
    if name == "crossover_mtok_per_day":
        return volume
    return money
