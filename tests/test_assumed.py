"""The record of inputs left to their defaults, made where a workbook or JSON file is read."""

from __future__ import annotations

import json
from pathlib import Path

from crossover.assumed import ASSUMABLE, defaulted_fields
from crossover.catalogue import Catalogue
from crossover.engine.results import Results
from crossover.inputs import analyse_file
from crossover.scenario import parse_scenario

EXAMPLES = Path(__file__).resolve().parent.parent / "inputs" / "examples"


def test_a_json_scenario_that_states_everything_assumes_nothing(catalogue: Catalogue) -> None:
    for path in sorted(EXAMPLES.glob("*.json")):
        assert analyse_file(path, catalogue).defaulted == []


def test_absent_and_null_fields_are_defaulted_in_json(tmp_path: Path, catalogue: Catalogue) -> None:
    data = json.loads((EXAMPLES / "small-startup.json").read_text())
    del data["operations"]
    del data["compliance"]
    del data["workload"]["peak_to_average"]
    data["client"]["current_monthly_api_bill"] = None
    path = tmp_path / "sparse.json"
    path.write_text(json.dumps(data))
    results = analyse_file(path, catalogue)
    assert results.defaulted == [
        "client.current_monthly_api_bill",
        "workload.peak_to_average",
        *(
            f"{section}.{name}"
            for section, name in ASSUMABLE
            if section in ("operations", "compliance")
        ),
    ]
    # It travels with the results into their JSON, as the warnings do.
    again = Results.model_validate_json(results.model_dump_json())
    assert again.defaulted == results.defaulted


def test_a_workbook_cell_still_holding_the_template_value_is_a_default(
    catalogue: Catalogue,
) -> None:
    # The template fills in one spare replica and "no" for every compliance question; the
    # healthcare client changed the rest (HIPAA yes, in-network yes, its own costs).
    results = analyse_file(EXAMPLES / "regulated-healthcare.xlsx", catalogue)
    assert results.defaulted == [
        "operations.redundancy",
        "compliance.gdpr_restricted_subprocessors",
        "compliance.financial_regulated",
    ]


def test_a_dollar_client_assumes_no_exchange_rate() -> None:
    data = json.loads((EXAMPLES / "document-intelligence.json").read_text())
    del data["client"]["usd_fx_rate"]
    assert "client.usd_fx_rate" not in defaulted_fields(parse_scenario(data, "x"), workbook=False)
    data["client"]["currency"] = "GBP"
    assert "client.usd_fx_rate" in defaulted_fields(parse_scenario(data, "x"), workbook=False)


def test_warnings_carry_their_kind(tmp_path: Path, catalogue: Catalogue) -> None:
    data = json.loads((EXAMPLES / "small-startup.json").read_text())
    data["client"]["usd_fx_rate"] = 1.2
    data["workload"]["cache_hit_pct"] = 0.3
    # 12 ms a token: faster than a single request on an L40S can be served (the weights alone
    # take 8 to 15 ms to read a step), so the rewrite tier's candidates cannot keep it.
    data["tiers"][1]["tpot_ms"] = 12
    path = tmp_path / "odd.json"
    path.write_text(json.dumps(data))
    codes = {w.field: w.code for w in analyse_file(path, catalogue).warnings}
    assert codes["client.usd_fx_rate"] == "fx_rate_inverted"
    assert codes["workload.cache_hit_pct"] == "percent_fraction"
    assert codes["tiers[1].candidates"] == "latency_unreachable"
