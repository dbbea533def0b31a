"""Rendering many scenarios at once: warm worker processes, a per-input timeout, a summary of every outcome.

Each worker is a process of its own that renders one input at a time, so a hung or crashed
input costs one worker, never the batch: the parent stops a worker that overruns its input's
timeout (SIGTERM, then SIGKILL after a grace period), records the input as failed, and starts
a fresh worker for the rest. The parent loads the catalogue, the brand and the renderer
(WeasyPrint, matplotlib, the templates) once before it forks, so every worker, a replacement
included, starts warm.
"""

from __future__ import annotations

import contextlib
import csv
import gc
import io
import json
import multiprocessing
import os
import signal
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from multiprocessing.connection import Connection, wait
from multiprocessing.context import ForkContext, SpawnContext
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import TYPE_CHECKING

from crossover.catalogue import Catalogue
from crossover.delivery.files import write_text_atomic
from crossover.delivery.outputs import REPORT_FORMATS, write_outputs
from crossover.errors import CrossoverError, InputError
from crossover.inert import csv_text
from crossover.scenario import ScenarioError
from crossover.termination import unwind_on_sigterm

if TYPE_CHECKING:
    from crossover.report.brand import Brand

INPUT_SUFFIXES = (".xlsx", ".json")
DEFAULT_TIMEOUT_S = 120.0
STOP_GRACE_S = 2.0
"""How long a stopped worker gets to clean up (remove its temp files) before SIGKILL."""
TICK_S = 0.2
"""How often the parent wakes to refresh the progress bar while workers are busy."""
SUMMARY_JSON = "summary.json"
SUMMARY_CSV = "summary.csv"

# Spreadsheets read a cell starting with these as a formula (or, for tab and CR, split it).


def default_jobs() -> int:
    """One worker per CPU."""
    return os.cpu_count() or 1


@dataclass(frozen=True)
class BatchOptions:
    """What to render and how: where outputs go, which formats, the brand, workers and timeout."""

    out_dir: Path
    formats: frozenset[str] = frozenset({"pdf"})
    brand: Path | None = None
    """A brand folder or brand.toml; None: the brand that ships with the tool."""
    jobs: int = field(default_factory=default_jobs)
    timeout_s: float = DEFAULT_TIMEOUT_S


@dataclass(frozen=True)
class Outcome:
    """What became of one input: its key figures and files, or the error that stopped it."""

    input: str
    ok: bool
    client: str | None = None
    verdict: str | None = None
    monthly_savings_usd: float | None = None
    monthly_savings: str | None = None
    """In the client's display currency, as the report shows it."""
    outputs: tuple[str, ...] = ()
    """File names written in the output folder."""
    error: str | None = None
    seconds: float = 0.0


@dataclass(frozen=True)
class WorkerState:
    """What every render needs, loaded once in the parent and inherited by each worker."""

    catalogue: Catalogue
    brand: Brand | None
    """None when no PDF or HTML is asked for."""


Renderer = Callable[[Path, BatchOptions, WorkerState], Outcome]


# -- one input ---------------------------------------------------------------------------


def render_input(path: Path, options: BatchOptions, state: WorkerState) -> Outcome:
    """Analyse one scenario file and write its report files; errors propagate to the worker."""
    from crossover.inputs import analyse_file
    from crossover.summary import money, verdict

    results = analyse_file(path, state.catalogue)
    written = write_outputs(results, options.out_dir, options.formats, state.brand)
    return Outcome(
        input=str(path),
        ok=True,
        client=results.scenario.client.client_name,
        verdict=verdict(results),
        monthly_savings_usd=results.monthly_savings_usd,
        monthly_savings=money(results, results.monthly_savings_usd),
        outputs=tuple(p.name for p in written),
    )


def describe_error(error: Exception, path: Path) -> str:
    """One line for the summary; the input is named in its own column, so not repeated here."""
    if isinstance(error, ScenarioError):
        problems = "; ".join(p.describe() for p in error.problems)
        text = f"{len(error.problems)} problem(s): {problems}"
    elif isinstance(error, CrossoverError):
        text = str(error).removeprefix(f"{path}: ")
    else:
        text = f"internal error ({type(error).__name__}: {error})"
    return " ".join(text.split())


