"""A scenario written into the template reads back identical, however the client moves things."""

from __future__ import annotations

from copy import deepcopy
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import range_boundaries
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.table import Table, TableStyleInfo
from pydantic import BaseModel

from crossover.scenario import Scenario, ScenarioError, load_json_scenario
from crossover.workbook import layout, read_workbook, write_filled

from .helpers import BASE, EXAMPLES, named, soffice, spoil, table_cell

# Every field away from its default, and every optional column filled.
EVERYTHING: dict[str, Any] = {
    "client": {
        "client_name": "Zeta Bank plc",
        "industry": "Retail banking",
        "prepared_by": "R. Osei, Crossover Advisory",
        "report_date": "2026-03-31",
        "currency": "GBP",
        "usd_fx_rate": 0.79,
        "current_monthly_api_bill": 48250.5,
    },
    "workload": {
        "input_mtok_per_day": 1234.5,
        "output_mtok_per_day": 98.25,
        "peak_to_average": 3.5,
        "monthly_growth_pct": -2.5,
        "cache_hit_pct": 42.5,
        "input_tokens_per_request": 2400,
        "output_tokens_per_request": 350.5,
    },
    "tiers": [
        {
            "tier": "advice",
            "share_pct": 50,
            "api_model": "openai/gpt-4o",
            "api_mode": "realtime",
            "route": "self_host",
            "deployment": "llama70-p5",
            "candidates": ["llama70-p5", "qwen14-a100"],
            "locked": True,
            "input_tokens_per_request": 1800,
            "output_tokens_per_request": 250,
            "tpot_ms": 35.5,
            "task_family": "instruction_following",
            "max_quality_drop": 2.5,
            "quality_floor": 70,
            "small_model_share_pct": 35.5,
        },
        {
            "tier": "statements",
            "share_pct": 30.5,
            "api_model": "openai/gpt-4o-mini",
            "api_mode": "batch",
            "route": "self_host",
            "deployment": "qwen14-a100",
        },
        {
            "tier": "internal",
            "share_pct": 19.5,
            "api_model": "acme/private-llm",
            "api_mode": "realtime",
            "route": "self_host",
            "deployment": "qwen14-a100",
        },
    ],
    "deployments": [
        {
            "deployment": "llama70-p5",
            "model": "llama-3.3-70b",
            "precision": "fp8",
            "gpu": "h100-sxm",
            "price_plan": "reserved_3y",
            "instance": "aws/p5.48xlarge",
            "gpu_hour_price": 2.75,
            "gpus_per_replica": 2,
            "gpus_per_instance": 8,
            "tps_per_gpu": 2100.5,
            "prefill_tps_per_gpu": 9000,
            "decode_tps_per_gpu": 1200,
            "engine": "trt-llm",
            "kv_precision": "fp8",
        },
        {
            "deployment": "qwen14-a100",
            "model": "qwen2.5-14b",
            "precision": "bf16",
            "gpu": "a100-80gb",
            "price_plan": "spot",
            "instance": "runpod/1x_a100-80gb_secure",
            "gpu_hour_price": 1.1,
            "gpus_per_replica": 1,
            "gpus_per_instance": 1,
            "tps_per_gpu": 3000,
            "prefill_tps_per_gpu": 12000.25,
            "decode_tps_per_gpu": 1500.75,
        },
    ],
    "operations": {
        "target_peak_utilisation_pct": 70,
        "redundancy": 0,
        "infra_overhead_pct": 25.5,
        "setup_weeks": 6,
        "setup_engineers": 2.5,
        "engineer_week_cost": 4100,
        "ops_fte": 1.5,
        "fte_annual_cost": 210000,
        "horizon_months": 48,
        "providers": ["aws", "runpod"],
        "price_plans": ["reserved_3y", "spot"],
    },
    "compliance": {
        "hipaa": True,
        "gdpr_restricted_subprocessors": True,
        "financial_regulated": True,
        "data_must_stay_in_network": True,
    },
    "price_overrides": [
        {
            "api_model": "openai/gpt-4o-mini",
            "api_mode": "batch",
            "input_per_mtok": 0.07,
            "cached_input_per_mtok": 0.035,
            "output_per_mtok": 0.3,
        },
        {
            "api_model": "acme/private-llm",
            "api_mode": "realtime",
            "input_per_mtok": 1.25,
            "cached_input_per_mtok": 0,
            "output_per_mtok": 5,
        },
    ],
    "evaluations": [
        {
            "model": "openai/gpt-4o",
            "tier": "advice",
            "score": 91.25,
            "sample_size": 300,
            "date": "2026-11-02",
        },
        {
            "model": "llama-3.3-70b",
            "tier": "advice",
            "score": 88,
            "sample_size": 300,
            "date": "2026-11-03",
        },
    ],
}

