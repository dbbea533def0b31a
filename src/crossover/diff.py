"""Two versions of a scenario compared: the inputs that changed, how the key figures moved, and why.

The attribution is a waterfall: starting from the old scenario, the changed inputs are put in
one at a time in the order they are listed (the scenario's sections in ATTRIBUTION_ORDER, the
fields in each in the scenario's order), the analysis run after each, and each step is
credited with the change in the headline plan's monthly savings it makes. A change that leaves the scenario
invalid on its own (tier shares that no longer add up) is taken together with the next one.
The steps telescope, so they add up to the whole change.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from crossover.catalogue import Catalogue
from crossover.engine import analyse
from crossover.engine.results import Results, VerdictCode
from crossover.scenario import Scenario, ScenarioError

ATTRIBUTION_ORDER = (
    "client",
    "workload",
    "tiers",
    "deployments",
    "operations",
    "compliance",
    "price_overrides",
    "evaluations",
    "uncertainty",
)
"""The order the waterfall puts the new scenario's sections in: the scenario's own order."""

_ITEM_KEYS = {"tiers": "tier", "deployments": "deployment"}
"""List sections whose items have a name of their own; others are matched by position."""


class _Diff(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


class FieldChange(_Diff):
    """One input that differs between the versions."""

    field: str
    """Its path: 'workload.input_mtok_per_day', 'tiers[extraction].share_pct'; a whole list
    item ('deployments[llama-h100]') when it was added or removed."""
    old: Any
    """None: added in the new version."""
    new: Any
    """None: removed in the new version."""


class FigureChange(_Diff):
    """One key figure in both versions (money in USD, as the engine computes it)."""

    figure: str
    """The figure, of the headline plan unless named otherwise: 'monthly_savings_usd',
    'payback_weeks', 'monthly_cost_usd', 'api_only.monthly_cost_usd', …"""
    old: float | None
    new: float | None

    @property
    def change(self) -> float | None:
        """new − old; None when either version has no such figure (payback: never)."""
        return None if self.old is None or self.new is None else self.new - self.old


class AttributionStep(_Diff):
    """One step of the waterfall: a section of the new scenario put in."""

    field: str
    """The input changed ('workload.peak_to_average'); inputs that are only valid together
    ('tiers[a].share_pct + tiers[b].share_pct') are one step, joined by ' + '."""
    fields: list[str]
    """Every changed input this step puts in, in the order of `changes`."""
    monthly_savings_usd_delta: float
    """How much the headline plan's monthly savings moved with this step (new − before); the
    headline plan may itself change along the way."""


class ScenarioDiff(_Diff):
    """What changed between two versions of a client's scenario and what it did to the figures."""

    changes: list[FieldChange]
    figures: list[FigureChange]
    attribution: list[AttributionStep]
    """In ATTRIBUTION_ORDER; the deltas add up to the change in monthly_savings_usd."""
    verdict_old: VerdictCode
    verdict_new: VerdictCode
    routes_old: dict[str, str]
    """The old headline plan: tier → "api" or its deployment."""
    routes_new: dict[str, str]

    @property
    def headline_changed(self) -> bool:
        """The recommended plan routes the tiers otherwise (not only its figures moved)."""
        return self.routes_old != self.routes_new or self.verdict_old != self.verdict_new


KEY_FIGURES = (
    "monthly_savings_usd",
    "setup_cost_usd",
    "payback_weeks",
    "crossover_mtok_per_day",
    "monthly_cost_usd",
    "api_only.monthly_cost_usd",
)
"""The headline plan's figures compared (and API only's), in this order."""


def diff_scenarios(old: Scenario, new: Scenario, catalogue: Catalogue) -> ScenarioDiff:
    """The inputs that changed, the key figures before and after, and the waterfall."""
    changes = field_changes(old, new)
    old_results, new_results = analyse(old, catalogue), analyse(new, catalogue)
    return ScenarioDiff(
        changes=changes,
        figures=key_figures(old_results, new_results),
        attribution=_waterfall(old, new, old_results, new_results, changes, catalogue),
        verdict_old=old_results.headline.verdict,
        verdict_new=new_results.headline.verdict,
        routes_old=old_results.headline_plan.routes,
        routes_new=new_results.headline_plan.routes,
    )


def field_changes(old: Scenario, new: Scenario) -> list[FieldChange]:
    """Every input that differs, section by section in the scenario's order."""
    found: list[FieldChange] = []
    old_data, new_data = old.model_dump(mode="json"), new.model_dump(mode="json")
    for section in ATTRIBUTION_ORDER:
        found += _compare(section, old_data[section], new_data[section])
    return found


