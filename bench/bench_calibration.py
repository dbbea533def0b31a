"""Benchmark: what calibrating the rate model costs a fresh process, beside loading the catalogue.

`python bench/bench_calibration.py` prints one line (`--json`: the timings as JSON). Every
command that sizes a deployment (report, analyse, estimate, batch workers once each) needs the
rate model's fit on the catalogue's published runs: one fit per engine and a leave-one-out
refit per run. On the shipped data it is read from the fit stored with the catalogue
(`calibrate`, checked by a digest of the data); on other data it is fitted afresh (`fit`).
Each figure is a fresh interpreter timing itself, so imports are reported apart. A benchmark,
not a test: the figures depend on the machine.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys

RUNS = 7
PROGRAM = """
import json, time
started = time.perf_counter()
from crossover.catalogue import load_catalogue
from crossover.engine.rates import calibrate, fit
imported = time.perf_counter()
catalogue = load_catalogue()
loaded = time.perf_counter()
calibration = calibrate(catalogue)
calibrated = time.perf_counter()
fit(catalogue)
fitted = time.perf_counter()
print(json.dumps({
    "import_s": imported - started,
    "load_s": loaded - imported,
    "calibrate_s": calibrated - loaded,
    "fit_s": fitted - calibrated,
    "runs": len(calibration.runs),
}))
"""


def measure(runs: int = RUNS) -> dict[str, list[float] | int]:
    """Each phase's seconds, one value per fresh process."""
    found: dict[str, list[float]] = {}
    count = 0
    for _ in range(runs + 1):  # the first run compiles bytecode: not counted
        done = subprocess.run(
            [sys.executable, "-c", PROGRAM], capture_output=True, text=True, check=True
        )
        figures = json.loads(done.stdout)
        count = figures.pop("runs")
        if _ == 0:
            continue
        for key, value in figures.items():
            found.setdefault(key, []).append(value)
    return {**found, "measurements": count}


def _line(name: str, values: list[float]) -> str:
    return (
        f"{name} {statistics.median(values) * 1000:.0f} ms "
        f"({min(values) * 1000:.0f}–{max(values) * 1000:.0f})"
    )


def main() -> None:
    measured = measure()
    if "--json" in sys.argv[1:]:
        print(json.dumps(measured))
        return
    parts = [
        _line(name, measured[key])  # type: ignore[arg-type]
        for name, key in (
            ("imports", "import_s"),
            ("catalogue load", "load_s"),
            ("calibration from the stored fit", "calibrate_s"),
            ("a fresh fit", "fit_s"),
        )
    ]
    print(
        f"Fresh process, {measured['measurements']} published runs, n={RUNS}: "
        + "; ".join(parts)
        + f" (Python {platform.python_version()}, {os.cpu_count()} CPUs, load "
        f"{os.getloadavg()[0]:.1f})"
    )


if __name__ == "__main__":
    main()
