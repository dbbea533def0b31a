"""The blank template: generated from the schema, committed as written, opened by LibreOffice."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.utils.cell import range_boundaries

from crossover.catalogue import load_catalogue
from crossover.scenario import Scenario, load_json_scenario
from crossover.workbook import layout, write_filled, write_template

from .helpers import EXAMPLES, ROOT, named, soffice

COMMITTED_TEMPLATE = ROOT / "inputs" / "template.xlsx"
INPUT_FILL = "00FFF2CC"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.xlsx"
    write_template(path)
    return path


@pytest.fixture(scope="module")
def workbook(template: Path) -> Workbook:
    return load_workbook(template)


def content(path: Path) -> dict[str, Any]:
    """Everything a client sees or the reader uses; not the zip's timestamps."""
    workbook = load_workbook(path)
    sheets = {}
    for sheet in workbook.worksheets:
        sheets[sheet.title] = {
            "state": sheet.sheet_state,
            "cells": {
                cell.coordinate: (cell.value, cell.number_format, cell.fill.fgColor.rgb)
                for row in sheet.iter_rows()
                for cell in row
                if cell.value is not None or cell.fill.fill_type
            },
            "notes": {
                cell.coordinate: cell.comment.text
                for row in sheet.iter_rows()
                for cell in row
                if cell.comment
            },
            "tables": dict(sheet.tables.items()),
            "validations": sorted(
                (
                    str(v.sqref),
                    v.type,
                    v.operator,
                    v.formula1,
                    v.formula2,
                    v.prompt,
                    v.error,
                    v.errorStyle,
                )
                for v in sheet.data_validations.dataValidation
            ),
            "widths": {k: d.width for k, d in sheet.column_dimensions.items()},
            "freeze": sheet.freeze_panes,
        }
    return {
        "sheets": sheets,
        "names": {name: d.attr_text for name, d in workbook.defined_names.items()},
    }


def test_the_committed_template_is_what_the_command_writes(template: Path) -> None:
    assert content(COMMITTED_TEMPLATE) == content(template)


def test_writing_is_deterministic(template: Path, tmp_path: Path) -> None:
    again = tmp_path / "again.xlsx"
    write_template(again)
    assert again.read_bytes() == template.read_bytes()


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_the_committed_example_workbooks_match_their_json(example: Path, tmp_path: Path) -> None:
    written = tmp_path / f"{example.stem}.xlsx"
    write_filled(load_json_scenario(example), written)
    assert content(example.with_suffix(".xlsx")) == content(written)


def test_sheets_come_in_the_order_a_client_fills_them(workbook: Workbook) -> None:
    assert workbook.sheetnames == [
        "Start here",
        *(layout.sheet_title(section) for section in Scenario.model_fields),
        "Lists",
    ]
    assert workbook.sheetnames[1:8] == [
        "Client",
        "Workload",
        "Tiers",
        "Deployments",
        "Operations",
        "Compliance",
        "Price overrides",
    ]
    assert workbook["Lists"].sheet_state == "hidden"
    assert workbook.active is not None
    assert workbook.active.title == "Start here"


def test_every_schema_field_has_words_and_nothing_else_does() -> None:
    schema = set()
    for section, info in Scenario.model_fields.items():
        annotation = info.annotation
        assert annotation is not None
        model = getattr(annotation, "__args__", (annotation,))[0]
        schema |= {(section, name) for name in model.model_fields}
    assert set(layout.WORDS) == schema


def test_defined_names_are_unique() -> None:
    names = [f.name for s in layout.sections() if not s.is_table for f in s.fields]
    names += list(layout.choice_lists())
    assert len(names) == len(set(names))


def test_sections_follow_the_schema() -> None:
    assert [s.key for s in layout.sections()] == list(Scenario.model_fields)
    for spec in layout.sections():
        annotation = Scenario.model_fields[spec.key].annotation
        assert annotation is not None
        model = getattr(annotation, "__args__", (annotation,))[0]
        assert [f.path[0] for f in spec.fields if f.path[1:] in ((), ("low",))] == list(
            model.model_fields
        )


@pytest.mark.parametrize(
    "field",
    [f for s in layout.sections() if not s.is_table for f in s.fields],
    ids=lambda f: f.name,
)
def test_every_scalar_input_is_a_named_styled_cell_with_a_note(
    workbook: Workbook, field: layout.FieldSpec
) -> None:
    cell = named(workbook, field.name)
    assert cell.parent.title == layout.section(field.section).sheet
    assert cell.fill.fgColor.rgb == INPUT_FILL
    assert cell.protection.locked is False
    assert cell.comment is not None
    assert f"Unit: {field.unit}" in cell.comment.text
    assert f"Example: {field.example}" in cell.comment.text
    expected = field.default
    if field.kind == "flag":
        expected = "yes" if field.default else "no"
    assert cell.value == expected
    # The defined name is workbook-scoped, and the label sits to its left.
    assert field.name in workbook.defined_names
    assert cell.offset(column=-1).value.rstrip(" *") == field.label


