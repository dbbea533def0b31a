"""The errors a user can cause, each with the exit code the CLI ends with."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

# sysexits.h codes, as the CLI contract fixes them.
EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_USAGE = 2
EXIT_DATA = 65
EXIT_UNAVAILABLE = 69
EXIT_IOERR = 74


class Described(Protocol):
    """A problem that can say what and where it is, in one line."""

    @property
    def loc(self) -> tuple[int | str, ...]: ...

    @property
    def where(self) -> str | None: ...

    @property
    def message(self) -> str: ...

    def describe(self) -> str: ...


class CrossoverError(Exception):
    """Base of every error the CLI reports as one 'Error: ...' line instead of a traceback."""

    exit_code = EXIT_DATA


class InputError(CrossoverError):
    """Raised when an input file (workbook, JSON, brand) is unreadable, hostile or invalid."""

    exit_code = EXIT_DATA


class ProblemsError(InputError):
    """Raised with every problem found in an input, each describing itself with its place."""

    source: str
    problems: Sequence[Described]


class ServiceUnavailableError(CrossoverError):
    """Raised when an outside service (SMTP) cannot be reached or refuses us."""

    exit_code = EXIT_UNAVAILABLE


class OutputError(CrossoverError):
    """Raised when an output cannot be written: disk full, read-only folder, not a regular file."""

    exit_code = EXIT_IOERR
