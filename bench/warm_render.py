"""Where one report's time goes, stage by stage: the first pass in a fresh process, then warm passes.

Run by bench/run.py in a process of its own; prints JSON: {"cold": {stage: s}, "warm": [{stage: s}]}.
The stages are the report command's own steps, in its order, so the cold pass shows what imports
and first-use set-up cost, and the warm passes what a batch worker pays per report.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

T0 = time.perf_counter()


def _stage(timings: dict[str, float], name: str, step: Callable[[], Any]) -> Any:
    started = time.perf_counter()
    value = step()
    timings[name] = time.perf_counter() - started
    return value


def one_pass(workbook: Path, out_dir: Path) -> dict[str, float]:
    """The report command's steps, each timed: the import steps cost nothing once warm."""
    t: dict[str, float] = {}

    def import_engine() -> None:
        import crossover.catalogue
        import crossover.engine
        import crossover.inputs  # noqa: F401

    def import_report() -> None:
        import crossover.report  # noqa: F401

    _stage(t, "import engine, inputs", import_engine)
    from crossover.catalogue import load_catalogue
    from crossover.engine import analyse
    from crossover.inputs import load_scenario

    catalogue = _stage(t, "load catalogue", load_catalogue)
    scenario = _stage(t, "read workbook", lambda: load_scenario(workbook, catalogue))
    results = _stage(t, "analyse", lambda: analyse(scenario, catalogue))
    _stage(t, "import report (WeasyPrint, matplotlib)", import_report)
    from crossover.report import default_brand
    from crossover.report.render import environment, render_pdf, report_context, report_display

    brand = _stage(t, "load brand", default_brand)
    display = report_display(results, brand)
    # render_html's two steps, apart: the charts (matplotlib) and the Jinja2 template.
    context = _stage(t, "charts and logo", lambda: report_context(results, brand, display))
    template = _stage(t, "load templates", lambda: environment(display).get_template("report.html"))
    html = _stage(t, "render HTML template", lambda: template.render(**context))
    pdf = _stage(t, "PDF (WeasyPrint)", lambda: render_pdf(html, brand))

    def write() -> None:
        (out_dir / "report.pdf").write_bytes(pdf)
        (out_dir / "report.html").write_text(html, encoding="utf-8")
        (out_dir / "results.json").write_text(results.model_dump_json(indent=2))

    _stage(t, "write files", write)
    return t


def main() -> None:
    workbook, warm_runs = Path(sys.argv[1]), int(sys.argv[2])
    with tempfile.TemporaryDirectory() as folder:
        out_dir = Path(folder)
        cold = one_pass(workbook, out_dir)
        cold["process start to first report"] = time.perf_counter() - T0
        warm = [one_pass(workbook, out_dir) for _ in range(warm_runs)]
    print(json.dumps({"cold": cold, "warm": warm}))


if __name__ == "__main__":
    main()