# Ranges are three cells each (low, likely, high), named <field>_low and so on.
EVERYTHING["uncertainty"] = {
    "volume_factor": {"low": 0.8, "likely": 1, "high": 1.3},
    "monthly_growth_pct": {"low": -5, "likely": 2.5, "high": 8},
    "throughput_factor": {"low": 0.7, "likely": 1, "high": 1.1},
    "gpu_price_factor": {"low": 0.9, "likely": 1.05, "high": 1.2},
    "api_price_change_pct": {"low": -30, "likely": 0, "high": 10},
    "distribution": "triangular",
    "draws": 20000,
    "seed": 7,
    "sensitivity_pct": 10,
}

# Text a spreadsheet might mangle: a leading "=", digits, accents, quotes, the longest name.
AWKWARD: dict[str, Any] = deepcopy(BASE) | {
    "client": {
        "client_name": '=SUM(A1) "Café" Ünïcode — 東京\'s',
        "industry": "0042",
        "prepared_by": "x" * 200,
        "report_date": "2026-02-28",
    },
    "workload": {"input_mtok_per_day": 1e-7, "output_mtok_per_day": 123456789.123},
}
AWKWARD["tiers"] = [
    {"tier": "1", "share_pct": 33.333, "api_model": "openai/gpt-4o"},
    {"tier": "2", "share_pct": 66.667, "api_model": "openai/gpt-4o"},
]

# More rows than the template's blank ones: the table grows.
MANY_ROWS: dict[str, Any] = deepcopy(BASE) | {
    "tiers": [
        {"tier": f"tier {i:02d}", "share_pct": 5, "api_model": "anthropic/claude-haiku-4-5"}
        for i in range(19)
    ]
    # The base's override and deployment are used by a tier: a row no tier uses is refused.
    + [
        {
            "tier": "tier 19",
            "share_pct": 5,
            "api_model": "openai/gpt-4o",
            "route": "self_host",
            "deployment": "llama70-h100",
        }
    ]
}

# Tiers that give their own daily volumes (economics §1): the workload's totals are their sums.
OWN_VOLUMES: dict[str, Any] = deepcopy(EVERYTHING)
OWN_VOLUMES["workload"] = {"peak_to_average": 2.5}
for _tier, (_input, _output) in zip(
    OWN_VOLUMES["tiers"], [(600, 80.5), (400.25, 10), (0, 7.75)], strict=True
):
    del _tier["share_pct"]
    _tier |= {"input_mtok_per_day": _input, "output_mtok_per_day": _output}

SCENARIOS = {
    "everything": EVERYTHING,
    "own-volumes": OWN_VOLUMES,
    "awkward": AWKWARD,
    "many-rows": MANY_ROWS,
    "base": BASE,
}


@pytest.mark.parametrize("raw", SCENARIOS.values(), ids=SCENARIOS.keys())
def test_write_then_read_gives_the_same_scenario(raw: dict[str, Any], tmp_path: Path) -> None:
    scenario = Scenario.model_validate(raw)
    path = tmp_path / "scenario.xlsx"
    write_filled(scenario, path)
    assert read_workbook(path) == scenario


def _at(row: Any, path: tuple[str, ...]) -> Any:
    for part in path:
        row = None if row is None else getattr(row, part)
    return row


