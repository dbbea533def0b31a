"""docs/workbook.md shows the input contract the schema holds today, field by field."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from crossover.workbook import layout

ROOT = Path(__file__).parents[1]


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "contract_doc", ROOT / "scripts" / "contract_doc.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _shown() -> str:
    script = _script()
    text = (ROOT / "docs" / "workbook.md").read_text(encoding="utf-8")
    return str(text.split(script.BEGIN)[1].split(script.END)[0].strip())


def test_the_field_tables_in_the_docs_are_current() -> None:
    assert _shown() == _script().field_tables(), "run python scripts/contract_doc.py --write"


def test_every_field_of_the_schema_has_a_row_with_its_label_and_unit() -> None:
    chunks = {c.split("\n", 1)[0]: c for c in _shown().split("### ")[1:]}
    assert list(chunks) == [spec.key for spec in layout.sections()]
    for spec in layout.sections():
        lines = chunks[spec.key].splitlines()
        for field in spec.fields:
            row = next(line for line in lines if line.startswith(f"| `{field.name}`"))
            assert f"| {field.label} |" in row
            assert field.unit in row


def test_a_row_reads_as_the_schema_says() -> None:
    """Spot checks against the schema's own text, typed here by hand."""
    rows = {line.split(" | ")[0]: line for line in _shown().splitlines() if line.startswith("| `")}
    assert rows["| `target_peak_utilisation_pct`"] == (
        "| `target_peak_utilisation_pct` | Peak utilisation target | percent, % | 80 | "
        "between 10 and 100 | Highest utilisation a replica may reach at peak, percent (u_max). |"
    )
    assert "| required | `bf16`, `fp16`, `fp8`, `int8`, `int4`, `fp4` |" in rows["| `precision`"]
    assert (
        "comma-separated, each one of `on_demand`, `reserved_1y`, `reserved_3y`, `spot`; at most 4"
        in (rows["| `price_plans`"])
    )
    assert "| the tier's own volume |" in rows["| `share_pct`"]
