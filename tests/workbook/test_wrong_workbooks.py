"""A corpus of wrong workbooks: each mistake comes back as one line that names its cell.

Each case spoils a valid filled workbook the way a client might, then checks the exact
problems (place and words) the reader raises, and that `crossover validate` exits 65 with
those lines.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from crossover.cli import main
from crossover.errors import EXIT_DATA
from crossover.scenario import ScenarioError
from crossover.workbook import layout, read_workbook

from .helpers import named, spoil, table_cell

NAME_HELP = (
    "name the input cell again (Formulas > Name Manager in Excel; Sheet > Named Ranges and "
    "Expressions > Define in LibreOffice), or copy your answers into a fresh template"
)
DATE = "expected a date as YYYY-MM-DD (e.g. 2026-01-12) or a date cell, found "
MTOK = "expected a number of millions of tokens per day"


def _set(where: Callable[[Workbook], object], value: object) -> Callable[[Workbook], None]:
    def change(workbook: Workbook) -> None:
        cell = where(workbook)
        cell.value = value  # type: ignore[attr-defined]

    return change


def _name(name: str, value: object) -> Callable[[Workbook], None]:
    return _set(lambda wb: named(wb, name), value)


def _cell(table: str, row: int, column: str, value: object) -> Callable[[Workbook], None]:
    return _set(lambda wb: table_cell(wb, table, row, column), value)


def _all(*changes: Callable[[Workbook], None]) -> Callable[[Workbook], None]:
    def change(workbook: Workbook) -> None:
        for each in changes:
            each(workbook)

    return change


def _percent_cell(workbook: Workbook) -> None:
    cell = named(workbook, "monthly_growth_pct")
    cell.value, cell.number_format = 1.5, "0%"


TIERS_END = get_column_letter(layout.FIRST_COLUMN + len(layout.section("tiers").fields) - 1)
"""The Tiers table's last column in the template."""


def _empty_tiers(workbook: Workbook) -> None:
    for row in (0, 1):
        for field in layout.section("tiers").fields:
            table_cell(workbook, "Tiers", row, field.name).value = None


def _rename(old: str, new: str) -> Callable[[Workbook], None]:
    def change(workbook: Workbook) -> None:
        workbook[old].title = new

    return change


def _delete_table(workbook: Workbook) -> None:
    del workbook["Deployments"].tables["Deployments"]


def _delete_sheet(workbook: Workbook) -> None:
    del workbook["Operations"]


def _delete_name(workbook: Workbook) -> None:
    del workbook.defined_names["peak_to_average"]


def _merge(workbook: Workbook) -> None:
    workbook["Client"].merge_cells("C5:D5")


def _header(workbook: Workbook) -> None:
    workbook["Tiers"]["D4"].value = "model"


def _below(workbook: Workbook) -> None:
    workbook["Tiers"]["B13"].value = "extra tier"