def key_figures(old: Results, new: Results) -> list[FigureChange]:
    """The headline plan's key figures in both versions, each version's own headline."""
    return [
        FigureChange(figure=name, old=headline_figure(old, name), new=headline_figure(new, name))
        for name in KEY_FIGURES
    ]


def headline_figure(results: Results, name: str) -> float | None:
    """One of KEY_FIGURES: the headline plan's, or API only's where the name says so."""
    plan = results.headline_plan
    return {
        "monthly_savings_usd": plan.monthly_savings_usd,
        "setup_cost_usd": plan.setup_cost_usd,
        "payback_weeks": plan.payback_weeks,
        "crossover_mtok_per_day": plan.crossover.crossover_mtok_per_day,
        "monthly_cost_usd": plan.monthly_cost_usd,
        "api_only.monthly_cost_usd": results.api_only.monthly_cost_usd,
    }[name]


def _compare(path: str, old: Any, new: Any) -> list[FieldChange]:
    if old == new:
        return []
    if isinstance(old, dict) and isinstance(new, dict):
        found: list[FieldChange] = []
        for key in list(old) + [k for k in new if k not in old]:
            found += _compare(f"{path}.{key}", old.get(key), new.get(key))
        return found
    if isinstance(old, list) and isinstance(new, list):
        return _compare_items(path, old, new)
    return [FieldChange(field=path, old=old, new=new)]


def _compare_items(path: str, old: list[Any], new: list[Any]) -> list[FieldChange]:
    key = _ITEM_KEYS.get(path)
    if key is None or not all(isinstance(i, dict) for i in old + new):
        old_items = {str(i): item for i, item in enumerate(old)}
        new_items = {str(i): item for i, item in enumerate(new)}
    else:
        old_items = {str(item[key]): item for item in old}
        new_items = {str(item[key]): item for item in new}
    found: list[FieldChange] = []
    for name in list(old_items) + [n for n in new_items if n not in old_items]:
        before, after = old_items.get(name), new_items.get(name)
        where = f"{path}[{name}]"
        if before is None or after is None:
            found.append(FieldChange(field=where, old=before, new=after))
        else:
            found += _compare(where, before, after)
    return found


def _waterfall(
    old: Scenario,
    new: Scenario,
    old_results: Results,
    new_results: Results,
    changes: list[FieldChange],
    catalogue: Catalogue,
) -> list[AttributionStep]:
    steps: list[AttributionStep] = []
    current = old.model_dump(mode="json")
    before = old_results.headline_plan.monthly_savings_usd
    pending: list[str] = []
    for i, change in enumerate(changes):
        _apply(current, change)
        pending.append(change.field)
        if i == len(changes) - 1:
            savings = new_results.headline_plan.monthly_savings_usd
        else:
            try:
                step = analyse(Scenario.model_validate(current), catalogue)
                savings = step.headline_plan.monthly_savings_usd
            except (ValidationError, ScenarioError):
                # Not a valid scenario on its own (tier shares that no longer add up to 100,
                # a tier routed to a deployment a later change adds): taken with the next.
                continue
        steps.append(
            AttributionStep(
                field=" + ".join(pending),
                fields=pending,
                monthly_savings_usd_delta=savings - before,
            )
        )
        before = savings
        pending = []
    return steps


_STEP = re.compile(r"([^.\[]+)(?:\[([^\]]+)\])?")


def field_path(field: str) -> list[tuple[str, str]]:
    """A change's field as (name, item) steps: 'tiers[chat].share_pct' ->
    [('tiers', 'chat'), ('share_pct', '')]."""
    return [(name, item) for name, item in _STEP.findall(field)]


def _apply(data: dict[str, Any], change: FieldChange) -> None:
    """Put one change's new value into a scenario's dumped data, in place."""
    parts = field_path(change.field)
    node: Any = data
    for n, (name, item) in enumerate(parts):
        last = n == len(parts) - 1
        if not item:
            if last:
                if change.new is None:
                    node.pop(name, None)
                else:
                    node[name] = change.new
                return
            node = node[name]
            continue
        items: list[Any] = node[name]
        key = _ITEM_KEYS.get(name)
        index = next(
            (
                i
                for i, entry in enumerate(items)
                if (str(entry.get(key)) if key else str(i)) == item
            ),
            None,
        )
        if last:
            if change.new is None and index is not None:
                items.pop(index)
            elif index is None:
                items.append(change.new)
            else:
                items[index] = change.new
            return
        assert index is not None, f"{change.field}: no such item"
        node = items[index]
