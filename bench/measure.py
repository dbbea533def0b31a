"""Timing and memory of one command in a fresh process: wall time, peak RSS, and the tree's peak PSS.

No third-party code: os.wait4 gives the child's own resource usage (its ru_maxrss covers the
largest of it and the descendants it reaped), and a sampler reads /proc for a process tree's
total, where forked workers share pages and only PSS adds up fairly.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

SAMPLE_S = 0.05


@dataclass(frozen=True)
class Run:
    """One run of a command: seconds from start to exit, peak RSS of its largest process in MB."""

    seconds: float
    peak_rss_mb: float
    tree_pss_mb: float | None = None
    """Peak of the summed PSS of the process and its descendants, when sampled."""


@dataclass
class Series:
    """Every run of one measurement."""

    name: str
    runs: list[Run] = field(default_factory=list)

    @property
    def seconds(self) -> list[float]:
        return [r.seconds for r in self.runs]

    @property
    def rss_mb(self) -> list[float]:
        return [r.peak_rss_mb for r in self.runs]

    @property
    def tree_pss_mb(self) -> list[float]:
        return [r.tree_pss_mb for r in self.runs if r.tree_pss_mb is not None]


@dataclass(frozen=True)
class Summary:
    """Median, min and max of a list of figures, and how many there were."""

    median: float
    low: float
    high: float
    n: int

    @classmethod
    def of(cls, values: Sequence[float]) -> Summary:
        if not values:
            raise ValueError("no values to summarise")
        return cls(statistics.median(values), min(values), max(values), len(values))


def run_command(
    argv: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    sample_tree: bool = False,
) -> Run:
    """Run argv to completion, output discarded; raise if it fails."""
    started = time.perf_counter()
    process = subprocess.Popen(
        argv,
        env=dict(env) if env is not None else None,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    sampler = _TreeSampler(process.pid) if sample_tree else None
    if sampler is not None:
        sampler.start()
    assert process.stderr is not None
    # Drained in a thread: a chatty child must not block on a full pipe while we wait4.
    stderr: list[bytes] = []
    reader = threading.Thread(target=lambda: stderr.append(process.stderr.read()))  # type: ignore[union-attr]
    reader.start()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    reader.join()
    process.stderr.close()
    tree_pss = None
    if sampler is not None:
        sampler.stop()
        tree_pss = sampler.peak_kb / 1024
    if process.returncode != 0:
        raise RuntimeError(
            f"{' '.join(argv)} exited {process.returncode}:\n{b''.join(stderr).decode(errors='replace')}"
        )
    # Linux reports ru_maxrss in kilobytes.
    return Run(seconds, usage.ru_maxrss / 1024, tree_pss)


class _TreeSampler(threading.Thread):
    """Polls the summed PSS of a process and all its descendants; keeps the peak."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_kb = 0
        self._stopping = threading.Event()

    def run(self) -> None:
        while not self._stopping.is_set():
            self.peak_kb = max(self.peak_kb, sum(_pss_kb(pid) for pid in _tree(self.pid)))
            self._stopping.wait(SAMPLE_S)

    def stop(self) -> None:
        self._stopping.set()
        self.join()


def _tree(pid: int) -> list[int]:
    found, queue = [], [pid]
    while queue:
        current = queue.pop()
        found.append(current)
        try:
            for task in Path(f"/proc/{current}/task").iterdir():
                text = (task / "children").read_text()
                queue += [int(child) for child in text.split()]
        except OSError:  # it exited meanwhile
            continue
    return found


def _pss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0
