"""One story: every output of one analysis states the same headline plan, verdict and figures.

For each shipped example and for the cases that take the other branches (the proposal is the
best plan, the API wins, a compliance rule, tiers that give their own volumes), the report's
PDF and HTML, the brief, the email dry run, the terminal, the portal's client page, the batch
CSV and the results workbook are rendered, and each must carry the verdict in the one wording
and the headline plan's figures (what the API costs today, what the plan saves a month).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from crossover.catalogue import Catalogue, load_catalogue
from crossover.cli import main
from crossover.engine import analyse
from crossover.engine.results import Results
from crossover.scenario import Scenario
from crossover.summary import money, verdict
from crossover.web.jobs import run_worker
from crossover.web.models import Upload, db
from crossover.workbook import write_filled

from .conftest import invite, upload

EXAMPLES = Path(__file__).resolve().parents[2] / "inputs" / "examples"


def _example(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((EXAMPLES / f"{name}.json").read_text())
    return data


def _best_differs() -> dict[str, Any]:
    """Northwind proposing to keep extraction on its API: the best plan self-hosts it."""
    data = _example("document-intelligence")
    data["tiers"][0].update(route="api", deployment=None)
    return data


def _compliance() -> dict[str, Any]:
    """Northwind under HIPAA: no tier may stay on its API. Complex reasoning's rule goes (Llama
    3.3 70B has no public score, so the rule would leave it no option: an error, tested apart)."""
    data = _example("document-intelligence")
    data["compliance"] = {"hipaa": True}
    for field in ("task_family", "max_quality_drop"):
        data["tiers"][1].pop(field)
    return data


def _own_volumes() -> dict[str, Any]:
    """Northwind's tiers giving their own daily volumes (and their own mixes) instead of shares."""
    data = _example("document-intelligence")
    data["workload"].pop("input_mtok_per_day")
    data["workload"].pop("output_mtok_per_day")
    volumes = [(700.0, 60.0), (20.0, 20.0)]
    for tier, (prompt, answer) in zip(data["tiers"], volumes, strict=True):
        tier.pop("share_pct")
        tier["input_mtok_per_day"], tier["output_mtok_per_day"] = prompt, answer
    return data


def _split_apart() -> dict[str, Any]:
    """Northwind keeping extraction on its API with Llama 3.1 8B on an L40S as the one
    candidate: the rule excludes the 8B (5 points below Haiku on the client's own test, 3
    allowed), but the easier 60% the client says it handles may go to it, and does; the rest
    stays on Haiku."""
    data = _example("document-intelligence")
    data["tiers"][0].update(route="api", deployment=None, candidates=["llama8b-l40s"])
    return data


CASES: dict[str, Callable[[], dict[str, Any]]] = {
    "document-intelligence": lambda: _example("document-intelligence"),
    "regulated-healthcare": lambda: _example("regulated-healthcare"),
    "small-startup": lambda: _example("small-startup"),
    "best-differs": _best_differs,
    "compliance": _compliance,
    "own-volumes": _own_volumes,
    "split-apart": _split_apart,
}
VERDICTS = {
    "document-intelligence": "adopt_proposal",
    "regulated-healthcare": "self_host_all",
    "small-startup": "stay_on_api",
    "best-differs": "adopt_plan",
    "compliance": "self_host_all",
    "split-apart": "adopt_plan",
}


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue()


@pytest.fixture(scope="module")
def cases(tmp_path_factory: pytest.TempPathFactory, catalogue: Catalogue) -> dict[str, Path]:
    """Each case as a workbook, as a client would send it."""
    folder = tmp_path_factory.mktemp("cases")
    paths = {}
    for name, build in CASES.items():
        path = folder / f"{name}.xlsx"
        write_filled(Scenario.model_validate(build()), path)
        paths[name] = path
    return paths


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    """The CLI as `crossover` runs it, through main(); its standard output."""
    with pytest.raises(SystemExit) as exit_info:
        main(args)
        raise SystemExit(0)
    out, err = capsys.readouterr()
    assert exit_info.value.code in (0, None), err
    return out


def _flat(text: str) -> str:
    return " ".join(text.replace("\u2212", "-").split())


def _pdf_text(path: Path) -> str:
    return _flat(" ".join(page.extract_text() for page in PdfReader(path).pages))


def _expected(results: Results) -> tuple[str, list[str]]:
    """The verdict and the money figures every output must show."""
    plan = results.headline_plan
    figures = [money(results, results.api_only.monthly_cost_usd)]
    if plan.self_hosts:
        figures.append(money(results, plan.monthly_savings_usd))
    return verdict(results), [_flat(f) for f in figures]


