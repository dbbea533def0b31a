"""Rendering many scenarios at once: warm worker processes, a per-input timeout, a summary of every outcome.

Inputs are read first (in the workers too), so that every output name is known before any is
written: inputs whose client names give the same file names are named after their input files
instead. Each worker is a process of its own that renders one input at a time, so a hung or crashed
input costs one worker, never the batch: the parent stops a worker that overruns its input's
timeout (SIGTERM, then SIGKILL after a grace period), records the input as failed, and starts
a fresh worker for the rest. The parent loads the catalogue, the brand and the renderer
(WeasyPrint, matplotlib, the templates) once before it forks, so every worker, a replacement
included, starts warm.
"""

from __future__ import annotations

import contextlib
import csv
import errno
import fcntl
import gc
import io
import json
import multiprocessing
import os
import re
import signal
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from multiprocessing.connection import Connection, wait
from multiprocessing.context import ForkContext, SpawnContext
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import TYPE_CHECKING

from crossover.catalogue import Catalogue
from crossover.delivery.outputs import (
    REPORT_FORMATS,
    client_stem,
    slug,
    write_outputs,
    write_versioned,
)
from crossover.errors import CrossoverError, InputError, OutputError
from crossover.files import reason
from crossover.inert import csv_text, visible
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
SUMMARY_STEM = "summary"
SUMMARY_JSON = "summary.json"
SUMMARY_CSV = "summary.csv"
LOCK_FILE = ".crossover-batch.lock"
"""Held by the batch writing into the folder it is in (fcntl.lockf, so it dies with its process)."""


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
    force: bool = False
    """Replace earlier outputs of the same names instead of adding version suffixes."""


@dataclass(frozen=True)
class Outcome:
    """What became of one input: its key figures and files, or the error that stopped it."""

    input: str
    ok: bool
    client: str | None = None
    verdict: str | None = None
    """The headline plan's verdict, worded as in every other output."""
    plan: str | None = None
    """The headline plan, named as the report names it."""
    api_only_monthly_usd: float | None = None
    """What every tier costs on its API today, a month."""
    api_only_monthly: str | None = None
    """The same in the client's display currency, as the report shows it."""
    monthly_savings_usd: float | None = None
    """The headline plan's month-0 savings against API only."""
    monthly_savings: str | None = None
    """In the client's display currency, as the report shows it."""
    payback_weeks: float | None = None
    """The headline plan's payback (None: never, or nothing self-hosted)."""
    outputs: tuple[str, ...] = ()
    """File names written in the output folder."""
    error: str | None = None
    seconds: float = 0.0
    note: str | None = None
    """Why the outputs are not named as usual: after the input file, or with a version suffix."""


@dataclass(frozen=True)
class WorkerState:
    """What every render needs, loaded once in the parent and inherited by each worker."""

    catalogue: Catalogue
    brand: Brand | None
    """None when no PDF or HTML is asked for."""


Renderer = Callable[[Path, BatchOptions, WorkerState, str], Outcome]
"""Renders one input, its outputs named by the given stem."""


# -- one input ---------------------------------------------------------------------------


def name_input(path: Path, state: WorkerState) -> str:
    """The stem the input's outputs would have on their own: its client's name and report date."""
    from crossover.inputs import load_scenario

    return client_stem(load_scenario(path, state.catalogue).client)


def render_input(path: Path, options: BatchOptions, state: WorkerState, stem: str) -> Outcome:
    """Analyse one scenario file and write its report files; errors propagate to the worker."""
    from crossover.inputs import analyse_file
    from crossover.summary import money, plan_name, verdict

    results = analyse_file(path, state.catalogue)
    written = write_outputs(
        results, options.out_dir, options.formats, state.brand, force=options.force, stem=stem
    )
    return Outcome(
        input=str(path),
        ok=True,
        client=results.scenario.client.client_name,
        verdict=verdict(results),
        plan=plan_name(results, results.headline_plan),
        api_only_monthly_usd=results.api_only.monthly_cost_usd,
        api_only_monthly=money(results, results.api_only.monthly_cost_usd),
        monthly_savings_usd=results.headline_plan.monthly_savings_usd,
        monthly_savings=money(results, results.headline_plan.monthly_savings_usd),
        payback_weeks=results.headline_plan.payback_weeks,
        outputs=tuple(p.name for p in written.paths),
        note=(
            f"an earlier {written.asked}.* is kept: written as {written.stem}.*"
            if written.versioned
            else None
        ),
    )


