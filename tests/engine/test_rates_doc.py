"""docs/rates.md shows the calibration the shipped catalogue gives, not an older one."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from crossover.catalogue import Catalogue
from crossover.engine.rates import calibrate

ROOT = Path(__file__).parents[2]


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("rates_doc", ROOT / "scripts" / "rates_doc.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_the_calibration_table_in_the_docs_is_current(catalogue: Catalogue) -> None:
    script = _script()
    text = (ROOT / "docs" / "rates.md").read_text(encoding="utf-8")
    shown = text.split(script.BEGIN)[1].split(script.END)[0].strip()
    assert shown == script.calibration_markdown(calibrate(catalogue)), (
        "run python scripts/rates_doc.py"
    )


def test_the_table_lists_every_measurement_with_its_source(catalogue: Catalogue) -> None:
    text = (ROOT / "docs" / "rates.md").read_text(encoding="utf-8")
    for m in catalogue.measurements:
        assert m.as_of.isoformat() in text
    assert text.count("| ") > len(catalogue.measurements)


def test_versions_group_by_release_and_sort_as_numbers() -> None:
    script = _script()
    assert script.release("0.6.3.dev116+g151ef4ef") == "0.6.3"
    assert script.release("0.6.4.dev4+gc9fc1608") == "0.6.4"
    assert script.release("NIM 1.8.0") == "NIM 1.8.0"
    versions = ["0.10.2", "0.6.4", "0.6.3.post2", "0.11.1", "0.6.3"]
    items = [(("vllm", "amd", v), None) for v in versions]
    ordered = [key[2] for key, _ in sorted(items, key=script._version_order)]
    assert ordered == ["0.6.3", "0.6.3.post2", "0.6.4", "0.10.2", "0.11.1"]
