"""Print, or write into the docs, the input contract's field tables and plausible ranges.

Usage: python scripts/contract_doc.py           (print the tables)
       python scripts/contract_doc.py --write   (replace them in docs/workbook.md and
                                                 docs/inputs.md)
tests/test_contract_doc.py checks that docs/workbook.md holds what this prints, and
tests/workbook/test_plausible_ranges.py that docs/inputs.md does.
"""

from __future__ import annotations

import sys
import typing
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from crossover.plausibility import amount
from crossover.ranges import PLAUSIBLE, Plausible
from crossover.scenario import Scenario
from crossover.workbook import layout
from crossover.workbook.layout import FieldSpec, SectionSpec

DOC = Path(__file__).parent.parent / "docs" / "workbook.md"
BEGIN, END = "<!-- fields:begin -->", "<!-- fields:end -->"
INPUTS_DOC = Path(__file__).parent.parent / "docs" / "inputs.md"
PLAUSIBLE_BEGIN, PLAUSIBLE_END = "<!-- plausible:begin -->", "<!-- plausible:end -->"

KINDS = {
    "text": "text",
    "number": "number",
    "percent": "percent",
    "integer": "whole number",
    "choice": "choice",
    "flag": "yes/no",
    "date": "date",
}


def field_tables() -> str:
    """One table per section of the Scenario, in the schema's order."""
    return "\n\n".join(_section(spec) for spec in layout.sections())


def _section(spec: SectionSpec) -> str:
    if spec.is_table:
        rows = f"at least {spec.min_rows}, " if spec.min_rows else ""
        where = (
            f"Excel table `{spec.table}` on sheet *{spec.sheet}*; JSON: a list `{spec.key}` "
            f"({rows}at most {spec.max_rows} rows)"
        )
    else:
        where = f"sheet *{spec.sheet}*, one named cell per field; JSON: an object `{spec.key}`"
    status = "required" if spec.required else "optional"
    lines = [
        f"### {spec.key}",
        "",
        f"{spec.intro} ({status}; {where}.)",
        "",
        "| field | label | type, unit | default (blank means) | allowed | meaning |",
        "|---|---|---|---|---|---|",
    ]
    model = _model(spec.key)
    lines += [_row(field, model) for field in spec.fields]
    return "\n".join(lines)


def _model(key: str) -> type[BaseModel]:
    """The pydantic model of a section: Scenario.tiers is a list of Tier, Scenario.client a Client."""
    annotation = Scenario.model_fields[key].annotation
    if typing.get_origin(annotation) is list:
        annotation = typing.get_args(annotation)[0]
    assert isinstance(annotation, type) and issubclass(annotation, BaseModel)
    return annotation


def _row(field: FieldSpec, model: type[BaseModel]) -> str:
    kind = KINDS[field.kind]
    unit = field.unit
    type_unit = unit if unit.startswith(kind) else f"{kind}, {unit}" if unit else kind
    blank = "required" if field.required else _balanced(field.blank_means)
    listed = _list_items(model, field)
    allowed = listed if listed is not None else _allowed(field)
    name = f"`{field.name}`"
    if field.group is not None:
        name += f" (JSON `{'.'.join(field.path)}`)"
    cells = [name, field.label, type_unit, blank, allowed, field.description]
    return "| " + " | ".join(_cell(c) for c in cells) + " |"


def _list_items(model: type[BaseModel], field: FieldSpec) -> str | None:
    """For a list field (ids typed comma-separated), what its items may be; None otherwise."""
    info = model.model_fields.get(field.path[0])
    if info is None or typing.get_origin(info.annotation) is not list:
        return None
    (item,) = typing.get_args(info.annotation)
    limit = next((m.max_length for m in info.metadata if hasattr(m, "max_length")), None)
    most = f"; at most {limit}" if limit is not None else ""
    choices: tuple[Any, ...] = (
        typing.get_args(item) if typing.get_origin(item) is typing.Literal else ()
    )
    if choices:
        return "comma-separated, each one of " + ", ".join(f"`{c}`" for c in choices) + most
    return f"comma-separated ids{most}"


def _balanced(text: str) -> str:
    """A blank-means phrase cut from a description may keep the ')' of '(blank: ...)'."""
    return text[:-1] if text.endswith(")") and text.count(")") > text.count("(") else text


def _allowed(field: FieldSpec) -> str:
    """The rule a value must meet: its choices, its range, or its length."""
    if field.catalogue_list:
        return "a catalogue id (drop-down; other ids are checked against the catalogue)"
    if field.kind in ("choice", "flag"):
        return ", ".join(f"`{c}`" for c in field.choices)
    if field.bounds:
        return field.bounds
    if field.max_length is not None:
        return f"at most {field.max_length} characters"
    return ""


def plausible_table() -> str:
    """One row per numeric input: what a real client has, what is refused, and why."""
    lines = [
        "| field | plausible (else a warning) | refused | read as a slip | why | source |",
        "|---|---|---|---|---|---|",
    ]
    lines += [_plausible_row(entry) for entry in PLAUSIBLE]
    return "\n".join(lines)


def _plausible_row(entry: Plausible) -> str:
    unit = ("" if entry.unit.startswith("%") else " ") + entry.unit if entry.unit else ""
    if entry.judged:
        plausible, refused = entry.judged, "see the plausible column"
    elif entry.low is None and entry.high is None:
        plausible, refused = "any value the schema allows", "—"
    else:
        plausible = f"{amount(entry.low or 0)} to {amount(entry.high or 0)}{unit}"
        limits = []
        if entry.floor is not None:
            limits.append(f"below {amount(entry.floor)}")
        if entry.ceiling is not None:
            limits.append(f"above {amount(entry.ceiling)}")
        refused = " or ".join(limits) or "only beyond the schema's bounds"
    slips = "; ".join(
        m.said.split(",")[0].split(":")[0] + f" ({_factor(m.factor)})" for m in entry.misreadings
    )
    source = entry.source or "none: a judgement of what clients have"
    cells = [f"`{entry.field}`", plausible, refused, slips, entry.reason, source]
    return "| " + " | ".join(_cell(c) for c in cells) + " |"


def _factor(factor: float) -> str:
    """× 1,000 or ÷ 100: how the typed value becomes the one meant."""
    return f"× {amount(factor)}" if factor >= 1 else f"÷ {amount(round(1 / factor))}"


def _replace(path: Path, begin: str, end: str, body: str) -> None:
    text = path.read_text(encoding="utf-8")
    head, rest = text.split(begin)
    _, tail = rest.split(end)
    path.write_text(f"{head}{begin}\n{body}\n{end}{tail}", encoding="utf-8")


def _cell(text: str) -> str:
    """Markdown-safe table cell: pipes escaped, line breaks joined."""
    return " ".join(text.split()).replace("|", "\\|")


def main(argv: list[str]) -> None:
    tables = field_tables()
    if argv[1:] == ["--write"]:
        _replace(DOC, BEGIN, END, tables)
        _replace(INPUTS_DOC, PLAUSIBLE_BEGIN, PLAUSIBLE_END, plausible_table())
        sys.stdout.write(f"wrote {DOC} and {INPUTS_DOC}\n")
    elif argv[1:]:
        sys.exit(__doc__)
    else:
        sys.stdout.write(tables + "\n\n" + plausible_table() + "\n")


if __name__ == "__main__":
    main(sys.argv)
