"""The notes cell: on the Client sheet, named, tall and wrapped; read as typed, or refused at its cell."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from crossover.scenario import Scenario, ScenarioError
from crossover.workbook import read_workbook, write_filled, write_template

from .helpers import BASE, named, soffice, spoil

NOTES = (
    "Our view: self-host the chat tier.\n"
    "\n"
    "- Start with a pilot\n"
    "- Keep nightly work on the batch API\n"
    "\n"
    "=Not a formula, and <b>not markup</b>."
)


def _with_notes(notes: str) -> Scenario:
    return Scenario.model_validate({**BASE, "client": {**BASE["client"], "notes": notes}})


def test_the_template_has_a_tall_wrapped_notes_cell_on_the_client_sheet(tmp_path: Path) -> None:
    path = tmp_path / "template.xlsx"
    write_template(path)
    workbook = load_workbook(path)
    cell = named(workbook, "notes")
    sheet = cell.parent
    assert sheet.title == "Client"
    assert cell.value is None
    assert cell.alignment.wrap_text
    # Twelve lines of 15 points, so a few paragraphs show without resizing the row.
    assert sheet.row_dimensions[cell.row].height == 12 * 15 + 3
    assert sheet.cell(cell.row, cell.column - 1).value == "Our view"


def test_notes_with_paragraphs_and_bullets_read_back_as_written(tmp_path: Path) -> None:
    path = tmp_path / "client.xlsx"
    write_filled(_with_notes(NOTES), path)
    cell = named(load_workbook(path), "notes")
    assert cell.value == NOTES and cell.data_type == "s"
    assert read_workbook(path).client.notes == NOTES


def test_notes_survive_a_save_in_libreoffice(tmp_path: Path) -> None:
    path = tmp_path / "client.xlsx"
    write_filled(_with_notes(NOTES), path)
    saved = soffice(path, "xlsx", tmp_path / "saved", tmp_path / "profile")
    assert read_workbook(saved).client.notes == NOTES


def test_line_ends_typed_in_another_program_are_made_one(tmp_path: Path) -> None:
    path = tmp_path / "client.xlsx"
    write_filled(Scenario.model_validate(BASE), path)

    def type_notes(workbook: Workbook) -> None:
        named(workbook, "notes").value = "  First line\r\nsecond line\r\n\r\n• a point  "

    spoil(path, type_notes)
    assert read_workbook(path).client.notes == "First line\nsecond line\n\n• a point"


@pytest.mark.parametrize(
    ("notes", "message"),
    [
        ("n" * 4_100, "too long: at most 4,000 characters, found 4,100; shorten it"),
        (
            "Fine.\n\nThen \u202eevil",
            "a control character (\\u202e) found at line 3, column 6: remove it (the text must "
            'be plain text: paragraphs separated by a blank line, bullets as lines starting with "- ")',
        ),
    ],
)
def test_notes_too_long_or_unsafe_are_refused_at_their_cell(
    tmp_path: Path, notes: str, message: str
) -> None:
    path = tmp_path / "client.xlsx"
    write_filled(Scenario.model_validate(BASE), path)

    def type_notes(workbook: Workbook) -> None:
        named(workbook, "notes").value = notes

    spoil(path, type_notes)
    coordinate = named(load_workbook(path), "notes").coordinate
    with pytest.raises(ScenarioError) as refused:
        read_workbook(path)
    problems = refused.value.problems
    errors = [p for p in problems if p.severity == "error"]
    assert [p.describe() for p in errors] == [f"Client!{coordinate} (notes): {message}"]
