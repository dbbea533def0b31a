"""The errors a user can cause, each with the exit code the CLI ends with."""

from __future__ import annotations

# sysexits.h codes, as the CLI contract fixes them.
EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_USAGE = 2
EXIT_DATA = 65
EXIT_UNAVAILABLE = 69


class CrossoverError(Exception):
    """Base of every error the CLI reports as one 'Error: ...' line instead of a traceback."""

    exit_code = EXIT_DATA


class InputError(CrossoverError):
    """Raised when an input file (workbook, JSON, brand) is unreadable, hostile or invalid."""

    exit_code = EXIT_DATA


class ServiceUnavailableError(CrossoverError):
    """Raised when an outside service (SMTP) cannot be reached or refuses us."""

    exit_code = EXIT_UNAVAILABLE
