"""The quality partial and its words: per tier, the chosen model's score beside the API
model's, the gap, the evidence with its date, and what the rule left out and by how much."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from jinja2 import Environment, PackageLoader, StrictUndefined

from crossover.catalogue import load_catalogue
from crossover.engine.quality import Evidence, QualityAssessment, assess_quality
from crossover.quality_words import QualityWords, gap, points
from crossover.scenario import Scenario
from report.helpers import parse_html, text_of

DEPLOYMENTS = [
    {"deployment": "qwen14b", "model": "qwen2.5-14b", "precision": "bf16", "gpu": "a100-80gb"},
    {"deployment": "llama8b", "model": "llama-3.1-8b", "precision": "bf16", "gpu": "l40s"},
]


def _assessment(**rule: Any) -> QualityAssessment:
    scenario = Scenario.model_validate(
        {
            "client": {"client_name": "T", "report_date": "2026-11-27"},
            "workload": {"input_mtok_per_day": 100, "output_mtok_per_day": 20},
            "tiers": [
                {
                    "tier": "extraction",
                    "share_pct": 100,
                    "api_model": "anthropic/claude-haiku-4-5",
                    "candidates": ["qwen14b", "llama8b"],
                    **rule,
                }
            ],
            "deployments": DEPLOYMENTS,
        }
    )
    return assess_quality(scenario, load_catalogue())


NAMES = {
    "qwen14b": "Qwen2.5 14B on A100",
    "llama8b": "Llama 3.1 8B on L40S",
    "anthropic/claude-haiku-4-5": "Claude Haiku 4.5 (Anthropic)",
}


class _Names:
    """What the partial asks of crossover.wording.Words: deployments and models by name."""

    def deployment(self, deployment_id: str) -> str:
        return NAMES[deployment_id]

    def model(self, model_id: str) -> str:
        return NAMES.get(model_id, model_id)

    def tier(self, tier_id: str) -> str:
        return tier_id


def _render(assessment: QualityAssessment, routes: dict[str, str]) -> str:
    environment = Environment(
        loader=PackageLoader("crossover.templates", "report"),
        autoescape=True,
        undefined=StrictUndefined,
    )
    return environment.get_template("_quality.html").render(
        quality=assessment,
        routes=routes,
        quality_words=QualityWords(assessment),
        words=_Names(),
    )


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (5.8, "5.8 points below"),
        (-1.0, "1.0 point above"),
        (0.0, "level"),
        (None, "not comparable"),
    ],
)
def test_a_gap_in_words(value: float | None, words: str) -> None:
    assert gap(value) == words


def test_a_missing_score_is_shown_missing() -> None:
    assert (points(None), points(80.1)) == ("no score", "80.1")


def test_evidence_names_its_source_kind_and_date() -> None:
    words = QualityWords(_assessment(task_family="chat"))
    public = Evidence(
        basis="public",
        points=80.1,
        on=date(2026, 2, 11),
        benchmark="IFEval",
        source_id="helm-capabilities-v1.15.0",
        independent=True,
        evaluated_as="anthropic/claude-haiku-4-5-20251001",
    )
    client = Evidence(basis="client", points=94, on=date(2026, 11, 2), sample_size=1200)
    assert words.evidence(public) == "IFEval (independent), seen 2026-02-11"
    assert words.source("helm-capabilities-v1.15.0") == (
        "Stanford CRFM, HELM Capabilities leaderboard (release v1.15.0)"
    )
    assert words.evidence(client) == "the client's own test, 1,200 requests, 2026-11-02"


def test_the_partial_shows_the_headline_tier_and_the_excluded_candidates() -> None:
    """Rule: at most 3 below Haiku on IFEval. The headline keeps the tier on the API (the 8B
    is 5.8 below, 2.8 too many; Qwen2.5 14B has no public score)."""
    root = parse_html(
        _render(
            _assessment(task_family="instruction_following", max_quality_drop=3),
            {"extraction": "api"},
        )
    )
    (row,) = [r for r in root.iter("tr") if r.get("data-tier") == "extraction"]
    assert [text_of(c) for c in row] == [
        "extraction",
        "at most 3 points below the API model on instruction following",
        "Claude Haiku 4.5 (Anthropic), its API model",
        "80.1",
        "80.1",
        "level",
        "IFEval (independent), seen 2026-02-11",
    ]
    items = {li.get("data-deployment"): text_of(li) for li in root.iter("li")}
    assert items["llama8b"].startswith(
        "Llama 3.1 8B on L40S (74.3): excluded: 5.8 points below the API model, 2.8 more than "
        "the 3 allowed; IFEval"
    )
    assert items["qwen14b"].startswith(
        "Qwen2.5 14B on A100 (no score): excluded: no score to show it meets the rule; no "
        "published score"
    )


def test_the_partial_shows_a_self_hosted_headline_with_its_gap() -> None:
    root = parse_html(_render(_assessment(task_family="chat"), {"extraction": "llama8b"}))
    (row,) = [r for r in root.iter("tr") if r.get("data-tier") == "extraction"]
    cells = [text_of(c) for c in row]
    assert cells[1:6] == [
        "no rule; scores shown on open-ended chat",
        "Llama 3.1 8B on L40S",
        "68.6",
        "83.9",
        "15.3 points below",
    ]
    assert list(root.iter("li")) == []


def test_the_partial_names_the_public_source_with_its_address_and_date() -> None:
    """The address as text, not a link: the report is a standalone document (no outside URL
    in a src or href), and a printed page shows it all the same."""
    assessment = _assessment(task_family="chat")
    assert [s.id for s in assessment.sources] == ["helm-capabilities-v1.15.0"]
    root = parse_html(_render(assessment, {"extraction": "api"}))
    (line,) = [p for p in root.iter("p") if p.get("data-quality-sources") is not None]
    assert list(line.iter("a")) == []
    assert text_of(line) == (
        "Public scores: Stanford CRFM, HELM Capabilities leaderboard (release v1.15.0), "
        "https://crfm.stanford.edu/helm/capabilities/v1.15.0/ (independent, every model run "
        "the same way; seen 2026-02-11). A client's own test results replace them for the "
        "tiers they cover."
    )


def test_a_tier_judged_on_the_clients_own_scores_cites_no_public_source() -> None:
    scenario = Scenario.model_validate(
        {
            "client": {"client_name": "T", "report_date": "2026-11-27"},
            "workload": {"input_mtok_per_day": 100, "output_mtok_per_day": 20},
            "tiers": [
                {
                    "tier": "extraction",
                    "share_pct": 100,
                    "api_model": "anthropic/claude-haiku-4-5",
                    "candidates": ["llama8b"],
                    "task_family": "chat",
                }
            ],
            "deployments": DEPLOYMENTS,
            "evaluations": [
                {
                    "model": "llama-3.1-8b",
                    "tier": "extraction",
                    "score": 88,
                    "sample_size": 120,
                    "date": "2026-11-01",
                }
            ],
        }
    )
    assessment = assess_quality(scenario, load_catalogue())
    assert assessment.sources == []
    root = parse_html(_render(assessment, {"extraction": "llama8b"}))
    (row,) = [r for r in root.iter("tr") if r.get("data-tier") == "extraction"]
    assert [text_of(c) for c in row][3:] == [
        "88.0",
        "no score",
        "not comparable",
        "the client's own test, 120 requests, 2026-11-01",
    ]


def test_one_line_per_tier_for_the_brief() -> None:
    """Public IFEval scores, at most 3 below Haiku: the 8B (5.8 below) and Qwen2.5 14B (no
    score) are left out; on the API the line says so; a move (with no rule) gives the gap, and
    that HELM ran the 8B quantised (Together's FP8 Turbo endpoint)."""
    ruled = _assessment(task_family="instruction_following", max_quality_drop=3)
    words = QualityWords(ruled)
    assert words.line(ruled.tiers[0], "api") == (
        "extraction stays on anthropic/claude-haiku-4-5; its rule left out 2 candidates."
    )
    free = _assessment(task_family="instruction_following")
    assert QualityWords(free).line(free.tiers[0], "llama8b") == (
        "extraction moves to llama-3.1-8b: 74.3 against anthropic/claude-haiku-4-5's 80.1, "
        "5.8 points below (IFEval (independent, run quantised), seen 2026-02-11)."
    )
    assert QualityWords(free).line(free.tiers[0], "qwen14b") == (
        "extraction moves to qwen2.5-14b, with no score to set against "
        "anthropic/claude-haiku-4-5's."
    )
