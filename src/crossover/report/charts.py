"""The report's charts as SVG: crossover, utilisation, payback, sensitivity, simulated savings.

Each chart draws figures the engine computed (curves, volumes, utilisations, months) and
marks them; it computes none. Lines differ by style and marker as well as colour, and carry
direct labels, so a black-and-white print reads the same. Output bytes are deterministic.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any

import matplotlib
from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import (
    FuncFormatter,
    LogLocator,
    MaxNLocator,
    MultipleLocator,
    PercentFormatter,
)
from matplotlib.typing import RcKeyType

from crossover.engine.results import MonteCarlo, Plan, Results, UtilisationCurve
from crossover.formatting import (
    Display,
    axis_money,
    integer,
    month,
    mtok,
    percent,
    to_display,
)
from crossover.report.brand import Brand
from crossover.wording import DRIVER_LABELS

WIDTH_IN = 6.7  # the PDF's text width, so 1 pt in the chart is 1 pt on paper
HEIGHT_IN = 3.1
FONT_PT = 8.0

API_STYLE: dict[str, Any] = {"linestyle": (0, (5, 2.5)), "linewidth": 1.8}
PROPOSED_STYLE: dict[str, Any] = {"linestyle": "solid", "linewidth": 2.0}
MARKER_STYLE: dict[str, Any] = {"linestyle": (0, (1, 2)), "linewidth": 1.1}
# Labels sit on a white box so a line passing behind them never makes them illegible.
LABEL_BOX: dict[str, Any] = {
    "boxstyle": "square,pad=0.15",
    "facecolor": "white",
    "edgecolor": "none",
    "alpha": 0.9,
}


@cache
def _register_fonts(files: tuple[str, ...]) -> None:
    """Make the brand's font files known to matplotlib, for the text metrics of labels.

    A file FreeType cannot open here (a WOFF2 without brotli) only costs exact label widths:
    the SVG names the brand's family either way, and the PDF and the browser draw it.
    """
    for file in files:
        try:
            font_manager.fontManager.addfont(file)
        except (OSError, RuntimeError):
            continue


@contextmanager
def _style(brand: Brand) -> Iterator[None]:
    _register_fonts(tuple(str(face.file) for face in brand.fonts.faces))
    c = brand.colours
    rc: dict[RcKeyType, Any] = {
        # Deterministic SVG: fixed ids, no date, text kept as text (smaller, selectable).
        "svg.hashsalt": "crossover-report",
        "svg.fonttype": "none",
        "font.family": [brand.fonts.body, "DejaVu Sans"],
        "font.size": FONT_PT,
        "text.color": c.text,
        "axes.labelcolor": c.muted,
        "axes.edgecolor": c.rule,
        "axes.linewidth": 0.8,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.grid": True,
        "axes.grid.axis": "y",
        "grid.color": c.rule,
        "grid.linewidth": 0.6,
        "xtick.color": c.muted,
        "ytick.color": c.muted,
        "xtick.labelcolor": c.muted,
        "ytick.labelcolor": c.muted,
        "legend.frameon": False,
        "legend.fontsize": FONT_PT,
        "hatch.color": c.muted,
        "hatch.linewidth": 0.5,
    }
    with matplotlib.rc_context(rc):
        yield


def _svg(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    return buffer.getvalue()


def _money_axis(ax: Axes, display: Display) -> None:
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: axis_money(v, display)))
    ax.yaxis.set_major_locator(MaxNLocator(nbins=6, min_n_ticks=3))
    ax.set_ylim(bottom=0)


def _legend(fig: Figure) -> None:
    fig.legend(loc="outside lower center", ncols=3, handlelength=3.2, columnspacing=2.0)


def _vertical_marker(ax: Axes, x: float, label: str, colour: str, *, top: bool = True) -> None:
    ax.axvline(x, color=colour, **MARKER_STYLE)
    ax.annotate(
        label,
        xy=(x, 1.0 if top else 0.0),
        xycoords=("data", "axes fraction"),
        xytext=(4, -2 if top else 2),
        textcoords="offset points",
        ha="left",
        va="top" if top else "bottom",
        color=colour,
        fontsize=FONT_PT - 0.5,
        fontweight="bold",
        bbox=LABEL_BOX,
    )


def crossover_chart(plan: Plan, label: str, brand: Brand, display: Display) -> bytes:
    """Monthly cost of API only and of a plan (named `label`) against daily volume; today and
    the crossover marked."""
    c = brand.colours
    crossover = plan.crossover
    xs = [p.mtok_per_day for p in crossover.curve]
    with _style(brand):
        fig = Figure(figsize=(WIDTH_IN, HEIGHT_IN), layout="constrained")
        ax = fig.add_subplot()
        ax.plot(
            xs,
            [to_display(p.api_only_usd, display) for p in crossover.curve],
            color=c.secondary,
            label="API only",
            **API_STYLE,
        )
        ax.plot(
            xs,
            [to_display(p.plan_usd, display) for p in crossover.curve],
            color=c.primary,
            label=f"{label} (steps: whole replicas)",
            **PROPOSED_STYLE,
        )
        _vertical_marker(
            ax,
            crossover.today_mtok_per_day,
            f"Today\n{mtok(crossover.today_mtok_per_day, display)}/day",
            c.text,
        )
        if crossover.crossover_mtok_per_day is not None:
            ax.axvline(
                crossover.crossover_mtok_per_day, color=c.accent, linestyle="dashdot", linewidth=1.3
            )
            ax.plot(
                [crossover.crossover_mtok_per_day],
                [0],
                marker="^",
                markersize=7,
                color=c.accent,
                clip_on=False,
                zorder=5,
            )
            # Mid-height, on the side with more room: clear of today's label at the top
            # and of the axis labels at either end.
            right = crossover.crossover_mtok_per_day < xs[-1] / 2
            ax.annotate(
                f"Crossover\n{mtok(crossover.crossover_mtok_per_day, display)}/day",
                xy=(crossover.crossover_mtok_per_day, 0.55),
                xycoords=("data", "axes fraction"),
                xytext=(5 if right else -5, 0),
                textcoords="offset points",
                ha="left" if right else "right",
                va="center",
                color=c.accent,
                fontsize=FONT_PT - 0.5,
                fontweight="bold",
                bbox=LABEL_BOX,
            )
        elif crossover.status == "never":
            ax.text(
                0.98,
                0.5,
                "The lines never cross:\nno crossover at these prices",
                transform=ax.transAxes,
                ha="right",
                va="center",
                color=c.accent,
                fontsize=FONT_PT,
                fontweight="bold",
                bbox=LABEL_BOX,
            )
        _money_axis(ax, display)
        ax.set_xlim(0, xs[-1])
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: integer(v, display)))
        ax.set_xlabel("Total volume, million tokens per day")
        ax.set_ylabel(f"Monthly cost ({display.currency})")
        _legend(fig)
        return _svg(fig)


def utilisation_chart(curve: UtilisationCurve, brand: Brand, display: Display) -> bytes:
    """The article's picture: GPU cost per Mtok falls as utilisation rises; the API price, break-even,
    today's utilisation and the ceiling peaky traffic allows are marked."""
    c = brand.colours
    us = [p.average_utilisation for p in curve.points]
    costs = [to_display(p.cost_per_mtok_usd, display) for p in curve.points]
    api = to_display(curve.blended_api_price_per_mtok_usd, display)
    with _style(brand):
        fig = Figure(figsize=(WIDTH_IN, HEIGHT_IN), layout="constrained")
        ax = fig.add_subplot()
        ax.axvspan(
            curve.utilisation_ceiling,
            1.0,
            facecolor=c.tint,
            edgecolor=c.rule,
            hatch="////",
            linewidth=0,
            zorder=0,
        )
        ax.annotate(
            f"Out of reach with peaky traffic\n(ceiling {percent(curve.utilisation_ceiling, display)})",
            xy=(curve.utilisation_ceiling, 1.0),
            xycoords=("data", "axes fraction"),
            xytext=(6, -4),
            textcoords="offset points",
            ha="left",
            va="top",
            color=c.muted,
            fontsize=FONT_PT - 0.5,
            bbox=LABEL_BOX,
        )
        ax.plot(
            us,
            costs,
            color=c.primary,
            label="Self-hosted: GPU + overhead per Mtok",
            **PROPOSED_STYLE,
        )
        ax.axhline(
            api, color=c.secondary, label="API price of the tiers it takes over", **API_STYLE
        )
        if curve.break_even_utilisation <= 1.0:
            ax.plot(
                [curve.break_even_utilisation],
                [api],
                marker="o",
                markersize=7,
                markerfacecolor="white",
                markeredgecolor=c.accent,
                markeredgewidth=2,
                linestyle="none",
                zorder=5,
                label=f"Break-even: {percent(curve.break_even_utilisation, display)}",
            )
        _vertical_marker(
            ax,
            curve.current_utilisation,
            f"Today\n{percent(curve.current_utilisation, display)}",
            c.text,
            top=False,
        )
        ax.set_yscale("log")
        ax.yaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: axis_money(v, display, cents=True)))
        ax.yaxis.set_minor_formatter(FuncFormatter(lambda v, _: ""))
        ax.set_xlim(0, 1.0)
        ax.xaxis.set_major_locator(MultipleLocator(0.1))
        ax.xaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))
        ax.set_xlabel("Average GPU utilisation")
        ax.set_ylabel(f"Cost per million tokens ({display.currency}, log scale)")
        _legend(fig)
        return _svg(fig)