def output_names(
    inputs: Sequence[Path], stems: Mapping[int, str]
) -> dict[int, tuple[str, str | None]]:
    """Each input's output stem, by index, and why it is not its client's: unique in the batch.

    Inputs whose client names and report dates give the same stem ("Acme" and "ACME", two
    emoji-only names) are named after their input files instead, so that no input's report
    replaces another's; where those coincide too (acme.json and acme.xlsx, one name in two
    folders), the extension and then the folder are added, and as a last resort a number.
    """
    sharing: dict[str, list[int]] = {}
    for index, stem in stems.items():
        sharing.setdefault(stem, []).append(index)
    names: dict[int, tuple[str, str | None]] = {i: (stem, None) for i, stem in stems.items()}
    renamed: list[int] = []
    for stem, group in sharing.items():
        if len(group) < 2:
            continue
        for index in group:
            others = ", ".join(str(inputs[other]) for other in group if other != index)
            note = f"named after its input file: {others} gives the same file names ({stem})"
            names[index] = (slug(inputs[index].stem), note)
            renamed.append(index)
    fallbacks: tuple[Callable[[Path], str], ...] = (
        lambda path: slug(path.name),
        lambda path: slug(f"{path.parent.name} {path.name}"),
    )
    for fallback in fallbacks:
        for index in _duplicated(names, renamed):
            names[index] = (fallback(inputs[index]), names[index][1])
    for number, index in enumerate(_duplicated(names, renamed), start=1):
        names[index] = (f"{slug(inputs[index].stem)}-input-{number}", names[index][1])
    return names


def _duplicated(names: Mapping[int, tuple[str, str | None]], among: Sequence[int]) -> list[int]:
    used = Counter(name for name, _ in names.values())
    return [index for index in sorted(among) if used[names[index][0]] > 1]


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


def _attempt(
    render: Renderer, path: Path, stem: str | None, options: BatchOptions, state: WorkerState
) -> Outcome | str:
    """The input's outcome, or with no stem yet, its name (name_input)."""
    try:
        if stem is None:
            return name_input(path, state)
        return render(path, options, state, stem)
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
        index, path, stem = task
        conn.send((index, _attempt(render, path, stem, options, state)))


Task = tuple[int, Path, str | None]
"""An input's index and path, and the stem to render it under; None: only name it."""


@dataclass
class _Worker:
    process: BaseProcess
    conn: Connection
    task: Task | None = None
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

    def revive(self) -> None:
        """Replace the workers stopped when there was nothing left to give them."""
        for worker in list(self.workers):
            if not worker.process.is_alive():
                self.replace(worker)

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

    First every input is read for its output name (output_names), then rendered under it. An
    input that takes longer than `options.timeout_s` seconds at either step, or whose worker
    dies, is recorded as failed and its worker replaced. on_tick is called at least every
    TICK_S seconds, for a progress display without a thread. Two runs into one folder at once
    are the caller's to prevent (folder_lock).
    """
    if not inputs:
        return []
    options.out_dir.mkdir(parents=True, exist_ok=True)
    state = state if state is not None else prepare_workers(options)
    outcomes: dict[int, Outcome] = {}
    stems: dict[int, str] = {}
    spent: dict[int, float] = {}

    def named(index: int, result: Outcome | str, seconds: float) -> None:
        spent[index] = seconds
        if isinstance(result, str):
            stems[index] = result
            return
        outcomes[index] = replace(result, seconds=seconds)
        if on_outcome is not None:
            on_outcome(outcomes[index])

    def rendered(index: int, result: Outcome | str, seconds: float) -> None:
        assert isinstance(result, Outcome), "a render returns an outcome"
        note = names[index][1]
        if result.note is not None:
            note = result.note if note is None else f"{note}; {result.note}"
        outcomes[index] = replace(result, seconds=spent[index] + seconds, note=note)
        if on_outcome is not None:
            on_outcome(outcomes[index])

    pool = _Pool(min(options.jobs, len(inputs)), render, options, state)
    try:
        _run_tasks(
            pool, [(i, path, None) for i, path in enumerate(inputs)], options, named, on_tick
        )
        names = output_names(inputs, stems)
        pool.revive()
        tasks: list[Task] = [(i, inputs[i], names[i][0]) for i in sorted(names)]
        _run_tasks(pool, tasks, options, rendered, on_tick)
    finally:
        pool.close()
    return [outcomes[i] for i in range(len(inputs))]


def _run_tasks(
    pool: _Pool,
    tasks: Sequence[Task],
    options: BatchOptions,
    on_result: Callable[[int, Outcome | str, float], None],
    on_tick: Callable[[], None] | None,
) -> None:
    """Give the tasks to the pool's workers; each result goes to on_result with its seconds."""
    pending = deque(tasks)
    done = 0
    while done < len(tasks):
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
            index, path, _ = worker.task
            result, healthy = _collect(worker, path, options)
            if result is None:
                continue
            worker.task = None
            done += 1
            if not healthy:
                if pending:
                    pool.replace(worker)
                else:
                    pool.stop(worker)
            on_result(index, result, time.monotonic() - worker.started)
        if on_tick is not None:
            on_tick()


