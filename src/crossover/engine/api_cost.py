"""What a tier costs on its API model (economics §1–2)."""

from __future__ import annotations

from dataclasses import dataclass
from difflib import get_close_matches

from crossover.catalogue import Catalogue
from crossover.engine.constants import DAYS_PER_MONTH
from crossover.engine.results import PriceSource, TierPrices
from crossover.problem_facts import (
    IncompleteOverride,
    NoBatchPrice,
    UnknownApiModel,
    UnpricedApiModel,
)
from crossover.scenario import ApiMode, Problem, Scenario, Tier


@dataclass(frozen=True)
class TierVolume:
    """A tier's daily volume at a volume factor of 1 (today)."""

    input_mtok_per_day: float
    output_mtok_per_day: float

    @property
    def total(self) -> float:
        return self.input_mtok_per_day + self.output_mtok_per_day


def tier_volume(scenario: Scenario, tier: Tier) -> TierVolume:
    """The tier's own volume where it gives one; else the workload's mix: I_t = I × share/100."""
    if tier.gives_volume:
        return TierVolume(tier.input_mtok_per_day or 0.0, tier.output_mtok_per_day or 0.0)
    share = (tier.share_pct or 0.0) / 100
    return TierVolume(
        scenario.workload.input_mtok_per_day * share,
        scenario.workload.output_mtok_per_day * share,
    )


def resolve_prices(
    scenario: Scenario, catalogue: Catalogue, model_ref: str, mode: ApiMode
) -> TierPrices | str:
    """The prices for one API model and mode: overrides win field by field over the catalogue.

    Returns the reason as text when the model cannot be priced.
    """
    canonical = catalogue.resolve_api_model(model_ref)
    override = next(
        (
            o
            for o in scenario.price_overrides
            if o.api_mode == mode
            and (o.api_model == model_ref or catalogue.resolve_api_model(o.api_model) == canonical)
            and (canonical is not None or o.api_model == model_ref)
        ),
        None,
    )
    base = catalogue.api_price(canonical, mode, scenario.client.report_date) if canonical else None
    if base is None and (override is None or not override.is_complete):
        if canonical is None:
            return "unknown"
        return "no_batch" if mode == "batch" else "unpriced"
    if override is None:
        assert base is not None
        input_price, cached, output_price = (
            base.input_per_mtok,
            base.cached_input_per_mtok,
            base.output_per_mtok,
        )
        source: PriceSource = "catalogue"
        reference, seen = base.source, base.seen
    elif base is None:
        assert override.input_per_mtok is not None and override.output_per_mtok is not None
        input_price, cached, output_price = (
            override.input_per_mtok,
            override.cached_input_per_mtok,
            override.output_per_mtok,
        )
        source, reference = "override", "price override (the client's negotiated price)"
        seen = None
    else:
        input_price = _pick(override.input_per_mtok, base.input_per_mtok)
        cached = (
            override.cached_input_per_mtok
            if override.cached_input_per_mtok is not None
            else base.cached_input_per_mtok
        )
        output_price = _pick(override.output_per_mtok, base.output_per_mtok)
        source, reference = "override", f"price override; blanks from {base.source}"
        seen = base.seen
    return TierPrices(
        input_per_mtok=input_price,
        # economics §2: where there is no cache-read price, cached input costs as input.
        cached_input_per_mtok=input_price if cached is None else cached,
        output_per_mtok=output_price,
        source=source,
        reference=reference,
        seen=seen,
    )


def _pick(override: float | None, catalogue_value: float) -> float:
    return catalogue_value if override is None else override


def api_month_usd(volume: TierVolume, prices: TierPrices, cache_hit_pct: float) -> float:
    """economics §2: DAYS × (I × ((1−h) p_in + h p_cache) + O × p_out)."""
    h = cache_hit_pct / 100
    input_rate = (1 - h) * prices.input_per_mtok + h * prices.cached_input_per_mtok
    return DAYS_PER_MONTH * (
        volume.input_mtok_per_day * input_rate + volume.output_mtok_per_day * prices.output_per_mtok
    )


def price_problems(scenario: Scenario, catalogue: Catalogue) -> list[Problem]:
    """Every tier must be priceable in its mode; overrides of unknown models must be complete."""
    problems = []
    for i, tier in enumerate(scenario.tiers):
        outcome = resolve_prices(scenario, catalogue, tier.api_model, tier.api_mode)
        if outcome == "unknown":
            problems.append(
                Problem(
                    loc=("tiers", i, "api_model"),
                    facts=UnknownApiModel(
                        api_model=tier.api_model,
                        close=close_matches(tier.api_model, catalogue.known_api_models()),
                    ),
                )
            )
        elif outcome == "no_batch":
            problems.append(
                Problem(
                    loc=("tiers", i, "api_mode"),
                    facts=NoBatchPrice(api_model=tier.api_model),
                )
            )
        elif outcome == "unpriced":
            problems.append(
                Problem(
                    loc=("tiers", i, "api_model"),
                    facts=UnpricedApiModel(api_model=tier.api_model),
                )
            )
    for i, override in enumerate(scenario.price_overrides):
        if catalogue.resolve_api_model(override.api_model) is None and not override.is_complete:
            problems.append(
                Problem(
                    loc=("price_overrides", i, "api_model"),
                    facts=IncompleteOverride(
                        api_model=override.api_model,
                        close=close_matches(override.api_model, catalogue.known_api_models()),
                    ),
                )
            )
    return problems


def close_matches(value: str, known: list[str]) -> list[str]:
    """The (at most three) known ids closest to an unknown one, closest first: the ones it was
    likely meant to be."""
    return get_close_matches(value.lower(), known, n=3, cutoff=0.6)
