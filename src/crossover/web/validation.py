"""Validating an upload in a bounded child process with the library's own reader and checks.

The child is forked from a forkserver that has the reader, the catalogue and the engine
loaded, so a validation costs the reading alone. It runs with a memory ceiling and a time
limit: a file built to exhaust either costs one child, never the server.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import resource
import threading
import time
from multiprocessing.connection import Connection
from pathlib import Path

from crossover.web.validation_result import Validation, said

DEFAULT_TIMEOUT_S = 20.0
DEFAULT_MEMORY_MB = 512
"""Memory the child may add to what the forkserver already holds."""
_PRELOAD = ["crossover.web.validation_child"]
_SLOTS = threading.BoundedSemaphore(os.cpu_count() or 1)


def _context() -> multiprocessing.context.BaseContext:
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(_PRELOAD)
    return context


def start_forkserver() -> None:
    """Start the forkserver now, so that it loads and warms up while the server starts.

    Its preload reads a blank template once (validation_child._warm_up), a second or two; a
    web process that starts it at once spares its first upload that wait.
    """
    from multiprocessing import forkserver

    _context()
    forkserver.ensure_running()


def validate_upload(
    path: Path, timeout_s: float = DEFAULT_TIMEOUT_S, memory_mb: int = DEFAULT_MEMORY_MB
) -> Validation:
    """Read and check the file at `path` in a child; a child that overruns or dies is a refusal."""
    started = time.perf_counter()
    # As many children read at once as there are CPUs; the others wait their turn, and the
    # time limit counts from a child's start, so a busy server refuses no sound workbook.
    with _SLOTS:
        result = _in_child(path, timeout_s, memory_mb)
    return Validation(
        result.sound,
        result.problems,
        result.warnings,
        result.figures,
        time.perf_counter() - started,
        result.client_name,
    )


def _in_child(path: Path, timeout_s: float, memory_mb: int) -> Validation:
    context = _context()
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(  # type: ignore[attr-defined]
        target=_run_child, args=(path, sender, memory_mb), daemon=True
    )
    process.start()
    sender.close()
    try:
        if receiver.poll(timeout_s):
            try:
                result: Validation = receiver.recv()
            except EOFError:
                result = _refused(_died(process))
        else:
            result = _refused(
                f"the workbook took longer than {timeout_s:g} s to read and was stopped; "
                "a filled-in template reads in a second or two: copy your answers into a fresh "
                "template and send that"
            )
    finally:
        receiver.close()
        if process.is_alive():
            process.kill()
        process.join()
    return result


def _refused(message: str) -> Validation:
    return Validation(sound=False, problems=[said(message)])


def _died(process: multiprocessing.process.BaseProcess) -> str:
    process.join(2.0)
    return (
        "the workbook could not be read: reading it needed more memory than a filled-in "
        f"template ever does (the reader stopped, exit code {process.exitcode}); copy your "
        "answers into a fresh template and send that"
    )


def _run_child(path: Path, sender: Connection, memory_mb: int) -> None:
    from crossover.web.validation_child import check

    with contextlib.suppress(ValueError, OSError):
        # The ceiling is on address space: what the child maps beyond the preloaded modules.
        pages = int(Path("/proc/self/statm").read_text().split()[0])
        ceiling = pages * resource.getpagesize() + memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (ceiling, ceiling))
    sender.send(check(path))
    sender.close()