def horizon_chart(plan: Plan, label: str, brand: Brand, display: Display) -> bytes:
    """Cumulative cost of API only and of a plan month by month, setup in month 1; the payback
    month marked."""
    c = brand.colours
    horizon = plan.horizon
    months = [m.month + 1 for m in horizon.months]  # people count months from 1
    with _style(brand):
        fig = Figure(figsize=(WIDTH_IN, HEIGHT_IN), layout="constrained")
        ax = fig.add_subplot()
        ax.plot(
            months,
            [to_display(m.cumulative_api_only_usd, display) for m in horizon.months],
            color=c.secondary,
            marker="s",
            markersize=3.2,
            label="API only, cumulative",
            **API_STYLE,
        )
        ax.plot(
            months,
            [to_display(m.cumulative_plan_usd, display) for m in horizon.months],
            color=c.primary,
            marker="o",
            markersize=3.2,
            label=f"{label}, cumulative (setup in month 1)",
            **PROPOSED_STYLE,
        )
        if horizon.payback_month is not None:
            _vertical_marker(
                ax,
                horizon.payback_month + 1,
                f"Pays back\nin {month(horizon.payback_month, display)}",
                c.accent,
            )
        _money_axis(ax, display)
        ax.set_xlim(0.5, months[-1] + 0.5)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=12, integer=True, min_n_ticks=2))
        ax.set_xlabel("Month")
        ax.set_ylabel(f"Cumulative cost ({display.currency})")
        _legend(fig)
        return _svg(fig)


