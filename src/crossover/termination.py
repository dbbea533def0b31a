"""SIGTERM unwinds a process as Ctrl-C does, even when it arrives inside a finaliser."""

from __future__ import annotations

import _thread
import os
import signal
import sys
import time
from types import FrameType

REDELIVERY_DELAY_S = 0.01  # long enough for the hook to return, short beside a render


class Terminated(SystemExit):
    """Raised by the SIGTERM handler: unwinding runs `finally` blocks, so temp files go."""


def unwind_on_sigterm() -> None:
    """From now on SIGTERM raises `Terminated` (exit status 128 + 15) in this process.

    Python runs a signal handler between any two bytecodes, also inside a weakref callback
    or a `__del__`, where an exception cannot propagate: Python prints it as "Exception
    ignored" with a traceback and carries on. The unraisable hook installed here catches that
    case and delivers the signal again, so it lands at the next point where it can unwind.
    """
    signal.signal(signal.SIGTERM, _raise_terminated)
    sys.unraisablehook = _redeliver_terminated


def _raise_terminated(signum: int, frame: FrameType | None) -> None:
    raise Terminated(128 + signum)


def _redeliver_terminated(unraisable: sys.UnraisableHookArgs) -> None:
    if isinstance(unraisable.exc_value, Terminated):
        # Sent again a moment later from another thread: sent (or raised, or marked pending)
        # from here, the handler would run at this hook's next bytecode and be swallowed
        # again. Should it land in a finaliser once more, this hook sends it once more.
        _thread.start_new_thread(_send_sigterm_soon, ())
        return
    sys.__unraisablehook__(unraisable)


def _send_sigterm_soon() -> None:
    time.sleep(REDELIVERY_DELAY_S)
    os.kill(os.getpid(), signal.SIGTERM)
