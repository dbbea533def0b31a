"""Writing the client's workbook: the blank template, and a template filled from a scenario."""

from __future__ import annotations

import io
import textwrap
import zipfile
from copy import copy
from datetime import datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import Cell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter
from pydantic import BaseModel

from crossover.catalogue import load_catalogue
from crossover.files import write_bytes_atomic
from crossover.scenario import Scenario
from crossover.workbook import layout
from crossover.workbook.layout import FieldSpec, SectionSpec

# Fixed document dates and zip timestamps: the same template always has the same bytes.
_FIXED_TIME = datetime(2026, 1, 1)
_ZIP_TIME = (2026, 1, 1, 0, 0, 0)

_INK = "1F2937"
_MUTED = "5B6472"
_ACCENT = "1F4E79"
_INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
_HEADER_FILL = PatternFill("solid", fgColor=_ACCENT)
_CAPTION_FILL = PatternFill("solid", fgColor="EEF2F7")
_THIN = Side(style="thin", color="BFBFBF")
_INPUT_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_TITLE_FONT = Font(size=16, bold=True, color=_ACCENT)
_HEADER_FONT = Font(bold=True, color="FFFFFF")
_LABEL_FONT = Font(bold=True, color=_INK)
_TEXT_FONT = Font(color=_INK)
_MUTED_FONT = Font(color=_MUTED)
_NAME_FONT = Font(size=9, color="808080")
_WRAP = Alignment(wrap_text=True, vertical="top")
_TOP = Alignment(vertical="top")
_UNLOCKED = Protection(locked=False)

# Scalar sheets: column widths in characters (label, input, unit, help, name).
_SCALAR_WIDTHS = {"A": 2, "B": 30, "C": 34, "D": 26, "E": 62, "F": 30}
_POINTS_PER_LINE = 15
_NOTE_WIDTH_PX = 320


def write_template(path: Path) -> None:
    """Write the blank workbook a client fills in."""
    save_workbook(build_template(), path)


def write_filled(scenario: Scenario, path: Path) -> None:
    """Write the template filled with a scenario, through its defined names and table headers."""
    workbook = build_template()
    fill_workbook(workbook, scenario)
    save_workbook(workbook, path)


def catalogue_lists() -> dict[str, tuple[str | int, ...]]:
    """The drop-down lists drawn from the catalogues."""
    catalogue = load_catalogue()
    return {
        "list_api_model": tuple(catalogue.listed_api_models()),
        "list_model": tuple(sorted(catalogue.models)),
        "list_gpu": tuple(sorted(catalogue.gpus)),
        "list_instance": tuple(sorted(catalogue.instances)),
    }


def build_template(lists: dict[str, tuple[str | int, ...]] | None = None) -> Workbook:
    """The blank template in memory; `lists` replaces the catalogue lists (for tests)."""
    workbook = Workbook()
    workbook.properties.creator = "crossover"
    workbook.properties.title = "Crossover input workbook"
    workbook.properties.created = _FIXED_TIME
    start = workbook.active
    assert start is not None
    start.title = layout.START_SHEET
    all_lists = {**layout.choice_lists(), **(lists or catalogue_lists())}
    for spec in layout.sections():
        sheet = workbook.create_sheet(spec.sheet)
        if spec.is_table:
            _table_sheet(workbook, sheet, spec, all_lists)
        else:
            _scalar_sheet(workbook, sheet, spec)
        _print_setup(sheet, spec)
    _start_sheet(start)
    _lists_sheet(workbook, all_lists)
    return workbook


