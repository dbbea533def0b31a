"""The report's "What changed since the last version" page in client words, from `crossover diff`.

Every input is named as the workbook labels it, each value and figure written in the display
currency; the numbers themselves come from crossover.diff, none is computed here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from crossover import formatting
from crossover.diff import FieldChange, FigureChange, ScenarioDiff, field_path
from crossover.engine.results import Results
from crossover.formatting import Display, display_for
from crossover.scenario import Scenario
from crossover.summary import VERDICTS
from crossover.wording import Words, plan_name
from crossover.workbook.layout import WORDS


@dataclass(frozen=True)
class Comparison:
    """The earlier version a report is compared with, and what changed since."""

    old: Scenario
    diff: ScenarioDiff


@dataclass(frozen=True)
class InputRow:
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class FigureRow:
    label: str
    old: str
    new: str
    change: str


@dataclass(frozen=True)
class StepRow:
    label: str
    delta: str


@dataclass(frozen=True)
class ChangesPage:
    """What the page shows, every figure already written."""

    old_date: str
    verdict_old: str
    verdict_new: str
    plan_changed: bool
    """The recommended plan routes the tiers otherwise than in the earlier version."""
    inputs: list[InputRow]
    figures: list[FigureRow]
    steps: list[StepRow]
    total: str
    """The change in monthly savings: what the steps add up to."""


FIGURE_LABELS = {
    "monthly_savings_usd": "Monthly savings of the recommended plan",
    "setup_cost_usd": "One-off setup cost",
    "payback_weeks": "Payback",
    "crossover_mtok_per_day": "Crossover volume",
    "monthly_cost_usd": "Recommended plan, per month",
    "api_only.monthly_cost_usd": "API only, per month",
}

_ROUTES = {"api": "stays on its API", "self_host": "self-hosted"}
_SECTIONS = {
    "tiers": "Tier",
    "deployments": "Self-hosted option",
    "price_overrides": "Price",
    "evaluations": "Your evaluation",
}


NOTES = "client.notes"


def changes_page(comparison: Comparison, results: Results, display: Display) -> ChangesPage:
    """The page for the new version's results, in their display currency."""
    diff = comparison.diff
    words = _Names(comparison.old, results, display)
    savings = next(f for f in diff.figures if f.figure == "monthly_savings_usd")
    assert savings.change is not None, "monthly savings exist in every version"
    return ChangesPage(
        old_date=formatting.long_date(comparison.old.client.report_date, display),
        verdict_old=VERDICTS[diff.verdict_old],
        verdict_new=VERDICTS[diff.verdict_new],
        plan_changed=diff.headline_changed,
        inputs=[words.input_row(change) for change in diff.changes],
        figures=[_figure_row(figure, display) for figure in diff.figures],
        steps=[
            StepRow(
                " + ".join(words.label(field) for field in step.fields),
                formatting.signed_money(step.monthly_savings_usd_delta, display),
            )
            for step in diff.attribution
            if step.fields != [NOTES]  # moves no figure: the consultant's words, not an input
        ],
        total=formatting.signed_money(savings.change, display),
    )


def _figure_row(figure: FigureChange, display: Display) -> FigureRow:
    def shown(value: float | None) -> str:
        if figure.figure == "payback_weeks":
            return formatting.weeks(value, display)
        if value is None:
            return formatting.NEVER
        if figure.figure == "crossover_mtok_per_day":
            return f"{formatting.mtok(value, display)}/day"
        return formatting.money(value, display)

    change = figure.change
    if change is None:
        moved = "—"
    elif figure.figure == "payback_weeks":
        moved = formatting.signed_weeks(change, display)
    elif figure.figure == "crossover_mtok_per_day":
        moved = formatting.signed_number(change, display) + " Mtok/day"
    else:
        moved = formatting.signed_money(change, display)
    return FigureRow(FIGURE_LABELS[figure.figure], shown(figure.old), shown(figure.new), moved)


class _Names:
    """Inputs and their values as the client reads them: labels, names for ids, money shown."""

    def __init__(self, old: Scenario, results: Results, display: Display) -> None:
        self.display = display
        # The bill is typed in its version's own currency: the old one may differ.
        same = old.client.currency == display.currency
        self.old_bill = display_for(
            old.client.currency, old.client.usd_fx_rate, display.locale if same else None
        )
        self.overrides = [old.price_overrides, results.scenario.price_overrides]
        self.words = Words(results, display)
        deployments = [d for p in results.plans for d in p.deployments]
        deployments += results.unused_deployments
        self.models = {d.model: d.model_name for d in deployments}
        self.gpus = {d.gpu: d.gpu_name for d in deployments}

    def label(self, field: str) -> str:
        """'tiers[chat].share_pct' -> 'Tier “chat”: share of volume'."""
        steps = field_path(field)
        section, item = steps[0]
        names = [name for name, _ in steps[1:]]
        head = ""
        if item:
            kind = _SECTIONS.get(section, section.replace("_", " ").capitalize())
            head = f"{kind} “{self._item_name(section, item)}”"
        elif not names:
            return section.replace("_", " ").capitalize()
        if not names:
            return head
        label = _field_label(section, names)
        return f"{head}: {label[0].lower()}{label[1:]}" if head else label

    def _item_name(self, section: str, item: str) -> str:
        if section == "deployments":
            return self.words.deployment(item)
        if section == "price_overrides":
            # Overrides have no name of their own: diff matches them by position.
            for overrides in reversed(self.overrides):
                if int(item) < len(overrides):
                    o = overrides[int(item)]
                    return f"{self.words.api_model(o.api_model)}, {o.api_mode}"
        if section == "evaluations":
            # The client's evaluation rows have no name either: matched by position too.
            return f"row {int(item) + 1}"
        return item

    def input_row(self, change: FieldChange) -> InputRow:
        steps = field_path(change.field)
        section = steps[0][0]
        name = steps[-1][0] if len(steps) > 1 else ""
        if len(steps) > 2 and section == "uncertainty":
            name = steps[1][0]
        return InputRow(
            self.label(change.field),
            self._value(section, name, change.old, self.old_bill),
            self._value(section, name, change.new, self.display),
        )

    def _value(self, section: str, name: str, value: Any, bill_display: Display) -> str:
        if value is None:
            return "—"
        if isinstance(value, dict):
            return "included"
        if isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(value, list):
            return ", ".join(self._value(section, name, v, bill_display) for v in value) or "—"
        show = _VALUE_FORMATS.get((section, name)) or _BY_NAME.get(name)
        if show is not None:
            return show(self, value, bill_display)
        if isinstance(value, float | int):
            return formatting.number(value, self.display)
        return str(value)


