"""Nothing typed is ignored: every filled cell the reader does not read is reported with its cell.

Also the structures openpyxl would misread or explain in its own words (Strict OOXML, two tables
of one name, a name moved to another sheet, a date serial below 1), each refused or warned in
the tool's words.
"""

from __future__ import annotations

import zipfile
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from crossover.catalogue import load_catalogue
from crossover.cli import main
from crossover.errors import EXIT_DATA
from crossover.inputs import analyse_file
from crossover.scenario import ScenarioError
from crossover.workbook import read_workbook, read_workbook_with_warnings

from .helpers import named, soffice, spoil, table_cell

IGNORED = (
    "is typed here, where the tool reads nothing, so it would be ignored; if it is an answer, "
    "type it in its yellow cell (or in a row inside the table), and if it is your own working, "
    "move it to a sheet of your own"
)
NOTE = "is outside every input, so the tool does not read it (a note is fine; an answer belongs in its yellow cell)"
EXTEND = (
    "so they are not read; extend the table over them (drag the handle at its bottom-right "
    "corner, or insert rows inside the table and move them there)"
)
HIDDEN_ROW = (
    "this row is hidden, but the tool reads it like any other; unhide it (select the rows "
    "around it, right-click, Unhide) to check it, or delete the row if it should not count"
)
NAME_HELP = (
    "name the input cell again (Formulas > Name Manager in Excel; Sheet > Named Ranges and "
    "Expressions > Define in LibreOffice), or copy your answers into a fresh template"
)


def _problems(path: Path) -> list[str]:
    with pytest.raises(ScenarioError) as raised:
        read_workbook(path)
    return [p.describe() for p in raised.value.problems]


def _warnings(path: Path) -> list[str]:
    return [p.describe() for p in read_workbook_with_warnings(path)[1]]


def test_an_override_typed_below_its_table_after_blank_rows_is_an_error(filled_path: Path) -> None:
    def below(workbook: Workbook) -> None:
        sheet = workbook["Price overrides"]
        sheet["B15"], sheet["C15"], sheet["D15"] = "anthropic/claude-haiku-4-5", "realtime", "0.5"

    spoil(filled_path, below)
    assert _problems(filled_path) == [
        f"'Price overrides'!B15:F15 (below the PriceOverrides table): these cells are below the "
        f"PriceOverrides table, {EXTEND}"
    ]


def test_deployments_typed_far_below_their_table_are_one_error(filled_path: Path) -> None:
    def below(workbook: Workbook) -> None:
        workbook["Deployments"]["B20"] = "qwen72-h100"
        workbook["Deployments"]["E31"] = "h100-sxm"

    spoil(filled_path, below)
    assert _problems(filled_path) == [
        "Deployments!B20:O31 (below the Deployments table): these cells are below the "
        f"Deployments table, {EXTEND}"
    ]


def test_a_number_beside_an_answer_is_an_error_and_a_note_a_warning(filled_path: Path) -> None:
    def beside(workbook: Workbook) -> None:
        # The answer typed in the unit column; a note typed beside a table's row.
        workbook["Workload"]["D7"] = 3
        workbook["Tiers"]["S5"] = "our busiest tier"

    spoil(filled_path, beside)
    assert _problems(filled_path) == [
        f"Workload!D7 (outside every input): 3 {IGNORED}",
        'Tiers!S5 (outside every input): the text "our busiest tier" ' + NOTE,
    ]


def test_number_text_and_formulas_outside_every_input_are_errors(filled_path: Path) -> None:
    def beside(workbook: Workbook) -> None:
        workbook["Operations"]["H9"] = "1,200"
        workbook["Client"]["H5"] = True
        workbook["Client"]["H6"] = datetime(2026, 1, 12)

    spoil(filled_path, beside)
    assert _problems(filled_path) == [
        f"Client!H5 (outside every input): TRUE {IGNORED}",
        f"Client!H6 (outside every input): 2026-01-12 {IGNORED}",
        f'Operations!H9 (outside every input): "1,200" {IGNORED}',
    ]


def test_a_note_outside_every_input_travels_with_the_results(filled_path: Path) -> None:
    spoil(filled_path, lambda wb: wb["Client"].cell(5, 8, "figures from the March invoice"))
    expected = 'the text "figures from the March invoice" ' + NOTE
    assert _warnings(filled_path) == [f"Client!H5 (outside every input): {expected}"]
    warnings = analyse_file(filled_path, load_catalogue()).warnings
    assert [(w.field, w.cell, w.message) for w in warnings] == [
        ("client", "Client!H5 (outside every input)", expected)
    ]


