"""Write inputs/template.xlsx and, beside each example JSON, the same scenario as a workbook.

Run `PYTHONPATH=src python scripts/make_workbooks.py` (or `make examples`) after changing the
schema, the catalogue or an example: tests check that the committed workbooks still match.
"""

from __future__ import annotations

import sys
from pathlib import Path

from crossover.scenario import load_json_scenario
from crossover.workbook import write_filled, write_template

ROOT = Path(__file__).resolve().parent.parent
INPUTS = ROOT / "inputs"


def main() -> int:
    write_template(INPUTS / "template.xlsx")
    print(f"wrote {(INPUTS / 'template.xlsx').relative_to(ROOT)}")
    for source in sorted((INPUTS / "examples").glob("*.json")):
        target = source.with_suffix(".xlsx")
        write_filled(load_json_scenario(source), target)
        print(f"wrote {target.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
