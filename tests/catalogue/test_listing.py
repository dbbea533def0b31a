"""Catalogue listings for the CLI, and the API prices they show."""

from __future__ import annotations

import json
from datetime import date
from importlib.metadata import version
from typing import Any

import pytest
from click.testing import CliRunner

from crossover.catalogue import Catalogue, api_prices
from crossover.cli import cli
from crossover.listing import KINDS, Filters, catalogue_table, filtered, to_csv
from crossover.terminal import print_catalogue

SNAPSHOT_DAY = date(2026, 11, 27)
SEEN_DAYS = {
    # The offers of the GPUs added for issue 19, each as its source dates it.
    "2025-05-29",
    "2025-05-30",
    "2025-06-20",
    "2025-07-20",
    "2025-09-15",
    "2025-12-21",
    "2026-05-18",
    "2026-10-10",
    "2026-11-09",
    "2026-09-20",
    "2026-09-25",
    "2026-09-26",
    "2026-10-24",
    "2026-02-01",
    "2026-04-01",
    "2026-11-04",
    "2026-12-01",
    "2025-12-09",
    "2026-10-27",
    # issue 26's re-sourced and added offers.
    "2026-09-09",
    "2026-09-10",
    "2026-09-23",
    # Sources that give no date say so, with the day they were read.
    "undated, read 2026-11-27",
    "undated, read 2026-12-07",
}


@pytest.mark.parametrize("kind", KINDS)
def test_every_row_ends_in_its_source_and_date(catalogue: Catalogue, kind: str) -> None:
    headers, rows = catalogue_table(kind, catalogue)
    assert headers[-2:] in (["Source", "As of"], ["Source", "Seen"])
    assert rows
    for row in rows:
        assert len(row) == len(headers)
        assert all(isinstance(cell, str) and cell for cell in row)
        assert len(row[-2]) >= 3
        # Prices carry the day each was seen at its source; specs and measurements the date
        # their source gives, never after the day the catalogue was last checked.
        if headers[-1] == "Seen":
            assert row[-1] in SEEN_DAYS
        else:
            # Provider facts and the MoE models were read on 2026-12-07.
            assert date.fromisoformat(row[-1]) <= date(2026, 12, 7)


@pytest.mark.parametrize(
    ("kind", "count"),
    [("gpus", 14), ("instances", 57), ("plans", 7), ("models", 16)],
)
def test_one_row_per_catalogue_entry(catalogue: Catalogue, kind: str, count: int) -> None:
    _, rows = catalogue_table(kind, catalogue)
    assert len(rows) == count


def test_throughput_lists_every_measurement_against_the_model(catalogue: Catalogue) -> None:
    headers, rows = catalogue_table("throughput", catalogue)
    assert len(rows) == len(catalogue.measurements)
    first = dict(zip(headers, rows[0], strict=True))
    measured = float(first["Measured tok/s"].replace(",", ""))
    modelled = float(first["Modelled"].split(" ")[0].replace(",", ""))
    # The signed error beside the modelled figure is modelled ÷ measured − 1.
    assert first["Modelled"].endswith(f"({modelled / measured - 1:+.0%})")


def test_calibration_summary_states_median_worst_and_left_out_errors(
    catalogue: Catalogue,
) -> None:
    from crossover.listing import calibration_summary

    headers, rows = calibration_summary(catalogue)
    assert headers[-4:] == ["Median error", "Worst error", "Left-out median", "Left-out worst"]
    assert {row[0] for row in rows} == {"vLLM", "SGLang", "TensorRT-LLM", "All engines"}
    total = next(row for row in rows if row[0] == "All engines")
    assert int(total[1]) == len(catalogue.measurements)
    assert all(cell.startswith("±") for cell in total[-4:])


def test_instances_show_per_gpu_prices_and_dashes_for_missing_ones(catalogue: Catalogue) -> None:
    headers, rows = catalogue_table("instances", catalogue)
    by_id = {row[0]: dict(zip(headers, row, strict=True)) for row in rows}
    assert by_id["aws/p5.48xlarge"]["On-demand $/GPU-h"] == "6.88"
    assert by_id["aws/g6.12xlarge"]["Spot $/GPU-h"] == "0.4375"
    assert by_id["aws/g5.12xlarge"]["On-demand $/GPU-h"] == "1.418"
    assert by_id["aws/p5e.48xlarge"]["On-demand $/GPU-h"] == "—"
    assert by_id["lambda/gpu_1x_h100_pcie"]["Region"] == "—"


