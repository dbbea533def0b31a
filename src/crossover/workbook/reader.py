"""Reading a filled workbook into a Scenario, with every problem named by its cell.

Cells are found through workbook-scoped defined names (scalar fields) and Excel tables with
the field names as headers (list sections), never through fixed coordinates. Every problem
is collected before failing: first what cannot be read, then what the schema refuses, then
(for a valid scenario) what the catalogue-aware checks find.
"""

from __future__ import annotations

import io
import re
import warnings
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from difflib import get_close_matches
from functools import cache
from pathlib import Path
from typing import Any, Literal
from xml.etree.ElementTree import ParseError

from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import range_boundaries
from openpyxl.utils.datetime import to_excel
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.table import Table
from openpyxl.worksheet.worksheet import Worksheet
from pydantic import ValidationError

from crossover.catalogue import load_catalogue
from crossover.engine.checks import check_scenario
from crossover.engine.ids import canonical_ids
from crossover.inert import clip, echo, visible
from crossover.plausibility import scenario_problems
from crossover.scenario import (
    Loc,
    Problem,
    Scenario,
    ScenarioError,
    WarningCode,
    problems_from,
)
from crossover.workbook import layout, money
from crossover.workbook.coerce import (
    BLANK,
    Cell,
    ForeignAmountError,
    UnreadableCellError,
    coerce,
    format_currencies,
    is_percent_format,
    show,
)
from crossover.workbook.hidden import hidden_cell, hidden_cell_message, hidden_sheets
from crossover.workbook.layout import FieldSpec, SectionSpec
from crossover.workbook.money import PricedCell
from crossover.workbook.names import choose_names
from crossover.workbook.partial import around_stand_in, stand_in
from crossover.workbook.preflight import assert_defusedxml, preflight
from crossover.workbook.structure import structure_problem
from crossover.workbook.table_copies import copied_table_problem

# openpyxl drops parts it does not model and warns about each one. Excel and LibreOffice write
# such parts (validation and formatting extensions, slicers); the reader needs none of them.

_NAME_HELP = (
    "name the input cell again (Formulas > Name Manager in Excel; Sheet > Named Ranges and "
    "Expressions > Define in LibreOffice), or copy your answers into a fresh template"
)


def read_workbook(path: Path) -> Scenario:
    """Read a filled workbook into a Scenario, or raise ScenarioError listing every error."""
    return read_workbook_with_warnings(path)[0]


def read_workbook_with_warnings(path: Path) -> tuple[Scenario, list[Problem]]:
    """The Scenario and the warnings (problems that do not stop an analysis), or raise."""
    values, formulas = _open(path)
    lost = _lost_structure(values)
    if lost:
        raise _unreadable(path, lost)
    reading = _Reading(values, formulas)
    raw = reading.read_sections()
    scenario = reading.validate(raw)
    if scenario is not None:
        reading.check(scenario)
    else:
        reading.check_what_read(raw)
    problems = sorted(reading.problems, key=_file_order)
    errors = [p for p in problems if p.severity == "error"]
    warnings = [p for p in problems if p.severity == "warning"]
    if errors or scenario is None:
        # Warnings are kept beside the errors: fixing one should not hide the other.
        raise ScenarioError(str(path), errors + warnings)
    return scenario, warnings


def _open(path: Path) -> tuple[Workbook, Workbook]:
    """The workbook with formulas' cached values, and with the formulas themselves.

    Without a formula the two readings are the same workbook, so it is read once: reading
    is most of the reader's time.
    """
    path = Path(path)
    # A client's file is untrusted: refuse hostile or broken ones before openpyxl opens them.
    assert_defusedxml()
    preflight(path)
    problem = structure_problem(path)
    if problem is not None:
        raise _unreadable(path, problem)
    try:
        data = path.read_bytes()
        with warnings.catch_warnings():
            # openpyxl warns about parts it drops (extensions, slicers, damaged names); what
            # the tool needs is checked cell by cell below, so the warnings only add noise.
            warnings.simplefilter("ignore")
            formulas = load_workbook(io.BytesIO(data))
            values = (
                load_workbook(io.BytesIO(data), data_only=True)
                if _has_formulas(formulas)
                else formulas
            )
    except OSError as e:
        raise _unreadable(path, f"cannot read the file: {e.strerror or e}") from None
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ParseError, ValueError) as e:
        raise _unreadable(
            path,
            f"cannot open the file as an Excel workbook (.xlsx): {e}; save it from Excel or "
            "LibreOffice as an Excel workbook and send it again",
        ) from None
    except Exception as e:  # openpyxl on a damaged file: IndexError, TypeError, AttributeError...
        raise _unreadable(
            path,
            f"the workbook's structure is damaged ({type(e).__name__}); open it in Excel or "
            "LibreOffice, save it as an Excel workbook and send it again",
        ) from None
    return values, formulas


