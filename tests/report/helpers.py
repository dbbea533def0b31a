"""Helpers for the report tests: the rendered example, the HTML as a tree, its marked figures."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from functools import cached_property
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from crossover.engine.results import Results
from crossover.formatting import FORMATS, Display

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "inputs" / "examples").glob("*.json"))
HOSTILE_NAME = "<script>alert(1)</script> {{ 7*7 }}"


@dataclass(frozen=True)
class Rendered:
    """One example's report, as render_report wrote it."""

    name: str
    results: Results
    display: Display
    paths: list[Path]
    html: str
    pdf: bytes
    weasyprint_warnings: list[str]
    """What WeasyPrint logged while laying out the PDF: unknown CSS, missing resources."""

    @cached_property
    def dom(self) -> ET.Element:
        return parse_html(self.html)

    @property
    def html_path(self) -> Path:
        return next(p for p in self.paths if p.suffix == ".html")

    @property
    def pdf_path(self) -> Path:
        return next(p for p in self.paths if p.suffix == ".pdf")


def with_client_name(results: Results, client_name: str) -> Results:
    client = results.scenario.client.model_copy(update={"client_name": client_name})
    scenario = results.scenario.model_copy(update={"client": client})
    return results.model_copy(update={"scenario": scenario})


VOID_ELEMENTS = frozenset(
    {
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
        "track",
        "wbr",
    }
)


class _TreeBuilder(HTMLParser):
    """HTML into an ElementTree, refusing a stray or missing end tag (our HTML closes everything)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = ET.Element("document")
        self._stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = ET.SubElement(self._stack[-1], tag, {k: v or "" for k, v in attrs})
        if tag not in VOID_ELEMENTS:
            self._stack.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        ET.SubElement(self._stack[-1], tag, {k: v or "" for k, v in attrs})

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID_ELEMENTS:
            return
        if self._stack[-1].tag != tag:
            raise AssertionError(f"</{tag}> closes <{self._stack[-1].tag}>")
        self._stack.pop()

    def handle_data(self, data: str) -> None:
        parent = self._stack[-1]
        if len(parent):
            parent[-1].tail = (parent[-1].tail or "") + data
        else:
            parent.text = (parent.text or "") + data

    def close(self) -> None:
        super().close()
        if len(self._stack) != 1:
            raise AssertionError(f"<{self._stack[-1].tag}> never closed")


def parse_html(html: str) -> ET.Element:
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


def text_of(element: ET.Element) -> str:
    """The element's text, whitespace collapsed as a browser shows it."""
    return " ".join("".join(element.itertext()).split())


@dataclass(frozen=True)
class Figure:
    path: str
    format: str
    text: str


def figures_in(root: ET.Element) -> list[Figure]:
    """Every figure shown: an element marked data-figure, with its data-format and its text."""
    return [
        Figure(el.attrib["data-figure"], el.attrib["data-format"], "".join(el.itertext()))
        for el in root.iter()
        if "data-figure" in el.attrib
    ]


def resolve(results: Results, path: str) -> Any:
    """'tiers.0.api_month_usd' → results.tiers[0].api_month_usd."""
    value: Any = results
    for part in path.split("."):
        if isinstance(value, list):
            value = value[int(part)]
        elif isinstance(value, dict):
            value = value[part]
        else:
            value = getattr(value, part)
    return value


def formatted(results: Results, display: Display, path: str, format_: str) -> str:
    """The engine's figure at path, as the filters format it."""
    return FORMATS[format_](resolve(results, path), display)


SECTIONS = [
    ("summary", "Executive summary"),
    ("workload", "Workload and routing"),
    ("api-cost", "API cost today"),
    ("sizing", "Self-hosted sizing"),
    ("crossover", "Where self-hosting crosses over"),
    ("utilisation", "Utilisation: the number that decides"),
    ("payback", "Payback and horizon"),
    ("options", "Options compared"),
    ("beyond-cost", "What is not about cost"),
    ("assumptions", "Assumptions and sources"),
]


def plan_path(results: Results, key: str | None = None) -> str:
    """'plans.2.': the Results path of a plan (the headline plan's by default)."""
    key = results.headline.plan if key is None else key
    return f"plans.{[p.key for p in results.plans].index(key)}."


def key_figures(results: Results) -> dict[str, str]:
    """The figures the executive summary must show, by Results path, with their format: the
    headline plan's, beside API only's cost."""
    plan = results.headline_plan
    at = plan_path(results)
    wanted = {
        plan_path(results, results.api_only.key) + "monthly_cost_usd": "money",
        at + "monthly_cost_usd": "money",
        at + "monthly_savings_usd": "money",
        at + "payback_weeks": "weeks",
    }
    if plan.self_hosts:
        wanted[at + "setup_cost_usd"] = "money"
        wanted[at + "crossover.today_mtok_per_day"] = "mtok"
    if plan.crossover.status == "crossover":
        wanted[at + "crossover.crossover_mtok_per_day"] = "mtok"
    if plan.compliance_premium_month_usd is not None:
        wanted[at + "compliance_premium_month_usd"] = "money"
    if plan.monte_carlo is not None:
        wanted[at + "monte_carlo.probability_plan_cheaper"] = "percent"
        wanted[at + "monte_carlo.monthly_savings_usd_p10"] = "money"
        wanted[at + "monte_carlo.monthly_savings_usd_p90"] = "money"
    return wanted
