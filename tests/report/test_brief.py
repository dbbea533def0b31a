"""`crossover brief`: the one-page PDF for the consultant's call, figures worked out by hand."""

from __future__ import annotations

import io
import json
import math
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from crossover.catalogue import Catalogue
from crossover.cli import main
from crossover.delivery.outputs import write_brief
from crossover.engine.results import Results
from crossover.inputs import analyse_file
from crossover.report import default_brand
from crossover.report.brand import Brand
from crossover.report.brief import brief_html, brief_pdf
from crossover.report.render import report_display
from crossover.wording import CallWords

from .helpers import HOSTILE_NAME, with_client_name

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_FILES = sorted((ROOT / "inputs" / "examples").glob("*.*"))
DOCUMENTS = ROOT / "inputs" / "examples" / "document-intelligence.json"
STARTUP = ROOT / "inputs" / "examples" / "small-startup.json"
DAYS = 365 / 12
HOURS = 8760 / 12


def pdf_text(pdf: bytes) -> str:
    """The PDF's text with its line breaks and runs of spaces as single spaces."""
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def pages(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


@pytest.fixture(scope="module")
def brand() -> Brand:
    return default_brand()


def noisy_scenario() -> dict[str, Any]:
    """A EUR client who gave as little as the schema allows, with a warning of many kinds:
    an inverted exchange rate, percentages typed as fractions, a bill 350 times below the
    list-price cost, prices a hundred times list, a tight memory fit, latencies some
    candidates cannot reach; ten tiers with long names and no request shape."""
    startup = json.loads(STARTUP.read_text())
    tiers = [
        {
            "tier": f"tier-{i}-" + "x" * 60,
            "share_pct": 10,
            "api_model": "openai/gpt-4o-mini" if i % 2 else "anthropic/claude-haiku-4-5",
            "route": "self_host" if i == 0 else "api",
            "deployment": "llama8b-l4" if i == 0 else None,
            # The bf16 L4 a candidate only where the default 50 ms applies, which it misses.
            "candidates": ["llama8b-l4", "qwen14b-l40s"] + (["llama8b-l4-bf16"] if i >= 3 else []),
            "tpot_ms": 70 if i < 3 else None,
        }
        for i in range(10)
    ]
    return {
        "client": {
            "client_name": "<b>Sons</b> & Daughters " + "of a very long name " * 8,
            "report_date": "2026-11-27",
            "currency": "EUR",
            "usd_fx_rate": 1.2,
            "current_monthly_api_bill": 20,
        },
        "workload": {
            "input_mtok_per_day": 12,
            "output_mtok_per_day": 3,
            "cache_hit_pct": 0.35,
            "monthly_growth_pct": 0.5,
        },
        "tiers": tiers,
        "deployments": [
            *startup["deployments"],
            {
                "deployment": "llama8b-l4-bf16",
                "model": "llama-3.1-8b",
                "precision": "bf16",
                "gpu": "l4",
                "gpus_per_replica": 1,
            },
        ],
        "price_overrides": [
            {"api_model": "openai/gpt-4o-mini", "input_per_mtok": 15, "output_per_mtok": 60}
        ],
    }


@pytest.fixture(scope="module")
def noisy(catalogue: Catalogue, tmp_path_factory: pytest.TempPathFactory) -> Results:
    path = tmp_path_factory.mktemp("noisy") / "noisy.json"
    path.write_text(json.dumps(noisy_scenario()))
    return analyse_file(path, catalogue)


def test_the_five_figures_of_the_headline_plan_worked_by_hand(
    catalogue: Catalogue, brand: Brand
) -> None:
    results = analyse_file(DOCUMENTS, catalogue)
    text = pdf_text(brief_pdf(results, brand))
    # 720 Mtok in, 80 out a day. extraction (95%) on Claude Haiku 4.5 ($1 in, $5 out):
    # 684 × 1 + 76 × 5 = $1,064 a day; complex-reasoning (5%) on Claude Sonnet 4.5 ($3, $15):
    # 36 × 3 + 4 × 15 = $168 a day.
    api_only = (1064 + 168) * DAYS  # $37,473.33
    # The headline is the client's own proposal (Llama 3.1 8B misses extraction's quality rule,
    # and though it may take the easier 60% the client states it handles, both parts of the tier
    # cost least together): extraction on Qwen2.5 14B, one A100 a replica at the client's
    # $1.0959 per GPU-hour; complex-reasoning stays on Sonnet. The
    # serving rates are modelled: the one figure taken from the results; replicas are worked
    # here as economics §3 says.
    plan = results.headline_plan
    assert plan.key == results.proposal.key
    assert plan.routes == {
        "extraction": "qwen14b-a100",
        "extraction#easier": "qwen14b-a100",
        "complex-reasoning": "api",
    }
    rates = plan.deployments[0].rates
    assert rates.prefill_tps_per_gpu is not None and rates.decode_tps_per_gpu is not None
    replica_tps = 1 / (0.9 / rates.prefill_tps_per_gpu + 0.1 / rates.decode_tps_per_gpu)
    working_per_volume = 760e6 / 86_400 * 1.5 / (replica_tps * 0.8)
    replicas = math.ceil(working_per_volume) + 1
    assert replicas == 9
    plan_month = 168 * DAYS + 1.1 * replicas * 1.0959 * HOURS + 0.25 * 180_000 / 12  # $16,780
    savings = api_only - plan_month  # $20,693
    payback = 3 * 1 * 3000 / (savings * 12 / 52)  # 1.9 weeks
    # Crossover (economics §5): the volume factor x from which the plan is, and stays, no
    # dearer. With k replicas (k − 1 working, one spare) the GPUs cost 1.1 × k × 1.0959 × 730 a
    # month plus $3,750 of staff, against $1,064 × x a day of Haiku saved; k replicas serve x
    # in ((k − 2) / w, (k − 1) / w]. The crossover starts the last uninterrupted cheaper region:
    # the step from which every later one is cheaper from its start.
    saved_per_x = 1064 * DAYS

    def cost(k: int) -> float:
        return 1.1 * k * 1.0959 * HOURS + 3750

    def low(k: int) -> float:
        return 0.0 if k == 2 else (k - 2) / working_per_volume

    start = next(
        k
        for k in range(2, 400)
        if cost(k) / saved_per_x <= (k - 1) / working_per_volume
        and all(cost(m) / saved_per_x <= low(m) for m in range(k + 1, 400))
    )
    crossover = max(low(start), cost(start) / saved_per_x) * 800
    assert [round(api_only), round(plan_month), round(savings)] == [37_473, 16_780, 20_693]
    assert round(payback, 1) == 1.9
    for shown in (
        "ON THE API TODAY $37,473",
        "YOUR PROPOSAL $16,780",
        "MONTHLY SAVINGS $20,693",
        "PAYBACK 1.9 weeks",
        f"CROSSOVER VOLUME {round(crossover)} Mtok/day",
        "today 800 Mtok/day",
    ):
        assert shown in text
    # The verdict in the cover's words, with its caveat about the bill, of the same plan as the
    # figures beside it (tests/test_wording.py works out its −$356).
    flat = " ".join(text.split())
    assert "Adopt the proposed split: $20,693 a month less than the API today." in flat
    assert "if the bill is right, the monthly savings are −$356, not $20,693" in flat


def test_the_verdict_is_the_covers(catalogue: Catalogue, brand: Brand) -> None:
    from crossover.report.render import render_html

    for path in (DOCUMENTS, STARTUP):
        results = analyse_file(path, catalogue)
        report = render_html(results, brand)
        brief = brief_html(results, brand)
        start = report.index('<p class="cover-verdict-text">')
        cover = report[start : report.index("</p>", start)].removeprefix(
            '<p class="cover-verdict-text">'
        )
        assert cover in brief


def test_a_eur_client_sees_euros_worked_by_hand(catalogue: Catalogue, brand: Brand) -> None:
    results = analyse_file(STARTUP, catalogue)
    text = pdf_text(brief_pdf(results, brand))
    # GPT-4o mini for autocomplete (80%), Claude Haiku 4.5 for rewrite (20%), 30% cached:
    # 9.6 × (0.7 × 0.15 + 0.3 × 0.075) + 2.4 × 0.60 = $2.664 a day, and
    # 2.4 × (0.7 × 1 + 0.3 × 0.1) + 0.6 × 5 = $4.752 a day; at €0.92 a dollar: €208 a month.
    api_only_eur = (2.664 + 4.752) * DAYS * 0.92
    assert round(api_only_eur) == 208
    # The headline keeps both tiers on the API: it saves nothing. The proposal is shown beside
    # it, as tests/engine/test_golden.py works it out: rewrite on Haiku ($4.752 a day), and
    # autocomplete on two L4s at $0.44 an hour, 10% overhead, 0.2 of a $150,000 engineer:
    # 4.752 × 365/12 + 1.1 × 2 × 0.44 × 730 + 2,500 = $3,351.18, €3,083 at 0.92.
    proposal_eur = (4.752 * DAYS + 1.1 * 2 * 0.44 * HOURS + 0.2 * 150_000 / 12) * 0.92
    assert round(proposal_eur) == 3083
    for shown in (
        "ON THE API TODAY €208",
        f"YOUR PROPOSAL €{round(proposal_eur):,}",
        "MONTHLY SAVINGS €0",
        "staying on the API: nothing to save",
        "PAYBACK never",
        "nothing is self-hosted",
        "EUR at 0.92 per US dollar",
    ):
        assert shown in text
    assert "$" not in text


def test_the_warnings_become_one_question_per_kind(noisy: Results, brand: Brand) -> None:
    words = CallWords(noisy, report_display(noisy, brand))
    # The list-price cost, worked from the scenario: GPT-4o mini at the override's $15 in and
    # $60 out (five tiers), Claude Haiku 4.5 at $1 and $5 (five tiers); 1.2 Mtok in and 0.3
    # out a day each; the 0.35% cache hits at the cached price: $0.10 for Haiku, and for
    # GPT-4o mini the catalogue's $0.075, since the override leaves its cached price blank.
    h = 0.0035
    mini = 5 * (1.2 * ((1 - h) * 15 + h * 0.075) + 0.3 * 60)
    haiku = 5 * (1.2 * ((1 - h) * 1 + h * 0.1) + 0.3 * 5)
    eur = f"€{round((mini + haiku) * DAYS * 1.2):,}"
    x = "x" * 32
    assert words.questions() == [
        f"Your stated bill is €20 a month, but these volumes cost {eur} on list prices: "
        "which is right?",
        "Is the exchange rate 1.2 EUR per US dollar, or 0.83? It looks the wrong way round.",
        "Did you mean monthly growth of 50% rather than 0.5%; prompt-cache hits of 35% rather "
        "than 0.35%? Percent cells take the percentage.",
        "Is your negotiated price right: €18.00/Mtok for input on GPT 4o mini (OpenAI); "
        "€72.00/Mtok for output on GPT 4o mini (OpenAI)? It is far from the list price.",
        # Llama 3.1 8B at bf16: 8.03 B × 2 bytes = 16.06 GB of one 24 GB L4, 66.9%.
        "The weights nearly fill the GPU memory of Llama 3.1 8B Instruct on NVIDIA L4 "
        f"(bf16, 3-year reserved) ({8.03 * 2 / 24:.1%}): may a replica use more GPUs, or a "
        "lower precision?",
        # Tier names cut to 40 characters: 39 and an ellipsis. The seven tiers at the default
        # 50 ms: Llama 3.1 8B at bf16 reads 16 GB of weights a step, about 53 ms on an L4's
        # 300 GB/s, so no load meets 50 ms on the bf16 candidate, whatever the fit.
        f"Must the answers keep their promised speed (tier-3-{x}… at 50 ms, tier-4-{x}… at "
        f"50 ms, tier-5-{x}… at 50 ms a token and 4 more tiers)? Some candidate set-ups "
        "cannot reach it, so they were left out.",
        # The tiers name llama8b-l4, qwen14b-l40s and the bf16 one: the startup's other two
        # deployments are in no tier's row.
        "Should a plan consider Llama 3.1 8B Instruct on NVIDIA L40S; Llama 3.1 8B Instruct on "
        "NVIDIA H100 SXM 80GB? No tier names them, so the plans leave them out.",
        # The recommended plan self-hosts nine tiers on the fp8 L4 (GPT-4o mini at a hundred
        # times list pays for it): RunPod gives its L4 price undated, and no published run is
        # on an L4 at fp8.
        "The recommended plan rests on prices not seen recently: the price of RunPod machines "
        "of NVIDIA L4 (undated). Can you confirm them with a current quote?",
        "No published run measures the serving rate of Llama 3.1 8B Instruct on NVIDIA L4 "
        "(fp8, on-demand): can a short pilot on your own traffic measure it before anything is "
        "reserved?",
    ]


def test_the_defaults_used_are_listed(noisy: Results, brand: Brand) -> None:
    words = CallWords(noisy, report_display(noisy, brand))
    assumed = words.assumptions()
    # Engineer costs are entered in dollars and shown in euros: $3,000 × 1.2, $180,000 × 1.2.
    for line in (
        "Busiest hour: 2× the day's average demand.",
        "Setup: 3 weeks.",
        "An engineer-week costs €3,600.",
        "An engineer-year costs €216,000.",
        "Infrastructure overhead: 10% of the GPU cost.",
        "GPUs run at most 80% busy at peak.",
        "Spare replicas for failover: 1.",
        "Horizon: 24 months.",
        "No compliance rule keeps data away from outside APIs.",
    ):
        assert line in assumed
    # Ten tiers without a request shape share one line; seven promise no latency.
    shapes = [a for a in assumed if a.startswith("Requests of tiers")]
    assert len(shapes) == 1
    assert "and 7 more: " in shapes[0]
    assert any("for tiers tier-3-" in a and "and 4 more." in a for a in assumed)


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.name)
def test_every_example_fits_one_page(path: Path, catalogue: Catalogue, brand: Brand) -> None:
    assert pages(brief_pdf(analyse_file(path, catalogue), brand)) == 1