def _dispatch(worker: _Worker, task: Task, options: BatchOptions) -> None:
    worker.task = task
    worker.started = time.monotonic()
    worker.deadline = worker.started + options.timeout_s
    worker.conn.send(task)


def _collect(
    worker: _Worker, path: Path, options: BatchOptions
) -> tuple[Outcome | str | None, bool]:
    """The worker's result if it has one, or a failure if it died or ran out of time.

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


# -- before and after --------------------------------------------------------------------


def prepare_workers(options: BatchOptions) -> WorkerState:
    """Load what every render needs once, before the workers fork; InputError for a bad brand."""
    # The workers are the parallelism; BLAS threads in the parent would only be forked.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    import crossover.inputs  # (warm the workers: every input is read first)
    from crossover.catalogue import load_catalogue
    from crossover.engine.rates import calibrate

    catalogue = load_catalogue()
    # The rate model's fit (seconds of scipy) is cached per catalogue: made here, once, every
    # worker inherits it instead of making its own for its first input.
    calibrate(catalogue)
    brand: Brand | None = None
    if options.formats & REPORT_FORMATS:
        from crossover.report import brand_or_default

        brand = brand_or_default(options.brand)
    if "xlsx" in options.formats:
        import crossover.delivery.results_workbook  # noqa: F401  (warm the workers)
    return WorkerState(catalogue, brand)


def collect_inputs(paths: Iterable[Path]) -> list[Path]:
    """The files to render: files as given; from folders, their .xlsx and .json files, sorted.

    In a folder, hidden files, Excel's ~$ lock files and our own outputs (summary.json and its
    versions, *-results.json, manifests) are skipped, so a batch can be run again on a folder
    that holds its results.
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
        and _SUMMARY_NAME.fullmatch(name) is None
        and not name.endswith(("-results.json", ".manifest.json"))
    )


_SUMMARY_NAME = re.compile(rf"{SUMMARY_STEM}(-[0-9]+)?\.json")


