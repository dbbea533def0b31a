"""Write docs/rates.md's calibration table and docs/rates-errors.svg from the shipped catalogue.

Usage: python scripts/rates_doc.py   (tests/engine/test_rates_doc.py checks both are current)
"""

from __future__ import annotations

import io
import math
import re
import statistics
import sys
from collections import defaultdict
from pathlib import Path

import matplotlib

matplotlib.use("svg")
from matplotlib.figure import Figure

from crossover.catalogue import load_catalogue
from crossover.engine.rates import Calibration, MeasuredRun, calibrate
from crossover.listing import calibration_summary, held_out_bands

DOCS = Path(__file__).parent.parent / "docs"
BEGIN, END = "<!-- calibration:begin -->", "<!-- calibration:end -->"


def calibration_markdown(calibration: Calibration) -> str:
    """The summary per engine, then every measurement: measured, modelled, left out."""
    catalogue = load_catalogue()
    headers, rows = calibration_summary(catalogue)
    band_headers, band_rows = held_out_bands(catalogue)
    lines = [
        "| " + " | ".join(headers) + " |",
        "|" + "---|" * len(headers),
        *("| " + " | ".join(row) + " |" for row in rows),
        "",
        "Held out: each run predicted by a fit without its whole source (one published table or",
        "results page at a time); the band contains 80% of held-out runs of its engine, GPU vendor",
        "and regime (latency-bound: the batch set by a latency bound or the requests in flight).",
        "",
        "| " + " | ".join(band_headers) + " |",
        "|" + "---|" * len(band_headers),
        *("| " + " | ".join(row) + " |" for row in band_rows),
        "",
        "By engine version: the median of modelled ÷ measured over each version's runs, fitted",
        "and with their source left out (1.00: exact; above 1: the model is faster than that",
        "version measured). The engines' fits are one per engine and vendor, for every version.",
        "",
        *version_markdown(calibration.runs),
        "",
        "| Run | Engine | GPUs | Weights/KV | In/out | Bound | Measured | Modelled | Source left out | Source (date) |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for run in sorted(calibration.runs, key=lambda r: (r.measurement.engine, r.measurement.id)):
        m = run.measurement
        bound = []
        if m.concurrency:
            bound.append(f"{m.concurrency:,} in flight")
        if m.tpot_ms_bound:
            bound.append(f"≤ {m.tpot_ms_bound:g} ms/token")
        lines.append(
            f"| {m.model_as_published} | {m.engine} {m.engine_version} | "
            f"{m.gpus} × {m.gpu} (TP{m.tensor_parallel}) | {m.precision}/{m.kv_precision} | "
            f"{m.input_tokens:,.0f}/{m.output_tokens:,.0f} | {', '.join(bound) or 'max throughput'} | "
            f"{m.output_tps:,.0f} | {run.modelled_tps:,.0f} ({run.modelled_tps / m.output_tps - 1:+.0%}) | "
            f"{run.left_out_tps:,.0f} ({run.left_out_tps / m.output_tps - 1:+.0%}) | "
            f"{m.source.replace('|', '/')} ({m.as_of.isoformat()}) |"
        )
    return "\n".join(lines)


def release(version: str) -> str:
    """An engine version without its development build ('0.6.3.dev116+g151ef4ef' is 0.6.3)."""
    return re.sub(r"(\.dev|\+).*$", "", version)


def _version_order(item: tuple[tuple[str, str, str], object]) -> tuple[str, str, list[str]]:
    """Engine, vendor, then the version's numbers as numbers (0.6 before 0.10), zero-padded."""
    engine, vendor, version = item[0]
    return engine, vendor, [p.zfill(6) if p.isdigit() else p for p in re.split(r"(\d+)", version)]


def version_markdown(runs: list[MeasuredRun]) -> list[str]:
    """Per engine, GPU vendor and release: runs, the dates their sources give, and the median
    modelled ÷ measured, fitted and held out: whether newer releases run faster than the fit."""
    groups: dict[tuple[str, str, str], list[MeasuredRun]] = defaultdict(list)
    for run in runs:
        m = run.measurement
        groups[(m.engine, run.vendor, release(m.engine_version))].append(run)
    lines = [
        "| Engine | Vendor | Version | Runs | Dated | Fitted | Source left out |",
        "|---|---|---|---|---|---|---|",
    ]
    for (engine, vendor, version), group in sorted(groups.items(), key=_version_order):
        dates = sorted(r.measurement.as_of.isoformat() for r in group)
        dated = dates[0] if dates[0] == dates[-1] else f"{dates[0]} … {dates[-1]}"
        fitted = math.exp(statistics.median(r.log_error for r in group))
        held = math.exp(statistics.median(r.left_out_log_error for r in group))
        lines.append(
            f"| {engine} | {vendor} | {version.replace('|', '/')} | {len(group)} | {dated} | "
            f"{fitted:.2f} | {held:.2f} |"
        )
    return lines


def error_plot(calibration: Calibration) -> str:
    """Modelled ÷ measured for every run, fitted and left out, on a log axis, by engine."""
    figure = Figure(figsize=(7.5, 4.2))
    axes = figure.subplots()
    engines = sorted({r.measurement.engine for r in calibration.runs})
    for row, engine in enumerate(engines):
        runs = [r for r in calibration.runs if r.measurement.engine == engine]
        fitted = [math.exp(r.log_error) for r in runs]
        left_out = [math.exp(r.left_out_log_error) for r in runs]
        axes.scatter(
            fitted,
            [row + 0.12] * len(runs),
            marker="o",
            s=22,
            color="#1f4e79",
            label="fitted" if row == 0 else None,
        )
        axes.scatter(
            left_out,
            [row - 0.12] * len(runs),
            marker="x",
            s=22,
            color="#c0504d",
            label="left out of the fit" if row == 0 else None,
        )
    axes.set_xscale("log")
    ticks = [0.5, 0.75, 1, 1.5, 2, 3]
    axes.set_xticks(ticks, [f"{t:g}×" for t in ticks])
    axes.minorticks_off()
    axes.axvline(1, color="#888888", linewidth=0.8)
    axes.set_yticks(range(len(engines)), engines)
    axes.set_xlabel("modelled ÷ measured output tokens/s (1 = exact)")
    axes.set_title("Rate model against published measurements")
    axes.legend(loc="lower right", fontsize=8)
    figure.tight_layout()
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()


def main() -> None:
    calibration = calibrate(load_catalogue())
    path = DOCS / "rates.md"
    text = path.read_text(encoding="utf-8")
    head, rest = text.split(BEGIN)
    _, tail = rest.split(END)
    path.write_text(f"{head}{BEGIN}\n{calibration_markdown(calibration)}\n{END}{tail}", "utf-8")
    matplotlib.rcParams["svg.hashsalt"] = "crossover"
    (DOCS / "rates-errors.svg").write_text(error_plot(calibration), encoding="utf-8")
    sys.stdout.write(f"wrote {path} and {DOCS / 'rates-errors.svg'}\n")


if __name__ == "__main__":
    main()
