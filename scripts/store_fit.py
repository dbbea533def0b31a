"""Fit the rate model on the shipped measurements and store the fit beside them.

    python scripts/store_fit.py

Run after changing the measurements, the models, GPUs or engines they use, or the rate
model itself: tests/engine/test_stored_fit.py fails until the stored fit equals a fresh one.
"""

from __future__ import annotations

from dataclasses import replace
from importlib.resources import files
from pathlib import Path

from crossover.catalogue import STORED_FIT, shipped_catalogue
from crossover.engine.rates import fit, stored


def main() -> None:
    catalogue = replace(shipped_catalogue(), stored_fit=None)
    text = stored(fit(catalogue), catalogue).model_dump_json(indent=1) + "\n"
    path = Path(str(files("crossover.catalogue.data").joinpath(STORED_FIT)))
    path.write_text(text, encoding="utf-8")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
