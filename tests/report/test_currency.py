"""One currency throughout: a EUR and a GBP report show no US dollar sign outside places marked USD."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from crossover.catalogue import Catalogue
from crossover.delivery.outputs import render_report
from crossover.delivery.results_workbook import write_results_workbook
from crossover.engine import analyse
from crossover.inputs import load_scenario
from crossover.report import default_brand
from crossover.scenario import Uncertainty

from .conftest import UNCERTAINTY
from .helpers import EXAMPLES

_TAG = re.compile(r"<[^>]+>")


@pytest.mark.parametrize(("currency", "rate", "symbol"), [("EUR", 0.92, "€"), ("GBP", 0.79, "£")])
def test_a_foreign_currency_report_has_no_dollar_sign(
    catalogue: Catalogue, tmp_path: Path, currency: str, rate: float, symbol: str
) -> None:
    # document-intelligence self-hosts on catalogue prices and has a bill to calibrate
    # against: every kind of amount the engine produces appears, the simulation included.
    scenario = load_scenario(EXAMPLES[0], catalogue)
    client = scenario.client.model_copy(update={"currency": currency, "usd_fx_rate": rate})
    scenario = scenario.model_copy(
        update={"client": client, "uncertainty": Uncertainty.model_validate(UNCERTAINTY)}
    )
    results = analyse(scenario, catalogue)
    paths = render_report(results, tmp_path, {"pdf", "html"}, default_brand())
    pdf = next(p for p in paths if p.suffix == ".pdf")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.read_bytes())).pages)
    assert symbol in text
    assert "$" not in text, _around(text, "$")
    html = next(p for p in paths if p.suffix == ".html").read_text(encoding="utf-8")
    visible = _TAG.sub(" ", re.sub(r"<(style|script)\b.*?</\1>", " ", html, flags=re.S))
    assert "$" not in visible, _around(visible, "$")

    # The workbook: sentences in the client's currency; the only dollars are in columns and
    # rows headed USD, whose number format shows them.
    book = tmp_path / "results.xlsx"
    write_results_workbook(results, book)
    for sheet in load_workbook(book):
        for row in sheet.iter_rows(values_only=True):
            for value in row:
                if isinstance(value, str):
                    assert "$" not in value, (sheet.title, value)
    summary = load_workbook(book)["Summary"]
    assert summary["D1"].value == "In US dollars"
    savings = next(
        r for r in range(2, summary.max_row + 1) if summary.cell(r, 1).value == "Monthly savings"
    )
    assert symbol in summary.cell(savings, 2).number_format
    assert summary.cell(savings, 3).value == f"{currency} per month"
    assert summary.cell(savings, 4).number_format == '"$"#,##0.00'


def _around(text: str, needle: str) -> str:
    at = text.find(needle)
    return text[max(0, at - 80) : at + 80]