@pytest.mark.parametrize(
    "spec", [s for s in layout.sections() if s.is_table], ids=lambda s: s.table
)
def test_tables_have_the_field_names_as_headers(
    workbook: Workbook, spec: layout.SectionSpec
) -> None:
    sheet = workbook[spec.sheet]
    table = sheet.tables[spec.table]
    first_column, header_row, last_column, last_row = range_boundaries(table.ref)
    assert first_column is not None and header_row is not None
    assert last_column is not None and last_row is not None
    headers = [sheet.cell(header_row, c).value for c in range(first_column, last_column + 1)]
    assert headers == [f.name for f in spec.fields]
    assert last_row - header_row == spec.blank_rows
    for row in range(header_row + 1, last_row + 1):
        for column in range(first_column, last_column + 1):
            cell = sheet.cell(row, column)
            assert cell.value is None
            assert cell.fill.fgColor.rgb == INPUT_FILL
            assert cell.protection.locked is False
    assert sheet.freeze_panes == f"A{header_row + 1}"


def _validations(workbook: Workbook) -> dict[tuple[str, str], Any]:
    """(sheet, first cell of the rule) -> rule."""
    found = {}
    for sheet in workbook.worksheets:
        for rule in sheet.data_validations.dataValidation:
            for cells in rule.sqref.ranges:
                found[(sheet.title, cells.coord.split(":")[0])] = rule
    return found


def _input_cell(workbook: Workbook, field: layout.FieldSpec) -> tuple[str, str]:
    spec = layout.section(field.section)
    if not spec.is_table:
        cell = named(workbook, field.name)
        return cell.parent.title, cell.coordinate
    sheet = workbook[spec.sheet]
    for cell in sheet[layout.HEADER_ROW]:
        if cell.value == field.name:
            return spec.sheet, f"{cell.column_letter}{layout.FIRST_ROW}"
    raise KeyError(field.name)


def _list_values(workbook: Workbook, name: str) -> list[Any]:
    ((sheet, reference),) = workbook.defined_names[name].destinations
    assert sheet == "Lists"
    return [c.value for (c,) in workbook[sheet][reference.replace("$", "")]]


def test_drop_downs_offer_the_catalogue_and_the_schema_choices(workbook: Workbook) -> None:
    catalogue = load_catalogue()
    expected = {
        "list_api_model": catalogue.listed_api_models(),
        "list_model": sorted(catalogue.models),
        "list_gpu": sorted(catalogue.gpus),
        "list_instance": sorted(catalogue.instances),
        "list_precision": ["bf16", "fp16", "fp8", "int8", "int4", "fp4"],
        "list_engine": ["vllm", "sglang", "trt-llm"],
        "list_kv_precision": ["bf16", "fp8"],
        "list_price_plan": ["on_demand", "reserved_1y", "reserved_3y", "spot"],
        "list_route": ["api", "self_host"],
        "list_api_mode": ["realtime", "batch"],
        "list_yes_no": ["yes", "no"],
        "list_gpus_per_replica": [1, 2, 4, 8],
        "list_redundancy": [0, 1],
    }
    for name, values in expected.items():
        assert _list_values(workbook, name) == values, name
    rules = _validations(workbook)
    for spec in layout.sections():
        for field in spec.fields:
            if field.list_name is None:
                continue
            rule = rules[_input_cell(workbook, field)]
            assert (rule.type, rule.formula1) == ("list", field.list_name), field.name
            assert rule.errorStyle == ("warning" if field.catalogue_list else "stop")


@pytest.mark.parametrize(
    ("name", "kind", "operator", "first", "second"),
    [
        ("input_mtok_per_day", "decimal", "greaterThanOrEqual", "0", None),
        ("usd_fx_rate", "decimal", "greaterThan", "0", None),
        ("monthly_growth_pct", "decimal", "between", "-50", "100"),
        ("share_pct", "decimal", "between", "0", "100"),
        ("horizon_months", "whole", "between", "1", "60"),
        ("gpus_per_instance", "whole", "between", "1", "16"),
    ],
)
def test_ranges_are_checked_with_a_prompt(
    workbook: Workbook, name: str, kind: str, operator: str, first: str, second: str | None
) -> None:
    field = next(f for s in layout.sections() for f in s.fields if f.name == name)
    rule = _validations(workbook)[_input_cell(workbook, field)]
    assert (rule.type, rule.operator, rule.formula1, rule.formula2) == (
        kind,
        operator,
        first,
        second,
    )
    assert rule.showInputMessage and rule.showErrorMessage
    assert rule.prompt.startswith(f"{field.unit}. Example: {field.example}.")
    assert len(rule.prompt) <= 255 and len(rule.promptTitle) <= 32


def test_the_start_sheet_says_what_to_do(workbook: Workbook) -> None:
    text = " ".join(
        str(c.value) for row in workbook["Start here"].iter_rows() for c in row if c.value
    )
    assert (
        "Only these are required: Client name (Client sheet), Input tokens per day and Output "
        "tokens per day (Workload sheet), and at least one row on the Tiers sheet." in text
    )
    for words in ("yellow cells", "Send it back"):
        assert words in text
    for spec in layout.sections():
        assert spec.sheet in text


def test_libreoffice_opens_the_template(template: Path, tmp_path: Path) -> None:
    pdf = soffice(template, "pdf", tmp_path / "out", tmp_path / "profile")
    pdfinfo = shutil.which("pdfinfo")
    assert pdfinfo is not None
    info = subprocess.run([pdfinfo, str(pdf)], capture_output=True, text=True, check=True)
    pages = int(
        next(line for line in info.stdout.splitlines() if line.startswith("Pages:")).split()[1]
    )
    # A page or two per visible sheet; the hidden lists are not printed.
    visible = 1 + len(layout.sections())
    assert visible <= pages <= visible + 3
