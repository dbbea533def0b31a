"""The one-page brief for the consultant's 30-minute call: verdict, five figures, defaults used, questions."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from jinja2 import ChoiceLoader, Environment, PackageLoader, StrictUndefined

from crossover.engine.results import Results
from crossover.formatting import Display, bound_filters
from crossover.report.brand import Brand
from crossover.report.fetcher import read_asset
from crossover.report.render import TEMPLATES, plan_context, render_pdf_pages, report_display
from crossover.wording import CallWords, short

CAPS: tuple[tuple[int, int], ...] = ((12, 7), (9, 6), (7, 5), (5, 4), (3, 3), (1, 1))
"""How many assumptions and questions the page lists, tried in turn until it fits on one page;
the rest are counted ("and 3 more") and are in the report."""


@dataclass(frozen=True)
class Figure:
    """One of the five figures: its label, the value with its format and Results path, a note."""

    label: str
    value: float | None
    format: str
    path: str
    note: str = ""
    note_figure: tuple[float, str, str] | None = None
    """A figure that ends the note (value, format, Results path): the setup cost of a payback."""
    note_last: tuple[float, str, str] | None = None
    """A second figure after it, joined by 'and': the top of a range."""


def figures(results: Results) -> list[Figure]:
    """The four money figures a call needs, of the headline plan (the crossover is the fifth).

    What the API costs today; what the plan costs a month; the difference; how soon the setup
    pays back.
    """
    paths = plan_context(results)
    plan = results.headline_plan
    at = paths["plan_path"]
    api = Figure(
        "On the API today",
        results.api_only.monthly_cost_usd,
        "money",
        paths["api_path"] + "monthly_cost_usd",
        "a month, these volumes at list prices",
    )
    if not plan.self_hosts:
        proposal = results.proposal
        return [
            api,
            Figure(
                "Your proposal",
                proposal.monthly_cost_usd,
                "money",
                paths["proposal_path"] + "monthly_cost_usd",
                "a month, GPUs, overhead and staff included"
                if proposal.self_hosts
                else "a month: every tier stays on its API",
            ),
            Figure(
                "Monthly savings",
                plan.monthly_savings_usd,
                "money",
                at + "monthly_savings_usd",
                "staying on the API: nothing to save",
            ),
            Figure("Payback", None, "weeks", at + "payback_weeks", "nothing to set up"),
        ]
    premium = results.headline.required_by_compliance and plan.monthly_savings_usd < 0
    return [
        api,
        Figure(
            "Your proposal" if "proposed" in plan.roles() else "The recommended plan",
            plan.monthly_cost_usd,
            "money",
            at + "monthly_cost_usd",
            "a month, GPUs, overhead and staff included",
        ),
        Figure(
            "Compliance premium" if premium else "Monthly savings",
            plan.monthly_savings_usd,
            "money",
            at + "monthly_savings_usd",
            "against the API, today's volume"
            if plan.monte_carlo is None
            else "against the API today; four futures in five between",
            None
            if plan.monte_carlo is None
            else (
                plan.monte_carlo.monthly_savings_usd_p10,
                "money",
                at + "monte_carlo.monthly_savings_usd_p10",
            ),
            None
            if plan.monte_carlo is None
            else (
                plan.monte_carlo.monthly_savings_usd_p90,
                "money",
                at + "monte_carlo.monthly_savings_usd_p90",
            ),
        ),
        Figure(
            "Payback",
            plan.payback_weeks,
            "weeks",
            at + "payback_weeks",
            "of a setup costing",
            (plan.setup_cost_usd, "money", at + "setup_cost_usd"),
        ),
    ]


def environment(display: Display) -> Environment:
    """Jinja2 for the brief: its own templates, the report's macros and verdict beside them."""
    env = Environment(
        loader=ChoiceLoader(
            [PackageLoader(TEMPLATES, "brief"), PackageLoader(TEMPLATES, "report")]
        ),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    filters = bound_filters(display)
    env.filters.update(filters)
    env.filters["short"] = short
    env.filters["formatted"] = lambda value, name: filters[name](value)
    return env


def brief_html(results: Results, brand: Brand, caps: tuple[int, int] = CAPS[0]) -> str:
    """The brief as one standalone HTML page, listing at most caps (assumptions, questions)."""
    display = report_display(results, brand)
    words = CallWords(results, display)
    logo, media_type = read_asset(brand.folder, brand.logo)

    context: dict[str, Any] = {
        **plan_context(results),
        "client": results.scenario.client,
        "brand": brand,
        "display": display,
        "words": words,
        "figures": figures(results),
        "assumptions": words.assumptions(),
        "questions": words.questions(),
        "caps": caps,
        "logo_uri": f"data:{media_type};base64,{base64.b64encode(logo).decode('ascii')}",
    }
    return environment(display).get_template("brief.html").render(**context)


def brief_pdf(results: Results, brand: Brand) -> bytes:
    """The brief as a one-page tagged A4 PDF: the lists are shortened until the page holds them."""
    for caps in CAPS:
        pdf, pages = render_pdf_pages(brief_html(results, brand, caps), brand)
        if pages == 1:
            return pdf
    raise AssertionError("the brief does not fit on one page even with one line per list")


BRIEF = "-brief.pdf"
"""What follows the stem in the brief's name: the report's stem, so the two sort together."""
