"""The hardware people rent now (issue 19): fp4 weights, Blackwell and MI3xx GPUs."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from crossover.catalogue import Catalogue
from crossover.cli import main
from crossover.engine import analyse
from crossover.listing import catalogue_table
from crossover.scenario import Scenario, ScenarioError
from crossover.workbook.template import write_filled

ROOT = Path(__file__).resolve().parent.parent
HEALTHCARE = ROOT / "inputs" / "examples" / "regulated-healthcare.json"


@pytest.mark.parametrize("gpu", ["b300", "mi325x", "mi355x", "rtx-pro-6000"])
def test_the_new_gpus_are_listed_with_their_source_and_date(catalogue: Catalogue, gpu: str) -> None:
    headers, rows = catalogue_table("gpus", catalogue)
    row = dict(zip(headers, next(r for r in rows if r[0] == gpu), strict=True))
    assert row["VRAM GB"] != "—" and row["Bandwidth TB/s"] != "—"
    assert catalogue.gpus[gpu].source and catalogue.gpus[gpu].as_of.year == 2026


def test_fp4_rates_only_where_the_vendor_gives_them(catalogue: Catalogue) -> None:
    rates = {g: catalogue.gpus[g].dense_tflops["fp4"] for g in ("b200", "b300", "mi355x")}
    # B200: 144 PFLOPS of sparse FP4 per 8 GPUs, halved: 9,000 dense TFLOPS a GPU.
    assert rates["b200"] == 9000
    assert all(r is not None for r in rates.values())
    # Hopper and CDNA 3 have no FP4 units: no figure, and none borrowed.
    assert catalogue.gpus["h100-sxm"].dense_tflops["fp4"] is None
    assert catalogue.gpus["mi325x"].dense_tflops["fp4"] is None


def test_a_gpu_rented_nowhere_needs_the_clients_own_price(catalogue: Catalogue) -> None:
    # The shipped catalogue now rents the MI355X (Oracle's BM.GPU.MI355X.8); without that one
    # offer it is rented nowhere.
    catalogue = replace(
        catalogue,
        gpus={
            **catalogue.gpus,
            "mi355x": catalogue.gpus["mi355x"].model_copy(update={"reference_instance": None}),
        },
        instances={k: i for k, i in catalogue.instances.items() if i.gpu != "mi355x"},
    )
    data = json.loads(HEALTHCARE.read_text())
    data["deployments"] = [
        {"deployment": "mi355x-fp4", "model": "llama-3.3-70b", "precision": "fp4", "gpu": "mi355x"}
    ]
    for tier in data["tiers"]:
        tier.update(deployment="mi355x-fp4", candidates=["mi355x-fp4"])
    with pytest.raises(ScenarioError) as refused:
        analyse(Scenario.model_validate(data), catalogue)
    assert "the catalogue knows no rentable mi355x instance; give gpu_hour_price" in str(
        refused.value
    )
    data["deployments"][0].update(gpu_hour_price=3.5, gpus_per_instance=8)
    results = analyse(Scenario.model_validate(data), catalogue)
    deployment = next(d for d in results.proposal.deployments if d.deployment == "mi355x-fp4")
    assert deployment.gpu_hour_price_usd == 3.5 and deployment.instance is None
    assert any(r.code == "low_precision" for r in results.proposal.risks)


def test_the_example_weighs_a_b200_at_fp4_among_its_options(catalogue: Catalogue) -> None:
    from crossover.inputs import load_scenario

    results = analyse(load_scenario(HEALTHCARE, catalogue), catalogue)
    fp4 = [p for p in results.plans if "llama70b-b200-fp4" in p.routes.values()]
    assert fp4, "the B200 fp4 candidate is priced as an option"
    assert all(p.monthly_cost_usd > 0 for p in fp4)


def test_a_workbook_with_fp4_validates_and_renders(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = Scenario.model_validate(json.loads(HEALTHCARE.read_text()))
    path = tmp_path / "fp4.xlsx"
    write_filled(scenario, path)
    for args in (["validate", str(path)], ["report", str(path), "-o", str(tmp_path / "out")]):
        with pytest.raises(SystemExit) as exit_info:
            main(args)
            raise SystemExit(0)
        assert exit_info.value.code in (0, None), capsys.readouterr().err
    assert list((tmp_path / "out").glob("*.pdf"))
