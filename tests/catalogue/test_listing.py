"""Catalogue listings for the CLI, and the API prices they show."""

from __future__ import annotations

from datetime import date
from importlib.metadata import version

import pytest

from crossover.catalogue import Catalogue, api_prices
from crossover.catalogue.listing import KINDS, Filters, catalogue_table, filtered, to_csv
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
    "2026-11-27",
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
            assert date.fromisoformat(row[-1]) <= date(2026, 12, 7)  # MoE models read then


@pytest.mark.parametrize(
    ("kind", "count"),
    [("gpus", 14), ("instances", 53), ("plans", 6), ("models", 16)],
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
    from crossover.catalogue.listing import calibration_summary

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
    groq = by_model["groq/llama-3.3-70b-versatile"]
    # No cache-read price: shown as a dash (the engine then prices cached input as input).
    assert [groq[h] for h in headers[1:7]] == ["0.59", "—", "0.79", "—", "—", "—"]


def test_unknown_kind_raises_with_the_choices(catalogue: Catalogue) -> None:
    with pytest.raises(KeyError) as raised:
        catalogue_table("gpu", catalogue)
    assert raised.value.args[0] == (
        "unknown catalogue kind 'gpu': did you mean 'gpus'? "
        "choose one of gpus, instances, plans, models, throughput, prices"
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


def test_groq_has_no_batch_price(catalogue: Catalogue) -> None:
    assert catalogue.api_price("groq/llama-3.3-70b-versatile", "batch", SNAPSHOT_DAY) is None


def test_resolve_keeps_a_canonical_id(catalogue: Catalogue) -> None:
    assert catalogue.resolve_api_model("anthropic/claude-haiku-4-5") == "anthropic/claude-haiku-4-5"


def test_resolve_rejects_an_unknown_model(catalogue: Catalogue) -> None:
    assert catalogue.resolve_api_model("nonsense/model") is None


def test_installed_genai_prices_is_the_pinned_release() -> None:
    assert version("genai-prices") == api_prices.PINNED_VERSION


@pytest.mark.parametrize(
    ("model", "prices"),
    [
        # Anthropic's batch table: half the realtime price; no batch cache-read price given,
        # so cached input is priced as input (economics §2).
        ("anthropic/claude-opus-4-1", (7.5, None, 37.5)),
        ("anthropic/claude-opus-4-0", (7.5, None, 37.5)),
        ("anthropic/claude-sonnet-4-0", (1.5, None, 7.5)),
    ],
)
def test_the_overlay_adds_batch_prices_the_snapshot_lacks(
    catalogue: Catalogue, model: str, prices: tuple[float, float | None, float]
) -> None:
    price = catalogue.api_price(model, "batch", SNAPSHOT_DAY)
    assert price is not None
    assert (price.input_per_mtok, price.cached_input_per_mtok, price.output_per_mtok) == prices
    assert price.source.startswith("Anthropic, Message Batches documentation")


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
        catalogue_table("prices", catalogue), Filters(provider="anthropic", model="opus-4-1")
    )
    assert [r[0] for r in prices] == ["anthropic/claude-opus-4-1"]
    _, plans = filtered(catalogue_table("plans", catalogue), Filters(provider="coreweave"))
    assert [(r[0], r[1]) for r in plans] == [
        ("reserved_1y", "coreweave"),
        ("reserved_3y", "coreweave"),
    ]


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