@pytest.mark.slow
@pytest.mark.parametrize("name", list(CASES))
def test_every_output_tells_one_story(
    name: str,
    cases: dict[str, Path],
    catalogue: Catalogue,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    app: Flask,
    desk: FlaskClient,
) -> None:
    workbook = cases[name]
    from crossover.inputs import analyse_file

    results = analyse_file(workbook, catalogue)
    if name in VERDICTS:
        assert results.headline.verdict == VERDICTS[name]
    if name == "compliance":
        assert results.headline.required_by_compliance
        assert all(route != "api" for route in results.headline_plan.routes.values())
    if name == "own-volumes":
        shares = [t.share_pct for t in results.tiers]
        # extraction split by difficulty: the other 40% and the easier 60% of its 760 Mtok.
        assert shares == pytest.approx([0.4 * 760 / 8, 0.6 * 760 / 8, 40 / 8])
    if name == "split-apart":
        assert results.headline_plan.routes == {
            "extraction": "api",
            "extraction#easier": "llama8b-l40s",
            "complex-reasoning": "api",
        }
    said, figures = _expected(results)

    outputs: dict[str, str] = {}
    out = tmp_path / "out"
    _run(["report", str(workbook), "-o", str(out)], capsys)
    pdf = next(out.glob("*.pdf"))
    outputs["report PDF"] = _pdf_text(pdf)
    outputs["report HTML"] = _flat(re.sub(r"<[^>]+>", " ", next(out.glob("*.html")).read_text()))
    _run(["brief", str(workbook), "-o", str(out)], capsys)
    outputs["brief"] = _pdf_text(next(out.glob("*-brief.pdf")))
    eml = _run(
        [
            "email",
            str(pdf),
            "--to",
            "cfo@client.example",
            "--from",
            "A <a@firm.example>",
            "--dry-run",
        ],
        capsys,
    )
    outputs["email"] = _flat(eml)
    subject = re.search(r"^Subject: .*?: (.+)$", eml, re.M)
    assert subject is not None and subject[1] == said
    outputs["terminal"] = _flat(_run(["analyse", str(workbook)], capsys))
    batch = tmp_path / "batch"
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / workbook.name).write_bytes(workbook.read_bytes())
    _run(["batch", str(folder), "-o", str(batch), "-j", "1"], capsys)
    rows = list(csv.DictReader(io.StringIO((batch / "summary.csv").read_text())))
    assert [r["verdict"] for r in rows] == [said]
    outputs["batch CSV"] = _flat(" ".join(rows[0].values()))
    xlsx = tmp_path / "xlsx"
    _run(["report", str(workbook), "-o", str(xlsx), "--format", "xlsx"], capsys)
    book = load_workbook(next(xlsx.glob("*.xlsx")))
    summary = {row[0]: row[1] for row in book["Summary"].iter_rows(values_only=True) if row[0]}
    assert summary["Recommendation"] == said
    assert summary["Monthly savings"] == pytest.approx(
        results.headline_plan.monthly_savings_usd * results.usd_fx_rate
    )

    # diff against the shipped example speaks of this case's own headline plan.
    base = EXAMPLES / "document-intelligence.json"
    changed = json.loads(_run(["diff", str(base), str(workbook), "--json", "-"], capsys))
    assert changed["verdict_new"] == results.headline.verdict
    assert changed["routes_new"] == results.headline_plan.routes
    savings = next(f for f in changed["figures"] if f["figure"] == "monthly_savings_usd")
    assert savings["new"] == pytest.approx(results.headline_plan.monthly_savings_usd, rel=1e-9)

    _, token = invite(desk, name=results.scenario.client.client_name)
    visitor = app.test_client()
    upload(visitor, token, workbook.read_bytes())
    run_worker(app, once=True)
    with app.app_context():
        upload_id = db.session.scalars(select(Upload.id)).one()
    desk.post(f"/desk/versions/{upload_id}/release")
    outputs["portal"] = _flat(re.sub(r"<[^>]+>", " ", visitor.get(f"/c/{token}").text))

    for where, text in outputs.items():
        assert said in text, f"{name}: {where} does not say {said!r}"
        # A split tier's parts are named, never shown by the engine's id for them.
        assert "#easier" not in text, f"{name}: {where} shows a part's id"
        for figure in figures:
            assert figure in text, f"{name}: {where} lacks {figure}"
    # The cover's verdict is the email's, word for word.
    cover = _flat(PdfReader(pdf).pages[0].extract_text())
    assert said in cover
    # Nothing else is called the recommendation: the proposal, where it differs, is named as
    # the comparison it is.
    if results.proposal.key != results.headline.plan:
        assert "Your proposal" in outputs["report PDF"]


def test_tiers_with_their_own_volumes_run_end_to_end_through_the_engine(
    catalogue: Catalogue,
) -> None:
    """economics §1: I = Σ I_t, O = Σ O_t, share_t = (I_t + O_t) / (I + O), each tier its own
    mix; the API cost of each tier at its own volume, worked by hand."""
    results = analyse(Scenario.model_validate(_own_volumes()), catalogue)
    # Extraction is split by difficulty (its easier 60%): its parts carry 40% and 60% of it.
    rest, easier, reasoning = results.tiers
    assert (rest.input_mtok_per_day, rest.output_mtok_per_day) == pytest.approx((280, 24))
    assert (easier.input_mtok_per_day, easier.output_mtok_per_day) == pytest.approx((420, 36))
    assert rest.share_pct + easier.share_pct == pytest.approx(760 / 800 * 100)
    assert reasoning.share_pct == pytest.approx(40 / 800 * 100)
    days = 365 / 12
    # Haiku 4.5 ($1 in, $5 out) and Sonnet 4.5 ($3, $15), no cache hits.
    whole = rest.api_month_usd + easier.api_month_usd
    assert whole == pytest.approx((700 * 1 + 60 * 5) * days, rel=1e-12)
    assert easier.api_month_usd == pytest.approx((420 * 1 + 36 * 5) * days, rel=1e-12)
    assert reasoning.api_month_usd == pytest.approx((20 * 3 + 20 * 15) * days, rel=1e-12)
    assert results.api_only.monthly_cost_usd == pytest.approx((1000 + 360) * days, rel=1e-12)
    assert results.total_mtok_per_day == 800
