"""A tier naming one of the families added from LiveBench, Vectara and LongBench v2 is judged on
that family's one source, its figures worked out by hand."""

from __future__ import annotations

from typing import Any

import pytest

from crossover.catalogue import load_catalogue
from crossover.engine.quality import TierQuality, assess_quality
from crossover.scenario import Scenario

DEPLOYMENTS = [
    {"deployment": "llama8b", "model": "llama-3.1-8b", "precision": "bf16", "gpu": "l40s"},
    {"deployment": "llama70b", "model": "llama-3.3-70b", "precision": "bf16", "gpu": "h100-80gb"},
    {"deployment": "qwen14b", "model": "qwen2.5-14b", "precision": "bf16", "gpu": "a100-80gb"},
]


def _tier(api_model: str, family: str, **rule: Any) -> TierQuality:
    scenario = Scenario.model_validate(
        {
            "client": {"client_name": "T", "report_date": "2026-12-07"},
            "workload": {"input_mtok_per_day": 100, "output_mtok_per_day": 20},
            "tiers": [
                {
                    "tier": "work",
                    "share_pct": 100,
                    "api_model": api_model,
                    "candidates": ["llama8b", "llama70b", "qwen14b"],
                    "task_family": family,
                    **rule,
                }
            ],
            "deployments": DEPLOYMENTS,
        }
    )
    return assess_quality(scenario, load_catalogue()).tier("work")


def test_a_coding_tier_compares_livebench_scores_only() -> None:
    # LiveBench 2025-04-02 Coding: GPT-4o mini (26.667 + 24.286) / 2 = 25.48; Llama 3.1 8B
    # (10.667 + 11.429) / 2 = 11.05, 14.43 below: 4.43 past a 10-point drop. Llama 3.3 70B
    # (26.667 + 21.429) / 2 = 24.05, 1.43 below: passes. Qwen2.5 14B: not run.
    tier = _tier("openai/gpt-4o-mini", "coding", max_quality_drop=10)
    assert tier.api.evidence is not None and tier.api.evidence.points == 25.48
    assert tier.api.evidence.benchmark == "LiveBench Coding"
    llama8b, llama70b, qwen14b = tier.candidates
    assert llama8b.verdict == "below_drop"
    assert llama8b.gap_points == pytest.approx(14.43)
    assert llama8b.shortfall_points == pytest.approx(4.43)
    assert llama70b.verdict == "passes"
    assert llama70b.gap_points == pytest.approx(1.43)
    assert (qwen14b.verdict, qwen14b.evidence) == ("no_score", None)


def test_a_summary_tier_compares_vectaras_rates() -> None:
    # Vectara, first dataset, 2025-10-16: GPT-4o 98.5 %; Llama 3.1 8B 94.6 %, 3.9 below;
    # Llama 3.3 70B 96.0 %, 2.5 below; Qwen2.5 14B 95.8 %, 2.7 below. A 3-point drop keeps
    # the 70B and the 14B and drops the 8B by 0.9; a floor of 95 would drop it by 0.4.
    tier = _tier("openai/gpt-4o", "summary_faithfulness", max_quality_drop=3, quality_floor=95)
    llama8b, llama70b, qwen14b = tier.candidates
    assert tier.api.evidence is not None and tier.api.evidence.points == 98.5
    assert llama8b.verdict == "below_drop"
    assert llama8b.shortfall_points == pytest.approx(0.9)
    assert [llama70b.verdict, qwen14b.verdict] == ["passes", "passes"]
    assert llama70b.gap_points == pytest.approx(2.5)
    assert qwen14b.gap_points == pytest.approx(2.7)


def test_a_long_context_tier_compares_longbench_v2_scores() -> None:
    # LongBench v2, Overall w/ CoT: GPT-4o (2024-08-06) 51.2; Llama 3.3 70B 36.2, 15.0 below;
    # Llama 3.1 8B 30.4, 20.8 below. A 16-point drop keeps the 70B and drops the 8B by 4.8.
    tier = _tier("openai/gpt-4o", "long_context", max_quality_drop=16)
    llama8b, llama70b, _ = tier.candidates
    assert llama70b.verdict == "passes"
    assert llama70b.gap_points == pytest.approx(15.0)
    assert llama8b.verdict == "below_drop"
    assert llama8b.shortfall_points == pytest.approx(4.8)