def _lost_structure(workbook: Workbook) -> str | None:
    """One sentence when the workbook kept none of the template's names or none of its tables.

    Google Sheets, Numbers and some converters save a copy without them; a problem per
    missing name would be dozens of lines with one cause.
    """
    names = {name.lower() for name in workbook.defined_names} | {
        name.lower() for sheet in workbook.worksheets for name in sheet.defined_names
    }
    tables = {name.lower() for sheet in workbook.worksheets for name in sheet.tables}
    wanted_names = {
        item.name.lower() for spec in layout.sections() if not spec.is_table for item in spec.fields
    }
    wanted_tables = {spec.table.lower() for spec in layout.sections() if spec.table}
    lost = [
        what
        for what, kept in (
            ("defined names", names & wanted_names),
            ("tables", tables & wanted_tables),
        )
        if not kept
    ]
    if not lost:
        return None
    return (
        f"the workbook has none of the template's {' and none of its '.join(lost)}, which is "
        "how the tool finds each answer: the program that last saved it (Google Sheets, "
        "Numbers or a converter, say) dropped them. Copy the answers into a fresh template "
        "(crossover template new.xlsx), save it from Excel or LibreOffice, and send that"
    )


def _has_formulas(workbook: Workbook) -> bool:
    # data_only changes only how openpyxl reads a cell holding a formula (its cached value
    # instead of the formula): with none, both readings give the same cells. _cells is the
    # cells the file holds (openpyxl pinned to 3.1); iter_rows() would add empty ones.
    return any(
        cell.data_type == "f" for sheet in workbook.worksheets for cell in sheet._cells.values()
    )


def _unreadable(path: Path, message: str) -> ScenarioError:
    return ScenarioError(str(path), [Problem(loc=(), message=message)])


def _where(sheet: str, reference: str, what: str) -> str:
    return f"{layout.quote_sheet(sheet)}!{reference} ({what})"


