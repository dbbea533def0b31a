"""Copies of an input table: rows the client typed into a table the tool does not read.

Excel's "Move or Copy" of the Tiers sheet makes a table named Tiers2 (a table's name is
unique), with the same headers. The reader reads the table named Tiers; rows typed into the
copy would be dropped without a word, so a copy holding rows the original lacks is refused.
"""

from __future__ import annotations

from typing import Any

from openpyxl import Workbook
from openpyxl.utils.cell import range_boundaries
from openpyxl.worksheet.table import Table
from openpyxl.worksheet.worksheet import Worksheet

from crossover.workbook import layout
from crossover.workbook.layout import SectionSpec

MAX_ROWS, MAX_COLUMNS = 1_000, 64
"""A table larger than an input table may be is not compared (the reader's own limits)."""


def copied_table_problem(workbook: Workbook, spec: SectionSpec) -> tuple[str, str] | None:
    """(where, message) for a copy of the section's table holding other rows; else None."""
    required = {item.name for item in spec.fields if item.required}
    known = {item.name for item in spec.fields}
    inputs = {other.table.lower() for other in layout.sections() if other.is_table}
    original = None
    copies = []
    for sheet in workbook.worksheets:
        for table in sheet.tables.values():
            if not _comparable(table):
                continue
            name = table.displayName.lower()
            headers = {h for h in _headers(sheet, table) if h}
            if name == spec.table.lower():
                original = _rows(sheet, table)
            elif name not in inputs and required <= headers <= known:
                copies.append((sheet, table))
    for sheet, table in copies:
        rows = _rows(sheet, table)
        if rows and rows != original:
            where = f"{layout.quote_sheet(sheet.title)}!{table.ref} ({table.displayName} table)"
            return (
                where,
                f"the table {table.displayName} has the {spec.table} table's columns and "
                f"{len(rows)} filled row{'' if len(rows) == 1 else 's'} unlike the "
                f"{spec.table} table's, but only the table named {spec.table} is read (a sheet "
                f"copied with Move or Copy gives its table a new name); keep one: delete the "
                f"copy, or delete the original and rename the copy {spec.table} (Table Design > "
                "Table Name)",
            )
    return None


def _comparable(table: Table) -> bool:
    try:
        first_column, first_row, last_column, last_row = range_boundaries(table.ref)
    except (ValueError, TypeError):
        return False
    if first_column is None or first_row is None or last_column is None or last_row is None:
        return False
    rows: int = last_row - first_row
    columns: int = last_column - first_column + 1
    return rows <= MAX_ROWS and columns <= MAX_COLUMNS


def _value(sheet: Worksheet, row: int, column: int) -> Any:
    # The cells the file holds (openpyxl pinned to 3.1): sheet.cell() would create empty ones.
    cell = sheet._cells.get((row, column))
    return None if cell is None else cell.value


def _headers(sheet: Worksheet, table: Table) -> list[str]:
    first_column, header_row, last_column, _ = range_boundaries(table.ref)
    assert first_column is not None and header_row is not None and last_column is not None
    return [
        str(_value(sheet, header_row, column) or "").strip().lower()
        for column in range(first_column, last_column + 1)
    ]


def _rows(sheet: Worksheet, table: Table) -> list[tuple[Any, ...]]:
    """The table's filled data rows, as their cell values."""
    first_column, header_row, last_column, last_row = range_boundaries(table.ref)
    assert first_column is not None and header_row is not None
    assert last_column is not None and last_row is not None
    rows = []
    for row in range(header_row + 1, last_row + 1 - (table.totalsRowCount or 0)):
        values = tuple(
            _value(sheet, row, column) for column in range(first_column, last_column + 1)
        )
        if any(v is not None and str(v).strip() for v in values):
            rows.append(values)
    return rows
