"""Which defined names answer a section, as Excel resolves them: a copied sheet has its own.

Excel's "Move or Copy" gives the copy of a sheet sheet-scoped names, equal to the workbook's
names but pointing at the copy's cells. A client who copies the Workload sheet and fills in
the copy has answered on the copy, while the workbook-scoped names still point at the
original. The reader takes the sheet the client edited when the others still hold the
template's values, and refuses the workbook when two sheets hold different answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from openpyxl import Workbook
from openpyxl.workbook.defined_name import DefinedName

from crossover.workbook import layout
from crossover.workbook.layout import SectionSpec

MAX_DIFFERENCES_SHOWN = 3


@dataclass(frozen=True)
class Choice:
    """The names a section is read through, and what the reader must say about the choice."""

    names: dict[str, DefinedName]
    """Field name (lower case) -> the defined name to read it through."""
    warning: str | None = None
    error: str | None = None


def choose_names(workbook: Workbook, spec: SectionSpec) -> Choice:
    """The names to read a scalar section through: the workbook's, or a copied sheet's."""
    wanted = {item.name.lower() for item in spec.fields}
    shared = {n.lower(): d for n, d in workbook.defined_names.items() if n.lower() in wanted}
    local = {
        sheet.title: {n.lower(): d for n, d in sheet.defined_names.items() if n.lower() in wanted}
        for sheet in workbook.worksheets
    }
    local = {sheet: names for sheet, names in local.items() if names}
    if not local:
        return Choice(shared)
    # On a sheet with names of its own, Excel reads those first and the workbook's after.
    original = _home(shared)
    readings = {original: shared} if original is not None else {}
    for sheet, names in local.items():
        readings[sheet] = {**shared, **names}
    first = original if original is not None else next(iter(readings))
    if len(readings) == 1:
        return Choice(readings[first])
    values = {sheet: _values(workbook, names) for sheet, names in readings.items()}
    if all(found == values[first] for found in values.values()):
        return Choice(readings[first])
    untouched = template_values()
    edited = [
        sheet
        for sheet, found in values.items()
        if any(value != untouched.get(name) for name, value in found.items())
    ]
    if not edited:
        return Choice(readings[first])
    if len(edited) == 1:
        chosen = edited[0]
        if chosen == first:
            return Choice(readings[chosen])
        return Choice(
            readings[chosen],
            warning=f"the {spec.key} answers are read from the sheet {_quoted(chosen)}, a copy "
            f"of {_quoted(first)} made with Move or Copy (which gives the copy names of its "
            f"own); {_quoted(first)} still holds the template's values: delete it, so that one "
            "sheet holds the answers",
        )
    return Choice(
        readings[first],
        error=f"the {spec.key} answers are on {len(edited)} sheets, "
        f"{' and '.join(_quoted(s) for s in edited)} (a copy made with Move or Copy has names "
        f"of its own), and they differ ({_differences(values, edited)}): delete the sheet whose "
        "answers you do not mean",
    )


def _home(names: dict[str, DefinedName]) -> str | None:
    """The sheet most of the names point to."""
    sheets = [sheet for d in names.values() if (sheet := _sheet_of(d)) is not None]
    return max(sheets, key=sheets.count) if sheets else None


def _sheet_of(definition: DefinedName) -> str | None:
    destinations = list(definition.destinations) if definition.type == "RANGE" else []
    return destinations[0][0] if destinations else None


def _values(workbook: Workbook, names: dict[str, DefinedName]) -> dict[str, Any]:
    """Each field's cell value through its name (None where the name points nowhere)."""
    found: dict[str, Any] = {}
    for field, definition in names.items():
        destinations = list(definition.destinations) if definition.type == "RANGE" else []
        value = None
        if destinations and destinations[0][0] in workbook.sheetnames:
            sheet, reference = destinations[0]
            reference = reference.replace("$", "")
            if ":" not in reference:
                value = workbook[sheet][reference].value
        found[field] = value
    return found


def _differences(values: dict[str, dict[str, Any]], sheets: list[str]) -> str:
    first, *others = sheets
    names = sorted(
        name
        for name in values[first]
        if any(values[other].get(name) != values[first][name] for other in others)
    )
    shown = [
        f"{name}: " + " and ".join(_shown(values[sheet].get(name)) for sheet in sheets)
        for name in names[:MAX_DIFFERENCES_SHOWN]
    ]
    more = len(names) - len(shown)
    return "; ".join(shown) + (f"; and {more} more" if more > 0 else "")


def _shown(value: Any) -> str:
    if value is None:
        return "blank"
    return layout.format_number(value) if isinstance(value, float) else str(value)


def _quoted(sheet: str) -> str:
    return f'"{sheet}"'


@cache
def template_values() -> dict[str, Any]:
    """Each named input's value in the blank template, by field name (lower case)."""
    from crossover.workbook.template import build_template

    empty: tuple[str | int, ...] = ()
    workbook = build_template(
        {name: empty for name in ("list_api_model", "list_model", "list_gpu", "list_instance")}
    )
    return {
        name.lower(): value
        for name, value in _values(workbook, dict(workbook.defined_names.items())).items()
    }