def test_many_warnings_and_defaults_fit_one_page_with_the_rest_counted(
    noisy: Results, brand: Brand
) -> None:
    pdf = brief_pdf(noisy, brand)
    assert pages(pdf) == 1
    text = pdf_text(pdf)
    assert "more (see the report)" in text
    # The first question (the most material) is always on the page.
    assert "Your stated bill is €20 a month" in text


def test_client_text_is_escaped(noisy: Results, catalogue: Catalogue, brand: Brand) -> None:
    hostile = with_client_name(analyse_file(DOCUMENTS, catalogue), HOSTILE_NAME)
    html = brief_html(hostile, brand)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "{{ 7*7 }}" in html and "49" not in html
    noisy_html = brief_html(noisy, brand)
    assert "<b>Sons</b>" not in noisy_html
    assert "&lt;b&gt;Sons&lt;/b&gt; &amp; Daughters" in noisy_html


def test_the_command_writes_stem_brief_pdf(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["brief", str(DOCUMENTS), "-o", str(tmp_path)])
    out, _ = capsys.readouterr()
    written = tmp_path / "northwind-documents-2026-11-27-brief.pdf"
    assert out == f"Wrote {written}\n"
    assert pages(written.read_bytes()) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == [written.name]


def test_the_command_names_a_version(tmp_path: Path, catalogue: Catalogue, brand: Brand) -> None:
    results = analyse_file(DOCUMENTS, catalogue)
    written = write_brief(results, tmp_path, brand, "Acme v2")
    assert written.paths == (tmp_path / "acme-v2-brief.pdf",)


