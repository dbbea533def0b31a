"""API prices per million tokens, from genai-prices' bundled snapshot (never its network updater)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from functools import cache
from importlib.metadata import version
from typing import Any

from crossover.scenario import ApiMode

# genai-prices selects a provider's batch prices with this request context.
_BATCH_CONTEXT = {"processing": "batch"}

# The snapshot carries no date of its own: pyproject pins the release, and this is the day
# that release's figures were checked against the providers' pages. Bump both together.
PINNED_VERSION = "0.2.3"
SNAPSHOT_AS_OF = date(2026, 11, 27)

# Providers offered in the workbook's drop-down: the ones a client's bill comes from.
# Every other genai-prices provider is still accepted when typed in.
LISTED_PROVIDERS = ("anthropic", "openai", "google", "mistral", "groq", "deepseek", "x-ai")


@dataclass(frozen=True)
class ApiPrice:
    """USD per million tokens for one model in one mode, with where it came from."""

    model: str
    mode: ApiMode
    input_per_mtok: float
    cached_input_per_mtok: float | None
    output_per_mtok: float
    source: str
    as_of: date


def _usd(value: Any) -> float | None:
    if value is None:
        return None
    # Long-context tiers ("+tiers") start at 200k-token prompts; the base rate is the norm.
    base = getattr(value, "base", value)
    return float(Decimal(base))


def genai_prices_version() -> str:
    return version("genai-prices")


@cache
def _snapshot() -> Any:
    from genai_prices import data_snapshot

    return data_snapshot.get_snapshot()


@cache
def _index() -> dict[str, tuple[Any, Any]]:
    """provider/model -> (provider, model info), for every model in the snapshot."""
    index: dict[str, tuple[Any, Any]] = {}
    for provider in _snapshot().providers:
        for model in provider.models:
            index[f"{provider.id}/{model.id}"] = (provider, model)
    return index


def known_models() -> list[str]:
    """Every provider/model id the snapshot prices."""
    return sorted(_index())


def listed_models() -> list[str]:
    """The ids offered in drop-downs: current models of the main API providers."""
    return [
        ref
        for ref, (provider, model) in sorted(_index().items())
        if provider.id in LISTED_PROVIDERS and not model.deprecated
    ]


def resolve(model_ref: str) -> str | None:
    """The canonical provider/model id for what a client typed, or None when unknown."""
    ref = model_ref.strip().lower()
    if ref in _index():
        return ref
    provider_id, _, name = ref.partition("/")
    if not name:
        return None
    for provider in _snapshot().providers:
        if provider.id == provider_id:
            model = provider.find_model(name)
            return f"{provider.id}/{model.id}" if model is not None else None
    return None


def model_name(model_ref: str) -> str:
    """The provider's own name for a model, and the provider: 'Claude Haiku 4.5 (Anthropic)'.

    The id itself for a model the snapshot does not know.
    """
    found = _index().get(model_ref.strip().lower())
    if found is None:
        return model_ref
    provider, model = found
    name = re.sub(r"^gpt\b", "GPT", model.name or model.id)
    return f"{name} ({provider.name})"


def _batch_variant(model: Any) -> Any | None:
    return next((v for v in model.price_variants or () if v.when == _BATCH_CONTEXT), None)


def offers_batch(model_ref: str) -> bool:
    _, model = _index()[model_ref]
    return _batch_variant(model) is not None


def lookup(model_ref: str, mode: ApiMode, on: date) -> ApiPrice | None:
    """The catalogue price of a canonical model id in a mode on a date; None if not offered.

    cached_input_per_mtok is None where the provider publishes no cache-read price for that
    mode (economics §2 then prices cached input as input).
    """
    provider, model = _index()[model_ref]
    if mode == "batch":
        variant = _batch_variant(model)
        if variant is None:
            return None
        # The batch rates alone: genai-prices would fill a missing batch cache-read rate with
        # the realtime one, and its batch entries carry the day they were checked as a start
        # date, which would silently drop the batch discount from a back-dated report.
        prices = variant.prices
    else:
        prices = model.get_prices(datetime.combine(on, time(12), tzinfo=UTC))
    input_price = _usd(prices.input_mtok)
    output_price = _usd(prices.output_mtok)
    if input_price is None or output_price is None:
        return None
    return ApiPrice(
        model=model_ref,
        mode=mode,
        input_per_mtok=input_price,
        cached_input_per_mtok=_usd(prices.cache_read_mtok),
        output_per_mtok=output_price,
        source=f"genai-prices {genai_prices_version()} ({provider.name} price list)",
        as_of=_snapshot_date(),
    )


def _snapshot_date() -> date:
    return SNAPSHOT_AS_OF
