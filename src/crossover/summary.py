"""The key figures of a result as short labelled lines, for the terminal, batch summaries and email."""

from __future__ import annotations

from crossover import formatting
from crossover.engine.results import Plan, Results
from crossover.formatting import Display, display_for
from crossover.tier_words import named_routes
from crossover.wording import provider_name

VERDICTS = {
    "stay_on_api": "Stay on the API",
    "adopt_proposal": "Adopt the proposed split",
    "self_host_all": "Self-host every tier",
    "adopt_plan": "Adopt the best plan",
}
"""The headline's verdict in words: one wording each, the same in every output."""


PLAN_NAMES = {
    "api_only": "API only",
    "proposed": "Your proposal",
    "best": "Best plan",
    "all_self_hosted": "Best all self-hosted",
    "alternative": "Alternative",
}


def plan_name(results: Results, plan: Plan) -> str:
    """'Best plan', 'Best plan (your proposal)', 'Alternative 2'; 'Best found' where the search
    could not try every routing."""
    if plan.name == "alternative":
        return f"Alternative {plan.key.rsplit('_', 1)[-1]}"
    name = "Best found" if plan.name == "best" and not plan.proven else PLAN_NAMES[plan.name]
    if plan.also:
        name += f" ({', '.join(PLAN_NAMES[r].lower() for r in plan.also)})"
    return name


def plan_routes(plan: Plan, results: Results) -> str:
    """Where each tier goes and on what: 'chat → llama8b-l40s (RunPod, 1 GPU a machine, on
    demand)'; a tier split by difficulty as its parts where they go apart."""
    parts = []
    for tier, route in named_routes(plan, results, display(results)):
        if route == "api":
            parts.append(f"{tier} → API")
        else:
            placed = plan.instances[route]
            plan_words = placed.price_plan.replace("_", " ")
            machine = (
                f"{placed.gpus_per_instance} GPU{'s' if placed.gpus_per_instance != 1 else ''}"
            )
            parts.append(
                f"{tier} → {route} ({provider_name(placed.instance)}, {machine} a machine, "
                f"{plan_words})"
            )
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
    """The headline plan's verdict in a few words."""
    text = VERDICTS[results.headline.verdict]
    if results.headline.verdict == "adopt_plan" and not results.headline_plan.proven:
        text += " found"
    return f"{text} (required by compliance)" if results.headline.required_by_compliance else text


def payback_text(weeks: float | None) -> str:
    """A plan's payback in weeks, or never."""
    if weeks is None:
        return "never (no monthly saving)"
    return f"{weeks:.1f} weeks"


def crossover_text(results: Results) -> str:
    """The headline plan's crossover volume."""
    c = results.headline_plan.crossover
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
    """The headline plan's figures, labelled (terminal, batch summary, email)."""
    plan = results.headline_plan
    figures = [
        ("Client", results.scenario.client.client_name),
        ("Recommendation", verdict(results)),
        ("API only, per month", money(results, results.api_only.monthly_cost_usd)),
        (f"{plan_name(results, plan)}, per month", money(results, plan.monthly_cost_usd)),
        ("Monthly savings", money(results, plan.monthly_savings_usd)),
        ("Setup cost", money(results, plan.setup_cost_usd)),
        ("Payback", payback_text(plan.payback_weeks)),
        ("Crossover volume", crossover_text(results)),
    ]
    for c in plan.commitments:
        years = c.term_months // 12
        figures.append(
            (
                "Reserved",
                f"{money(results, c.total_usd)} over {years} year{'s' if years != 1 else ''} "
                f"({money(results, c.usd_per_year)} a year, {c.instances} "
                f"machine{'s' if c.instances != 1 else ''})",
            )
        )
    if "proposed" not in plan.roles():
        proposal = results.proposal
        figures += [
            ("Your proposal, per month", money(results, proposal.monthly_cost_usd)),
            ("Your proposal saves", f"{money(results, proposal.monthly_savings_usd)} a month"),
        ]
    return figures
