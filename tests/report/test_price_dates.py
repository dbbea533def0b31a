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


def test_a_report_on_the_check_day_names_its_price_data_and_flags_only_old_prices(
    catalogue: Catalogue, brand: Brand
) -> None:
    text = _assumptions(catalogue, brand, date(2026, 12, 1))
    scenario = load_scenario(EXAMPLES[0], catalogue)
    client = scenario.client.model_copy(update={"report_date": date(2026, 12, 1)})
    stale = analyse(scenario.model_copy(update={"client": client}), catalogue).stale_prices
    # The plans rent AWS machines on a 1-year plan whose assumed discount comes from sources that
    # give no date, and a g6e.xlarge whose price a code table gave undated: each flagged whatever
    # the day it was read; nothing dated within 90 days is.
    assert sorted((s.subject, s.seen.isoformat(), s.age_days, s.undated) for s in stale) == [
        ("aws/g6e.xlarge", "2026-11-27", 4, True),
        ("reserved_1y", "2026-11-27", 4, True),
    ]
    assert "Prices not seen recently" in text
    assert "undated at its source, read there on November 27, 2026. It may have changed" in text
    assert "API price overlay 2026-12-01" in text
    assert "genai-prices 0.2.3" in text
    assert '"Seen" is the day each price was read at its source' in text