def test_the_templates_own_text_moved_about_is_not_reported(filled_path: Path) -> None:
    def move(workbook: Workbook) -> None:
        sheet = workbook["Workload"]
        sheet["H20"], sheet["B6"] = sheet["B6"].value, None
        workbook["Tiers"]["B30"] = workbook["Tiers"]["B1"].value

    spoil(filled_path, move)
    assert _warnings(filled_path) == []


def test_many_cells_outside_every_input_are_counted_after_ten(filled_path: Path) -> None:
    def fill(workbook: Workbook) -> None:
        for row in range(20, 35):
            workbook["Operations"].cell(row, 2, f"note {row}")
        workbook["Operations"]["C40"] = 7

    spoil(filled_path, fill)
    # Errors come first, then warnings: the count holds a value that could be an answer.
    assert _problems(filled_path) == [
        "Operations sheet: 6 more filled cells outside every input (1 of them could be "
        "answers); move answers into their yellow cells or tables, and your own working to a "
        "sheet of your own",
        'Operations!B20 (outside every input): the text "note 20" ' + NOTE,
        'Operations!B21 (outside every input): the text "note 21" ' + NOTE,
        'Operations!B22 (outside every input): the text "note 22" ' + NOTE,
        'Operations!B23 (outside every input): the text "note 23" ' + NOTE,
        'Operations!B24 (outside every input): the text "note 24" ' + NOTE,
        'Operations!B25 (outside every input): the text "note 25" ' + NOTE,
        'Operations!B26 (outside every input): the text "note 26" ' + NOTE,
        'Operations!B27 (outside every input): the text "note 27" ' + NOTE,
        'Operations!B28 (outside every input): the text "note 28" ' + NOTE,
        'Operations!B29 (outside every input): the text "note 29" ' + NOTE,
    ]


def test_filled_hidden_rows_and_columns_of_a_table_are_warned(filled_path: Path) -> None:
    def hide(workbook: Workbook) -> None:
        workbook["Tiers"].row_dimensions[6].hidden = True
        workbook["Tiers"].row_dimensions[9].hidden = True  # blank: nothing to say
        workbook["Deployments"].column_dimensions["H"].hidden = True
        table_cell(workbook, "Deployments", 0, "gpu_hour_price").value = 2.1

    spoil(filled_path, hide)
    assert _warnings(filled_path) == [
        f"Tiers!B6:R6 (hidden row of the Tiers table): {HIDDEN_ROW}",
        "Deployments!H5:H5 (hidden column gpu_hour_price): this column is hidden, but the tool "
        "reads its values like any other; unhide it (select the columns around it, right-click, "
        "Unhide) to check them, or clear them if they should not count",
    ]


def test_a_name_moved_to_another_sheet_is_warned(filled_path: Path) -> None:
    def move(workbook: Workbook) -> None:
        workbook.defined_names["setup_weeks"].attr_text = "Compliance!$C$20"
        workbook["Compliance"]["C20"] = 5
        workbook["Operations"]["C8"] = None

    spoil(filled_path, move)
    assert _warnings(filled_path) == [
        "Compliance!C20 (setup_weeks): this cell is on the Compliance sheet, away from the other "
        "operations answers on the Operations sheet: the name setup_weeks was moved here, and "
        "this cell is what is read; if it is not that answer, point the name back at its row on "
        f"the Operations sheet; {NAME_HELP}"
    ]
    assert read_workbook(filled_path).operations.setup_weeks == 5


def test_a_name_moved_onto_another_answer_is_an_error(filled_path: Path) -> None:
    spoil(
        filled_path,
        lambda wb: setattr(wb.defined_names["input_mtok_per_day"], "attr_text", "Operations!$C$5"),
    )
    assert _problems(filled_path) == [
        f"Workload!C5 (outside every input): 500 {IGNORED}",
        "Operations!C5 (input_mtok_per_day and target_peak_utilisation_pct): the names "
        "input_mtok_per_day and target_peak_utilisation_pct point to this one cell, so it would "
        f"answer both; point each name back at its own cell; {NAME_HELP}",
    ]


def test_a_name_moved_into_a_table_is_an_error(filled_path: Path) -> None:
    spoil(filled_path, lambda wb: setattr(wb.defined_names["ops_fte"], "attr_text", "Tiers!$C$5"))
    assert _problems(filled_path)[1:] == [
        "Tiers!C5 (ops_fte): the name ops_fte points into the Tiers table, whose cells are read "
        f"as table rows; point it back at its own cell; {NAME_HELP}",
    ]