@dataclass
class _Reading:
    """One reading of a workbook: the problems found so far and where each field came from."""

    values: Workbook
    formulas: Workbook
    problems: list[Problem] = field(default_factory=list)
    places: dict[Loc, str] = field(default_factory=dict)
    """Where each loc was read: ('tiers', 2, 'share_pct') -> 'Tiers!C7 (share_pct)'."""
    shown: dict[Loc, str] = field(default_factory=dict)
    """What each read cell holds, as the client sees it, for messages."""
    unread: list[Loc] = field(default_factory=list)
    """Locs that could not be read: the schema's complaints about them would only repeat it."""
    named: dict[tuple[str, str], list[tuple[Loc, FieldSpec]]] = field(default_factory=dict)
    """(sheet, cell) -> the fields whose defined names point there."""
    tables: list[_TableArea] = field(default_factory=list)
    """Where each input table was read."""
    unscanned: set[str] = field(default_factory=set)
    """Sheets whose table could not be bounded: what lies around it cannot be judged."""
    priced: list[PricedCell] = field(default_factory=list)
    """Money cells whose format shows a currency: converted once the Client sheet is read."""
    chosen: dict[str, DefinedName] = field(default_factory=dict)
    """Field name (lower case) -> the name it is read through, where sheets hold copies."""

    # --- reading -------------------------------------------------------------------------

    def read_sections(self) -> dict[str, Any]:
        raw: dict[str, Any] = {}
        for spec in layout.sections():
            if spec.is_table:
                rows = self._read_table(spec)
                if rows is not None:
                    raw[spec.key] = rows
            else:
                raw[spec.key] = self._read_scalars(spec)
        self._check_names()
        for area in self.tables:
            self._hidden_in_table(area)
        self._hidden_inputs()
        self._typed_outside()
        for problem in money.convert(raw, self.priced):
            self._report(
                problem.loc,
                problem.where or "",
                problem.message,
                problem.severity,
                code=problem.code,
            )
        return raw

    def _report(
        self,
        loc: Loc,
        where: str,
        message: str,
        severity: Literal["error", "warning"] = "error",
        *,
        unread: bool = True,
        code: WarningCode | None = None,
    ) -> None:
        self.problems.append(
            Problem(loc=loc, where=where, message=message, severity=severity, code=code)
        )
        if unread and severity == "error":
            self.unread.append(loc)

    def _read_scalars(self, spec: SectionSpec) -> dict[str, Any]:
        choice = choose_names(self.values, spec)
        self.chosen.update(choice.names)
        if choice.warning is not None:
            self._report(
                (spec.key,), f"{spec.sheet} sheet", choice.warning, "warning", code="copied_sheet"
            )
        if choice.error is not None:
            self._report((spec.key,), f"{spec.sheet} sheet", choice.error, unread=False)
        section: dict[str, Any] = {}
        on_missing_sheets: dict[str, list[str]] = {}
        cells: list[tuple[str, str]] = []
        groups: dict[str, list[tuple[str, str]]] = {}
        for item in spec.fields:
            place = self._named_cell(spec, item, on_missing_sheets)
            if place is None:
                continue
            sheet, coordinate = place
            cells.append(place)
            if item.group is not None:
                groups.setdefault(item.group, []).append(place)
            value = self._read_cell((spec.key, *item.path), item, sheet, coordinate)
            if value is not BLANK:
                _put(section, item.path, value)
        for group, places in groups.items():
            span = _span(places)
            if span is not None:
                self.places[(spec.key, group)] = f"{span} ({group})"
        for sheet, names in on_missing_sheets.items():
            self._report(
                (spec.key,),
                f"{spec.sheet} sheet",
                f'the cells named {", ".join(names)} are on a sheet called "{sheet}", which is '
                f"not in the workbook ({self._renamed_hint()}); give the sheet its name back, or "
                "copy your answers into a fresh template",
            )
        span = _span(cells)
        self.places[(spec.key,)] = f"{span} ({spec.key})" if span else f"{spec.sheet} sheet"
        return section

    def _named_cell(
        self, spec: SectionSpec, item: FieldSpec, on_missing_sheets: dict[str, list[str]]
    ) -> tuple[str, str] | None:
        """The sheet and cell a field's defined name points to, or None (problem reported)."""
        where = f"{spec.sheet} sheet ({item.name})"
        loc: Loc = (spec.key, *item.path)
        self.places[loc] = where
        name = self._defined_name(item.name)
        if name is None:
            self._report(
                loc,
                where,
                f'no cell is named {item.name} (the "{item.label}" answer); {_NAME_HELP}',
            )
            return None
        destinations = list(name.destinations) if name.type == "RANGE" else []
        if not destinations or not destinations[0][1]:
            self._report(
                loc,
                where,
                f"the cell named {item.name} was deleted (the name now points to "
                f"{name.attr_text}); {_NAME_HELP}",
            )
            return None
        sheet, reference = destinations[0]
        reference = reference.replace("$", "")
        if len(destinations) > 1 or ":" in reference:
            self._report(
                loc,
                where,
                f"the name {item.name} points to {name.attr_text}, but it must name a single "
                f"cell; {_NAME_HELP}",
            )
            return None
        if not isinstance(self._sheet(sheet), Worksheet):
            on_missing_sheets.setdefault(sheet, []).append(item.name)
            return None
        self.places[loc] = _where(sheet, reference, item.name)
        self.named.setdefault((sheet, reference), []).append((loc, item))
        return sheet, reference

    def _renamed_hint(self) -> str:
        """'renamed to "Volumes"?' when the workbook has sheets the template lacks."""
        expected = {layout.START_SHEET, layout.LISTS_SHEET} | {s.sheet for s in layout.sections()}
        others = [f'"{title}"' for title in self.values.sheetnames if title not in expected]
        if not others:
            return "renamed or deleted?"
        return f"renamed to {' or '.join(others)}?"

    def _defined_name(self, wanted: str) -> DefinedName | None:
        if wanted.lower() in self.chosen:
            return self.chosen[wanted.lower()]
        # Excel's names ignore case; a name recreated by hand may differ in capitals, and one
        # recreated at sheet scope is still the client's answer.
        for name, definition in self.values.defined_names.items():
            if name.lower() == wanted.lower():
                return definition
        for sheet in self.values.worksheets:
            for name, definition in sheet.defined_names.items():
                if name.lower() == wanted.lower():
                    return definition
        return None

    def _sheet(self, title: str) -> Worksheet | None:
        sheet = self.values[title] if title in self.values.sheetnames else None
        return sheet if isinstance(sheet, Worksheet) else None

    def _read_cell(self, loc: Loc, item: FieldSpec, sheet: str, coordinate: str) -> Any:
        merged = _merged_range(self.values[sheet], coordinate)
        if merged is not None:
            self._report(
                loc,
                self.places[loc],
                f"the cell is merged with its neighbours ({merged}); unmerge it so that the "
                f"answer sits in {coordinate} alone",
            )
            return BLANK
        cell = self._cell(sheet, coordinate)
        self.shown[loc] = show(cell)
        before = self._before_first_date(cell)
        if before is not None:
            self._report(loc, self.places[loc], before)
            return BLANK
        try:
            value = coerce(item, cell)
        except ForeignAmountError as e:
            # Refused with this message unless it is in the workbook's own currency, which is
            # known once the Client sheet is read.
            self.priced.append(
                PricedCell(loc, self.places[loc], item, e.amount, e.currencies, refusal=str(e))
            )
            return BLANK
        except UnreadableCellError as e:
            self._report(loc, self.places[loc], str(e))
            return BLANK
        if money.is_money_field(item) and isinstance(cell.value, int | float):
            currencies = format_currencies(cell.number_format)
            if currencies and isinstance(value, float):
                self.priced.append(PricedCell(loc, self.places[loc], item, value, currencies))
        if (
            item.kind == "percent"
            and isinstance(value, float)
            and (0 < abs(value) < 1 or value == 1)
            and not is_percent_format(cell.number_format)
        ):
            self._report(
                loc,
                self.places[loc],
                f"read as {layout.format_number(value)}%; if you meant "
                f"{layout.format_number(round(value * 100, 10))}%, type "
                f"{layout.format_number(round(value * 100, 10))} or "
                f"{layout.format_number(round(value * 100, 10))}%",
                "warning",
                code="percent_fraction",
            )
        return value

    def _before_first_date(self, cell: Cell) -> str | None:
        """Why a date cell holding a serial below 1 is refused (openpyxl turns -1 into 1899-12-29).

        Excel shows such a cell as ##### and knows no day before its epoch's first one.
        """
        first = max(self.values.epoch, datetime(1900, 1, 1))
        if not isinstance(cell.value, datetime) or cell.value >= first:
            return None
        serial = to_excel(cell.value, self.values.epoch)
        return (
            f"the cell holds the date serial {layout.format_number(serial)}, which is before the "
            f"first day a spreadsheet date can be ({first.date().isoformat()}); type the date as "
            "YYYY-MM-DD (e.g. 2026-01-12)"
        )

    def _cell(self, sheet: str, coordinate: str) -> Cell:
        value_cell = self.values[sheet][coordinate]
        formula_cell = self.formulas[sheet][coordinate]
        formula = None
        if formula_cell.data_type == "f":
            text = formula_cell.value
            formula = text if isinstance(text, str) else str(getattr(text, "text", "") or "")
            if not formula.startswith("="):
                formula = "=" + formula
        value = value_cell.value
        if formula is not None and value is None and value_cell.data_type in ("s", "str"):
            # A formula whose saved result is empty text (=IF(A1="","",A1)): a blank cell, not
            # a missing result (a formula never calculated carries no result type at all).
            value = ""
        return Cell(value, value_cell.number_format or "General", formula)

    def _read_table(self, spec: SectionSpec) -> list[dict[str, Any]] | None:
        copied = copied_table_problem(self.values, spec)
        if copied is not None:
            self._report((spec.key,), copied[0], copied[1], unread=False)
        found = self._table(spec.table)
        if found is None:
            where = f"{spec.table} table"
            self.places[(spec.key,)] = where
            sheet_hint = (
                f"the {spec.sheet} sheet has no Excel table named {spec.table} (was it deleted, "
                "renamed or converted to a plain range?)"
                if self._sheet(spec.sheet) is not None
                else f"the workbook has no table named {spec.table} (its sheet, {spec.sheet}, "
                "is missing too)"
            )
            self._report(
                (spec.key,),
                where,
                f"{sheet_hint}; copy your rows into the table of a fresh template, or select "
                f"the headers and rows and insert a table named {spec.table}",
            )
            return None
        sheet, table = found
        bounds = self._table_bounds(spec, sheet, table.ref)
        if bounds is None:
            return None
        first_column, header_row, last_column, last_row = bounds
        first_data = header_row + 1
        last_data = last_row - (table.totalsRowCount or 0)
        self.tables.append(_TableArea(spec, sheet, first_column, header_row, last_column, last_row))
        self.places[(spec.key,)] = _where(sheet, table.ref, f"{spec.table} table")
        if table.headerRowCount == 0:
            self._report(
                (spec.key,),
                self.places[(spec.key,)],
                "the table has no header row; turn it back on (Table Design > Header Row) with "
                "the field names as headers",
            )
            return None
        columns = self._table_columns(spec, sheet, header_row, first_column, last_column)
        rows: list[dict[str, Any]] = []
        read_rows: list[int] = []
        for row in range(first_data, last_data + 1):
            if all(self._blank(sheet, row, c) for c in range(first_column, last_column + 1)):
                continue
            index = len(rows)
            read_rows.append(row)
            first = f"{get_column_letter(first_column)}{row}"
            self.places[(spec.key, index)] = _where(sheet, first, f"{spec.table} table row")
            values: dict[str, Any] = {}
            for item in spec.fields:
                column = columns.get(item.name)
                if column is None:
                    continue
                coordinate = f"{get_column_letter(column)}{row}"
                loc: Loc = (spec.key, index, *item.path)
                self.places[loc] = _where(sheet, coordinate, item.name)
                value = self._read_cell(loc, item, sheet, coordinate)
                if value is not BLANK:
                    _put(values, item.path, value)
            rows.append(values)
        for item in spec.fields:
            column = columns.get(item.name)
            if column is not None:
                # A whole column's problem (shares not adding up) points at the rows read.
                top, bottom = (
                    (read_rows[0], read_rows[-1]) if read_rows else (first_data, last_data)
                )
                letter = get_column_letter(column)
                span = f"{letter}{top}:{letter}{max(bottom, top)}"
                self.places[(spec.key, *item.path)] = _where(sheet, span, item.name)
        return rows

    def _table(self, name: str) -> tuple[str, Table] | None:
        for sheet in self.values.worksheets:
            for table in sheet.tables.values():
                if table.displayName.lower() == name.lower():
                    return sheet.title, table
        return None

    def _table_columns(
        self, spec: SectionSpec, sheet: str, header_row: int, first: int, last: int
    ) -> dict[str, int]:
        """Field name -> column number, from the table's header row."""
        known = [f.name for f in spec.fields]
        columns: dict[str, int] = {}
        for column in range(first, last + 1):
            cell = self.values[sheet].cell(header_row, column)
            header = str(cell.value or "").strip()
            where = _where(sheet, cell.coordinate, f"{spec.table} table header")
            name = header.lower()
            if name in columns:
                self._report(
                    (spec.key,),
                    where,
                    f"the column {header} appears twice; keep one and rename or delete the other",
                    unread=False,
                )
            elif name in known:
                columns[name] = column
            else:
                close = get_close_matches(name, known, n=1, cutoff=0.65)
                hint = f" (did you mean {close[0]}?)" if close else ""
                self._report(
                    (spec.key,),
                    where,
                    f'the column "{header}" is not one the tool reads{hint}, so it is ignored',
                    "warning",
                    code="unknown_column",
                )
        header_span = (
            f"{get_column_letter(first)}{header_row}:{get_column_letter(last)}{header_row}"
        )
        for item in spec.fields:
            if item.name in columns:
                continue
            where = _where(sheet, header_span, f"{spec.table} table header")
            if item.required:
                self._report(
                    (spec.key, *item.path),
                    where,
                    f'the table has no column {item.name} (the "{item.label}" column), which is '
                    "required; give one column that header",
                )
            else:
                self._report(
                    (spec.key, *item.path),
                    where,
                    f'the table has no column {item.name} (the "{item.label}" column), so every '
                    f"row takes its blank value ({item.blank_means})",
                    "warning",
                    code="missing_column",
                )
        return columns

    def _blank(self, sheet: str, row: int, column: int) -> bool:
        coordinate = f"{get_column_letter(column)}{row}"
        return self._cell(sheet, coordinate).is_blank

    def _check_names(self) -> None:
        """A name moved off its section's sheet is reported; one naming another input is refused."""
        for (sheet, coordinate), fields in self.named.items():
            if len(fields) > 1:
                names = [item.name for _, item in fields]
                listed = ", ".join(names[:-1]) + f" and {names[-1]}"
                for loc, _ in fields[1:]:
                    self.unread.append(loc)
                self._report(
                    fields[0][0],
                    _where(sheet, coordinate, listed),
                    f"the names {listed} point to this one cell, so it would answer "
                    f"{'both' if len(names) == 2 else 'each of them'}; point each name back at "
                    f"its own cell; {_NAME_HELP}",
                )
            column, row = _column_row(coordinate)
            area = next((a for a in self.tables if a.holds(sheet, row, column)), None)
            if area is not None:
                for loc, item in fields[:1]:
                    self._report(
                        loc,
                        self.places[loc],
                        f"the name {item.name} points into the {area.spec.table} table, whose "
                        f"cells are read as table rows; point it back at its own cell; {_NAME_HELP}",
                    )
        for spec in layout.sections():
            if spec.is_table:
                continue
            own = [
                (sheet, loc, item)
                for (sheet, _), fields in self.named.items()
                for loc, item in fields
                if loc[0] == spec.key
            ]
            home = _home_sheet(spec.sheet, [sheet for sheet, _, _ in own])
            for sheet, loc, item in own:
                if sheet != home and loc not in self.unread:
                    self._report(
                        loc,
                        self.places[loc],
                        f"this cell is on the {sheet} sheet, away from the other {spec.key} "
                        f"answers on the {home} sheet: the name {item.name} was moved here, and this "
                        "cell is what is read; if it is not that answer, point the name back at "
                        f"its row on the {home} sheet; {_NAME_HELP}",
                        "warning",
                    )

    def _hidden_inputs(self) -> None:
        """Named answers on a hidden sheet, or in a hidden row or column, are warned of."""
        used: dict[str, list[str]] = {}
        for sheet, coordinate in self.named:
            used.setdefault(sheet, []).append(coordinate)
        for area in self.tables:
            first = f"{get_column_letter(area.first_column)}{area.header_row}"
            last = f"{get_column_letter(area.last_column)}{area.last_row}"
            used.setdefault(area.sheet, []).append(f"the {area.spec.table} table, {first}:{last}")
        for found in hidden_sheets(self.values.worksheets, used):
            section = self._section_of(found.sheet)
            self._report(
                section,
                f"{layout.quote_sheet(found.sheet)} sheet",
                found.message,
                "warning",
                unread=False,
                code="hidden_input",
            )
        for (sheet, coordinate), fields in self.named.items():
            worksheet = self.values[sheet]
            if worksheet.sheet_state != "visible" or self._cell(sheet, coordinate).is_blank:
                continue
            what = hidden_cell(worksheet, coordinate)
            if what is not None:
                loc = fields[0][0]
                self._report(
                    loc,
                    self.places[loc],
                    hidden_cell_message(what, self.shown.get(loc) or "a value"),
                    "warning",
                    unread=False,
                    code="hidden_input",
                )

    def _hidden_in_table(self, area: _TableArea) -> None:
        """A filled row or column a client cannot see is read all the same: say so."""
        worksheet = self.values[area.sheet]
        hidden_rows = {
            row
            for row, dimension in worksheet.row_dimensions.items()
            if dimension.hidden and area.header_row < row <= area.last_row
        }
        hidden_columns = {
            column
            for dimension in worksheet.column_dimensions.values()
            if dimension.hidden
            for column in range(dimension.min or 0, (dimension.max or 0) + 1)
            if area.first_column <= column <= area.last_column
        }
        first, last = get_column_letter(area.first_column), get_column_letter(area.last_column)
        for row in sorted(hidden_rows):
            if all(
                self._blank(area.sheet, row, c)
                for c in range(area.first_column, area.last_column + 1)
            ):
                continue
            self._report(
                (area.spec.key,),
                _where(
                    area.sheet,
                    f"{first}{row}:{last}{row}",
                    f"hidden row of the {area.spec.table} table",
                ),
                "this row is hidden, but the tool reads it like any other; unhide it (select the "
                "rows around it, right-click, Unhide) to check it, or delete the row if it should "
                "not count",
                "warning",
                code="hidden_input",
            )
        for column in sorted(hidden_columns):
            filled = [
                row
                for row in range(area.header_row + 1, area.last_row + 1)
                if not self._blank(area.sheet, row, column)
            ]
            if not filled:
                continue
            letter = get_column_letter(column)
            header = str(self.values[area.sheet].cell(area.header_row, column).value or "").strip()
            self._report(
                (area.spec.key,),
                _where(
                    area.sheet,
                    f"{letter}{filled[0]}:{letter}{filled[-1]}",
                    f"hidden column {clip(visible(header), 60)}",
                ),
                "this column is hidden, but the tool reads its values like any other; unhide it "
                "(select the columns around it, right-click, Unhide) to check them, or clear them "
                "if they should not count",
                "warning",
                code="hidden_input",
            )

    def _typed_outside(self) -> None:
        """Every filled cell of an input sheet that no input reads, reported with its cell.

        Cells under a table, in its columns, are rows the table does not reach: errors. Beyond
        those, a value that could be an answer (a number, a date, yes/no) is an error, and
        text is a warning: the template invites notes beside the answers. The template's own
        labels and instructions are recognised by their text, wherever they were moved.
        """
        own_text = template_texts()
        sheets = {sheet for sheet, _ in self.named} | {area.sheet for area in self.tables}
        for sheet in self.values.sheetnames:
            if sheet not in sheets or sheet in self.unscanned:
                continue
            if sheet in (layout.START_SHEET, layout.LISTS_SHEET):
                continue
            areas = [a for a in self.tables if a.sheet == sheet]
            below: dict[int, list[int]] = {}
            outside: list[tuple[int, int, Cell]] = []
            for row, column in sorted(self._filled(sheet), key=lambda rc: (rc[0], rc[1])):
                coordinate = f"{get_column_letter(column)}{row}"
                if (sheet, coordinate) in self.named or any(
                    a.holds(sheet, row, column) for a in areas
                ):
                    continue
                cell = self._cell(sheet, coordinate)
                if cell.is_blank:
                    continue
                if isinstance(cell.value, str) and cell.value.strip() in own_text:
                    continue
                under = next((i for i, a in enumerate(areas) if a.is_below(row, column)), None)
                if under is not None:
                    below.setdefault(under, []).append(row)
                else:
                    outside.append((row, column, cell))
            for index, rows in below.items():
                self._below_table(areas[index], min(rows), max(rows))
            self._outside(sheet, self._section_of(sheet), outside)

    def _filled(self, sheet: str) -> set[tuple[int, int]]:
        # The cells the file holds (openpyxl pinned to 3.1): iter_rows() would visit every
        # empty cell of the sheet's dimension.
        return set(self.values[sheet]._cells) | set(self.formulas[sheet]._cells)

    def _below_table(self, area: _TableArea, top: int, bottom: int) -> None:
        span = f"{get_column_letter(area.first_column)}{top}:{get_column_letter(area.last_column)}{bottom}"
        table = area.spec.table
        self._report(
            (area.spec.key,),
            _where(area.sheet, span, f"below the {table} table"),
            f"these cells are below the {table} table, so they are not read; extend the table "
            "over them (drag the handle at its bottom-right corner, or insert rows inside the "
            "table and move them there)",
            unread=False,
        )

    def _section_of(self, sheet: str) -> Loc:
        """The section whose inputs are on a sheet, for ordering its problems with the rest."""
        for area in self.tables:
            if area.sheet == sheet:
                return (area.spec.key,)
        return next((fields[0][0][:1] for (s, _), fields in self.named.items() if s == sheet), ())

    def _outside(self, sheet: str, section: Loc, cells: list[tuple[int, int, Cell]]) -> None:
        for row, column, cell in cells[:MAX_OUTSIDE_SHOWN]:
            place = _where(sheet, f"{get_column_letter(column)}{row}", "outside every input")
            if _could_be_an_answer(cell):
                self._report(
                    section,
                    place,
                    f"{show(cell)} is typed here, where the tool reads nothing, so it would be "
                    "ignored; if it is an answer, type it in its yellow cell (or in a row inside "
                    "the table), and if it is your own working, move it to a sheet of your own",
                    unread=False,
                )
            else:
                self._report(
                    section,
                    place,
                    f"the text {show(cell)} is outside every input, so the tool does not read it "
                    "(a note is fine; an answer belongs in its yellow cell)",
                    "warning",
                    unread=False,
                )
        rest = cells[MAX_OUTSIDE_SHOWN:]
        if rest:
            answers = sum(1 for *_, cell in rest if _could_be_an_answer(cell))
            self._report(
                section,
                f"{layout.quote_sheet(sheet)} sheet",
                f"{len(rest):,} more filled cells outside every input ({answers:,} of them "
                "could be answers); move answers into their yellow cells or tables, and your "
                "own working to a sheet of your own",
                "error" if answers else "warning",
                unread=False,
            )

    # --- validating ----------------------------------------------------------------------

    def validate(self, raw: dict[str, Any]) -> Scenario | None:
        """The Scenario, or None with the schema's problems added (each at its cell)."""
        try:
            return Scenario.model_validate(raw)
        except ValidationError as error:
            for detail, base in zip(
                error.errors(include_url=False), problems_from(error), strict=True
            ):
                loc = tuple(detail["loc"])
                if any(_covers(unread, loc) for unread in self.unread):
                    continue
                self.problems.append(
                    Problem(
                        loc=loc,
                        where=self.where(loc),
                        message=self._message(loc, detail, base.message, raw),
                    )
                )
            return None

    def _message(self, loc: Loc, detail: Any, fallback: str, raw: dict[str, Any]) -> str:
        item = _field_at(loc)
        if item is not None:
            if detail["type"] == "missing":
                return f"expected {item.expects}, found a blank cell"
            if item.kind == "text" and detail["type"] in ("value_error", "too_long"):
                # Said of the text itself (where a control character sits, how long it is):
                # the cell's first words would not show what to fix.
                return fallback
            return f"expected {item.expects_in_range}, found {self.shown.get(loc, fallback)}"
        if len(loc) == 1 and isinstance(loc[0], str):
            spec = layout.section(loc[0])
            if spec.is_table and detail["type"] == "too_short":
                return f"the {spec.table} table has no rows filled in; fill in at least one"
            if spec.is_table and detail["type"] == "too_long":
                count = len(raw.get(spec.key, []))
                return f"the {spec.table} table has {count} rows; at most {spec.max_rows} are read"
        return fallback

    def where(self, loc: Loc) -> str | None:
        """The place a loc was read from; the nearest enclosing place for a loc not read."""
        for end in range(len(loc), 0, -1):
            place = self.places.get(loc[:end])
            if place is not None:
                return place
        return None

    # --- checking ------------------------------------------------------------------------

    def _table_bounds(
        self, spec: SectionSpec, sheet: str, ref: str
    ) -> tuple[int, int, int, int] | None:
        problem = _table_bounds_problem(ref)
        if problem is None:
            return _bounds(ref)
        self.unscanned.add(sheet)
        where = f"{sheet}!{ref}" if len(ref) <= 30 else f"{spec.table} table"
        self.places[(spec.key,)] = f"{where} ({spec.table} table)"
        self._report((spec.key,), self.places[(spec.key,)], problem)
        return None

    def check(self, scenario: Scenario, stand_ins: tuple[Loc, ...] = ()) -> None:
        """The catalogue-aware checks, where what they look at was read whole."""
        if any(len(loc) == 1 for loc in self.unread):
            # A section or table that could not be read leaves references dangling (a tier's
            # deployment, say): checking would only add problems that are not really there.
            return
        catalogue = load_catalogue()
        scenario = canonical_ids(scenario, catalogue)
        for problem in check_scenario(scenario, catalogue) + scenario_problems(
            scenario, catalogue, percent_fractions=False
        ):
            if any(_covers(unread, problem.loc) for unread in self.unread):
                continue
            if any(around_stand_in(loc, problem.loc) for loc in stand_ins):
                continue
            self.problems.append(problem.model_copy(update={"where": self.where(problem.loc)}))

    def check_what_read(self, raw: dict[str, Any]) -> None:
        """The checks on what did read, when some values did not: one run lists every problem."""
        # A problem that is not a field's (a cell outside every input) leaves every value read.
        bad = [
            p.loc for p in self.problems if p.severity == "error" and _field_at(p.loc) is not None
        ]
        bad += [loc for loc in self.unread if loc not in bad]
        scenario = stand_in(raw, bad, _field_at)
        if scenario is not None:
            self.check(scenario, tuple(bad))


