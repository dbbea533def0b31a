"""The workbook as the client sees it: copied sheets, hidden sheets, rows and columns (issue 28)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.table import Table
from openpyxl.worksheet.worksheet import Worksheet

from crossover.catalogue import load_catalogue
from crossover.inputs import load_scenario_with_warnings
from crossover.scenario import Problem, Scenario, ScenarioError
from crossover.workbook import layout
from crossover.workbook.names import template_values

from .helpers import named, spoil, table_cell

CATALOGUE = load_catalogue()


def read(path: Path) -> tuple[Scenario | None, list[Problem]]:
    try:
        return load_scenario_with_warnings(path, CATALOGUE)
    except ScenarioError as e:
        return None, e.problems


def described(problems: list[Problem]) -> list[tuple[str, str | None, str]]:
    return [(p.severity, p.code, p.describe()) for p in problems]


def tiers_ref(path: Path) -> str:
    """Where the template puts the Tiers table (its columns follow the schema)."""
    return str(load_workbook(path)["Tiers"].tables["Tiers"].ref)


def move_or_copy(workbook: Workbook, title: str) -> Worksheet:
    """What Excel's Move or Copy (Create a copy) does: the copy gets sheet-scoped names equal
    to the workbook's names that point into the sheet, pointing at its own cells."""
    copy = workbook.copy_worksheet(workbook[title])
    copy.title = f"{title} (2)"
    for name, definition in list(workbook.defined_names.items()):
        ((sheet, reference),) = definition.destinations
        if sheet == title:
            copy.defined_names[name] = DefinedName(name, attr_text=f"'{copy.title}'!{reference}")
    return copy


def test_a_copied_sheet_the_client_filled_is_read_and_the_untouched_original_named(
    filled_path: Path,
) -> None:
    def change(workbook: Any) -> None:
        copy = move_or_copy(workbook, "Workload")
        untouched = template_values()
        for item in layout.section("workload").fields:
            named(workbook, item.name).value = untouched.get(item.name.lower())
        copy[named(workbook, "input_mtok_per_day").coordinate].value = 900

    scenario, problems = read(spoil(filled_path, change))
    assert scenario is not None
    assert scenario.workload.input_mtok_per_day == 900
    assert scenario.workload.output_mtok_per_day == 120
    assert described(problems) == [
        (
            "warning",
            "copied_sheet",
            'Workload sheet: the workload answers are read from the sheet "Workload (2)", a '
            'copy of "Workload" made with Move or Copy (which gives the copy names of its own); '
            '"Workload" still holds the template\'s values: delete it, so that one sheet holds '
            "the answers",
        )
    ]


def test_two_sheets_holding_different_answers_are_refused(filled_path: Path) -> None:
    def change(workbook: Any) -> None:
        copy = move_or_copy(workbook, "Workload")
        copy[named(workbook, "input_mtok_per_day").coordinate].value = 900

    _, problems = read(spoil(filled_path, change))
    assert described(problems) == [
        (
            "error",
            None,
            'Workload sheet: the workload answers are on 2 sheets, "Workload" and "Workload '
            '(2)" (a copy made with Move or Copy has names of its own), and they differ '
            "(input_mtok_per_day: 500 and 900): delete the sheet whose answers you do not mean",
        )
    ]


def test_an_unchanged_copy_changes_nothing(filled_path: Path) -> None:
    scenario, problems = read(spoil(filled_path, lambda wb: move_or_copy(wb, "Workload")))
    assert scenario is not None and problems == []
    assert scenario.workload.input_mtok_per_day == 500


