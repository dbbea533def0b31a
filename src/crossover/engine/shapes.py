"""Request shapes: each tier's typical request and the latency it promises (economics §3a)."""

from __future__ import annotations

from dataclasses import dataclass

from crossover.engine.api_cost import tier_volume
from crossover.engine.rates import RequestShape
from crossover.scenario import Scenario, Tier

DEFAULT_OUTPUT_TOKENS = 300.0
"""Tokens of a typical answer where the client gives none: a few paragraphs."""
DEFAULT_TPOT_MS = 50.0
"""A realtime tier's promise where it gives none: about 20 tokens/s a user, faster than reading."""
MAX_DERIVED_INPUT_TOKENS = 32_000.0
"""A prompt derived from the mix is capped here: longer prompts must be stated, not inferred."""
INPUT_TOKENS_WITHOUT_OUTPUT = 1_000.0
"""The prompt assumed for a tier that generates no output (so no mix to derive it from)."""


@dataclass(frozen=True)
class TierShape:
    """A tier's request shape and which parts of it were assumed rather than given."""

    shape: RequestShape
    input_assumed: bool
    output_assumed: bool
    tpot_assumed: bool

    @property
    def assumed(self) -> bool:
        return self.input_assumed or self.output_assumed


def tier_shapes(scenario: Scenario) -> dict[str, TierShape]:
    """Every tier's shape: its own, else the workload's, else the stated defaults."""
    return {tier.tier: tier_shape(scenario, tier) for tier in scenario.tiers}


def tier_shape(scenario: Scenario, tier: Tier) -> TierShape:
    """o: the tier's, the workload's or 300; i: the tier's, the workload's or o × I_t / O_t."""
    workload = scenario.workload
    output = tier.output_tokens_per_request or workload.output_tokens_per_request
    output_assumed = output is None
    output = output or DEFAULT_OUTPUT_TOKENS
    given_input = tier.input_tokens_per_request or workload.input_tokens_per_request
    volume = tier_volume(scenario, tier)
    if given_input is not None:
        input_tokens = given_input
    elif volume.output_mtok_per_day > 0:
        input_tokens = min(
            MAX_DERIVED_INPUT_TOKENS,
            output * volume.input_mtok_per_day / volume.output_mtok_per_day,
        )
    else:
        input_tokens = INPUT_TOKENS_WITHOUT_OUTPUT
    # A tier with no input tokens at all still sends a request: one token stands for it.
    input_tokens = max(input_tokens, 1.0)
    tpot = tier.tpot_ms
    tpot_assumed = tpot is None and tier.api_mode == "realtime"
    if tpot_assumed:
        tpot = DEFAULT_TPOT_MS
    return TierShape(
        shape=RequestShape(input_tokens, output, tpot),
        input_assumed=given_input is None,
        output_assumed=output_assumed,
        tpot_assumed=tpot_assumed,
    )
