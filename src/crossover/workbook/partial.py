"""One-pass validation: the catalogue-aware checks run on what did read, beside the field errors."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

from pydantic import ValidationError

from crossover.scenario import Loc, Scenario
from crossover.workbook.layout import FieldSpec


def stand_in(raw: dict[str, Any], bad: list[Loc], field_at: Any) -> Scenario | None:
    """The scenario with each unreadable value replaced by a valid stand-in, or None.

    Checks then run on everything else; their problems at or around a stand-in are dropped
    by `around_stand_in`, so none of the stand-ins' own values is ever reported.
    """
    patched = copy.deepcopy(raw)
    for n, loc in enumerate(bad):
        item: FieldSpec | None = field_at(loc)
        if item is None:
            return None
        target: Any = patched
        for part in loc[:-1]:
            if isinstance(part, int):
                if not isinstance(target, list) or part >= len(target):
                    return None
                target = target[part]
            else:
                target = target.setdefault(part, {})
        target[loc[-1]] = _stand_in(item, n)
    try:
        return Scenario.model_validate(patched)
    except ValidationError:
        return None


def around_stand_in(stand_in_loc: Loc, loc: Loc) -> bool:
    """A problem the stand-in may have caused: at it, in its table row, or over its column."""
    if loc[: len(stand_in_loc)] == stand_in_loc:
        return True
    if len(stand_in_loc) >= 2 and isinstance(stand_in_loc[1], int):
        if loc[:2] == stand_in_loc[:2]:
            return True
        return len(loc) == 2 and (stand_in_loc[0], stand_in_loc[-1]) == loc
    return False


def _stand_in(item: FieldSpec, n: int) -> Any:
    if item.default is not None:
        return item.default
    if item.kind in ("number", "percent", "integer"):
        low = item.ge if item.ge is not None else (item.gt + 1 if item.gt is not None else 1)
        high = item.le if item.le is not None else item.lt
        value = max(low, 1) if high is None or max(low, 1) < high else low
        return int(value) if item.kind == "integer" else float(value)
    if item.kind == "choice":
        return item.choices[0]
    if item.kind == "flag":
        return False
    if item.kind == "date":
        return date(2026, 1, 1)
    # Ids must be unique: each stand-in text is its own.
    return f"stand-in-{n}"