def _file_order(problem: Problem) -> tuple[int, int, int]:
    """Sheet by sheet, row by row, column by column: the order a client fixes things in."""
    loc = problem.loc
    spec = _section_at(loc)
    if spec is None:
        return (-1, -1, -1)
    rest = loc[1:]
    row = -1
    if rest and isinstance(rest[0], int):
        row, rest = rest[0], rest[1:]
    column = next(
        (
            i
            for i, f in enumerate(spec.fields)
            if rest and f.path[: len(rest)] == rest[: len(f.path)]
        ),
        -1,
    )
    return (layout.sections().index(spec), row, column)


def _covers(unread: Loc, loc: Loc) -> bool:
    """A loc that could not be read covers the schema's problems within it or around it.

    ('tiers', 'share_pct') (a missing column) covers ('tiers', 3, 'share_pct') too.
    """
    shorter = min(len(loc), len(unread))
    if loc[:shorter] == unread[:shorter]:
        return True
    return len(unread) == 2 and len(loc) == 3 and (loc[0], loc[2]) == unread


def _field_at(loc: Loc) -> FieldSpec | None:
    """The field a schema loc names: ('workload', 'x'), ('tiers', 2, 'x'); else None."""
    spec = _section_at(loc)
    if spec is None:
        return None
    path = loc[1:]
    if spec.is_table:
        if not path or not isinstance(path[0], int):
            return None
        path = path[1:]
    return next((f for f in spec.fields if f.path == path), None)