def tornado_chart(plan: Plan, brand: Brand, display: Display) -> bytes:
    """Monthly savings with each driver moved down and up on its own: the largest swing on top.

    The drivers' low and high values are in the table beside it, not on the bars, where
    they would run into each other and into the axis labels.
    """
    c = brand.colours
    bars = plan.sensitivity
    base = to_display(plan.monthly_savings_usd, display)
    height = max(HEIGHT_IN, 0.42 * len(bars) + 1.0)
    with _style(brand):
        fig = Figure(figsize=(WIDTH_IN, height), layout="constrained")
        ax = fig.add_subplot()
        rows = list(range(len(bars)))[::-1]  # the first bar (largest swing) at the top
        for row, bar in zip(rows, bars, strict=True):
            low = to_display(bar.monthly_savings_usd_low, display)
            high = to_display(bar.monthly_savings_usd_high, display)
            ax.barh(
                row,
                low - base,
                left=base,
                height=0.62,
                color=c.tint,
                edgecolor=c.secondary,
                hatch="////",
                linewidth=0.8,
                label="Driver at its low end" if row == rows[0] else None,
            )
            ax.barh(
                row,
                high - base,
                left=base,
                height=0.62,
                color=c.primary,
                edgecolor=c.primary,
                linewidth=0.8,
                label="Driver at its high end" if row == rows[0] else None,
            )
            if bar.swing < 0.5:  # under half a dollar a month: nothing to draw, say so
                ax.annotate(
                    "no effect on monthly savings",
                    xy=(base, row),
                    xytext=(4, 0),
                    textcoords="offset points",
                    ha="left",
                    va="center",
                    fontsize=FONT_PT - 1.5,
                    color=c.muted,
                    bbox=LABEL_BOX,
                )
        ax.axvline(base, color=c.text, linewidth=1.0)
        ax.annotate(
            "As entered",
            xy=(base, 1.0),
            xycoords=("data", "axes fraction"),
            xytext=(4, -2),
            textcoords="offset points",
            ha="left",
            va="top",
            color=c.text,
            fontsize=FONT_PT - 0.5,
            fontweight="bold",
            bbox=LABEL_BOX,
        )
        ends = [
            to_display(v, display)
            for b in bars
            for v in (b.monthly_savings_usd_low, b.monthly_savings_usd_high)
        ]
        if min([*ends, base]) < 0 < max([*ends, base]):
            _vertical_marker(ax, 0.0, "No saving", c.accent, top=False)
        ax.set_yticks(rows, [DRIVER_LABELS[bar.driver] for bar in bars])
        ax.tick_params(axis="y", length=0)
        ax.grid(axis="y", visible=False)
        ax.grid(axis="x", visible=True)
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: axis_money(v, display)))
        ax.xaxis.set_major_locator(MaxNLocator(nbins=6))
        ax.margins(x=0.08)
        ax.set_xlabel(f"Monthly savings ({display.currency})")
        _legend(fig)
        return _svg(fig)


