"""The report dates every price it used, names the overlays, and lists the stale prices."""

from __future__ import annotations

from datetime import date

from crossover.catalogue import Catalogue
from crossover.engine import analyse
from crossover.inputs import load_scenario
from crossover.report.brand import Brand
from crossover.report.render import render_html

from .helpers import EXAMPLES, parse_html, text_of


def _assumptions(catalogue: Catalogue, brand: Brand, report_date: date) -> str:
    scenario = load_scenario(EXAMPLES[0], catalogue)
    client = scenario.client.model_copy(update={"report_date": report_date})
    results = analyse(scenario.model_copy(update={"client": client}), catalogue)
    section = parse_html(render_html(results, brand)).find(".//section[@id='assumptions']")
    assert section is not None
    return text_of(section)


def test_a_report_a_year_on_lists_its_prices_as_not_seen_recently(
    catalogue: Catalogue, brand: Brand
) -> None:
    text = _assumptions(catalogue, brand, date(2027, 12, 1))
    assert "Prices not seen recently" in text
    assert "(more than 90)" in text
    assert "stale" in text


def test_a_report_on_the_check_day_names_its_price_data_and_flags_only_the_old_quote(
    catalogue: Catalogue, brand: Brand
) -> None:
    text = _assumptions(catalogue, brand, date(2026, 12, 1))
    # Every price was read on or just before the check day but one: Lambda's reserved
    # discount rests on a third-party quote of 2026-04-01, 244 days before.
    assert "Prices not seen recently 1-year reserved discount, Lambda: last seen" in text
    assert text.count("last seen at its source on") == 1
    assert "API price overlay 2026-12-01" in text
    assert "genai-prices 0.2.3" in text
    assert '"Seen" is the day each price was read at its source' in text
