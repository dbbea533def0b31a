"""The shipped evaluation table: every row names a catalogue model, every score its source."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from crossover.catalogue import load_catalogue
from crossover.quality import TASK_FAMILIES, EvaluationFile, shipped_evaluations


def test_every_api_row_names_a_canonical_catalogue_id() -> None:
    catalogue = load_catalogue()
    api_rows = [m for m in catalogue.evaluations.models if "/" in m]
    assert api_rows
    assert {m: catalogue.resolve_api_model(m) for m in api_rows} == {m: m for m in api_rows}


def test_every_open_weight_row_names_a_catalogue_model() -> None:
    catalogue = load_catalogue()
    open_rows = [m for m in catalogue.evaluations.models if "/" not in m]
    assert sorted(open_rows) == ["llama-3.1-405b", "llama-3.1-8b", "mistral-7b", "qwen2.5-72b"]
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


def test_a_model_helm_did_not_run_has_no_score() -> None:
    table = shipped_evaluations()
    assert [table.score("llama-3.3-70b", f) for f in TASK_FAMILIES] == [None] * 5
    assert table.score("qwen2.5-14b", "chat") is None


def test_every_family_has_exactly_one_benchmark() -> None:
    assert sorted(shipped_evaluations().benchmarks) == sorted(TASK_FAMILIES)


def _file(**changes: object) -> dict[str, object]:
    raw: dict[str, object] = {
        "version": "t",
        "sources": [
            {
                "id": "s",
                "publisher": "P",
                "kind": "independent",
                "link": "https://example.org/",
                "seen": "2026-01-01",
            }
        ],
        "benchmarks": [{"family": "chat", "name": "B", "measures": "m"}],
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
            {"benchmarks": [{"family": "chat", "name": "B", "measures": "m"}] * 2},
            "family chat has two benchmarks",
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
            "model m1 has two rows",
        ),
    ],
)
def test_an_inconsistent_file_is_refused(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        EvaluationFile.model_validate(_file(**changes))


def test_a_score_above_100_is_refused() -> None:
    scores = [{"model": "m1", "evaluated_as": "m1", "source": "s", "scores": {"chat": 101}}]
    with pytest.raises(ValidationError, match="less than or equal to 100"):
        EvaluationFile.model_validate(_file(scores=scores))
