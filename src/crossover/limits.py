"""What one input may cost and hold, checked before it is paid for: JSON size, depth, keys and number sizes."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from crossover.scenario import Loc, Problem, Scenario, ScenarioError

MAX_JSON_BYTES = 2 * 1024 * 1024
"""A scenario is a few kilobytes; 2 MB leaves room for hundreds of rows and notes."""
MAX_JSON_DEPTH = 16
"""A scenario nests four levels deep (section, row, field, range part)."""
MAX_DIGITS = 30
MAX_MAGNITUDE = 1e15
"""Above this (a million billion), or non-zero below its inverse, no field means anything real,
and products of such numbers overflow to infinity."""


class _RefusedError(ValueError):
    """A JSON text refused while it is parsed; the message says why."""


def read_json_scenario(path: Path) -> Scenario:
    """A scenario from a JSON file, refused in one sentence if it is too big, too deep or ambiguous."""
    from crossover.scenario import parse_scenario

    try:
        size = path.stat().st_size
        if size > MAX_JSON_BYTES:
            raise _RefusedError(
                f"the file is {size / 1024 / 1024:,.1f} MB; a scenario file may be at most "
                f"{MAX_JSON_BYTES // 1024 // 1024} MB"
            )
        raw = json.loads(
            path.read_bytes().decode("utf-8"),
            object_pairs_hook=_object,
            parse_int=_int,
            parse_constant=_constant,
        )
        _check_depth(raw)
    except _RefusedError as e:
        raise _error(path, str(e)) from None
    except RecursionError:
        raise _error(path, f"nested more than {MAX_JSON_DEPTH} levels deep") from None
    except (OSError, UnicodeDecodeError) as e:
        raise _error(path, f"cannot read the file: {e}") from None
    except json.JSONDecodeError as e:
        raise _error(
            path, f"not valid JSON at line {e.lineno}, column {e.colno}: {e.msg}"
        ) from None
    return parse_scenario(raw, str(path))


def _error(path: Path, message: str) -> ScenarioError:
    return ScenarioError(str(path), [Problem(loc=(), message=message)])


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _RefusedError(
                f"the key {json.dumps(key[:60])} appears twice in one object; keep one (JSON "
                "readers disagree on which one wins)"
            )
        result[key] = value
    return result


def _int(text: str) -> int:
    digits = len(text.lstrip("-"))
    if digits > MAX_DIGITS:
        raise _RefusedError(f"a number with {digits:,} digits; numbers have at most {MAX_DIGITS}")
    return int(text)


def _constant(text: str) -> float:
    raise _RefusedError(f"{text} is not a number JSON allows; give a number")


def _check_depth(value: Any) -> None:
    if too_deep(value, MAX_JSON_DEPTH):
        raise _RefusedError(f"nested more than {MAX_JSON_DEPTH} levels deep")


def too_deep(value: Any, limit: int, depth: int = 0) -> bool:
    """Whether lists and tables (dicts) nest more than limit levels inside value."""
    if depth > limit:
        return True
    if isinstance(value, dict):
        return any(too_deep(item, limit, depth + 1) for item in value.values())
    if isinstance(value, list):
        return any(too_deep(item, limit, depth + 1) for item in value)
    return False


def extreme_numbers(scenario: Scenario) -> list[Problem]:
    """Numbers too large or too small to mean anything, each with its field: errors."""
    problems: list[Problem] = []

    def visit(value: Any, loc: Loc) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                visit(item, (*loc, key))
        elif isinstance(value, list):
            for i, item in enumerate(value):
                visit(item, (*loc, i))
        elif isinstance(value, float | int) and not isinstance(value, bool):
            size = abs(value)
            if not math.isfinite(size) or size > MAX_MAGNITUDE or 0 < size < 1 / MAX_MAGNITUDE:
                problems.append(
                    Problem(
                        loc=loc,
                        message=f"{value:g} is outside the range the tool computes with "
                        f"(non-zero amounts from {1 / MAX_MAGNITUDE:g} to {MAX_MAGNITUDE:g}); "
                        "check the number and its unit",
                    )
                )

    visit(scenario.model_dump(exclude_defaults=True), ())
    return problems