def test_a_hidden_input_sheet_is_warned_of_with_its_cells(filled_path: Path) -> None:
    def change(workbook: Any) -> None:
        workbook["Operations"].sheet_state = "hidden"
        workbook["Tiers"].sheet_state = "hidden"

    _, problems = read(spoil(filled_path, change))
    assert described(problems) == [
        (
            "warning",
            "hidden_input",
            "Tiers sheet: the Tiers sheet is hidden, but the tool reads its inputs (the Tiers "
            f"table, {tiers_ref(filled_path)}); unhide it (right-click any sheet tab, Unhide) to "
            "check them",
        ),
        (
            "warning",
            "hidden_input",
            "Operations sheet: the Operations sheet is hidden, but the tool reads its inputs "
            "(C5, C6, C7, C8, C9 and 6 more); unhide it (right-click any sheet tab, Unhide) to "
            "check them",
        ),
    ]


def test_an_answer_in_a_hidden_row_or_column_is_warned_of_at_its_cell(filled_path: Path) -> None:
    def change(workbook: Any) -> None:
        peak = named(workbook, "peak_to_average")
        workbook["Workload"].row_dimensions[peak.row].hidden = True
        name = named(workbook, "client_name")
        sheet = workbook["Client"]
        # Hide the column, then clear the other answers in it: one warning, for the name.
        sheet.column_dimensions[name.column_letter].hidden = True
        for other in ("report_date", "currency", "usd_fx_rate"):
            named(workbook, other).value = None

    _, problems = read(spoil(filled_path, change))
    assert described(problems) == [
        (
            "warning",
            "hidden_input",
            "Client!C5 (client_name): this cell is in a hidden column, but the tool reads it "
            'like any other (it holds "Acme Health"); unhide the column (select the columns '
            "around it, right-click, Unhide) to check it",
        ),
        (
            "warning",
            "hidden_input",
            "Workload!C7 (peak_to_average): this cell is in a hidden row, but the tool reads it "
            "like any other (it holds 2); unhide the row (select the rows around it, right-click, "
            "Unhide) to check it",
        ),
    ]


def copy_with_table(workbook: Workbook, title: str, table: str) -> Worksheet:
    """Move or Copy of a sheet holding a table: the copy's table takes a new name (Tiers2)."""
    copy = workbook.copy_worksheet(workbook[title])
    copy.title = f"{title} (2)"
    original = workbook[title].tables[table]
    copy.add_table(Table(displayName=f"{table}2", ref=original.ref))
    return copy


def test_rows_typed_into_a_copied_table_are_refused_not_dropped(filled_path: Path) -> None:
    def change(workbook: Any) -> None:
        copy = copy_with_table(workbook, "Tiers", "Tiers")
        share = table_cell(workbook, "Tiers", 0, "share_pct")
        copy[share.coordinate].value = 80

    _, problems = read(spoil(filled_path, change))
    assert described(problems) == [
        (
            "error",
            None,
            f"'Tiers (2)'!{tiers_ref(filled_path)} (Tiers2 table): the table Tiers2 has the "
            "Tiers table's columns "
            "and 2 filled rows unlike the Tiers table's, but only the table named Tiers is read "
            "(a sheet copied with Move or Copy gives its table a new name); keep one: delete the "
            "copy, or delete the original and rename the copy Tiers (Table Design > Table Name)",
        )
    ]


def test_an_unchanged_copy_of_a_table_changes_nothing(filled_path: Path) -> None:
    scenario, problems = read(spoil(filled_path, lambda wb: copy_with_table(wb, "Tiers", "Tiers")))
    assert scenario is not None and problems == []


def test_a_very_hidden_input_sheet_is_warned_of_with_how_to_see_it(filled_path: Path) -> None:
    def change(workbook: Any) -> None:
        workbook["Client"].sheet_state = "veryHidden"

    _, problems = read(spoil(filled_path, change))
    assert described(problems) == [
        (
            "warning",
            "hidden_input",
            "Client sheet: the Client sheet is hidden, but the tool reads its inputs (C5, C6, "
            "C7, C8, C9 and 3 more); it is 'very hidden', which Excel's Unhide cannot show: make it visible "
            "from the VBA editor (the sheet's Visible property), or copy your answers into a "
            "fresh template",
        )
    ]