def test_an_earlier_brief_is_kept_unless_forced(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = tmp_path / "northwind-documents-2026-11-27-brief.pdf"
    second = tmp_path / "northwind-documents-2026-11-27-2-brief.pdf"
    # A report of the same run beside it does not make the brief take a suffix.
    (tmp_path / "northwind-documents-2026-11-27.pdf").write_bytes(b"the report")
    main(["brief", str(DOCUMENTS), "-o", str(tmp_path)])
    assert capsys.readouterr().out == f"Wrote {first}\n"
    earlier = first.read_bytes()
    main(["brief", str(DOCUMENTS), "-o", str(tmp_path)])
    assert capsys.readouterr().out == (
        f"{tmp_path / 'northwind-documents-2026-11-27-brief'}.* exists and is kept: this run's "
        "files are northwind-documents-2026-11-27-2-brief.* (--force replaces the earlier files "
        f"instead)\nWrote {second}\n"
    )
    assert first.read_bytes() == earlier
    main(["brief", str(DOCUMENTS), "-o", str(tmp_path), "--force"])
    assert capsys.readouterr().out == f"Wrote {first}\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [first.name, second.name, "northwind-documents-2026-11-27.pdf"]
    )


def test_bad_input_exits_65_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.json"
    data = json.loads(DOCUMENTS.read_text())
    data["tiers"][0]["share_pct"] = 150
    bad.write_text(json.dumps(data))
    out_dir = tmp_path / "out"
    with pytest.raises(SystemExit) as exit_info:
        main(["brief", str(bad), "-o", str(out_dir)])
    _, err = capsys.readouterr()
    assert exit_info.value.code == 65
    assert err.startswith(f"Error: {bad}: ")
    assert "tiers[0].share_pct" in err
    assert not out_dir.exists()