def test_a_date_serial_below_one_is_refused(filled_path: Path) -> None:
    def serial(workbook: Workbook) -> None:
        cell = named(workbook, "report_date")
        cell.value, cell.number_format = -1, "yyyy-mm-dd"

    spoil(filled_path, serial)
    assert _problems(filled_path) == [
        "Client!C8 (report_date): the cell holds the date serial -1, which is before the first "
        "day a spreadsheet date can be (1900-01-01); type the date as YYYY-MM-DD (e.g. 2026-01-12)"
    ]


def _rewrite(source: Path, target: Path, change: dict[str, tuple[bytes, bytes]]) -> Path:
    """A copy of a workbook with text replaced in the parts named (prefix match)."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for member in old.infolist():
            data = old.read(member)
            for prefix, (before, after) in change.items():
                if member.filename.startswith(prefix):
                    data = data.replace(before, after)
            new.writestr(member, data)
    return target


def _strict(source: Path, target: Path) -> Path:
    """What Excel's "Strict Open XML Spreadsheet" writes: the same parts in other namespaces."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for member in old.infolist():
            data = old.read(member)
            for before, after in _STRICT_NAMESPACES:
                data = data.replace(before, after)
            new.writestr(member, data)
    return target


_STRICT_NAMESPACES = (
    (
        b"http://schemas.openxmlformats.org/spreadsheetml/2006/main",
        b"http://purl.oclc.org/ooxml/spreadsheetml/main",
    ),
    (
        b"http://schemas.openxmlformats.org/officeDocument/2006/relationships",
        b"http://purl.oclc.org/ooxml/officeDocument/relationships",
    ),
)


def _one_line_refusal(path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit) as exited:
        main(["validate", str(path)])
    assert exited.value.code == EXIT_DATA
    err = capsys.readouterr().err
    assert "Traceback" not in err
    (line,) = err.splitlines()
    return line


def test_a_strict_ooxml_workbook_is_named_with_the_fix(
    filled_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    strict = _strict(filled_path, tmp_path / "strict.xlsx")
    assert _one_line_refusal(strict, capsys) == (
        f'Error: {strict}: the workbook was saved as "Strict Open XML Spreadsheet", a variant of '
        '.xlsx the tool cannot read; save it again as an ordinary "Excel Workbook (*.xlsx)" '
        '(File > Save As in Excel, or "Excel 2007-365" in LibreOffice) and send that'
    )
    # The fix works: LibreOffice opens the Strict file and saves an ordinary one that reads.
    saved = soffice(strict, "xlsx", tmp_path / "saved", tmp_path / "profile")
    assert read_workbook(saved) == read_workbook(filled_path)


def test_two_tables_of_one_name_get_our_message(
    filled_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    twice = _rewrite(
        filled_path,
        tmp_path / "twice.xlsx",
        {
            "xl/tables/table2.xml": (
                b'name="Deployments" displayName="Deployments"',
                b'name="tiers" displayName="tiers"',
            )
        },
    )
    assert _one_line_refusal(twice, capsys) == (
        f"Error: {twice}: two tables are named tiers (on the Tiers sheet at B4:R12 and on the "
        "Deployments sheet at B4:O12), but Excel allows one table of a name; keep the name "
        "tiers for the table on the Tiers sheet and rename the other (Table Design > Table "
        "Name), and send the workbook again"
    )


def test_a_libreoffice_saved_workbook_is_read_the_same_way(
    filled_path: Path, tmp_path: Path
) -> None:
    def spoil_it(workbook: Workbook) -> None:
        workbook["Price overrides"]["B16"] = "anthropic/claude-haiku-4-5"
        workbook["Tiers"].row_dimensions[6].hidden = True
        workbook["Workload"]["H5"] = "from the dashboards"

    spoil(filled_path, spoil_it)
    saved = soffice(filled_path, "xlsx", tmp_path / "saved", tmp_path / "profile")
    assert _problems(saved) == [
        "'Price overrides'!B16:F16 (below the PriceOverrides table): these cells are below the "
        f"PriceOverrides table, {EXTEND}",
        'Workload!H5 (outside every input): the text "from the dashboards" ' + NOTE,
        f"Tiers!B6:R6 (hidden row of the Tiers table): {HIDDEN_ROW}",
    ]


def test_a_filled_template_saved_by_libreoffice_has_nothing_outside_its_inputs(
    filled_path: Path, tmp_path: Path
) -> None:
    saved = soffice(filled_path, "xlsx", tmp_path / "saved", tmp_path / "profile")
    assert _warnings(saved) == []