def test_gpus_show_unsupported_precisions_as_dashes(catalogue: Catalogue) -> None:
    headers, rows = catalogue_table("gpus", catalogue)
    h100 = dict(zip(headers, next(r for r in rows if r[0] == "h100-sxm"), strict=True))
    assert h100["fp8 TFLOPS"] == "1,979"
    assert h100["int4 TFLOPS"] == "—"
    assert h100["Bandwidth TB/s"] == "3.35"


def test_prices_show_realtime_and_batch(catalogue: Catalogue) -> None:
    headers, rows = catalogue_table("prices", catalogue)
    by_model = {row[0]: dict(zip(headers, row, strict=True)) for row in rows}
    haiku = by_model["anthropic/claude-haiku-4-5"]
    assert [haiku[h] for h in headers[1:7]] == ["1.00", "0.10", "5.00", "0.50", "0.05", "2.50"]
    assert (
        haiku["Source"]
        == "Anthropic published price list, as collected in the genai-prices dataset"
    )
    assert haiku["Seen"] == "2026-11-04"
    groq = by_model["groq/qwen/qwen3-32b"]
    # No cache-read price: shown as a dash (the engine then prices cached input as input).
    assert [groq[h] for h in headers[1:7]] == ["0.29", "—", "0.59", "—", "—", "—"]


def test_unknown_kind_raises_with_the_choices(catalogue: Catalogue) -> None:
    with pytest.raises(KeyError) as raised:
        catalogue_table("gpu", catalogue)
    assert raised.value.args[0] == (
        "unknown catalogue kind 'gpu': did you mean 'gpus'? "
        "choose one of gpus, instances, plans, models, throughput, prices, providers"
    )


def test_haiku_realtime_price(catalogue: Catalogue) -> None:
    price = catalogue.api_price("anthropic/claude-haiku-4-5", "realtime", SNAPSHOT_DAY)
    assert price is not None
    assert (price.input_per_mtok, price.cached_input_per_mtok, price.output_per_mtok) == (
        1.0,
        0.1,
        5.0,
    )


def test_haiku_batch_price(catalogue: Catalogue) -> None:
    price = catalogue.api_price("anthropic/claude-haiku-4-5", "batch", SNAPSHOT_DAY)
    assert price is not None
    assert (price.input_per_mtok, price.cached_input_per_mtok, price.output_per_mtok) == (
        0.5,
        0.05,
        2.5,
    )


def test_gpt_4o_mini_realtime_price(catalogue: Catalogue) -> None:
    price = catalogue.api_price("openai/gpt-4o-mini", "realtime", SNAPSHOT_DAY)
    assert price is not None
    assert (price.input_per_mtok, price.cached_input_per_mtok, price.output_per_mtok) == (
        0.15,
        0.075,
        0.6,
    )


def test_groq_qwen_has_no_batch_price(catalogue: Catalogue) -> None:
    assert catalogue.api_price("groq/qwen/qwen3-32b", "batch", SNAPSHOT_DAY) is None


@pytest.mark.parametrize(
    ("model", "prices"),
    [
        # Half the realtime prices, cache reads included (0.5 × 1.50 and 0.5 × 0.30).
        ("anthropic/claude-opus-4-0", (7.5, 0.75, 37.5)),
        ("anthropic/claude-opus-4-1", (7.5, 0.75, 37.5)),
        ("anthropic/claude-sonnet-4-0", (1.5, 0.15, 7.5)),
        # Groq's Batch API at half of 0.59 / 0.79; Groq publishes no cache-read price for it.
        ("groq/llama-3.3-70b-versatile", (0.295, None, 0.395)),
    ],
)
def test_batch_prices_the_snapshot_lacks(
    catalogue: Catalogue, model: str, prices: tuple[float, float | None, float]
) -> None:
    price = catalogue.api_price(model, "batch", SNAPSHOT_DAY)
    assert price is not None
    assert (price.input_per_mtok, price.cached_input_per_mtok, price.output_per_mtok) == prices
    assert price.source.startswith(("Anthropic, Message Batches documentation", "Groq"))


def test_resolve_keeps_a_canonical_id(catalogue: Catalogue) -> None:
    assert catalogue.resolve_api_model("anthropic/claude-haiku-4-5") == "anthropic/claude-haiku-4-5"


def test_resolve_rejects_an_unknown_model(catalogue: Catalogue) -> None:
    assert catalogue.resolve_api_model("nonsense/model") is None


def test_installed_genai_prices_is_the_pinned_release() -> None:
    assert version("genai-prices") == api_prices.PINNED_VERSION


def test_the_overlay_wins_over_the_snapshots_stale_deepseek_chat_price(
    catalogue: Catalogue,
) -> None:
    price = catalogue.api_price("deepseek/deepseek-chat", "realtime", SNAPSHOT_DAY)
    assert price is not None
    # V3.2 since December 2025, not the snapshot's February 2025 0.27 / 0.07 / 1.10.
    assert (price.input_per_mtok, price.cached_input_per_mtok, price.output_per_mtok) == (
        0.28,
        0.028,
        0.42,
    )
    assert price.seen == date(2025, 12, 9)