def test_a_folder_that_cannot_be_made_exits_74(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A file where a folder should be: the folder cannot be created, even by root.
    (tmp_path / "taken").write_text("a file")
    out_dir = tmp_path / "taken" / "briefs"
    with pytest.raises(SystemExit) as exit_info:
        main(["brief", str(DOCUMENTS), "-o", str(out_dir)])
    _, err = capsys.readouterr()
    assert exit_info.value.code == 74
    target = out_dir / "northwind-documents-2026-11-27-brief.pdf"
    assert err == f"Error: {target}: cannot write: Not a directory\n"


def test_where_the_best_plan_differs_the_proposal_is_its_comparison(
    catalogue: Catalogue, brand: Brand, tmp_path: Path
) -> None:
    """Northwind proposing to keep extraction on its API: the recommended plan self-hosts it
    on the very setup the shipped example proposes, so its figures are those worked above."""
    data = json.loads(DOCUMENTS.read_text())
    data["tiers"][0].update(route="api", deployment=None)
    path = tmp_path / "extraction-on-api.json"
    path.write_text(json.dumps(data))
    results = analyse_file(path, catalogue)
    assert results.headline.verdict == "adopt_plan"
    # Extraction is split by difficulty: both of its parts follow the proposal's route.
    assert results.proposal.routes == {
        "extraction": "api",
        "extraction#easier": "api",
        "complex-reasoning": "api",
    }
    text = " ".join(pdf_text(brief_pdf(results, brand)).split())
    rates = results.headline_plan.deployments[0].rates
    assert rates.prefill_tps_per_gpu is not None and rates.decode_tps_per_gpu is not None
    replica_tps = 1 / (0.9 / rates.prefill_tps_per_gpu + 0.1 / rates.decode_tps_per_gpu)
    replicas = math.ceil(760e6 / 86_400 * 1.5 / (replica_tps * 0.8)) + 1
    plan = 168 * DAYS + 1.1 * replicas * 1.0959 * HOURS + 3750  # $16,780
    savings = 1232 * DAYS - plan  # $20,693
    for shown in (
        f"THE RECOMMENDED PLAN ${round(plan):,}",
        f"MONTHLY SAVINGS ${round(savings):,}",
    ):
        assert shown in text
    # The proposal saves nothing (every tier on its API): the plan's whole horizon cost
    # advantage is what it saves beyond the proposal.
    assert f"Adopt the best plan: ${round(savings):,} a month less than the API today" in text