def test_every_field_is_away_from_its_default() -> None:
    """In EVERYTHING or OWN_VOLUMES (a share and a tier's own volume exclude each other), every
    field (in some row, for tables) is set, not defaulted."""
    scenarios = [Scenario.model_validate(EVERYTHING), Scenario.model_validate(OWN_VOLUMES)]
    for spec in layout.sections():
        rows: list[BaseModel] = []
        for scenario in scenarios:
            value = getattr(scenario, spec.key)
            rows += value if spec.is_table else [value]
        for field in spec.fields:
            values = [_at(row, field.path) for row in rows]
            assert any(v is not None and v != field.default for v in values), field.name


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_examples_round_trip(example: Path, tmp_path: Path) -> None:
    scenario = load_json_scenario(example)
    path = tmp_path / f"{example.stem}.xlsx"
    write_filled(scenario, path)
    assert read_workbook(path) == scenario
    assert read_workbook(example.with_suffix(".xlsx")) == scenario


def _move_workload_inputs(workbook: Workbook) -> None:
    """Cut the Workload inputs and paste them elsewhere, as Excel does: names follow."""
    sheet = workbook["Workload"]
    last = 4 + len(layout.section("workload").fields)
    sheet.move_range(f"C5:C{last}", rows=10, cols=5)
    for field in layout.section("workload").fields:
        ((_, reference),) = workbook.defined_names[field.name].destinations
        row = int(reference.split("$")[-1]) + 10
        workbook.defined_names[field.name] = DefinedName(field.name, attr_text=f"Workload!$H${row}")


def _rename_client_sheet(workbook: Workbook) -> None:
    """Rename a sheet in Excel: the names that point into it are renamed too."""
    workbook["Client"].title = "Customer"
    for name, definition in workbook.defined_names.items():
        definition.attr_text = definition.attr_text.replace("'Client'!", "Customer!")
        workbook.defined_names[name] = definition


def _reorder_and_move_table(workbook: Workbook) -> None:
    """Tiers: columns in another order, the table further down and to the right."""
    sheet = workbook["Tiers"]
    table = sheet.tables["Tiers"]
    first_column, header_row, last_column, last_row = range_boundaries(table.ref)
    assert None not in (first_column, header_row, last_column, last_row)
    grid = [
        [sheet.cell(r, c).value for c in range(first_column, last_column + 1)]
        for r in range(header_row, last_row + 1)
    ]
    for row in sheet.iter_rows(min_row=header_row, max_row=last_row):
        for cell in row:
            cell.value = None
    order = list(reversed(range(len(grid[0]))))
    for r, values in enumerate(grid):
        for c, source in enumerate(order):
            sheet.cell(20 + r, 4 + c, values[source])
    del sheet.tables["Tiers"]
    last = get_column_letter(4 + len(grid[0]) - 1)
    moved = Table(displayName="Tiers", ref=f"D20:{last}{20 + len(grid) - 1}")
    moved.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2")
    sheet.add_table(moved)


def _deployments_on_another_sheet(workbook: Workbook) -> None:
    source = workbook["Deployments"]
    ref = source.tables["Deployments"].ref
    target = workbook.create_sheet("My setups")
    for row in source[ref]:
        for cell in row:
            target.cell(cell.row + 2, cell.column + 1, cell.value)
            cell.value = None
    del source.tables["Deployments"]
    first_column, header_row, last_column, last_row = range_boundaries(ref)
    assert None not in (first_column, header_row, last_column, last_row)
    target.add_table(
        Table(
            displayName="Deployments",
            ref=f"C{header_row + 2}:{get_column_letter(last_column + 1)}{last_row + 2}",
        )
    )


def test_moving_things_around_still_reads(tmp_path: Path) -> None:
    scenario = Scenario.model_validate(EVERYTHING)
    path = tmp_path / "moved.xlsx"
    write_filled(scenario, path)
    spoil(path, _move_workload_inputs)
    spoil(path, _rename_client_sheet)
    spoil(path, _reorder_and_move_table)
    spoil(path, _deployments_on_another_sheet)
    moved = load_workbook(path)
    assert named(moved, "input_mtok_per_day").coordinate == "H15"
    assert "Client" not in moved.sheetnames
    assert read_workbook(path) == scenario


def test_blank_rows_in_the_middle_of_a_table_are_skipped(tmp_path: Path) -> None:
    scenario = Scenario.model_validate(BASE)
    path = tmp_path / "gaps.xlsx"
    write_filled(scenario, path)

    def gap(workbook: Workbook) -> None:
        # The second tier moves down three rows, leaving blank rows between.
        for field in layout.section("tiers").fields:
            table_cell(workbook, "Tiers", 4, field.name).value = table_cell(
                workbook, "Tiers", 1, field.name
            ).value
            table_cell(workbook, "Tiers", 1, field.name).value = None

    spoil(path, gap)
    assert read_workbook(path) == scenario