def test_deepseek_peak_prices_are_weighted_by_the_stated_peak_share(
    catalogue: Catalogue,
) -> None:
    price = catalogue.api_price("deepseek/deepseek-v4-pro", "realtime", SNAPSHOT_DAY)
    assert price is not None
    # 35 peak hours of 168: 35/168 × 1.32 + 133/168 × 0.66 = 0.7975 (input),
    # 35/168 × 3.96 + 133/168 × 1.98 = 2.3925 (output), 0.044 / 0.022 -> 0.02658 (cache).
    assert price.input_per_mtok == pytest.approx(0.7975)
    assert price.output_per_mtok == pytest.approx(2.3925)
    assert price.cached_input_per_mtok == pytest.approx(0.022 * 203 / 168)
    assert "35/168" in price.source


def test_the_overlay_is_named_among_the_data_releases(catalogue: Catalogue) -> None:
    assert catalogue.versions["API price overlay"] == "2026-12-01"


def test_filters_keep_the_rows_a_reader_asks_for(catalogue: Catalogue) -> None:
    _, rows = filtered(
        catalogue_table("instances", catalogue), Filters(provider="lambda", gpu="h100-sxm")
    )
    assert [r[0] for r in rows] == ["lambda/gpu_8x_h100_sxm5"]
    _, prices = filtered(
        catalogue_table("prices", catalogue), Filters(provider="anthropic", model="opus-4-7")
    )
    assert [r[0] for r in prices] == ["anthropic/claude-opus-4-7"]
    _, plans = filtered(catalogue_table("plans", catalogue), Filters(provider="gcp"))
    assert [(r[0], r[1]) for r in plans] == [("reserved_1y", "gcp"), ("reserved_3y", "gcp")]


def test_csv_quotes_what_needs_it() -> None:
    assert to_csv(["a", "b"], [["1, 2", 'say "x"']]) == 'a,b\n"1, 2","say ""x"""\n'


def test_the_terminal_table_fits_100_columns(
    catalogue: Catalogue, capsys: pytest.CaptureFixture[str]
) -> None:
    for kind in KINDS:
        headers, rows = catalogue_table(kind, catalogue)
        print_catalogue(kind, headers, rows)
        lines = capsys.readouterr().out.splitlines()
        assert max(len(line) for line in lines) <= 100, kind


@pytest.mark.parametrize(
    "model",
    [
        "openai/gpt-4o-mini-tts",  # speech
        "openai/gpt-4o-transcribe",  # transcription
        "mistral/mistral-embed",  # embeddings
        "openai/gpt-image-1",  # images
        "google/gemini-2.5-flash-tts",
        "openai/gpt-realtime",  # live audio
        "openai/text-davinci-003",  # retired
        "anthropic/claude-2",  # retired
        # issue 26: retired, or with a shutdown announced, on the providers' pages.
        "anthropic/claude-opus-4-0",
        "anthropic/claude-opus-4-1",
        "anthropic/claude-sonnet-4-0",
        "groq/llama-3.3-70b-versatile",
        "groq/llama-3.1-8b-instant",
        "x-ai/grok-3",
        "x-ai/grok-4-0709",
        "x-ai/grok-code-fast-1",
        "openai/gpt-5",
        "openai/o3",
    ],
)
def test_the_drop_down_leaves_out_what_is_not_a_current_chat_model(
    catalogue: Catalogue, model: str
) -> None:
    assert model not in catalogue.listed_api_models()


def test_every_model_in_the_drop_down_is_priceable(catalogue: Catalogue) -> None:
    listed = catalogue.listed_api_models()
    assert len(listed) > 100
    unpriced = [m for m in listed if catalogue.api_price(m, "realtime", SNAPSHOT_DAY) is None]
    assert unpriced == []
    assert {"anthropic/claude-haiku-4-5", "openai/gpt-4o-mini", "deepseek/deepseek-chat"} <= set(
        listed
    )


def test_a_retired_model_is_still_known_and_priced(catalogue: Catalogue) -> None:
    assert catalogue.resolve_api_model("anthropic/claude-2") == "anthropic/claude-2"
    assert catalogue.is_retired_api_model("anthropic/claude-2")
    assert not catalogue.is_retired_api_model("anthropic/claude-haiku-4-5")
    assert catalogue.api_price("anthropic/claude-2", "realtime", SNAPSHOT_DAY) is not None