def save_workbook(workbook: Workbook, path: Path) -> None:
    """Save with fixed timestamps, so that writing twice gives the same bytes."""
    workbook.properties.modified = _FIXED_TIME
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(workbook, archive).save()
    fixed = io.BytesIO()
    with (
        zipfile.ZipFile(buffer) as source,
        zipfile.ZipFile(fixed, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for member in source.infolist():
            info = zipfile.ZipInfo(member.filename, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            target.writestr(info, source.read(member))
    write_bytes_atomic(path, fixed.getvalue())


def fill_workbook(workbook: Workbook, scenario: Scenario) -> None:
    """Put a scenario's values into a template, finding cells by defined name and table header."""
    for spec in layout.sections():
        value = getattr(scenario, spec.key)
        if spec.is_table:
            _fill_table(workbook, spec, value)
        else:
            for field in spec.fields:
                sheet, coordinate = _named_cell(workbook, field.name)
                _put(workbook[sheet][coordinate], field, _value_at(value, field.path))


def _value_at(row: BaseModel, path: tuple[str, ...]) -> Any:
    """row.volume_factor.low for path ('volume_factor', 'low'); None when a part is absent."""
    value: Any = row
    for part in path:
        value = None if value is None else getattr(value, part)
    return value


def _named_cell(workbook: Workbook, name: str) -> tuple[str, str]:
    ((sheet, coordinate),) = workbook.defined_names[name].destinations
    return sheet, coordinate.replace("$", "")


def _fill_table(workbook: Workbook, spec: SectionSpec, rows: list[BaseModel]) -> None:
    sheet, table = next(
        (ws, ws.tables[spec.table]) for ws in workbook.worksheets if spec.table in ws.tables
    )
    first_column, header_row, last_column, last_row = _bounds(table.ref)
    columns = {sheet.cell(header_row, c).value: c for c in range(first_column, last_column + 1)}
    if header_row + len(rows) > last_row:
        last_row = header_row + len(rows)
        table.ref = (
            f"{get_column_letter(first_column)}{header_row}:"
            f"{get_column_letter(last_column)}{last_row}"
        )
        if table.autoFilter is not None:
            table.autoFilter.ref = table.ref
        for column in range(first_column, last_column + 1):
            template = sheet.cell(header_row + 1, column)
            for row in range(header_row + 1, last_row + 1):
                _copy_style(template, sheet.cell(row, column))
    for offset, row_values in enumerate(rows, start=1):
        for field in spec.fields:
            cell = sheet.cell(header_row + offset, columns[field.name])
            _put(cell, field, _value_at(row_values, field.path))


def _copy_style(source: Cell, target: Cell) -> None:
    target.fill = copy(source.fill)
    target.border = copy(source.border)
    target.font = copy(source.font)
    target.alignment = copy(source.alignment)
    target.number_format = source.number_format
    target.protection = copy(source.protection)


def _put(cell: Cell, field: FieldSpec, value: Any) -> None:
    if value is None or value == []:
        cell.value = None
    elif field.kind == "flag":
        cell.value = "yes" if value else "no"
    elif isinstance(value, list):
        cell.value = ", ".join(value)
        cell.data_type = "s"
    else:
        cell.value = value
        if isinstance(value, str):
            # Text that starts with "=" is the client's text, not a formula.
            cell.data_type = "s"


def _bounds(ref: str) -> tuple[int, int, int, int]:
    from openpyxl.utils.cell import range_boundaries

    min_col, min_row, max_col, max_row = range_boundaries(ref)
    assert min_col is not None and min_row is not None
    assert max_col is not None and max_row is not None
    return min_col, min_row, max_col, max_row


def _define(workbook: Workbook, name: str, sheet: str, reference: str) -> None:
    workbook.defined_names[name] = DefinedName(
        name, attr_text=f"{quote_sheetname(sheet)}!{reference}"
    )


def _absolute(column: int, row: int) -> str:
    return f"${get_column_letter(column)}${row}"


def _title(sheet: Worksheet, title: str, intro: str) -> None:
    sheet.cell(layout.TITLE_ROW, 2, title).font = _TITLE_FONT
    sheet.row_dimensions[layout.TITLE_ROW].height = 24
    sheet.cell(layout.INTRO_ROW, 2, intro).font = _MUTED_FONT


def _scalar_sheet(workbook: Workbook, sheet: Worksheet, spec: SectionSpec) -> None:
    _title(sheet, spec.sheet, spec.intro)
    headings = ("What", "Your answer", "Unit", "What it means", "Name (used in messages)")
    for column, heading in enumerate(headings, start=layout.LABEL_COLUMN):
        _header_cell(sheet.cell(layout.HEADER_ROW, column, heading))
    for letter, width in _SCALAR_WIDTHS.items():
        sheet.column_dimensions[letter].width = width
    for row, field in enumerate(spec.fields, start=layout.FIRST_ROW):
        label = sheet.cell(row, layout.LABEL_COLUMN, field.label + (" *" if field.required else ""))
        label.font = _LABEL_FONT
        label.alignment = _WRAP
        cell = sheet.cell(row, layout.INPUT_COLUMN)
        _style_input(cell, field)
        cell.comment = _note(field)
        if field.default is not None:
            _put(cell, field, field.default)
        if field.name in _PROSE_LINES:
            # Paragraphs typed with Alt+Enter stay visible as typed, in a cell tall enough to read.
            cell.alignment = Alignment(horizontal="left", vertical="top", wrap_text=True)
        unit = sheet.cell(row, layout.UNIT_COLUMN, field.unit)
        unit.font = _MUTED_FONT
        unit.alignment = _WRAP
        help_text = field.description
        if field.default is not None:
            help_text += f" Default: {field.display_default}."
        elif not field.required and "blank" not in help_text.lower():
            help_text += f" Blank: {field.blank_means}."
        help_cell = sheet.cell(row, layout.HELP_COLUMN, help_text)
        help_cell.font = _TEXT_FONT
        help_cell.alignment = _WRAP
        name = sheet.cell(row, layout.NAME_COLUMN, field.name)
        name.font = _NAME_FONT
        name.alignment = _TOP
        sheet.row_dimensions[row].height = max(
            _height((help_text, _SCALAR_WIDTHS["E"]), (field.label, _SCALAR_WIDTHS["B"])),
            _PROSE_LINES.get(field.name, 0) * _POINTS_PER_LINE + 3,
        )
        _define(workbook, field.name, spec.sheet, _absolute(layout.INPUT_COLUMN, row))
        _validate(sheet, field, cell.coordinate)
    footnote = sheet.cell(layout.FIRST_ROW + len(spec.fields) + 1, 2, "* required")
    footnote.font = _MUTED_FONT
    sheet.freeze_panes = sheet.cell(layout.FIRST_ROW, 1)


def _table_sheet(
    workbook: Workbook,
    sheet: Worksheet,
    spec: SectionSpec,
    lists: dict[str, tuple[str | int, ...]],
) -> None:
    _title(sheet, spec.sheet, spec.intro)
    sheet.column_dimensions["A"].width = 2
    caption_lines = 1
    for column, field in enumerate(spec.fields, start=layout.FIRST_COLUMN):
        longest_choice = max((len(str(v)) for v in lists.get(field.list_name or "", ())), default=0)
        # Names and ids (a tier called "complex-reasoning") need room; numbers need little.
        width = max(
            22 if field.kind == "text" else 14,
            len(field.name) + 3,
            len(field.example) + 3,
            min(longest_choice + 3, 40),
        )
        letter = get_column_letter(column)
        sheet.column_dimensions[letter].width = width
        caption_text = f"{field.label}{' *' if field.required else ''}\n{field.unit}"
        caption = sheet.cell(layout.CAPTION_ROW, column, caption_text)
        caption.font = _MUTED_FONT
        caption.fill = _CAPTION_FILL
        caption.alignment = _WRAP
        caption_lines = max(caption_lines, _lines(field.label, width) + _lines(field.unit, width))
        header = sheet.cell(layout.HEADER_ROW, column, field.name)
        _header_cell(header)
        header.comment = _note(field)
        for row in range(layout.FIRST_ROW, layout.FIRST_ROW + spec.blank_rows):
            _style_input(sheet.cell(row, column), field)
        last = layout.HEADER_ROW + layout.VALIDATED_ROWS
        _validate(sheet, field, f"{letter}{layout.FIRST_ROW}:{letter}{last}")
    sheet.row_dimensions[layout.CAPTION_ROW].height = caption_lines * _POINTS_PER_LINE + 3
    last_column = get_column_letter(layout.FIRST_COLUMN + len(spec.fields) - 1)
    last_row = layout.HEADER_ROW + spec.blank_rows
    table = Table(
        displayName=spec.table,
        ref=f"{get_column_letter(layout.FIRST_COLUMN)}{layout.HEADER_ROW}:{last_column}{last_row}",
    )
    table.tableStyleInfo = TableStyleInfo(name="TableStyleLight1", showRowStripes=False)
    sheet.add_table(table)
    sheet.freeze_panes = sheet.cell(layout.FIRST_ROW, 1)


def _header_cell(cell: Cell) -> None:
    cell.font = _HEADER_FONT
    cell.fill = _HEADER_FILL
    cell.alignment = Alignment(vertical="center")


def _style_input(cell: Cell, field: FieldSpec) -> None:
    cell.fill = _INPUT_FILL
    cell.border = _INPUT_BORDER
    cell.protection = _UNLOCKED
    cell.font = _TEXT_FONT
    cell.alignment = Alignment(horizontal="left", vertical="top")
    if field.kind == "date":
        cell.number_format = "yyyy-mm-dd"
    elif field.kind == "text":
        # Text cells keep what is typed: a tier named 1 stays "1", not a number.
        cell.number_format = "@"
    elif field.name in _MONEY_FIELDS:
        cell.number_format = "#,##0"


_PROSE_LINES = {"notes": 12}
"""Text cells that hold paragraphs: the lines of their row's height."""
_MONEY_FIELDS = frozenset({"current_monthly_api_bill", "engineer_week_cost", "fte_annual_cost"})


def _note(field: FieldSpec) -> Comment:
    comment = Comment(field.note, "crossover")
    comment.width = _NOTE_WIDTH_PX
    comment.height = 20 * (_lines(field.note, 48) + 1)
    return comment


def _validate(sheet: Worksheet, field: FieldSpec, cells: str) -> None:
    """A drop-down or range check, with an input prompt giving the unit and an example."""
    rule = _rule(field)
    rule.showInputMessage = True
    rule.promptTitle = field.label[:32]
    rule.prompt = _truncate(f"{field.unit}. Example: {field.example}." + _allowed(field), 250)
    rule.showErrorMessage = True
    rule.errorTitle = field.label[:32]
    rule.error = _truncate(f"Expected {field.expects_in_range}.", 220)
    rule.add(cells)
    sheet.add_data_validation(rule)


def _allowed(field: FieldSpec) -> str:
    return f" Allowed: {field.bounds}." if field.bounds else ""


def _rule(field: FieldSpec) -> DataValidation:
    if field.list_name is not None:
        # Catalogue lists only suggest: a model the catalogue does not list may still be
        # priced by an override; the reader's checks judge it. Fixed choices are enforced.
        return DataValidation(
            type="list",
            formula1=field.list_name,
            allow_blank=True,
            errorStyle="warning" if field.catalogue_list else "stop",
        )
    if field.kind not in ("number", "percent", "integer"):
        return DataValidation(allow_blank=True)
    low = field.ge if field.ge is not None else field.gt
    high = field.le if field.le is not None else field.lt
    limits: tuple[float, ...]
    if low is not None and high is not None:
        operator, limits = "between", (low, high)
    elif low is not None:
        operator, limits = ("greaterThan" if field.gt is not None else "greaterThanOrEqual"), (low,)
    elif high is not None:
        operator, limits = ("lessThan" if field.lt is not None else "lessThanOrEqual"), (high,)
    else:
        return DataValidation(allow_blank=True)
    formulas = [layout.format_number(limit) for limit in limits]
    return DataValidation(
        type="whole" if field.kind == "integer" else "decimal",
        operator=operator,
        formula1=formulas[0],
        formula2=formulas[1] if len(formulas) > 1 else None,
        allow_blank=True,
        errorStyle="warning",
    )


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _lines(text: str, width: float) -> int:
    """How many lines a wrapped text takes in a column `width` characters wide.

    A column's width counts digit widths; prose averages narrower glyphs, about 1.15 to a digit
    in Calibri and in LibreOffice's substitutes (measured on rendered pages). Lines break
    between words, as the spreadsheet does.
    """
    per_line = max(int(width * 1.15) - 2, 1)
    return sum(max(1, len(textwrap.wrap(line, per_line))) for line in text.split("\n"))


def _height(*texts: tuple[str, float]) -> float:
    return max(_lines(text, width) for text, width in texts) * _POINTS_PER_LINE + 3


def _lists_sheet(workbook: Workbook, lists: dict[str, tuple[str | int, ...]]) -> None:
    sheet = workbook.create_sheet(layout.LISTS_SHEET)
    sheet.sheet_state = "hidden"
    for column, (name, values) in enumerate(sorted(lists.items()), start=1):
        sheet.cell(1, column, name).font = _LABEL_FONT
        for row, value in enumerate(values, start=2):
            sheet.cell(row, column, value)
        sheet.column_dimensions[get_column_letter(column)].width = 24
        last_row = max(2, len(values) + 1)
        _define(
            workbook,
            name,
            layout.LISTS_SHEET,
            f"{_absolute(column, 2)}:{_absolute(column, last_row)}",
        )
    sheet.protection.sheet = True


def _start_sheet(sheet: Worksheet) -> None:
    sheet.column_dimensions["A"].width = 2
    sheet.column_dimensions["B"].width = 22
    sheet.column_dimensions["C"].width = 96
    sheet.cell(1, 2, "Self-host or keep paying for APIs? Your input workbook").font = Font(
        size=18, bold=True, color=_ACCENT
    )
    sheet.row_dimensions[1].height = 28
    row = 3
    for heading, text in _START_TEXT:
        row = _start_row(sheet, row, heading, text or _required_text())
    row += 1
    sheet.cell(row, 2, "The sheets").font = Font(size=13, bold=True, color=_ACCENT)
    row += 1
    for spec in layout.sections():
        link = sheet.cell(row, 2, spec.sheet)
        link.hyperlink = Hyperlink(
            ref=link.coordinate, location=f"{quote_sheetname(spec.sheet)}!A1", display=spec.sheet
        )
        link.font = Font(color="0563C1", underline="single", bold=True)
        link.alignment = _TOP
        what = spec.intro + (" Required." if spec.required else " Optional.")
        row = _start_row(sheet, row, None, what)
    row += 1
    legend = sheet.cell(row, 2, "Yellow cell")
    legend.fill = _INPUT_FILL
    legend.border = _INPUT_BORDER
    _start_row(sheet, row, None, "A cell you fill in. The others explain; you need not touch them.")
    sheet.protection.sheet = True
    sheet.print_options.gridLines = False
    sheet.sheet_view.showGridLines = False
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


def _required_text() -> str:
    """'Only these are required: Client name (Client sheet), ...', from the schema."""
    parts = []
    for spec in layout.sections():
        if spec.is_table and spec.min_rows:
            parts.append(f"at least one row on the {spec.sheet} sheet")
        elif not spec.is_table:
            labels = [f.label for f in spec.fields if f.required]
            if labels:
                parts.append(f"{' and '.join(labels)} ({spec.sheet} sheet)")
    listed = ", ".join(parts[:-1]) + f", and {parts[-1]}" if len(parts) > 1 else parts[0]
    return (
        f"Only these are required: {listed}. Everything else has a sensible default or may "
        "stay blank."
    )


def _start_row(sheet: Worksheet, row: int, heading: str | None, text: str) -> int:
    if heading is not None:
        cell = sheet.cell(row, 2, heading)
        cell.font = _LABEL_FONT
        cell.alignment = _TOP
    body = sheet.cell(row, 3, text)
    body.font = _TEXT_FONT
    body.alignment = _WRAP
    sheet.row_dimensions[row].height = _height((text, 96))
    return row + 1


_START_TEXT: tuple[tuple[str, str], ...] = (
    (
        "What this is",
        "We compare what your LLM traffic costs on per-token APIs today with running "
        "open-weight models on GPUs you rent. This workbook is how you tell us your situation; "
        "it takes about 15 minutes.",
    ),
    (
        "1. Fill in",
        "Fill in the yellow cells, sheet by sheet (the tabs at the bottom). Each row says what "
        "the cell is for, its unit, and what happens if you leave it blank.",
    ),
    (
        "2. Required",
        "",  # filled from the schema by _required_text, so that it never drifts
    ),
    (
        "3. Notes and lists",
        "Point at a yellow cell to read its note (the unit and an example). Where a cell offers "
        "a drop-down list, pick from it.",
    ),
    (
        "4. Typing",
        "Type numbers as you like: 1200, 1,200 or 1 200; percentages as 15 or 15%; yes or no; "
        "dates as 2026-01-12. Formulas are welcome.",
    ),
    (
        "5. Tables",
        "On Tiers, Deployments and Price overrides, write one item per row inside the table "
        "(the rows with yellow cells) and leave unused rows empty. If you need more rows, "
        "insert them inside the table (right-click a row number, then Insert).",
    ),
    (
        "6. Keep the names",
        "Please do not rename the sheets or the table headers: the tool finds your answers by "
        "them. Moving cells or adding your own notes beside them is fine.",
    ),
    (
        "7. Send it back",
        "Save the file and send it to us. If anything needs fixing, you get a list that names "
        "each cell, such as: Workload!C5 (input_mtok_per_day): expected a number of millions "
        'of tokens per day, found "lots".',
    ),
)


def _print_setup(sheet: Worksheet, spec: SectionSpec) -> None:
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_margins.left = sheet.page_margins.right = 0.5
    sheet.print_title_rows = f"{layout.TITLE_ROW}:{layout.HEADER_ROW}"
    sheet.oddFooter.center.text = f"{spec.sheet} – page &P of &N"
