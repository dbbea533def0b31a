"""The rate model's fit stored with the catalogue: equal to a fresh fit, used only on its own data."""

from __future__ import annotations

from dataclasses import asdict, replace

import pytest

from crossover.catalogue import Catalogue, shipped_catalogue
from crossover.engine.rates import Calibration, calibrate, fit, fit_digest


@pytest.fixture(scope="module")
def fresh() -> tuple[Catalogue, Calibration]:
    catalogue = replace(shipped_catalogue(), stored_fit=None)
    return catalogue, fit(catalogue)


def test_the_stored_fit_is_the_fit_of_the_shipped_data(
    fresh: tuple[Catalogue, Calibration],
) -> None:
    """Fails after a change to the measurements or the rate model: run scripts/store_fit.py."""
    catalogue, calibration = fresh
    stored = shipped_catalogue().stored_fit
    assert stored is not None
    assert stored.digest == fit_digest(catalogue)
    # A fresh fit on another machine's scipy may differ in the last digits, not more.
    assert stored.common == pytest.approx(asdict(calibration.common), rel=1e-6)
    engines = calibration.engines
    assert set(stored.engines) == set(engines)
    for engine, efficiency in engines.items():
        assert stored.engines[engine] == pytest.approx(asdict(efficiency), rel=1e-6)
    runs = calibration.runs
    assert stored.modelled_tps == pytest.approx([r.modelled_tps for r in runs], rel=1e-6)
    assert stored.left_out_tps == pytest.approx([r.left_out_tps for r in runs], rel=1e-6)


def test_calibrate_uses_the_stored_fit_on_the_shipped_data() -> None:
    catalogue = shipped_catalogue()
    stored = catalogue.stored_fit
    assert stored is not None
    calibration = calibrate(catalogue)
    assert asdict(calibration.common) == stored.common
    assert [r.left_out_tps for r in calibration.runs] == stored.left_out_tps
    # The errors are summarised from the stored runs as from fresh ones.
    assert calibration.overall.measurements == len(catalogue.measurements)


def test_other_data_is_fitted_afresh() -> None:
    shipped = shipped_catalogue()
    first = shipped.measurements[0]
    changed = replace(
        shipped,
        measurements=(
            first.model_copy(update={"output_tps": first.output_tps * 0.9}),
            *shipped.measurements[1:],
        ),
    )
    assert fit_digest(changed) != fit_digest(shipped)
    calibration = calibrate(changed)
    assert calibration.runs[0].measurement.output_tps == first.output_tps * 0.9
    assert shipped.stored_fit is not None
    assert asdict(calibration.common) != shipped.stored_fit.common