def _attempt(render: Renderer, path: Path, options: BatchOptions, state: WorkerState) -> Outcome:
    try:
        return render(path, options, state)
    except Exception as e:  # one bad input must not end the worker
        return Outcome(input=str(path), ok=False, error=describe_error(e, path))


# -- the worker process ------------------------------------------------------------------


def _serve(
    conn: Connection,
    inherited: Sequence[Connection],
    render: Renderer,
    options: BatchOptions,
    state: WorkerState,
) -> None:
    """A worker's life: take an input, render it, send the outcome back, until told to stop."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    unwind_on_sigterm()  # unwinds the render, so atomic writes remove their temp files
    for other in inherited:
        # Parent-side pipe ends copied by fork: closed, so a dead parent means EOF here.
        other.close()
    while True:
        try:
            task = conn.recv()
        except EOFError:
            return
        if task is None:
            return
        index, path = task
        conn.send((index, _attempt(render, path, options, state)))


@dataclass
class _Worker:
    process: BaseProcess
    conn: Connection
    task: tuple[int, Path] | None = None
    started: float = 0.0
    deadline: float = 0.0


def _context() -> ForkContext | SpawnContext:
    # fork: workers inherit the loaded catalogue, brand and renderer instead of importing
    # them again. Elsewhere, spawn works too, with a cold start per worker.
    if "fork" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


class _Pool:
    """Workers the parent can stop one by one: a hung worker is killed and replaced."""

    def __init__(
        self, size: int, render: Renderer, options: BatchOptions, state: WorkerState
    ) -> None:
        self._context = _context()
        self._args = (render, options, state)
        self.workers: list[_Worker] = []
        for _ in range(size):
            self.workers.append(self._start())

    def _start(self) -> _Worker:
        parent_end, child_end = self._context.Pipe()
        forked = self._context.get_start_method() == "fork"
        inherited = [parent_end, *(w.conn for w in self.workers)] if forked else []
        process = self._context.Process(
            target=_serve,
            args=(child_end, inherited, *self._args),
            name="crossover-batch-worker",
            daemon=True,
        )
        if forked:
            # The worker's garbage collector leaves the inherited objects alone: its full
            # collections no longer walk the parent's heap (WeasyPrint, matplotlib, pydantic)
            # each report, nor copy the pages that heap lives on.
            gc.freeze()
        try:
            process.start()
        finally:
            gc.unfreeze()
        child_end.close()
        return _Worker(process, parent_end)

    def replace(self, worker: _Worker) -> None:
        self.stop(worker)
        self.workers[self.workers.index(worker)] = self._start()

    @staticmethod
    def stop(worker: _Worker) -> None:
        process = worker.process
        if process.is_alive():
            process.terminate()
            process.join(STOP_GRACE_S)
        if process.is_alive():
            process.kill()
        process.join()
        worker.conn.close()

    def close(self) -> None:
        """Idle workers are told to stop; busy ones (after Ctrl-C or an error) are terminated."""
        for worker in self.workers:
            if not worker.process.is_alive():
                continue
            if worker.task is None:
                with contextlib.suppress(OSError):  # it died meanwhile: stop() below
                    worker.conn.send(None)
            else:
                worker.process.terminate()
        deadline = time.monotonic() + STOP_GRACE_S
        for worker in self.workers:
            worker.process.join(max(0.0, deadline - time.monotonic()))
            self.stop(worker)


def run_batch(
    inputs: Sequence[Path],
    options: BatchOptions,
    *,
    render: Renderer = render_input,
    state: WorkerState | None = None,
    on_outcome: Callable[[Outcome], None] | None = None,
    on_tick: Callable[[], None] | None = None,
) -> list[Outcome]:
    """Render every input with `options.jobs` workers; the outcomes in input order.

    An input that takes longer than `options.timeout_s` seconds, or whose worker dies, is
    recorded as failed and its worker replaced. on_tick is called at least every TICK_S
    seconds, for a progress display without a thread.
    """
    if not inputs:
        return []
    options.out_dir.mkdir(parents=True, exist_ok=True)
    state = state if state is not None else prepare_workers(options)
    pending = deque(enumerate(inputs))
    outcomes: dict[int, Outcome] = {}
    pool = _Pool(min(options.jobs, len(inputs)), render, options, state)
    try:
        while len(outcomes) < len(inputs):
            for worker in pool.workers:
                if worker.task is None and pending:
                    _dispatch(worker, pending.popleft(), options)
            busy = [w for w in pool.workers if w.task is not None]
            soonest = min(w.deadline for w in busy)
            wait(
                [w.conn for w in busy] + [w.process.sentinel for w in busy],
                timeout=max(0.0, min(TICK_S, soonest - time.monotonic())),
            )
            for worker in busy:
                assert worker.task is not None
                index, path = worker.task
                outcome, healthy = _collect(worker, path, options)
                if outcome is None:
                    continue
                outcomes[index] = replace(outcome, seconds=time.monotonic() - worker.started)
                worker.task = None
                if not healthy:
                    if pending:
                        pool.replace(worker)
                    else:
                        pool.stop(worker)
                if on_outcome is not None:
                    on_outcome(outcomes[index])
            if on_tick is not None:
                on_tick()
    finally:
        pool.close()
    return _flag_collisions([outcomes[i] for i in range(len(inputs))])


def _dispatch(worker: _Worker, task: tuple[int, Path], options: BatchOptions) -> None:
    worker.task = task
    worker.started = time.monotonic()
    worker.deadline = worker.started + options.timeout_s
    worker.conn.send(task)


def _collect(worker: _Worker, path: Path, options: BatchOptions) -> tuple[Outcome | None, bool]:
    """The worker's outcome if it has one, or a failure if it died or ran out of time.

    The second value says whether the worker can take another input.
    """
    if worker.conn.poll():
        try:
            _, outcome = worker.conn.recv()
        except (EOFError, OSError):
            return _failed(path, f"the worker process died ({_exit_reason(worker)})"), False
        return outcome, True
    if not worker.process.is_alive():
        return _failed(path, f"the worker process died ({_exit_reason(worker)})"), False
    if time.monotonic() >= worker.deadline:
        return _failed(
            path, f"timed out after {options.timeout_s:g} s; its worker was stopped"
        ), False
    return None, True


def _failed(path: Path, error: str) -> Outcome:
    return Outcome(input=str(path), ok=False, error=error)


def _exit_reason(worker: _Worker) -> str:
    worker.process.join(STOP_GRACE_S)
    code = worker.process.exitcode
    if code is None:
        return "it stopped answering"
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit code {code}"


def _flag_collisions(outcomes: list[Outcome]) -> list[Outcome]:
    """Two inputs for the same client and date write the same files: only one report survives."""
    writers: dict[str, list[str]] = {}
    for outcome in outcomes:
        for name in outcome.outputs:
            writers.setdefault(name, []).append(outcome.input)
    flagged = []
    for outcome in outcomes:
        others = sorted(
            {other for name in outcome.outputs for other in writers[name] if other != outcome.input}
        )
        if others:
            outcome = replace(
                outcome,
                ok=False,
                error=(
                    f"same output files as {', '.join(others)} (same client and report date): "
                    "only one of their reports is on disk"
                ),
            )
        flagged.append(outcome)
    return flagged


# -- before and after --------------------------------------------------------------------


def prepare_workers(options: BatchOptions) -> WorkerState:
    """Load what every render needs once, before the workers fork; InputError for a bad brand."""
    # The workers are the parallelism; BLAS threads in the parent would only be forked.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    from crossover.catalogue import load_catalogue

    catalogue = load_catalogue()
    brand: Brand | None = None
    if options.formats & REPORT_FORMATS:
        from crossover.report import brand_or_default

        brand = brand_or_default(options.brand)
    if "xlsx" in options.formats:
        import crossover.delivery.results_workbook  # noqa: F401  (warm the workers)
    return WorkerState(catalogue, brand)


def collect_inputs(paths: Iterable[Path]) -> list[Path]:
    """The files to render: files as given; from folders, their .xlsx and .json files, sorted.

    In a folder, hidden files, Excel's ~$ lock files and our own outputs (summary.json,
    *-results.json) are skipped, so a batch can be run again on a folder that holds its results.
    """
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(p for p in path.iterdir() if _is_scenario_file(p))
        else:
            found.append(path)
    unique: dict[Path, Path] = {}
    for path in found:
        unique.setdefault(path.resolve(), path)
    if not unique:
        raise InputError(
            "nothing to render: no .xlsx or .json files in " + ", ".join(str(p) for p in paths)
        )
    return list(unique.values())


def _is_scenario_file(path: Path) -> bool:
    name = path.name
    return (
        path.is_file()
        and path.suffix.lower() in INPUT_SUFFIXES
        and not name.startswith((".", "~$"))
        and name != SUMMARY_JSON
        and not name.endswith(("-results.json", ".manifest.json"))
    )


def write_summaries(outcomes: Sequence[Outcome], out_dir: Path) -> tuple[Path, Path]:
    """summary.json and summary.csv beside the reports, written atomically."""
    records = [asdict(o) | {"outputs": list(o.outputs)} for o in outcomes]
    failed = sum(not o.ok for o in outcomes)
    document = {
        "inputs": len(outcomes),
        "succeeded": len(outcomes) - failed,
        "failed": failed,
        "outcomes": records,
    }
    json_path, csv_path = out_dir / SUMMARY_JSON, out_dir / SUMMARY_CSV
    write_text_atomic(json_path, json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    write_text_atomic(csv_path, summary_csv(outcomes))
    return json_path, csv_path


CSV_COLUMNS = (
    "input",
    "status",
    "client",
    "verdict",
    "monthly_savings",
    "monthly_savings_usd",
    "outputs",
    "error",
    "seconds",
)


def summary_csv(outcomes: Sequence[Outcome]) -> str:
    buffer = io.StringIO()
    # Every field quoted: a spreadsheet whose locale separates with ";" still sees one cell.
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_ALL)
    writer.writerow(CSV_COLUMNS)
    for o in outcomes:
        writer.writerow(
            [
                csv_text(o.input),
                "ok" if o.ok else "failed",
                csv_text(o.client),
                csv_text(o.verdict),
                csv_text(o.monthly_savings),
                "" if o.monthly_savings_usd is None else repr(o.monthly_savings_usd),
                csv_text("; ".join(o.outputs)),
                csv_text(o.error),
                f"{o.seconds:.2f}",
            ]
        )
    return buffer.getvalue()


# -- the command -------------------------------------------------------------------------


def batch(
    paths: Sequence[Path], options: BatchOptions, *, render: Renderer = render_input
) -> list[Outcome]:
    """Render every input with a progress bar, print the summary table, write the summaries.

    Raises InputError (exit 65) after all that when any input failed.
    """
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from crossover.terminal import print_table, safe

    inputs = collect_inputs(paths)
    state = prepare_workers(options)
    console = Console(stderr=True)
    failures = Counter[bool]()
    # auto_refresh off: no display thread in the parent while it forks workers.
    with Progress(
        TextColumn("Rendering"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[failed]} failed"),
        TimeElapsedColumn(),
        console=console,
        auto_refresh=False,
        disable=not console.is_terminal,
    ) as progress:
        task = progress.add_task("batch", total=len(inputs), failed=0)

        def done(outcome: Outcome) -> None:
            failures[outcome.ok] += 1
            progress.update(task, advance=1, failed=failures[False])

        outcomes = run_batch(
            inputs, options, render=render, state=state, on_outcome=done, on_tick=progress.refresh
        )
    rows = [
        [
            safe(o.input),
            safe(o.client or ""),
            safe(o.verdict or "") if o.ok else "[red]failed[/red]",
            safe(o.monthly_savings or ""),
            safe(", ".join(o.outputs)) if o.ok else safe(o.error or ""),
        ]
        for o in outcomes
    ]
    print_table(
        f"Batch: {len(outcomes)} input(s) into {safe(str(options.out_dir))}",
        ["Input", "Client", "Verdict", "Monthly savings", "Output files, or the error"],
        rows,
    )
    json_path, csv_path = write_summaries(outcomes, options.out_dir)
    failed = [o for o in outcomes if not o.ok]
    print(f"Summary written to {json_path} and {csv_path}")
    if failed:
        raise InputError(
            f"{len(failed)} of {len(outcomes)} input(s) failed: "
            + ", ".join(o.input for o in failed)
        )
    return outcomes