def _section_at(loc: Loc) -> SectionSpec | None:
    return next((s for s in layout.sections() if loc and s.key == loc[0]), None)


def _put(values: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    """values['volume_factor']['low'] = value, for path ('volume_factor', 'low')."""
    for part in path[:-1]:
        values = values.setdefault(part, {})
    values[path[-1]] = value


def _merged_range(sheet: Worksheet, coordinate: str) -> str | None:
    for merged in sheet.merged_cells.ranges:
        if coordinate in merged:
            return str(merged.coord)
    return None


def _table_bounds_problem(ref: str) -> str | None:
    """Why a table's range cannot be read, or None: checked before a single cell is read."""
    try:
        first_column, first_row, last_column, last_row = _bounds(ref)
    except (ValueError, TypeError, AssertionError):
        return f"the table's range {echo(ref)} is not a range of cells; recreate the table"
    rows, columns = last_row - first_row, last_column - first_column + 1
    if rows > MAX_TABLE_ROWS or columns > MAX_TABLE_COLUMNS:
        return (
            f"the table's range {ref} spans {rows:,} rows and {columns:,} columns, more than "
            f"the {MAX_TABLE_ROWS:,} rows and {MAX_TABLE_COLUMNS} columns a table may hold; "
            "resize it to the rows you filled (Table Design > Resize Table)"
        )
    return None


MAX_TABLE_ROWS = 1_000
"""The schema reads at most 200 rows; a range far beyond that was stretched, by hand or hostile."""
MAX_TABLE_COLUMNS = 64


def _bounds(ref: str) -> tuple[int, int, int, int]:
    first_column, first_row, last_column, last_row = range_boundaries(ref)
    assert first_column is not None and first_row is not None
    assert last_column is not None and last_row is not None
    return first_column, first_row, last_column, last_row


def _span(cells: list[tuple[str, str]]) -> str | None:
    """'Workload!C5:C9' for a section's cells when they share a sheet."""
    if not cells or any(s != cells[0][0] for s, _ in cells):
        return None
    sheet = cells[0][0]
    bounds = [range_boundaries(c) for _, c in cells]
    columns = [b[0] for b in bounds if b[0] is not None]
    rows = [b[1] for b in bounds if b[1] is not None]
    span = (
        f"{get_column_letter(min(columns))}{min(rows)}:{get_column_letter(max(columns))}{max(rows)}"
    )
    return f"{layout.quote_sheet(sheet)}!{span}"


MAX_OUTSIDE_SHOWN = 10
"""Filled cells outside every input named one by one on a sheet; the rest are counted."""


@dataclass(frozen=True)
class _TableArea:
    """Where an input table was read: its header row to its last row, first to last column."""

    spec: SectionSpec
    sheet: str
    first_column: int
    header_row: int
    last_column: int
    last_row: int

    def holds(self, sheet: str, row: int, column: int) -> bool:
        return (
            sheet == self.sheet
            and self.header_row <= row <= self.last_row
            and self.first_column <= column <= self.last_column
        )

    def is_below(self, row: int, column: int) -> bool:
        return row > self.last_row and self.first_column <= column <= self.last_column


@cache
def template_texts() -> frozenset[str]:
    """Every text the template writes itself (titles, labels, units, help, headers, notes)."""
    from crossover.workbook.template import build_template

    empty: tuple[str | int, ...] = ()
    workbook = build_template(
        {name: empty for name in ("list_api_model", "list_model", "list_gpu", "list_instance")}
    )
    return frozenset(
        cell.value.strip()
        for sheet in workbook.worksheets
        if sheet.title != layout.LISTS_SHEET
        for cell in sheet._cells.values()
        if isinstance(cell.value, str)
    )


def _could_be_an_answer(cell: Cell) -> bool:
    """A number, date or yes/no (typed or computed), or text that reads as a number."""
    value = cell.value
    if not isinstance(value, str):
        return True
    return bool(_NUMBER_TEXT.fullmatch(value.strip()))


_NUMBER_TEXT = re.compile(
    r"[-+\u2212]?[$€£¥]?\s*\d[\d.,'\s\u00a0\u202f\u2009]*(%|k|m|bn)?", re.IGNORECASE
)


def _home_sheet(expected: str, sheets: list[str]) -> str:
    """The sheet most of a section's names point to; the template's own sheet on a tie."""
    if not sheets:
        return expected
    counts = {sheet: sheets.count(sheet) for sheet in sheets}
    most = max(counts.values())
    if counts.get(expected) == most:
        return expected
    return next(sheet for sheet in sheets if counts[sheet] == most)


def _column_row(coordinate: str) -> tuple[int, int]:
    column, row, _, _ = range_boundaries(coordinate)
    assert column is not None and row is not None
    return column, row
