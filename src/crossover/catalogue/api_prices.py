"""API prices per million tokens: crossover's dated overlay over genai-prices' bundled snapshot."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from functools import cache
from importlib.metadata import version
from typing import Any

from crossover.catalogue.models import ApiRetirement
from crossover.scenario import ApiMode

# genai-prices selects a provider's batch prices with this request context.
_BATCH_CONTEXT = {"processing": "batch"}

# The snapshot carries no date of its own: pyproject pins the release, and its newest price
# entries date from about this day (checked when the pin was last bumped). Bump both together.
PINNED_VERSION = "0.2.3"
SNAPSHOT_SEEN = date(2026, 11, 4)

# Providers offered in the workbook's drop-down: the ones a client's bill comes from.
# Every other genai-prices provider is still accepted when typed in.
LISTED_PROVIDERS = ("anthropic", "openai", "google", "mistral", "groq", "deepseek", "x-ai")


@dataclass(frozen=True)
class ApiPrice:
    """USD per million tokens for one model in one mode, with where and when it was seen."""

    model: str
    mode: ApiMode
    input_per_mtok: float
    cached_input_per_mtok: float | None
    output_per_mtok: float
    source: str
    """The publisher and page, in words a client reads."""
    seen: date
    """The day the price was seen at that source (its own date where it gives one)."""
    provenance: str = ""
    """How the figure reached the catalogue (dataset, release): for maintainers."""


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


def _resolve_in_snapshot(ref: str) -> str | None:
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


def _snapshot_price(model_ref: str, mode: ApiMode, on: date) -> ApiPrice | None:
    """The snapshot's price of a canonical model id in a mode on a date; None if not offered.

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
        source=f"{provider.name} published price list, as collected in the genai-prices dataset",
        seen=SNAPSHOT_SEEN,
        provenance=f"genai-prices {genai_prices_version()} bundled snapshot",
    )


@dataclass(frozen=True)
class ApiPriceBook:
    """Every API price the engine may use: dated rows that win over an optional snapshot.

    The shipped book lays crossover's overlay (data/api_price_overlay.yaml) over genai-prices;
    a test builds one from made-up rows alone (use_snapshot=False).
    """

    rows: tuple[ApiPrice, ...] = ()
    use_snapshot: bool = True
    overlay_name: str | None = None
    """Named in every report: the overlay release the rows come from."""
    not_chat: tuple[str, ...] = ()
    """Text marking a model id as not a chat or completion model: never offered."""
    retired: frozenset[str] = frozenset()
    """Models withdrawn by their provider: accepted when typed, with a warning."""
    retirements: tuple[ApiRetirement, ...] = ()
    """Dated retirements (announced or past) with the provider's named successor."""

    def is_retired(self, model_ref: str) -> bool:
        """Withdrawn by its provider, or with a retirement announced: never offered, and a
        warning when a workbook names it."""
        if model_ref in self.retired or self.retirement(model_ref) is not None:
            return True
        entry = _index().get(model_ref) if self.use_snapshot else None
        return entry is not None and bool(entry[1].deprecated)

    def retirement(self, model_ref: str) -> ApiRetirement | None:
        """The provider's dated retirement of a model, if one is recorded."""
        return next((r for r in self.retirements if r.model == model_ref), None)

    def _row(self, model_ref: str, mode: ApiMode) -> ApiPrice | None:
        return next((r for r in self.rows if r.model == model_ref and r.mode == mode), None)

    def versions(self) -> dict[str, str]:
        found = {}
        if self.use_snapshot:
            found["genai-prices"] = genai_prices_version()
        if self.overlay_name is not None:
            found["API price overlay"] = self.overlay_name
        return found

    def resolve(self, model_ref: str) -> str | None:
        """The canonical provider/model id for what a client typed, or None when unknown."""
        ref = model_ref.strip().lower()
        if any(r.model == ref for r in self.rows):
            return ref
        return _resolve_in_snapshot(ref) if self.use_snapshot else None

    def known_models(self) -> list[str]:
        known = {r.model for r in self.rows}
        if self.use_snapshot:
            known.update(_index())
        return sorted(known)

    def listed_models(self) -> list[str]:
        """The ids offered in drop-downs: current, priceable chat models of the main providers."""
        if not self.use_snapshot:
            return self.known_models()
        listed = {
            ref
            for ref, (provider, _) in _index().items()
            if provider.id in LISTED_PROVIDERS
            and not self.is_retired(ref)
            and not any(marker in ref.partition("/")[2] for marker in self.not_chat)
            and self.price(ref, "realtime", SNAPSHOT_SEEN) is not None
        }
        return sorted(listed | {r.model for r in self.rows if not self.is_retired(r.model)})

    def price(self, model_ref: str, mode: ApiMode, on: date) -> ApiPrice | None:
        """The price of a canonical model id in a mode; the overlay's row wins."""
        row = self._row(model_ref, mode)
        if row is not None:
            return row
        if self.use_snapshot and model_ref in _index():
            return _snapshot_price(model_ref, mode, on)
        return None
