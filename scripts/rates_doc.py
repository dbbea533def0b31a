"""Write docs/rates.md's calibration table and docs/rates-errors.svg from the shipped catalogue.

Usage: python scripts/rates_doc.py   (tests/engine/test_rates_doc.py checks both are current)
"""

from __future__ import annotations

import io
import math
import sys
from pathlib import Path

import matplotlib

matplotlib.use("svg")
from matplotlib.figure import Figure

from crossover.catalogue import load_catalogue
from crossover.engine.rates import Calibration, calibrate
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
