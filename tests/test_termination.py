"""SIGTERM unwinds a process even when it arrives inside a weakref callback (a finaliser)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

# The signal is sent from inside a weakref callback, so the handler runs there, where Python
# swallows exceptions ("Exception ignored ... Traceback") and would carry on sleeping forever.
PROGRAM = textwrap.dedent(
    """
    import os, signal, time, weakref
    from crossover.termination import unwind_on_sigterm

    unwind_on_sigterm()

    class Thing:
        pass

    def finalised(_):
        os.kill(os.getpid(), signal.SIGTERM)
        for _ in range(10_000):
            pass

    thing = Thing()
    ref = weakref.ref(thing, finalised)
    try:
        del thing
        time.sleep(30)
    finally:
        print("unwound", flush=True)
    """
)


def test_sigterm_inside_a_finaliser_unwinds_quietly() -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROGRAM], capture_output=True, text=True, timeout=20
    )
    assert done.returncode == 143
    assert done.stdout == "unwound\n"
    assert done.stderr == ""


def test_other_unraisable_exceptions_are_still_reported() -> None:
    program = textwrap.dedent(
        """
        from crossover.termination import unwind_on_sigterm

        unwind_on_sigterm()

        class Broken:
            def __del__(self):
                raise ValueError("kept")

        Broken()
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=20
    )
    assert done.returncode == 0
    assert "ValueError: kept" in done.stderr
