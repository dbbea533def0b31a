"""Words at the edge: risks, tornado ends, the confidence sentence and sources, in the display currency."""

from __future__ import annotations

from pathlib import Path

import pytest

from crossover.catalogue import Catalogue
from crossover.engine import analyse
from crossover.engine.results import InputWarning, RateError
from crossover.formatting import display_for
from crossover.inputs import load_scenario
from crossover.summary import verdict
from crossover.wording import (
    CallWords,
    Words,
    api_model_name,
    confidence_sentence,
    instance_name,
    plain_source,
    plan_name,
)

EXAMPLE = Path(__file__).resolve().parents[1] / "inputs" / "examples" / "document-intelligence.json"

USD = display_for("USD", 1.0)
EUR = display_for("EUR", 0.92)
GBP = display_for("GBP", 0.79)


@pytest.mark.parametrize(
    ("probability", "low", "high", "months", "sentence"),
    [
        (
            0.8,
            1234.4,
            5678.6,
            24,
            "In 8 of 10 simulated futures the plan is cheaper over 24 months; savings most "
            "likely between $1,234 and $5,679 a month.",
        ),
        (
            0.55,
            -2000,
            3000,
            36,
            "In 6 of 10 simulated futures the plan is cheaper over 36 months; savings most "
            "likely between −$2,000 and $3,000 a month.",
        ),
        (
            1.0,
            7700,
            7700,
            24,
            "In every simulated future the plan is cheaper over 24 months; savings of "
            "$7,700 a month.",
        ),
        (
            0.97,
            100,
            900,
            24,
            "In more than 9 of 10 simulated futures the plan is cheaper over 24 months; "
            "savings most likely between $100 and $900 a month.",
        ),
        (
            0.01,
            -9000,
            -1000,
            12,
            "In fewer than 1 of 10 simulated futures is the plan cheaper over 12 months; "
            "savings most likely between −$9,000 and −$1,000 a month (a loss).",
        ),
        (
            0.0,
            -5004.2,
            -5004.2,
            24,
            "In no simulated future is the plan cheaper over 24 months; savings of −$5,004 "
            "a month (a loss).",
        ),
    ],
)
def test_the_confidence_sentence(
    probability: float, low: float, high: float, months: int, sentence: str
) -> None:
    assert confidence_sentence(probability, low, high, months, USD) == sentence


def test_the_confidence_sentence_speaks_the_display_currency() -> None:
    # $1,000 × 0.92 = €920; $5,000 × 0.79 = £3,950.
    assert confidence_sentence(0.8, 1000, 5000, 24, EUR) == (
        "In 8 of 10 simulated futures the plan is cheaper over 24 months; savings most "
        "likely between €920 and €4,600 a month."
    )
    assert confidence_sentence(0.8, 1000, 5000, 24, GBP).endswith(
        "between £790 and £3,950 a month."
    )


@pytest.mark.parametrize(
    ("source", "plain"),
    [
        (
            "SkyPilot catalog v7 aws/vms.csv @001367d2: 5.672 USD/h on-demand, spot 1.99-2.73 "
            "USD/h for 4 × A10G",
            "Amazon Web Services: published on-demand and spot price list",
        ),
        (
            "SkyPilot catalog v7 runpod/vms.csv @0727c2bd",
            "RunPod: published on-demand and spot price list",
        ),
        (
            "AWS on-demand list price, us-east-1 (3rd-party code table)",
            "AWS on-demand list price, us-east-1",
        ),
        (
            "Qwen/Qwen2.5-14B-Instruct config.json (num_hidden_layers 48) and model card",
            "Qwen: Qwen2.5-14B-Instruct model configuration and model card",
        ),
        (
            "Estimate from the mistral-7b bf16 a100-80gb benchmark row (LambdaLabsML/x)",
            "Our estimate, scaled from published benchmarks of similar set-ups",
        ),
        (
            "Catalogue assumption based on the public discount ranges of AWS Savings Plans, "
            "and the domain article's p5/p4d reserved quotes",
            "Our assumption, from the published discount ranges of AWS Savings Plans, "
            "Google Cloud committed-use discounts and Azure reservations",
        ),
        (
            "kaelresearch.com 'GPU Economics' (CoreWeave list prices as of Feb 2026): 49.24 "
            "USD/h for 8 × H100",
            "kaelresearch.com 'GPU Economics' (CoreWeave list prices as of Feb 2026)",
        ),
        ("NVIDIA L40S datasheet (dense figures)", "NVIDIA L40S datasheet"),
        (
            "QwenLM/Qwen2.5 docs/source/benchmark/speed_benchmark.rst; dstackai/benchmarks "
            "amd/tgi_vs_vllm/vllm/data/result_vllm_short.csv @ac24b9d12d571bc785ec86ab18e4ffbf34e68f08"
            " (file added in commit 9ece943; dstackai/benchmarks comparison/h100sxm5_vs_mi300x/"
            "csv_data/throughput_comparsion.csv @ac24b9d1 (path as spelled)",
            "Qwen team: Qwen2.5 speed benchmark; dstack: published GPU serving benchmarks",
        ),
        (
            "NVIDIA/TensorRT-LLM docs/source/performance/perf-overview.md @00f37686aa85",
            "NVIDIA: TensorRT-LLM performance overview",
        ),
        (
            "acme/bench-suite results/run.csv @0123abcd",
            "acme: bench-suite, published benchmark results",
        ),
    ],
)
def test_provenance_reads_as_publisher_and_document(source: str, plain: str) -> None:
    assert plain_source(source) == plain