def _words(text: str, display: Display) -> str:
    """'8 words' (a bullet's dash is not a word), or a dash for no notes."""
    count = sum(any(c.isalnum() for c in word) for word in text.split())
    return f"{formatting.integer(count, display)} words" if count else "—"


def _field_label(section: str, names: list[str]) -> str:
    words = WORDS.get((section, names[0]))
    label = words.label if words else names[0].replace("_", " ").capitalize()
    if len(names) > 1:
        label += f" ({' '.join(names[1:])})"
    return label


_Format = Callable[[_Names, Any, Display], str]


def _money(names: _Names, value: Any, _bill: Display) -> str:
    return formatting.money(value, names.display)


def _bill(_names: _Names, value: Any, bill: Display) -> str:
    return formatting.local_money(value, bill)


def _deployment(names: _Names, value: Any, _bill: Display) -> str:
    return names.words.deployment(value)


_VALUE_FORMATS: dict[tuple[str, str], _Format] = {
    ("client", "current_monthly_api_bill"): _bill,
    ("client", "report_date"): lambda n, v, _b: formatting.long_date(
        date.fromisoformat(v), n.display
    ),
    ("client", "usd_fx_rate"): lambda n, v, _b: formatting.number(v, n.display),
    # The consultant's own words are on page 2; here only that they changed, and how long.
    ("client", "notes"): lambda n, v, _b: _words(str(v), n.display),
    ("operations", "engineer_week_cost"): _money,
    ("operations", "fte_annual_cost"): _money,
    ("operations", "setup_weeks"): lambda n, v, _b: f"{formatting.number(v, n.display)} weeks",
    ("operations", "horizon_months"): lambda n, v, _b: f"{formatting.integer(v, n.display)} months",
    ("operations", "ops_fte"): lambda n, v, _b: f"{formatting.number(v, n.display)} FTE",
    ("operations", "price_plans"): lambda _n, v, _b: plan_name(v),
    ("deployments", "gpu_hour_price"): lambda n, v, _b: formatting.money_cents(v, n.display),
    ("deployments", "price_plan"): lambda _n, v, _b: plan_name(v),
    ("deployments", "model"): lambda n, v, _b: n.models.get(v) or str(v),
    ("deployments", "gpu"): lambda n, v, _b: n.gpus.get(v) or str(v),
    ("tiers", "api_model"): lambda n, v, _b: n.words.api_model(v),
    ("tiers", "route"): lambda _n, v, _b: _ROUTES.get(v) or str(v),
    ("tiers", "deployment"): _deployment,
    ("tiers", "candidates"): _deployment,
    ("price_overrides", "api_model"): lambda n, v, _b: n.words.api_model(v),
}
"""How a value is written, by (section, field); the rest go by their name's unit below."""

_BY_NAME: dict[str, _Format] = {
    "input_mtok_per_day": lambda n, v, _b: f"{formatting.mtok(v, n.display)}/day",
    "output_mtok_per_day": lambda n, v, _b: f"{formatting.mtok(v, n.display)}/day",
    "input_tokens_per_request": lambda n, v, _b: f"{formatting.integer(v, n.display)} tokens",
    "output_tokens_per_request": lambda n, v, _b: f"{formatting.integer(v, n.display)} tokens",
    "tpot_ms": lambda n, v, _b: formatting.milliseconds(v, n.display),
    "input_per_mtok": lambda n, v, _b: formatting.price_per_mtok(v, n.display),
    "cached_input_per_mtok": lambda n, v, _b: formatting.price_per_mtok(v, n.display),
    "output_per_mtok": lambda n, v, _b: formatting.price_per_mtok(v, n.display),
}
_BY_NAME |= dict.fromkeys(
    (
        "share_pct",
        "monthly_growth_pct",
        "cache_hit_pct",
        "target_peak_utilisation_pct",
        "infra_overhead_pct",
        "api_price_change_pct",
        "sensitivity_pct",
    ),
    lambda n, v, _b: formatting.percent_points(v, n.display),
)