def savings_histogram(monte_carlo: MonteCarlo, brand: Brand, display: Display) -> bytes:
    """How the simulated futures' monthly savings spread; the 10th, 50th and 90th percentiles marked."""
    c = brand.colours
    edges = [to_display(e, display) for e in monte_carlo.histogram.edges_usd]
    with _style(brand):
        fig = Figure(figsize=(WIDTH_IN, HEIGHT_IN * 0.85), layout="constrained")
        ax = fig.add_subplot()
        ax.stairs(
            monte_carlo.histogram.counts,
            edges,
            fill=True,
            facecolor=c.tint,
            edgecolor=c.primary,
            linewidth=1.0,
            hatch="....",
            label="Simulated futures",
        )
        percentiles = (
            (monte_carlo.monthly_savings_usd_p10, "10th percentile", (0, (2, 2))),
            (monte_carlo.monthly_savings_usd_p50, "Median", "solid"),
            (monte_carlo.monthly_savings_usd_p90, "90th percentile", (0, (6, 2))),
        )
        for usd, label, style in percentiles:
            ax.axvline(
                to_display(usd, display),
                color=c.accent,
                linestyle=style,
                linewidth=1.4,
                label=label,
            )
        if edges[0] < 0 < edges[-1]:
            _vertical_marker(ax, 0.0, "No saving", c.text)
        ax.set_ylim(bottom=0)
        ax.yaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: axis_money(v, display)))
        ax.set_xlabel(f"Monthly savings ({display.currency})")
        ax.set_ylabel("Simulated futures")
        _legend(fig)
        return _svg(fig)


def plans_chart(results: Results, labels: list[str], brand: Brand, display: Display) -> bytes:
    """Horizon cost of each plan compared, one bar each, the recommended plan in the brand colour.

    labels: the plans' names in words, in the order of results.plans (words are the edge's).
    """
    c = brand.colours
    plans = results.plans
    height = max(2.2, 0.36 * len(plans) + 0.9)
    with _style(brand):
        fig = Figure(figsize=(WIDTH_IN, height), layout="constrained")
        ax = fig.add_subplot()
        rows = list(range(len(plans)))[::-1]  # the first plan at the top
        for row, plan in zip(rows, plans, strict=True):
            value = to_display(plan.horizon_cost_usd, display)
            recommended = plan.key == results.headline.plan
            ax.barh(
                row,
                value,
                height=0.62,
                color=c.primary if recommended else c.tint,
                edgecolor=c.primary if recommended else c.secondary,
                hatch=None if recommended else "////" if "api_only" in plan.roles() else None,
                linewidth=0.8,
            )
            ax.annotate(
                axis_money(value, display),
                xy=(value, row),
                xytext=(4, 0),
                textcoords="offset points",
                ha="left",
                va="center",
                fontsize=FONT_PT - 0.5,
                color=c.text,
                bbox=LABEL_BOX,
            )
        ax.set_yticks(rows, labels)
        ax.tick_params(axis="y", length=0)
        ax.grid(axis="y", visible=False)
        ax.grid(axis="x", visible=True)
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: axis_money(v, display)))
        ax.xaxis.set_major_locator(MaxNLocator(nbins=6))
        ax.set_xlim(left=0)
        ax.margins(x=0.14)
        ax.set_xlabel(
            f"Cost over {results.scenario.operations.horizon_months} months ({display.currency})"
        )
        return _svg(fig)