def test_ids_become_names() -> None:
    assert plan_name("reserved_1y") == "1-year reserved"
    assert plan_name("on_demand") == "on-demand"
    assert api_model_name("anthropic/claude-haiku-4-5") == "Claude Haiku 4.5 (Anthropic)"
    assert api_model_name("openai/gpt-4o-mini") == "GPT 4o mini (OpenAI)"
    assert api_model_name("nobody/unknown") == "nobody/unknown"
    # The provider in words and what one machine holds; never the provider's instance code.
    assert instance_name("lambda/gpu_8x_h100_sxm5", 8, "H100 SXM") == (
        "Lambda machines of 8 × H100 SXM"
    )
    assert instance_name("aws/p4de.24xlarge", 8, "A100 80GB") == (
        "Amazon Web Services machines of 8 × A100 80GB"
    )
    assert instance_name("acme/box", 1, "L4") == "acme machines of 1 × L4"
    assert instance_name(None, 1, "L4") == "L4 GPUs priced at your own figure"


def test_a_bill_far_from_list_prices_qualifies_the_headline(catalogue: Catalogue) -> None:
    """The caveat speaks of the headline plan's savings, worked out by hand."""
    results = analyse(load_scenario(EXAMPLE, catalogue), catalogue)
    plan, api_only, c = results.headline_plan, results.api_only, results.calibration
    # The headline is the proposal: it keeps complex-reasoning on its API ($5,110 a month) and
    # self-hosts extraction on 9 A100s at the client's own price, $7,200 + $720 + $3,750 a
    # month all in. Every API cost scaled by bill / list-price bill, the self-hosted costs
    # unchanged: 13,100 / 37,473 × (37,473 − 5,110) − (7,200 + 720 + 3,750) ≈ −356.
    assert plan.key == results.proposal.key
    assert plan.routes["complex-reasoning"] == "api"
    self_hosted = plan.gpu_month_usd + plan.overhead_month_usd + plan.ops_month_usd
    expected = (
        13_100 / c.catalogue_api_month_usd * (api_only.api_month_usd - plan.api_month_usd)
        - self_hosted
    )
    assert round(expected) == -356
    assert plan.monthly_savings_at_client_bill_usd == pytest.approx(expected, rel=1e-12)
    assert Words(results, USD).bill_caveat() == (
        "But your stated API bill is $13,100 a month while these volumes cost $37,473 at list "
        "prices: if the bill is right, the monthly savings are −$356, not $20,693."
    )
    assert Words(results, EUR).bill_caveat() == (
        "But your stated API bill is €12,052 a month while these volumes cost €34,475 at list "
        "prices: if the bill is right, the monthly savings are −€328, not €19,038."
    )


@pytest.mark.parametrize(
    ("author", "shown"),
    [
        ("Jane Doe, Crossover Advisory", "Jane Doe, Crossover Advisory"),
        ("Jane Doe", "Jane Doe, Crossover Advisory"),
        ("Crossover Advisory", "Crossover Advisory"),
        (None, "Crossover Advisory"),
    ],
)
def test_the_author_names_the_brand_once(
    catalogue: Catalogue, author: str | None, shown: str
) -> None:
    results = analyse(load_scenario(EXAMPLE, catalogue), catalogue)
    client = results.scenario.client.model_copy(update={"prepared_by": author})
    scenario = results.scenario.model_copy(update={"client": client})
    words = Words(results.model_copy(update={"scenario": scenario}), USD)
    assert words.prepared_by("Crossover Advisory") == shown