def test_what_people_type_reads_as_meant(tmp_path: Path) -> None:
    scenario = Scenario.model_validate(BASE)
    path = tmp_path / "typed.xlsx"
    write_filled(scenario, path)

    def type_like_people(workbook: Workbook) -> None:
        named(workbook, "input_mtok_per_day").value = "1,200"
        named(workbook, "output_mtok_per_day").value = "1 200.5"
        named(workbook, "cache_hit_pct").value = "15%"
        growth = named(workbook, "monthly_growth_pct")
        growth.value, growth.number_format = 0.035, "0.0%"
        named(workbook, "hipaa").value = "Yes"
        named(workbook, "data_must_stay_in_network").value = True
        named(workbook, "report_date").value = "2026-01-12"
        named(workbook, "horizon_months").value = "36"
        table_cell(workbook, "Tiers", 0, "route").value = "Self-host"
        # Compliance keeps every tier off outside APIs: the second one needs a deployment too.
        table_cell(workbook, "Tiers", 1, "deployment").value = "llama70-h100"
        table_cell(workbook, "Tiers", 0, "share_pct").value = "70%"

    spoil(path, type_like_people)
    read = read_workbook(path)
    assert read.workload.input_mtok_per_day == 1200
    assert read.workload.output_mtok_per_day == 1200.5
    assert read.workload.cache_hit_pct == 15
    assert read.workload.monthly_growth_pct == 3.5
    assert read.compliance.flags == ("hipaa", "data_must_stay_in_network")
    assert str(read.client.report_date) == "2026-01-12"
    assert read.operations.horizon_months == 36
    assert (read.tiers[0].route, read.tiers[0].share_pct) == ("self_host", 70)


def _formulas(workbook: Workbook) -> None:
    named(workbook, "input_mtok_per_day").value = "=500+220"
    named(workbook, "output_mtok_per_day").value = "=Workload!C5/9"
    named(workbook, "fte_annual_cost").value = "=15000*12"
    table_cell(workbook, "Tiers", 0, "share_pct").value = "=100-30"
    table_cell(workbook, "Tiers", 1, "share_pct").value = "=100-70"
    named(workbook, "report_date").value = "=DATE(2026,11,27)"
    # Formulas that give empty text are blank: an optional cell, and a whole table row.
    named(workbook, "industry").value = '=IF(1=1,"","x")'
    for column in ("tier", "share_pct", "api_model"):
        table_cell(workbook, "Tiers", 4, column).value = '=IF(1=1,"","x")'


def test_a_workbook_recalculated_by_libreoffice_reads_its_formulas(tmp_path: Path) -> None:
    path = tmp_path / "formulas.xlsx"
    write_filled(Scenario.model_validate(BASE), path)
    spoil(path, _formulas)
    # As openpyxl saved it, no formula has a result yet.
    with pytest.raises(ScenarioError) as unsaved:
        read_workbook(path)
    assert len(unsaved.value.problems) == 10
    assert all("has no saved result" in p.message for p in unsaved.value.problems)

    recalculated = soffice(path, "xlsx", tmp_path / "saved", tmp_path / "profile")
    scenario = read_workbook(recalculated)
    assert scenario.workload.input_mtok_per_day == 720
    assert scenario.workload.output_mtok_per_day == 80
    assert scenario.operations.fte_annual_cost == 180000
    assert [t.share_pct for t in scenario.tiers] == [70, 30]
    assert str(scenario.client.report_date) == "2026-11-27"
    assert scenario.model_copy(
        update={
            "workload": scenario.workload.model_copy(
                update={"input_mtok_per_day": 500, "output_mtok_per_day": 120}
            ),
            "operations": scenario.operations.model_copy(update={"fte_annual_cost": 180000.0}),
        }
    ) == Scenario.model_validate(BASE)


def test_libreoffice_saved_examples_read_the_same(tmp_path: Path) -> None:
    for example in EXAMPLES:
        saved = soffice(
            example.with_suffix(".xlsx"), "xlsx", tmp_path / example.stem, tmp_path / "profile"
        )
        assert read_workbook(saved) == load_json_scenario(example)