CASES: dict[str, tuple[Callable[[Workbook], None], list[str]]] = {
    "text in a number cell": (
        _name("input_mtok_per_day", "lots"),
        [f'Workload!C5 (input_mtok_per_day): {MTOK}, found "lots"'],
    ),
    "ambiguous number": (
        _name("output_mtok_per_day", "1.234,5"),
        [
            f'Workload!C6 (output_mtok_per_day): {MTOK}, found "1.234,5", which is ambiguous: '
            "write it with a point for decimals and commas or spaces only between thousands "
            "(e.g. 1234.5 or 1,234.5)"
        ],
    ),
    "negative volume": (
        _name("input_mtok_per_day", -5),
        [f"Workload!C5 (input_mtok_per_day): {MTOK} (0 or more), found -5"],
    ),
    "percent over 100, typed": (
        _name("cache_hit_pct", "150%"),
        ['Workload!C9 (cache_hit_pct): expected a percentage (between 0 and 100), found "150%"'],
    ),
    "percent over 100, a real percent cell": (
        _percent_cell,
        [
            "Workload!C8 (monthly_growth_pct): expected a percentage (between -50 and 100), "
            "found 150%"
        ],
    ),
    "shares not adding up to 100": (
        _cell("Tiers", 1, "share_pct", 20),
        ["Tiers!C5:C6 (share_pct): the tiers' shares add up to 90%, expected 100%"],
    ),
    "a share of 0": (
        _cell("Tiers", 1, "share_pct", 0),
        ["Tiers!C6 (share_pct): expected a percentage (more than 0 and at most 100), found 0"],
    ),
    "a share in words": (
        _cell("Tiers", 0, "share_pct", "seventy"),
        ['Tiers!C5 (share_pct): expected a percentage, found "seventy"'],
    ),
    "missing client name": (
        _name("client_name", None),
        ["Client!C5 (client_name): expected the client's name, found a blank cell"],
    ),
    "missing cell in a table row": (
        _cell("Tiers", 1, "api_model", None),
        ["Tiers!D6 (api_model): expected an API model as provider/model, found a blank cell"],
    ),
    "unknown API model": (
        _cell("Tiers", 1, "api_model", "anthropic/claude-haikoo-4-5"),
        [
            "Tiers!D6 (api_model): unknown API model 'anthropic/claude-haikoo-4-5' (did you "
            "mean anthropic/claude-haiku-4-5, anthropic/claude-haiku-5-5, "
            "anthropic/claude-opus-4-5?); use provider/model as in the drop-down, or price it "
            "fully in the price overrides table"
        ],
    ),
    "unknown GPU": (
        _cell("Deployments", 0, "gpu", "h100-sxmm"),
        [
            "Deployments!E5 (gpu): unknown GPU 'h100-sxmm' (did you mean h100-sxm?); known: "
            "a100-40gb, a100-80gb, a10g, b200, b300, h100-pcie, h100-sxm, h200, l4, l40s, mi300x, mi325x, mi355x, rtx-pro-6000"
        ],
    ),
    "unknown deployment in a tier": (
        _cell("Tiers", 0, "deployment", "llama70-h10"),
        [
            "Tiers!G5 (deployment): tier 'chat' names deployment 'llama70-h10', which is not in "
            "the Deployments table (did you mean llama70-h100?)"
        ],
    ),
    "ambiguous date": (
        _name("report_date", "12/01/2026"),
        [f'Client!C8 (report_date): {DATE}"12/01/2026", which could be 12 January or 1 December'],
    ),
    "impossible date": (
        _name("report_date", "2026-02-30"),
        [f'Client!C8 (report_date): {DATE}"2026-02-30", which is not a day of the calendar'],
    ),
    "deleted table": (
        _delete_table,
        [
            "Deployments table: the Deployments sheet has no Excel table named Deployments (was "
            "it deleted, renamed or converted to a plain range?); copy your rows into the table "
            "of a fresh template, or select the headers and rows and insert a table named "
            "Deployments"
        ],
    ),
    "renamed sheet": (
        _rename("Workload", "Volumes"),
        [
            "Workload sheet: the cells named input_mtok_per_day, output_mtok_per_day, "
            "peak_to_average, monthly_growth_pct, cache_hit_pct, input_tokens_per_request, output_tokens_per_request are on a sheet called "
            '"Workload", which is not in the workbook (renamed to "Volumes"?); give the sheet '
            "its name back, or copy your answers into a fresh template"
        ],
    ),
    "deleted sheet": (
        _delete_sheet,
        [
            "Operations sheet: the cells named target_peak_utilisation_pct, redundancy, "
            "infra_overhead_pct, setup_weeks, setup_engineers, engineer_week_cost, ops_fte, "
            "fte_annual_cost, horizon_months, providers, price_plans are on a sheet called "
            '"Operations", which is not in the workbook (renamed or deleted?); give the sheet '
            "its name back, or copy your answers into a fresh template"
        ],
    ),
    "deleted defined name": (
        _delete_name,
        [
            "Workload!C7 (outside every input): 2 is typed here, where the tool reads nothing, "
            "so it would be ignored; if it is an answer, type it in its yellow cell (or in a row "
            "inside the table), and if it is your own working, move it to a sheet of your own",
            "Workload sheet (peak_to_average): no cell is named peak_to_average (the "
            f'"Peak ÷ average demand" answer); {NAME_HELP}',
        ],
    ),
    "formula with no cached value": (
        _name("input_mtok_per_day", "=500+220"),
        [
            "Workload!C5 (input_mtok_per_day): the formula =500+220 has no saved result (the "
            "file was last saved by a program that does not calculate formulas); open the file "
            "in Excel or LibreOffice, save it, and send it again"
        ],
    ),
    "error value in a cell": (
        _name("usd_fx_rate", "#DIV/0!"),
        [
            "Client!C10 (usd_fx_rate): the cell shows the error #DIV/0!; correct it so that it "
            "holds a number of currency units per US dollar"
        ],
    ),
    "merged cells over an input": (
        _merge,
        [
            "Client!C5 (client_name): the cell is merged with its neighbours (C5:D5); unmerge "
            "it so that the answer sits in C5 alone"
        ],
    ),
    "duplicate tier names": (
        _cell("Tiers", 1, "tier", "chat"),
        ["Tiers!B6 (tier): 'chat' appears more than once; each row needs its own tier"],
    ),
    "self_host without a deployment": (
        _cell("Tiers", 1, "route", "self_host"),
        [
            "Tiers!G6 (deployment): tier 'nightly' is routed to self_host but names no "
            "deployment; name one from the Deployments table, or route it to api"
        ],
    ),
    "batch on a model with no batch price": (
        _cell("Tiers", 1, "api_model", "groq/qwen/qwen3-32b"),
        [
            "Tiers!E6 (api_mode): groq/qwen/qwen3-32b: the price list has no batch "
            "price for this model; price it in PriceOverrides, or use realtime"
        ],
    ),
    "prefill without decode": (
        _cell("Deployments", 0, "prefill_tps_per_gpu", 9000),
        [
            "Deployments!B5 (Deployments table row): give both prefill_tps_per_gpu and "
            "decode_tps_per_gpu, or neither"
        ],
    ),
    "3 GPUs per replica": (
        _cell("Deployments", 0, "gpus_per_replica", 3),
        ["Deployments!I5 (gpus_per_replica): expected one of 1, 2, 4, 8, found 3"],
    ),
    "a deployment that does not fit in memory": (
        _all(
            _cell("Deployments", 0, "precision", "bf16"),
            _cell("Deployments", 0, "gpu", "l4"),
            _cell("Deployments", 0, "gpus_per_replica", 1),
        ),
        [
            "Deployments!I5 (gpus_per_replica): Llama 3.3 70B Instruct at bf16 does not fit: "
            "its weights take 141.2 GB, more than 90% of 1 × 24 GB; use more GPUs per replica, "
            "a lower precision, or leave it blank for the memory-fit rule",
        ],
    ),
    "a flag that is neither yes nor no": (
        _name("hipaa", "maybe"),
        ['Compliance!C5 (hipaa): expected yes or no, found "maybe"'],
    ),
    "compliance with a tier left on an API": (
        _name("hipaa", "yes"),
        [
            "Tiers!G6 (deployment): compliance (hipaa) forbids sending tier 'nightly' to an "
            "outside API, so it must name a deployment to be self-hosted on"
        ],
    ),
    "a route that does not exist": (
        _cell("Tiers", 0, "route", "cloud"),
        ['Tiers!F5 (route): expected one of api, self_host, found "cloud"'],
    ),
    "a precision that does not exist": (
        _cell("Deployments", 0, "precision", "fp6"),
        [
            'Deployments!D5 (precision): expected one of bf16, fp16, fp8, int8, int4, fp4, found "fp6"'
        ],
    ),
    "months with a fraction": (
        _name("horizon_months", 24.5),
        ["Operations!C13 (horizon_months): expected a whole number of months, found 24.5"],
    ),
    "lower-case currency": (
        _name("currency", "usd"),
        [
            "Client!C9 (currency): expected a three-letter currency code in capitals, such as "
            'USD or EUR, found "usd"'
        ],
    ),
    "a renamed table header": (
        _header,
        [
            f"Tiers!B4:{TIERS_END}4 (Tiers table header): the table has no column api_model (the "
            '"API model today" column), which is required; give one column that header',
            # Warnings are kept beside the errors (issue 13).
            'Tiers!D4 (Tiers table header): the column "model" is not one the tool reads (did '
            "you mean api_model?), so it is ignored",
        ],
    ),
    "rows typed below a table": (
        _below,
        [
            f"Tiers!B13:{TIERS_END}13 (below the Tiers table): these cells are below the Tiers table, so "
            "they are not read; extend the table over them (drag the handle at its bottom-right "
            "corner, or insert rows inside the table and move them there)"
        ],
    ),
    "no tiers at all": (
        _empty_tiers,
        [
            f"Tiers!B4:{TIERS_END}12 (Tiers table): the Tiers table has no rows filled in; fill in "
            "at least one"
        ],
    ),
    "an unknown model overridden without both prices": (
        _all(
            _cell("PriceOverrides", 0, "api_model", "acme/private"),
            _cell("PriceOverrides", 0, "output_per_mtok", None),
        ),
        [
            "'Price overrides'!B5 (api_model): 'acme/private' is not in the catalogue, so its "
            "row must give both input_per_mtok and output_per_mtok"
        ],
    ),
    "several mistakes at once, in sheet order": (
        _all(
            _cell("Deployments", 0, "precision", "fp6"),
            _cell("Tiers", 0, "share_pct", "seventy"),
            _name("input_mtok_per_day", "lots"),
            _name("client_name", None),
        ),
        [
            "Client!C5 (client_name): expected the client's name, found a blank cell",
            f'Workload!C5 (input_mtok_per_day): {MTOK}, found "lots"',
            'Tiers!C5 (share_pct): expected a percentage, found "seventy"',
            'Deployments!D5 (precision): expected one of bf16, fp16, fp8, int8, int4, fp4, found "fp6"',
        ],
    ),
}


@pytest.mark.parametrize(("change", "expected"), CASES.values(), ids=CASES.keys())
def test_each_mistake_is_named_by_its_cell(
    filled_path: Path,
    change: Callable[[Workbook], None],
    expected: list[str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    spoil(filled_path, change)
    with pytest.raises(ScenarioError) as raised:
        read_workbook(filled_path)
    assert [p.describe() for p in raised.value.problems] == expected

    with pytest.raises(SystemExit) as exited:
        main(["validate", str(filled_path)])
    assert exited.value.code == EXIT_DATA
    printed = capsys.readouterr().err.splitlines()
    problems = raised.value.problems
    errors = [p.describe() for p in problems if p.severity == "error"]
    warnings = [p.describe() for p in problems if p.severity == "warning"]
    assert printed == [
        f"Error: {filled_path}: {len(errors)} problem(s) to fix:",
        *(f"  {line}" for line in errors),
        *(f"  Warning: {line}" for line in warnings),
    ]


def test_the_corpus_is_large_enough() -> None:
    assert len(CASES) >= 25