def test_a_warning_names_deployments_and_api_models_in_words(catalogue: Catalogue) -> None:
    results = analyse(load_scenario(EXAMPLE, catalogue), catalogue)
    warning = InputWarning(
        field="tiers[0].candidates",
        message="qwen14b-a100 is slow for 'extraction'; anthropic/claude-haiku-4-5 is not",
    )
    assert Words(results, USD).warning(warning) == (
        "Qwen2.5 14B Instruct on NVIDIA A100 80GB SXM is slow for 'extraction'; "
        "Claude Haiku 4.5 (Anthropic) is not"
    )
    at_cell = warning.model_copy(update={"cell": "Tiers!C5 (candidates)"})
    assert Words(results, USD).warning(at_cell).startswith("Tiers!C5 (candidates): Qwen2.5")


@pytest.mark.parametrize(
    ("example", "code", "verdict_text", "sentence"),
    [
        (
            "regulated-healthcare.json",
            "compliance",
            "Self-host every tier (required by compliance)",
            "Compliance (HIPAA, data must stay in the client's network) rules out an outside "
            "API for this data: this is the cheapest compliant plan over the horizon, "
            "engineering setup included. It also kept CoreWeave, Lambda, Oracle Cloud "
            "Infrastructure and RunPod out, as providers the rules do not allow (section 9 says "
            "why).",
        ),
        (
            "small-startup.json",
            "api_cheapest",
            "Stay on the API",
            "No routing that self-hosts a tier costs less than keeping every tier on its API "
            "over the horizon, engineering setup included.",
        ),
        (
            "document-intelligence.json",
            "cheapest",
            "Adopt the proposed split",
            "Of every routing of the tiers compared, this plan costs least over the horizon, "
            "engineering setup included.",
        ),
    ],
)
def test_the_engine_gives_a_reason_code_and_the_edge_the_words(
    catalogue: Catalogue, example: str, code: str, verdict_text: str, sentence: str
) -> None:
    results = analyse(load_scenario(EXAMPLE.with_name(example), catalogue), catalogue)
    assert results.headline.reason == code
    assert verdict(results) == verdict_text
    assert Words(results, EUR).reason() == sentence


def test_the_next_steps_follow_the_headline_plan(catalogue: Catalogue) -> None:
    """A pilot of what the plan self-hosts, an evaluation where a model changes, and the
    reservation last; staying on the API has no step to take."""
    healthcare = analyse(
        load_scenario(EXAMPLE.with_name("regulated-healthcare.json"), catalogue), catalogue
    )
    steps = Words(healthcare, USD).next_steps()
    assert steps[0] == (
        "Pilot Llama 3.3 70B Instruct on NVIDIA B200 on a copy of your own traffic and measure "
        "its rate and latency."
    )
    assert steps[1].startswith("Evaluate the self-hosted model on your own data for tiers ")
    assert steps[-1] == "Then, and only then, sign the reservation."
    startup = analyse(load_scenario(EXAMPLE.with_name("small-startup.json"), catalogue), catalogue)
    assert Words(startup, USD).next_steps() == []


def test_the_brief_asks_about_the_headline_plans_undated_prices(catalogue: Catalogue) -> None:
    """St Aldric's plan runs on AWS's B200 machine under AWS's three-year discount, both read
    from undated sources: the brief asks for a current quote."""
    results = analyse(
        load_scenario(EXAMPLE.with_name("regulated-healthcare.json"), catalogue), catalogue
    )
    words = CallWords(results, USD)
    stale = words.headline_stale_prices()
    assert {(p.kind, p.subject) for p in stale} == {
        ("instance", "aws/p6-b200.48xlarge"),
        ("price_plan", "reserved_3y"),
    }
    assert all(p.undated for p in stale)
    assert any(
        q.startswith("The recommended plan rests on prices not seen recently: ")
        for q in words.questions()
    )


def test_an_error_band_names_the_measurements_it_comes_from() -> None:
    """The engine gives the band's group as facts; the edge words it."""
    band = RateError(
        engine="vllm",
        measurements=40,
        median_error_factor=1.1,
        worst_error_factor=2.0,
        left_out_median_error_factor=1.3,
        left_out_worst_error_factor=3.0,
        measured_alike=4,
        band_factor=1.65,
        band_rows=34,
    )
    assert Words.band_basis(band) == "every engine"
    assert Words.band_basis(band.model_copy(update={"band_engine": "vllm"})) == "vllm"
    grouped = band.model_copy(
        update={"band_engine": "vllm", "band_vendor": "amd", "band_regime": "throughput"}
    )
    assert Words.band_basis(grouped) == "vllm on amd, throughput-bound"
    # Results saved when the group was words load without it.
    saved = {**band.model_dump(mode="json"), "band_basis": "vllm on amd, throughput-bound"}
    assert RateError.model_validate(saved) == band
