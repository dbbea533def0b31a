"""report --compare OLD: the page of what changed since an earlier version, in the PDF and HTML,
and the comparison in the results JSON as `crossover diff --json` writes it."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from crossover.cli import main
from crossover.delivery.email import load_results

from .helpers import HOSTILE_NAME, parse_html, text_of

EXAMPLE = Path(__file__).resolve().parents[2] / "inputs" / "examples" / "document-intelligence.json"
PAGE_TITLE = "What changed since the last version"


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(args)
        raise SystemExit(0)
    out, err = capsys.readouterr()
    code = exit_info.value.code
    return (code if isinstance(code, int) else 0), out, err


def _versions(tmp_path: Path, change: Any) -> tuple[Path, Path]:
    """The example in euros as v1, and v1 with one change as v2."""
    old = json.loads(EXAMPLE.read_text())
    old["client"] |= {"currency": "EUR", "usd_fx_rate": 0.92}
    new = json.loads(json.dumps(old))
    change(new)
    v1, v2 = tmp_path / "v1.json", tmp_path / "v2.json"
    v1.write_text(json.dumps(old))
    v2.write_text(json.dumps(new))
    return v1, v2


def _doubled_with_more_staff(data: dict[str, Any]) -> None:
    data["workload"]["input_mtok_per_day"] *= 2
    data["workload"]["output_mtok_per_day"] *= 2
    data["operations"]["ops_fte"] = 0.5


def _pdf_text(pdf: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout


def _money(text: str) -> float:
    """'−€3,450' -> -3450."""
    return float(text.replace("−", "-").replace("€", "").replace(",", "").replace("+", ""))


def test_the_last_page_shows_what_changed_in_euros(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    v1, v2 = _versions(tmp_path, _doubled_with_more_staff)
    out_dir = tmp_path / "out"
    code, _, err = _run(["report", str(v2), "--compare", str(v1), "-o", str(out_dir)], capsys)
    assert (code, err) == (0, "")
    pdf = next(out_dir.glob("*.pdf"))
    pages = _pdf_text(pdf).split("\f")
    page = pages[-2]  # the last page (pdftotext ends each page with a form feed)
    assert PAGE_TITLE in page
    lines = [" ".join(line.split()) for line in page.splitlines() if line.strip()]
    # The inputs in the workbook's words, in the scenario's order; volumes per day.
    assert "Input tokens per day 720 Mtok/day 1,440 Mtok/day" in lines
    assert "Output tokens per day 80 Mtok/day 160 Mtok/day" in lines
    assert "Operations staff 0.25 FTE 0.5 FTE" in lines
    # API only: extraction 684 × $1 + 76 × $5 = $1,064 and reasoning 36 × $3 + 4 × $15 = $168
    # a day, × 365/12 days = $37,473.33 a month, × 0.92 = €34,475.47; doubled: €68,950.93.
    assert "API only, per month €34,475 €68,951 +€34,475" in lines
    # Setup is three engineers for three weeks at $3,000 (× 0.92 = €8,280) in both versions.
    assert "One-off setup cost €8,280 €8,280 €0" in lines
    # The waterfall: a quarter FTE more at $180,000 a year is $3,750 a month, € 3,450.
    steps = {
        label: line.removeprefix(label + " ")
        for line in lines
        for label in ("Input tokens per day", "Output tokens per day", "Operations staff")
        if line.startswith(label + " ") and "/day" not in line and "FTE" not in line
    }
    assert steps["Operations staff"] == "−€3,450"
    total_line = next(line for line in lines if line.startswith("Change in monthly savings "))
    total = _money(total_line.split()[-1])
    savings_line = next(line for line in lines if line.startswith("Monthly savings"))
    assert savings_line.split()[-1] == total_line.split()[-1]
    # Each step is rounded to the euro on its own: they add up to the total within a euro each.
    assert abs(sum(_money(v) for v in steps.values()) - total) <= len(steps)
    # The results JSON carries `crossover diff --json`'s own document; email still reads it.
    results = json.loads(next(out_dir.glob("*-results.json")).read_text())
    code, diff_out, _ = _run(["diff", str(v1), str(v2), "--json", "-"], capsys)
    assert code == 0
    assert results["comparison"] == json.loads(diff_out)
    assert load_results(pdf).scenario.operations.ops_fte == 0.5
    # The HTML has the same page, and the cover's contents list it.
    html = parse_html(next(out_dir.glob("*.html")).read_text(encoding="utf-8"))
    section = html.find(".//section[@id='changes']")
    assert section is not None and PAGE_TITLE in text_of(section)
    assert html.find(".//nav[@class='toc']//a[@href='#changes']") is not None


def test_client_text_in_the_changes_is_escaped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def rename(data: dict[str, Any]) -> None:
        data["client"]["industry"] = HOSTILE_NAME
        renamed = data["tiers"][0]["tier"]
        data["tiers"][0]["tier"] = "<b>bold</b>"
        for row in data.get("evaluations", []):
            # The client's own test results follow their tier's new name.
            if row["tier"] == renamed:
                row["tier"] = "<b>bold</b>"

    v1, v2 = _versions(tmp_path, rename)
    out_dir = tmp_path / "out"
    code, _, err = _run(
        ["report", str(v2), "--compare", str(v1), "-o", str(out_dir), "--format", "html"], capsys
    )
    assert (code, err) == (0, "")
    html = next(out_dir.glob("*.html")).read_text(encoding="utf-8")
    section = parse_html(html).find(".//section[@id='changes']")
    assert section is not None
    assert section.find(".//script") is None and section.find(".//b") is None
    rows = [
        tuple(text_of(cell) for cell in tr)
        for tr in section.iterfind(".//table[@class='data changes-inputs']/tbody/tr")
    ]
    assert rows == [
        ("Industry", "Document intelligence platform", HOSTILE_NAME),
        ("Tier “extraction”", "included", "—"),  # renamed: the old tier removed …
        ("Tier “<b>bold</b>”", "—", "included"),  # … and the new one added
        # … and the client's own evaluation rows that follow it, matched by position.
        *((f"Your evaluation “row {n}”: tier", "extraction", "<b>bold</b>") for n in (1, 2, 3)),
    ]
    assert "{{ 7*7 }}" in html and not re.search(r"\b49\b", text_of(section))


def test_a_bad_earlier_version_is_a_clear_error_and_nothing_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = tmp_path / "v1.json"
    old.write_text('{"client": {"client_name": "Acme"}, "workload": {}}')
    out_dir = tmp_path / "out"
    code, out, err = _run(
        ["report", str(EXAMPLE), "--compare", str(old), "-o", str(out_dir)], capsys
    )
    assert code == 65
    assert err.startswith(f"Error: {old}: ")
    assert "Traceback" not in err and out == ""
    assert not out_dir.exists() or not any(out_dir.iterdir())


def test_a_workbook_compared_with_the_same_scenario_as_json_has_no_changes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    workbook = EXAMPLE.with_suffix(".xlsx")
    out_dir = tmp_path / "out"
    args = ["report", str(EXAMPLE), "--compare", str(workbook), "-o", str(out_dir)]
    code, _, err = _run([*args, "--format", "html"], capsys)
    assert (code, err) == (0, "")
    html = parse_html(next(out_dir.glob("*.html")).read_text(encoding="utf-8"))
    section = html.find(".//section[@id='changes']")
    assert section is not None
    assert "The two versions hold the same inputs" in text_of(section)
    assert section.find(".//table[@class='changes-steps']") is None
    changes = [
        text_of(tr.findall("td")[-1])
        for tr in section.iterfind(".//table[@class='data changes-figures']/tbody/tr")
    ]
    assert changes == ["$0", "$0", "0.0 weeks", "0 Mtok/day", "$0", "$0"]


def test_new_notes_are_named_not_quoted_and_move_no_figure(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def noted(data: dict[str, Any]) -> None:
        data["client"]["notes"] = "We met the team.\n\n- Extraction first.\n- Reasoning later."
        data["workload"]["input_mtok_per_day"] *= 2

    v1, v2 = _versions(tmp_path, noted)
    out_dir = tmp_path / "out"
    code, _, err = _run(
        ["report", str(v2), "--compare", str(v1), "-o", str(out_dir), "--format", "html"], capsys
    )
    assert (code, err) == (0, "")
    section = parse_html(next(out_dir.glob("*.html")).read_text(encoding="utf-8")).find(
        ".//section[@id='changes']"
    )
    assert section is not None
    inputs = [
        tuple(text_of(cell) for cell in tr)
        for tr in section.iterfind(".//table[@class='data changes-inputs']/tbody/tr")
    ]
    # 4 + 2 + 2 words (a bullet's dash is no word): the notes are on page 2, here only that
    # they changed.
    assert ("Our view", "—", "8 words") in inputs
    assert "Extraction first" not in text_of(section)
    steps = [text_of(tr[0]) for tr in section.iterfind(".//tbody/tr") if tr[0].text]
    assert not any(step.startswith("Our view") for step in steps[len(inputs) :])