def _json(args: list[str]) -> list[dict[str, Any]]:
    result = CliRunner().invoke(cli, ["catalogue", *args, "--json"], catch_exceptions=False)
    assert result.exit_code == 0
    records = json.loads(result.output)
    assert isinstance(records, list)
    return records


def test_json_instances_are_typed_and_every_price_says_whether_it_is_dated() -> None:
    records = _json(["instances"])
    assert len(records) == 57
    prices = [r[plan] for r in records for plan in ("on_demand", "spot") if r[plan] is not None]
    for price in prices:
        assert set(price) == {
            "usd_per_gpu_hour",
            "dated",
            "seen",
            "read_on",
            "source",
            "provenance",
        }
        assert isinstance(price["usd_per_gpu_hour"], float)
        # A dated price has its day seen and no reading day; an undated one the reverse.
        day = price["seen"] if price["dated"] else price["read_on"]
        other = price["read_on"] if price["dated"] else price["seen"]
        assert date.fromisoformat(day) and other is None
    p5 = next(r for r in records if r["instance"] == "aws/p5.48xlarge")
    assert p5["gpus_per_instance"] == 8 and p5["region"] == "us-east-1"
    assert p5["on_demand"]["usd_per_gpu_hour"] == 6.88
    assert (p5["on_demand"]["dated"], p5["on_demand"]["seen"]) == (True, "2026-11-09")
    assert p5["on_demand"]["provenance"].startswith("datareceipts")
    g5 = next(r for r in records if r["instance"] == "aws/g5.xlarge")
    assert (g5["on_demand"]["dated"], g5["on_demand"]["read_on"]) == (False, "2026-11-27")
    assert g5["spot"] is None


def test_json_filters_and_prices_keep_nulls_and_numbers() -> None:
    [lambda_h100] = _json(["instances", "--provider", "lambda", "--gpu", "h100-sxm"])
    assert lambda_h100["instance"] == "lambda/gpu_8x_h100_sxm5"
    prices = {p["api_model"]: p for p in _json(["prices", "--provider", "anthropic"])}
    haiku = prices["anthropic/claude-haiku-4-5"]
    assert haiku["provider"] == "anthropic"
    assert haiku["realtime"]["input_usd_per_mtok"] == 1.0
    assert haiku["realtime"]["cached_input_usd_per_mtok"] == 0.1
    assert haiku["batch"]["output_usd_per_mtok"] == 2.5
    assert date.fromisoformat(haiku["batch"]["seen"])
    groq = {p["api_model"]: p for p in _json(["prices", "--provider", "groq"])}
    assert groq["groq/qwen/qwen3-32b"]["batch"] is None
    assert groq["groq/qwen/qwen3-32b"]["realtime"]["cached_input_usd_per_mtok"] is None
    gpus = {g["gpu"]: g for g in _json(["gpus"])}
    assert gpus["a100-40gb"]["dense_tflops"]["fp8"] is None
    assert gpus["h100-sxm"]["vram_gb"] == 80
    plans = _json(["plans", "--provider", "digitalocean"])
    assert [(p["plan"], p["cloud"], p["dated"], p["seen"], p["upfront"]) for p in plans] == [
        ("reserved_1y", "digitalocean", True, "2026-09-23", None)
    ]
    [aws_1y, _] = _json(["plans", "--provider", "aws"])
    assert (aws_1y["dated"], aws_1y["read_on"]) == (False, "2026-11-27")


def test_every_retirement_names_a_known_model_and_successor(catalogue: Catalogue) -> None:
    retirements = catalogue.api.retirements
    assert len(retirements) == 18
    for r in retirements:
        assert catalogue.resolve_api_model(r.model) == r.model
        assert r.successor is None or r.successor in catalogue.listed_api_models()
    grok = catalogue.api_retirement("x-ai/grok-3")
    assert grok is not None
    assert (grok.retires_on, grok.successor) == (date(2026, 5, 15), "x-ai/grok-4.3")


def test_providers_list_the_compliance_facts_of_every_cloud(catalogue: Catalogue) -> None:
    records = _json(["providers"])
    assert {r["provider"] for r in records} == {i.cloud for i in catalogue.instances.values()}
    by_id = {r["provider"]: r for r in records}
    assert (by_id["aws"]["runs_in_client_cloud_account"], by_id["aws"]["hipaa_baa"]) == (True, True)
    # A third party with no BAA offer found: null, not "no".
    assert (by_id["runpod"]["runs_in_client_cloud_account"], by_id["runpod"]["hipaa_baa"]) == (
        False,
        None,
    )
    assert "EU-NL-1" in by_id["runpod"]["eu_regions"]
    assert by_id["lambda"]["eu_regions"] is None
    [aws] = _json(["providers", "--provider", "aws"])
    assert aws["name"] == "Amazon Web Services"
