"""The shipped evaluation table: every row names a catalogue model, every score its source."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from crossover.catalogue import load_catalogue
from crossover.quality import TASK_FAMILIES, EvaluationFile, build_table, shipped_evaluations
from crossover.quality_words import FAMILY_LABELS


def test_every_api_row_names_a_canonical_catalogue_id() -> None:
    catalogue = load_catalogue()
    api_rows = [m for m in catalogue.evaluations.models if "/" in m]
    assert api_rows
    assert {m: catalogue.resolve_api_model(m) for m in api_rows} == {m: m for m in api_rows}


def test_every_open_weight_row_names_a_catalogue_model() -> None:
    catalogue = load_catalogue()
    open_rows = [m for m in catalogue.evaluations.models if "/" not in m]
    assert sorted(open_rows) == [
        "deepseek-v3",
        "gpt-oss-120b",
        "gpt-oss-20b",
        "kimi-k2",
        "llama-2-70b",
        "llama-3.1-405b",
        "llama-3.1-8b",
        "llama-3.3-70b",
        "llama-4-maverick",
        "llama-4-scout",
        "mistral-7b",
        "qwen2.5-14b",
        "qwen2.5-72b",
        "qwen3-235b-a22b",
        "qwen3-30b-a3b",
        "qwen3-32b",
    ]
    assert all(m in catalogue.models for m in open_rows)


def test_a_score_is_helms_figure_times_100_with_its_source() -> None:
    # HELM Capabilities v1.15.0 gives Claude Haiku 4.5 0.801 on IFEval and Llama 3.1 8B 0.743.
    table = shipped_evaluations()
    haiku = table.score("anthropic/claude-haiku-4-5", "instruction_following")
    llama = table.score("llama-3.1-8b", "instruction_following")
    assert haiku is not None and llama is not None
    assert (haiku.points, llama.points) == (80.1, 74.3)
    assert haiku.benchmark.name == "IFEval"
    assert haiku.source.kind == "independent"
    assert haiku.source.seen == date(2026, 2, 11)
    assert haiku.source.link.startswith("https://crfm.stanford.edu/helm/capabilities/")
    assert haiku.evaluated_as == "anthropic/claude-haiku-4-5-20251001"


def test_a_moe_model_has_helms_figures_with_how_it_was_served() -> None:
    # HELM Capabilities v1.15.0: Kimi K2 Instruct 0.85 on IFEval; Qwen3 235B A22B FP8 Throughput
    # 0.817 on MMLU-Pro, run on Together AI's FP8 endpoint.
    table = shipped_evaluations()
    kimi = table.score("kimi-k2", "instruction_following")
    qwen = table.score("qwen3-235b-a22b", "knowledge")
    assert kimi is not None and qwen is not None
    assert (kimi.points, qwen.points) == (85.0, 81.7)
    assert qwen.evaluated_as == "qwen/qwen3-235b-a22b-fp8-tput"
    assert (qwen.quantised, kimi.quantised) == (True, None)
    assert "FP8" in qwen.serving and "precision not stated" in kimi.serving


def test_the_together_turbo_runs_are_marked_quantised() -> None:
    # Together serves its Turbo endpoints in FP8 (Together AI, 2024-07-31).
    table = shipped_evaluations()
    turbo = [
        score for score in table.scores.values() if score.evaluated_as.endswith("-instruct-turbo")
    ]
    assert {s.model for s in turbo} == {
        "llama-3.1-8b",
        "llama-3.1-405b",
        "llama-3.3-70b",
        "qwen2.5-72b",
    }
    assert all(s.quantised is True and "FP8" in s.serving for s in turbo)
    api = [s for s in table.scores.values() if "/" in s.model]
    assert all(s.quantised is None and s.serving == "" for s in api)


def test_a_livebench_family_is_the_mean_of_its_published_tasks() -> None:
    # LiveBench 2025-04-02, GPT-4o (2024-11-20): LCB_generation 34.667, coding_completion 35.714,
    # so Coding = 70.381 / 2 = 35.1905, shown as 35.19; cta 58.0, tablejoin 44.46,
    # tablereformat 66.0, so Data Analysis = 168.46 / 3 = 56.1533, shown as 56.15.
    # Llama 3.3 70B Turbo: (26.667 + 21.429) / 2 = 24.048, shown as 24.05.
    table = shipped_evaluations()
    coding = table.score("openai/gpt-4o", "coding")
    data = table.score("openai/gpt-4o", "structured_data")
    llama = table.score("llama-3.3-70b", "coding")
    assert coding is not None and data is not None and llama is not None
    assert (coding.points, data.points, llama.points) == (35.19, 56.15, 24.05)
    assert coding.benchmark.name == "LiveBench Coding"
    assert coding.source.id == llama.source.id == "livebench-2025-04-02"
    assert coding.source.kind == "independent"
    assert coding.evaluated_as == "gpt-4o-2024-11-20"


def test_summary_faithfulness_is_vectaras_factual_consistency_rate() -> None:
    # Vectara's leaderboard on its first dataset, 2025-10-16: Claude Haiku 4.5 hallucinates in
    # 4.5 % of summaries, a factual consistency rate of 100 - 4.5 = 95.5 %; Qwen2.5 14B 4.2 %, so
    # 95.8 %; Llama 2 70B Chat 5.9 %, so 94.1 %.
    table = shipped_evaluations()
    haiku = table.score("anthropic/claude-haiku-4-5", "summary_faithfulness")
    qwen = table.score("qwen2.5-14b", "summary_faithfulness")
    llama2 = table.score("llama-2-70b", "summary_faithfulness")
    assert haiku is not None and qwen is not None and llama2 is not None
    assert (haiku.points, qwen.points, llama2.points) == (95.5, 95.8, 94.1)
    assert haiku.source.id == qwen.source.id == "vectara-hhem-2.1-2025-10-16"
    assert "Anyscale" in llama2.serving and llama2.quantised is None


def test_long_context_is_longbench_v2_overall_with_chain_of_thought() -> None:
    # LongBench v2 leaderboard, Overall w/ CoT: GPT-4o (2024-08-06) 51.2, Llama 3.3 70B 36.2,
    # Qwen3-30B-A3B (thinking mode) 42.5.
    table = shipped_evaluations()
    figures = {
        m: table.score(m, "long_context")
        for m in ("openai/gpt-4o", "llama-3.3-70b", "qwen3-30b-a3b")
    }
    assert {m: s.points for m, s in figures.items() if s is not None} == {
        "openai/gpt-4o": 51.2,
        "llama-3.3-70b": 36.2,
        "qwen3-30b-a3b": 42.5,
    }
    assert table.benchmarks["long_context"].name == "LongBench v2"


def test_a_model_a_source_did_not_run_has_no_score_there() -> None:
    # Only Vectara ran Qwen2.5 14B and Llama 2 70B Chat; HELM did not run Llama 3.3 70B; Haiku 4.5
    # came out after LiveBench's 2025-04-02 release and LongBench v2's paper.
    table = shipped_evaluations()
    only_vectara = ["summary_faithfulness"]
    assert [f for f in TASK_FAMILIES if table.score("qwen2.5-14b", f)] == only_vectara
    assert [f for f in TASK_FAMILIES if table.score("llama-2-70b", f)] == only_vectara
    scored = [f for f in TASK_FAMILIES if table.score("llama-3.3-70b", f) is not None]
    assert scored == ["coding", "structured_data", "summary_faithfulness", "long_context"]
    haiku = [f for f in TASK_FAMILIES if table.score("anthropic/claude-haiku-4-5", f) is not None]
    assert "coding" not in haiku and "long_context" not in haiku
    assert table.score("qwen3-30b-a3b", "summary_faithfulness") is None


def test_every_family_has_exactly_one_benchmark_and_a_label() -> None:
    assert sorted(shipped_evaluations().benchmarks) == sorted(TASK_FAMILIES)
    assert sorted(FAMILY_LABELS) == sorted(TASK_FAMILIES)


def test_every_score_on_a_family_comes_from_its_benchmarks_source() -> None:
    table = shipped_evaluations()
    assert all(
        score.source.id == table.benchmarks[family].source
        for (_, family), score in table.scores.items()
    )


SOURCE = {
    "id": "s",
    "publisher": "P",
    "kind": "independent",
    "link": "https://example.org/",
    "seen": "2026-01-01",
}


def _file(**changes: object) -> dict[str, object]:
    raw: dict[str, object] = {
        "version": "t",
        "sources": [SOURCE],
        "benchmarks": [{"family": "chat", "name": "B", "measures": "m", "source": "s"}],
        "scores": [{"model": "m1", "evaluated_as": "m1", "source": "s", "scores": {"chat": 50}}],
    }
    raw.update(changes)
    return raw


def test_a_consistent_file_validates() -> None:
    assert EvaluationFile.model_validate(_file()).scores[0].scores == {"chat": 50.0}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"benchmarks": [{"family": "chat", "name": "B", "measures": "m", "source": "s"}] * 2},
            "family chat has two benchmarks",
        ),
        (
            {"benchmarks": [{"family": "chat", "name": "B", "measures": "m", "source": "x"}]},
            "benchmark B: unknown source x",
        ),
        (
            {
                "sources": [SOURCE, {**SOURCE, "id": "t"}],
                "scores": [
                    {"model": "m1", "evaluated_as": "m", "source": "t", "scores": {"chat": 1}}
                ],
            },
            "model m1: family chat is scored by s, not t",
        ),
        (
            {"scores": [{"model": "m1", "evaluated_as": "m1", "source": "x", "scores": {}}]},
            "model m1: unknown source x",
        ),
        (
            {
                "scores": [
                    {"model": "m1", "evaluated_as": "m", "source": "s", "scores": {"math": 1}}
                ]
            },
            "model m1: family math has no benchmark",
        ),
        (
            {"scores": [{"model": "m1", "evaluated_as": "m1", "source": "s", "scores": {}}] * 2},
            "model m1 has two rows from s",
        ),
    ],
)
def test_an_inconsistent_file_is_refused(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        EvaluationFile.model_validate(_file(**changes))


def test_one_model_may_have_a_row_from_each_source() -> None:
    second = {"family": "math", "name": "C", "measures": "m", "source": "t"}
    rows = [
        {"model": "m1", "evaluated_as": "m1", "source": "s", "scores": {"chat": 50}},
        {"model": "m1", "evaluated_as": "m1-x", "source": "t", "scores": {"math": 20}},
    ]
    raw = _file(
        sources=[SOURCE, {**SOURCE, "id": "t"}],
        benchmarks=[{"family": "chat", "name": "B", "measures": "m", "source": "s"}, second],
        scores=rows,
    )
    table = build_table(EvaluationFile.model_validate(raw))
    chat, math = table.score("m1", "chat"), table.score("m1", "math")
    assert chat is not None and math is not None
    assert (chat.source.id, chat.evaluated_as, math.source.id, math.evaluated_as) == (
        "s",
        "m1",
        "t",
        "m1-x",
    )


def test_a_score_above_100_is_refused() -> None:
    scores = [{"model": "m1", "evaluated_as": "m1", "source": "s", "scores": {"chat": 101}}]
    with pytest.raises(ValidationError, match="less than or equal to 100"):
        EvaluationFile.model_validate(_file(scores=scores))
