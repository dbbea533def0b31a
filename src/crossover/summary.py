"""The key figures of a result as short labelled lines, for the terminal, batch summaries and email."""

from __future__ import annotations

from crossover import formatting
from crossover.engine.results import Plan, Results
from crossover.formatting import Display, display_for

VERDICTS = {
    "api_only": "Stay on the API",
    "proposed": "Adopt the proposed split",
    "all_self_hosted": "Self-host every tier",
}


PLAN_NAMES = {
    "api_only": "API only",
    "proposed": "Your proposal",
    "best": "Best plan",
    "all_self_hosted": "Best all self-hosted",
    "alternative": "Alternative",
}


def plan_name(results: Results, plan: Plan) -> str:
    """'Best plan', or 'Best found' where the search could not try every routing."""
    if plan.name == "best" and not plan.exhaustive:
        return "Best found"
    return PLAN_NAMES[plan.name]


def plan_routes(plan: Plan) -> str:
    """Where each tier goes and on what: 'chat → llama8b-l40s (runpod/1x_l40s_secure, on demand)'."""
    parts = []
    for tier, route in plan.routes.items():
        if route == "api":
            parts.append(f"{tier} → API")
        else:
            placed = plan.instances[route]
            plan_words = placed.price_plan.replace("_", " ")
            parts.append(f"{tier} → {route} ({placed.instance}, {plan_words})")
    return "; ".join(parts)


def display(results: Results) -> Display:
    return display_for(results.display_currency, results.usd_fx_rate)


def money(results: Results, usd: float | None) -> str:
    """USD shown in the client's display currency, as the report shows it: '$12,345', '€11,358'."""
    return "—" if usd is None else formatting.money(usd, display(results))


def price(results: Results, usd_per_mtok: float | None) -> str:
    """A price per million tokens in the display currency: '$0.4464/Mtok'."""
    return (
        "—" if usd_per_mtok is None else formatting.price_per_mtok(usd_per_mtok, display(results))
    )


def verdict(results: Results) -> str:
    """The recommendation in a few words."""
    text = VERDICTS[results.recommendation.scenario]
    return (
        f"{text} (required by compliance)"
        if results.recommendation.required_by_compliance
        else text
    )


def payback_text(results: Results, weeks: float | None = None, *, own: bool = False) -> str:
    """Payback in weeks; the proposal's unless own (another plan's figure is given)."""
    weeks = weeks if own else results.payback_weeks
    if weeks is None:
        return "never (no monthly saving)"
    return f"{weeks:.1f} weeks"


def crossover_text(results: Results) -> str:
    c = results.crossover
    if c.status == "no_self_hosting":
        return "not applicable (nothing is self-hosted)"
    if c.status == "never" or c.crossover_mtok_per_day is None:
        rise = c.api_price_rise_needed_pct
        extra = f"; API prices would have to rise {rise:.0f}%" if rise else ""
        return f"never at these prices{extra}"
    return (
        f"{c.crossover_mtok_per_day:,.0f} Mtok/day "
        f"({c.volume_factor:.2f} × today's {c.today_mtok_per_day:,.0f})"
    )


def key_figures(results: Results) -> list[tuple[str, str]]:
    """The executive summary's figures, labelled."""
    s = results.scenarios
    return [
        ("Client", results.scenario.client.client_name),
        ("Recommendation", verdict(results)),
        ("API only, per month", money(results, s.api_only.monthly_cost_usd)),
        ("Proposed, per month", money(results, s.proposed.monthly_cost_usd)),
        ("Monthly savings", money(results, results.monthly_savings_usd)),
        ("Setup cost", money(results, results.setup_cost_usd)),
        ("Payback", payback_text(results)),
        ("Crossover volume", crossover_text(results)),
    ]
