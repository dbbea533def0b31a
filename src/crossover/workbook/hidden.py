"""Inputs the client cannot see: a hidden sheet, row or column holding an answer is read all
the same, so the reader says so, cell by cell."""

from __future__ import annotations

from dataclasses import dataclass

from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import range_boundaries
from openpyxl.worksheet.worksheet import Worksheet

from crossover.workbook import layout


@dataclass(frozen=True)
class Hidden:
    """One input the client cannot see: which, where, and what to do."""

    sheet: str
    coordinate: str
    message: str


def hidden_sheets(workbook_sheets: list[Worksheet], used: dict[str, list[str]]) -> list[Hidden]:
    """A hidden sheet holding inputs (cells or tables): one warning naming its input cells."""
    found = []
    for sheet in workbook_sheets:
        cells = used.get(sheet.title)
        if not cells or sheet.sheet_state == "visible":
            continue
        shown = ", ".join(cells[:MAX_CELLS_SHOWN])
        if len(cells) > MAX_CELLS_SHOWN:
            shown += f" and {len(cells) - MAX_CELLS_SHOWN} more"
        fix = (
            "unhide it (right-click any sheet tab, Unhide) to check them"
            if sheet.sheet_state == "hidden"
            else "it is 'very hidden', which Excel's Unhide cannot show: make it visible from the "
            "VBA editor (the sheet's Visible property), or copy your answers into a fresh template"
        )
        found.append(
            Hidden(
                sheet.title,
                cells[0],
                f"the {layout.quote_sheet(sheet.title)} sheet is hidden, but the tool reads its "
                f"inputs ({shown}); {fix}",
            )
        )
    return found


MAX_CELLS_SHOWN = 5


def hidden_cell(sheet: Worksheet, coordinate: str) -> str | None:
    """'row', 'column' or None: what hides a cell of a visible sheet."""
    column, row, _, _ = range_boundaries(coordinate)
    assert column is not None and row is not None
    dimension = sheet.row_dimensions.get(row)
    if dimension is not None and dimension.hidden:
        return "row"
    letter = get_column_letter(column)
    for key, columns in sheet.column_dimensions.items():
        low = columns.min or 0
        high = columns.max or low
        if columns.hidden and (key == letter or low <= column <= high):
            return "column"
    return None


def hidden_cell_message(what: str, shown: str) -> str:
    """What the reader says of an answer in a hidden row or column."""
    plural = "rows" if what == "row" else "columns"
    return (
        f"this cell is in a hidden {what}, but the tool reads it like any other (it holds "
        f"{shown}); unhide the {what} (select the {plural} around it, right-click, Unhide) to "
        "check it"
    )
