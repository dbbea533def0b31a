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
