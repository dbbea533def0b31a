"""The held-out error band (economics §3a, error): worked by hand, and the shipped fit's bands."""

from __future__ import annotations

import pytest

from crossover.catalogue import Catalogue, Measurement, shipped_catalogue
from crossover.engine.rates import Band, MeasuredRun, calibrate, source_of

from .conftest import SRC


def _run(ratio: float) -> MeasuredRun:
    m = Measurement(
        id="x", model="m", model_as_published="m", precision="fp8", kv_precision="fp8",
        gpu="mi300x", gpus=1, tensor_parallel=1, engine="vllm", engine_version="0",
        input_tokens=100, output_tokens=100, output_tps=1000.0, **SRC,
    )  # fmt: skip
    return MeasuredRun(m, 1000.0, 1000.0 * ratio, "amd", "throughput")


def test_the_band_is_the_error_80_percent_of_held_out_runs_stay_within() -> None:
    # Held-out factors 1.1, 1/1.2, 1.5, 1/2, 3: the fourth smallest |ln| of five is ln 2.
    runs = [_run(r) for r in (1.1, 1 / 1.2, 1.5, 0.5, 3.0)]
    band = Band.of(runs, "vllm", "amd", "throughput")
    assert band is not None
    assert band.factor == pytest.approx(2.0)
    assert band.contained == pytest.approx(0.8)
    assert band.median_factor == pytest.approx(1.5)
    assert band.basis == "vllm on amd, throughput-bound"


def test_too_few_held_out_runs_make_no_band() -> None:
    assert Band.of([_run(1.1), _run(1.2)], "vllm", "amd", None) is None


def test_a_source_is_its_publication_before_the_first_comma() -> None:
    run = _run(1.0).measurement
    assert source_of(run.model_copy(update={"source": "AMD results page, row 3"})) == (
        "AMD results page"
    )


@pytest.fixture(scope="module")
def shipped() -> Catalogue:
    return shipped_catalogue()


def test_every_shipped_band_contains_at_least_80_percent_of_its_held_out_runs(
    shipped: Catalogue,
) -> None:
    calibration = calibrate(shipped)
    assert calibration.bands
    for band in calibration.bands.values():
        assert band.contained >= 0.8
    # An engine, vendor and regime with too few runs of its own falls back to a wider group.
    band = calibration.band("sglang", "amd", "latency")
    assert band.rows >= 3
