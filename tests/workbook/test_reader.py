"""Reading details beyond the corpus: warnings, ranges, names a client recreated, odd tables."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName

from crossover.errors import InputError
from crossover.scenario import Scenario, ScenarioError
from crossover.workbook import layout, read_workbook, read_workbook_with_warnings, write_template

from .helpers import named, spoil, table_cell

_TIER_COLUMNS = len(layout.section("tiers").fields)
TIERS_END = get_column_letter(layout.FIRST_COLUMN + _TIER_COLUMNS - 1)
"""The Tiers table's last column in the template."""
AFTER_TIERS = get_column_letter(layout.FIRST_COLUMN + _TIER_COLUMNS)

IGNORED = (
    "%s is typed here, where the tool reads nothing, so it would be ignored; if it is an "
    "answer, type it in its yellow cell (or in a row inside the table), and if it is your own "
    "working, move it to a sheet of your own"
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


def test_the_blank_template_asks_for_the_three_required_things(tmp_path: Path) -> None:
    path = tmp_path / "template.xlsx"
    write_template(path)
    assert _problems(path) == [
        "Client!C5 (client_name): expected the client's name, found a blank cell",
        "Workload!C5 (input_mtok_per_day): expected a number of millions of tokens per day, "
        "found a blank cell",
        "Workload!C6 (output_mtok_per_day): expected a number of millions of tokens per day, "
        "found a blank cell",
        f"Tiers!B4:{TIERS_END}12 (Tiers table): the Tiers table has no rows filled in; fill in "
        "at least one",
    ]


def test_a_valid_workbook_has_no_warnings(filled_path: Path, base_scenario: Scenario) -> None:
    assert read_workbook_with_warnings(filled_path) == (base_scenario, [])


@pytest.mark.parametrize(
    ("name", "values", "expected"),
    [
        (
            "volume_factor",
            (1.5, 1, 1.3),
            "Uncertainty!C5:C7 (volume_factor): expected low ≤ likely ≤ high, found low 1.5, "
            "likely 1, high 1.3",
        ),
        (
            "volume_factor",
            (0.8, None, 1.3),
            "Uncertainty!C6 (volume_factor_likely): expected a multiplier, found a blank cell",
        ),
        (
            "monthly_growth_pct",
            (-80, 0, 10),
            "Uncertainty!C8:C10 (monthly_growth_pct): the range must be at least -50 and at most "
            "100, found -80 to 10",
        ),
        (
            "api_price_change_pct",
            ("-30%", "zero", "10%"),
            'Uncertainty!C18 (api_price_change_pct_likely): expected a percentage, found "zero"',
        ),
    ],
)
def test_ranges_are_three_cells_checked_together(
    filled_path: Path, name: str, values: tuple[object, ...], expected: str
) -> None:
    def fill(workbook: Workbook) -> None:
        for part, value in zip(("low", "likely", "high"), values, strict=True):
            named(workbook, f"{name}_{part}").value = value

    spoil(filled_path, fill)
    assert _problems(filled_path) == [expected]


def test_a_range_reads_as_low_likely_high(filled_path: Path) -> None:
    def fill(workbook: Workbook) -> None:
        for part, value in (("low", "-30%"), ("likely", 0), ("high", "10 %")):
            named(workbook, f"api_price_change_pct_{part}").value = value

    spoil(filled_path, fill)
    change = read_workbook(filled_path).uncertainty.api_price_change_pct
    assert change is not None
    assert (change.low, change.likely, change.high) == (-30, 0, 10)


def _recreate_at_sheet_scope(workbook: Workbook) -> None:
    """A client deleted the name and made it again, on the sheet and in other capitals."""
    definition = workbook.defined_names.pop("setup_weeks")
    workbook["Operations"].defined_names["Setup_Weeks"] = DefinedName(
        "Setup_Weeks", attr_text=definition.attr_text
    )
    named_cell = workbook["Operations"]["C8"]
    named_cell.value = 7


def test_a_name_recreated_at_sheet_scope_or_in_other_capitals_still_reads(
    filled_path: Path,
) -> None:
    spoil(filled_path, _recreate_at_sheet_scope)
    assert read_workbook(filled_path).operations.setup_weeks == 7


@pytest.mark.parametrize(
    ("reference", "expected"),
    [
        (
            "Operations!$C$5:$C$6",
            "Operations sheet (ops_fte): the name ops_fte points to Operations!$C$5:$C$6, but "
            f"it must name a single cell; {NAME_HELP}",
        ),
        (
            "#REF!",
            "Operations sheet (ops_fte): the cell named ops_fte was deleted (the name now points "
            f"to #REF!); {NAME_HELP}",
        ),
    ],
)
def test_names_that_no_longer_name_one_cell(
    filled_path: Path, reference: str, expected: str
) -> None:
    def point(workbook: Workbook) -> None:
        workbook.defined_names["ops_fte"] = DefinedName("ops_fte", attr_text=reference)

    spoil(filled_path, point)
    # The answer stays in the cell the name no longer reaches: that cell is named too.
    assert _problems(filled_path) == [
        f"Operations!C11 (outside every input): {IGNORED % 0.25}",
        expected,
    ]


def test_a_percentage_below_one_gets_a_warning(filled_path: Path) -> None:
    spoil(filled_path, lambda wb: setattr(named(wb, "cache_hit_pct"), "value", 0.3))
    assert _warnings(filled_path) == [
        "Workload!C9 (cache_hit_pct): read as 0.3%; if you meant 30%, type 30 or 30%"
    ]


def test_a_column_the_tool_does_not_read_gets_a_warning(filled_path: Path) -> None:
    def add_notes(workbook: Workbook) -> None:
        workbook["Tiers"][f"{AFTER_TIERS}4"].value = "notes"
        workbook["Tiers"][f"{AFTER_TIERS}5"].value = "our busiest tier"
        workbook["Tiers"].tables["Tiers"].ref = f"B4:{AFTER_TIERS}12"

    spoil(filled_path, add_notes)
    assert _warnings(filled_path) == [
        f'Tiers!{AFTER_TIERS}4 (Tiers table header): the column "notes" is not one the tool reads, so it is '
        "ignored"
    ]


def test_a_missing_optional_column_gets_a_warning(filled_path: Path) -> None:
    def drop_instance(workbook: Workbook) -> None:
        workbook["Deployments"]["G4"].value = "comments"

    spoil(filled_path, drop_instance)
    assert _warnings(filled_path) == [
        'Deployments!G4 (Deployments table header): the column "comments" is not one the tool '
        "reads, so it is ignored",
        "Deployments!B4:O4 (Deployments table header): the table has no column instance (the "
        '"Instance" column), so every row takes its blank value (the cheapest allowed instance)',
    ]


def test_the_checks_warnings_name_their_cell(filled_path: Path) -> None:
    def one_gpu_on_tensorrt_llm(workbook: Workbook) -> None:
        # TensorRT-LLM keeps 90% of what the weights leave: room for a few requests.
        table_cell(workbook, "Deployments", 0, "gpus_per_replica").value = 1
        table_cell(workbook, "Deployments", 0, "engine").value = "trt-llm"

    spoil(filled_path, one_gpu_on_tensorrt_llm)
    assert _warnings(filled_path) == [
        "Deployments!I5 (gpus_per_replica): llama70-h100: weights fill 88% of 1 × 80 GB, "
        "leaving little room for KV cache: few requests fit at once, so throughput is low"
    ]


def test_a_totals_row_is_not_a_tier(filled_path: Path, base_scenario: Scenario) -> None:
    def add_totals(workbook: Workbook) -> None:
        table = workbook["Tiers"].tables["Tiers"]
        table.ref = "B4:G13"
        table.totalsRowCount = 1
        workbook["Tiers"]["B13"].value = "Total"
        workbook["Tiers"]["C13"].value = 100

    spoil(filled_path, add_totals)
    assert read_workbook(filled_path) == base_scenario


def test_a_table_without_its_header_row(filled_path: Path) -> None:
    def hide_header(workbook: Workbook) -> None:
        workbook["Price overrides"].tables["PriceOverrides"].headerRowCount = 0

    spoil(filled_path, hide_header)
    assert _problems(filled_path) == [
        "'Price overrides'!B4:F12 (PriceOverrides table): the table has no header row; turn it "
        "back on (Table Design > Header Row) with the field names as headers"
    ]


def test_a_file_that_is_not_a_workbook_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.xlsx"
    path.write_text("client: Acme\n", encoding="utf-8")
    with pytest.raises(InputError):
        read_workbook(path)