def write_summaries(
    outcomes: Sequence[Outcome], out_dir: Path, *, force: bool = False
) -> tuple[Path, Path]:
    """summary.json and summary.csv beside the reports, written as one set.

    An earlier batch's summaries are kept: this one's are summary-2.json and summary-2.csv
    (then -3, ...), unless force replaces them.
    """
    records = [asdict(o) | {"outputs": list(o.outputs)} for o in outcomes]
    failed = sum(not o.ok for o in outcomes)
    document = {
        "inputs": len(outcomes),
        "succeeded": len(outcomes) - failed,
        "failed": failed,
        "outcomes": records,
    }
    written = write_versioned(
        out_dir,
        SUMMARY_STEM,
        [
            (".json", (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode()),
            (".csv", summary_csv(outcomes).encode()),
        ],
        force=force,
    )
    json_path, csv_path = written.paths
    return json_path, csv_path


CSV_COLUMNS = (
    "input",
    "status",
    "client",
    "verdict",
    "plan",
    "api_only_monthly",
    "api_only_monthly_usd",
    "monthly_savings",
    "monthly_savings_usd",
    "payback_weeks",
    "outputs",
    "error",
    "seconds",
    "note",
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
                csv_text(o.plan),
                csv_text(o.api_only_monthly),
                "" if o.api_only_monthly_usd is None else repr(o.api_only_monthly_usd),
                csv_text(o.monthly_savings),
                "" if o.monthly_savings_usd is None else repr(o.monthly_savings_usd),
                "" if o.payback_weeks is None else repr(o.payback_weeks),
                csv_text("; ".join(o.outputs)),
                csv_text(o.error),
                f"{o.seconds:.2f}",
                csv_text(o.note),
            ]
        )
    return buffer.getvalue()


# -- the command -------------------------------------------------------------------------


def batch(
    paths: Sequence[Path], options: BatchOptions, *, render: Renderer = render_input
) -> list[Outcome]:
    """Render every input with a progress bar, print the summary table, write the summaries.

    The output folder is held for the whole run (folder_lock): a second batch into it is
    refused. Raises InputError (exit 65) after all that when any input failed.
    """
    inputs = collect_inputs(paths)
    # The brand is loaded (and refused, if it must be) before the folder is made and locked:
    # a refused batch leaves nothing behind.
    state = prepare_workers(options)
    with folder_lock(options.out_dir):
        return _batch(inputs, options, render, state)


def _batch(
    inputs: Sequence[Path], options: BatchOptions, render: Renderer, state: WorkerState
) -> list[Outcome]:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from crossover.terminal import print_table, safe

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
    for outcome in outcomes:
        if outcome.ok and outcome.note is not None:
            print(visible(f"{outcome.input}: {outcome.note}"))
    json_path, csv_path = write_summaries(outcomes, options.out_dir, force=options.force)
    failed = [o for o in outcomes if not o.ok]
    print(visible(f"Summary written to {json_path} and {csv_path}"))
    if failed:
        raise InputError(
            f"{len(failed)} of {len(outcomes)} input(s) failed: "
            + ", ".join(o.input for o in failed)
        )
    return outcomes


@contextlib.contextmanager
def folder_lock(folder: Path) -> Iterator[None]:
    """Hold the output folder for one batch; another batch into it is refused, naming this one.

    The lock is fcntl.lockf's on LOCK_FILE in the folder: the kernel drops it when its process
    ends, however it ends, so a crashed batch leaves no stale lock, and forked workers do not
    inherit it. The file stays, holding the pid and start time of the last batch that held it.
    """
    path = folder / LOCK_FILE
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
    except OSError as e:
        raise OutputError(f"{path}: cannot write: {reason(e)}") from None
    try:
        try:
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as e:
            if e.errno not in (errno.EACCES, errno.EAGAIN):
                raise OutputError(f"{path}: cannot lock: {reason(e)}") from None
            raise OutputError(
                f"{folder}: another batch is writing into this folder ({_holder(path)}); wait "
                "for it to finish, or give another folder with -o"
            ) from None
        holder = {"pid": os.getpid(), "started": datetime.now(UTC).isoformat(timespec="seconds")}
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(holder).encode(), 0)
        yield
    finally:
        os.close(fd)


HOLDER_WAIT_S = 1.0
"""How long a refused batch waits for the holder to write who it is (it does so once locked)."""


def _holder(path: Path) -> str:
    """Who holds the folder, from the lock file: 'pid 4242, started 2026-12-04 22:50:01 UTC'."""
    deadline = time.monotonic() + HOLDER_WAIT_S
    while True:
        try:
            holder = json.loads(path.read_bytes())
            started = datetime.fromisoformat(holder["started"]).astimezone(UTC)
            return f"pid {int(holder['pid'])}, started {started:%Y-%m-%d %H:%M:%S} UTC"
        except (OSError, ValueError, KeyError, TypeError):
            if time.monotonic() >= deadline:
                return "its pid and start time could not be read"
            time.sleep(0.05)
