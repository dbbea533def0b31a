"""The tornado: every bar is the engine re-run by hand with one driver moved (economics §4, §6)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from crossover.catalogue import Catalogue
from crossover.engine import Results, analyse
from crossover.engine.results import SensitivityDriver
from crossover.formatting import display_for
from crossover.scenario import Scenario
from crossover.wording import Words

USD = display_for("USD", 1.0)
EUR = display_for("EUR", 0.92)

Edit = Callable[[dict[str, Any], Results, float], None]


def _raw(**changes: Any) -> dict[str, Any]:
    """Two tiers on two deployments: one on catalogue rates and prices, one on the client's."""
    raw: dict[str, Any] = {
        "client": {"client_name": "Tornado", "report_date": "2026-11-27"},
        "workload": {
            "input_mtok_per_day": 2000,
            "output_mtok_per_day": 300,
            "peak_to_average": 1.8,
            "monthly_growth_pct": 2,
            "cache_hit_pct": 20,
        },
        "tiers": [
            {
                "tier": "bulk",
                "share_pct": 70,
                "api_model": "anthropic/claude-haiku-4-5",
                "route": "self_host",
                "deployment": "llama-h100",
            },
            {
                "tier": "nightly",
                "share_pct": 20,
                "api_model": "anthropic/claude-haiku-4-5",
                "api_mode": "batch",
                "route": "self_host",
                "deployment": "qwen-a100",
            },
            {"tier": "hard", "share_pct": 10, "api_model": "anthropic/claude-sonnet-4-5"},
        ],
        "deployments": [
            # Catalogue rates (8,000 / 800) and the catalogue's reserved price for aws/p5.
            {
                "deployment": "llama-h100",
                "model": "llama-3.3-70b",
                "precision": "fp8",
                "gpu": "h100-sxm",
            },
            {
                "deployment": "qwen-a100",
                "model": "qwen2.5-14b",
                "precision": "bf16",
                "gpu": "a100-80gb",
                "gpu_hour_price": 1.3,
                "tps_per_gpu": 2600,
            },
        ],
        "operations": {"setup_weeks": 6, "setup_engineers": 2, "ops_fte": 0.5},
    }
    for section, fields in changes.items():
        raw[section] = {**raw.get(section, {}), **fields}
    return raw


def _volume(raw: dict[str, Any], _: Results, f: float) -> None:
    raw["workload"]["input_mtok_per_day"] *= f
    raw["workload"]["output_mtok_per_day"] *= f


def _peak(raw: dict[str, Any], _: Results, f: float) -> None:
    raw["workload"]["peak_to_average"] = max(1.0, raw["workload"]["peak_to_average"] * f)


def _throughput(raw: dict[str, Any], base: Results, f: float) -> None:
    for deployment, result in zip(raw["deployments"], base.proposal.deployments, strict=True):
        rates = result.rates
        if rates.tps_per_gpu is not None:
            deployment["tps_per_gpu"] = rates.tps_per_gpu * f
        else:
            assert rates.prefill_tps_per_gpu is not None and rates.decode_tps_per_gpu is not None
            deployment["prefill_tps_per_gpu"] = rates.prefill_tps_per_gpu * f
            deployment["decode_tps_per_gpu"] = rates.decode_tps_per_gpu * f


def _gpu_price(raw: dict[str, Any], base: Results, f: float) -> None:
    for deployment, result in zip(raw["deployments"], base.proposal.deployments, strict=True):
        deployment["gpu_hour_price"] = result.gpu_hour_price_usd * f


def _api_prices(raw: dict[str, Any], base: Results, f: float) -> None:
    raw["price_overrides"] = [
        {
            "api_model": tier.api_model,
            "api_mode": tier.api_mode,
            "input_per_mtok": tier.prices.input_per_mtok * f,
            "cached_input_per_mtok": tier.prices.cached_input_per_mtok * f,
            "output_per_mtok": tier.prices.output_per_mtok * f,
        }
        for tier in base.tiers
    ]


def _setup(raw: dict[str, Any], base: Results, f: float) -> None:
    raw["operations"]["engineer_week_cost"] = base.scenario.operations.engineer_week_cost * f


def _ops(raw: dict[str, Any], _: Results, f: float) -> None:
    raw["operations"]["ops_fte"] *= f


BY_HAND: dict[SensitivityDriver, Edit] = {
    "daily_volume": _volume,
    "peak_to_average": _peak,
    "throughput": _throughput,
    "gpu_hour_price": _gpu_price,
    "api_prices": _api_prices,
    "setup_cost": _setup,
    "ops_fte": _ops,
}


def _rerun(
    raw: dict[str, Any], base: Results, edit: Edit, f: float, catalogue: Catalogue
) -> Results:
    import copy

    changed = copy.deepcopy(raw)
    edit(changed, base, f)
    # The bars hold each replica as sized for today's figures: a rerun with the size left
    # blank would choose it again for the moved load.
    for deployment, result in zip(changed["deployments"], base.proposal.deployments, strict=True):
        deployment["gpus_per_replica"] = result.gpus_per_replica
    return analyse(Scenario.model_validate(changed), catalogue)


@pytest.mark.parametrize("pct", [25.0, 10.0, 40.0])
def test_every_bar_is_the_engine_rerun_by_hand_at_its_bounds(
    pct: float, fixture_catalogue: Catalogue
) -> None:
    raw = _raw(uncertainty={"sensitivity_pct": pct})
    base = analyse(Scenario.model_validate(raw), fixture_catalogue)
    bars = {bar.driver: bar for bar in base.proposal.sensitivity}
    assert set(bars) == set(BY_HAND)
    for driver, edit in BY_HAND.items():
        low = _rerun(raw, base, edit, 1 - pct / 100, fixture_catalogue)
        high = _rerun(raw, base, edit, 1 + pct / 100, fixture_catalogue)
        bar = bars[driver]
        assert bar.monthly_savings_usd_low == low.proposal.monthly_savings_usd, driver
        assert bar.monthly_savings_usd_high == high.proposal.monthly_savings_usd, driver
        assert bar.payback_weeks_low == low.proposal.payback_weeks, driver
        assert bar.payback_weeks_high == high.proposal.payback_weeks, driver
        assert bar.swing == abs(
            high.proposal.monthly_savings_usd - low.proposal.monthly_savings_usd
        )


def test_bars_come_largest_swing_first_and_each_driver_moves_savings_its_own_way(
    fixture_catalogue: Catalogue,
) -> None:
    results = analyse(Scenario.model_validate(_raw()), fixture_catalogue)
    swings = [bar.swing for bar in results.proposal.sensitivity]
    assert swings == sorted(swings, reverse=True)
    bars = {bar.driver: bar for bar in results.proposal.sensitivity}
    # Dearer APIs and dearer people or GPUs move savings the way a CFO expects.
    assert bars["api_prices"].monthly_savings_usd_high > bars["api_prices"].monthly_savings_usd_low
    assert (
        bars["gpu_hour_price"].monthly_savings_usd_high
        < bars["gpu_hour_price"].monthly_savings_usd_low
    )
    assert bars["ops_fte"].monthly_savings_usd_high < bars["ops_fte"].monthly_savings_usd_low
    # The setup cost changes payback only, never the monthly savings.
    setup = bars["setup_cost"]
    assert setup.swing == 0
    assert setup.monthly_savings_usd_low == results.proposal.monthly_savings_usd
    assert results.proposal.payback_weeks is not None
    assert setup.payback_weeks_low == pytest.approx(
        0.75 * results.proposal.payback_weeks, rel=1e-12
    )
    assert setup.payback_weeks_high == pytest.approx(
        1.25 * results.proposal.payback_weeks, rel=1e-12
    )


def test_the_bounds_are_numbers_in_their_units_and_words_at_the_edge(
    fixture_catalogue: Catalogue,
) -> None:
    results = analyse(Scenario.model_validate(_raw()), fixture_catalogue)
    bars = {bar.driver: bar for bar in results.proposal.sensitivity}
    # The engine: the driver's value at each end in its unit (2,300 Mtok/day, ratio 1.8,
    # setup 6 weeks × 2 engineers × $3,000 = $36,000, 0.5 FTE), money in USD.
    ends = {d: (b.unit, b.low_value, b.high_value) for d, b in bars.items()}
    assert ends["daily_volume"] == ("mtok_per_day", 2300 * 0.75, 2300 * 1.25)
    assert ends["peak_to_average"] == ("ratio", 1.8 * 0.75, 1.8 * 1.25)
    assert ends["setup_cost"] == ("usd", 36_000 * 0.75, 36_000 * 1.25)
    assert ends["ops_fte"] == ("fte", 0.5 * 0.75, 0.5 * 1.25)
    assert ends["throughput"] == ("none", None, None)
    # The edge writes them, money in the display currency.
    for display, setup in ((USD, ("$27,000", "$45,000")), (EUR, ("€24,840", "€41,400"))):
        words = Words(results, display)
        shown = {
            d: (words.driver(b), words.sensitivity_end(b, "low"), words.sensitivity_end(b, "high"))
            for d, b in bars.items()
        }
        assert shown["daily_volume"] == (
            "Daily volume",
            "1,725 Mtok/day (−25%)",
            "2,875 Mtok/day (+25%)",
        )
        assert shown["peak_to_average"] == ("Peak ÷ average demand", "1.35 (−25%)", "2.25 (+25%)")
        assert shown["setup_cost"] == (
            "Engineering setup cost",
            f"{setup[0]} (−25%)",
            f"{setup[1]} (+25%)",
        )
        assert shown["ops_fte"] == ("Ops staff", "0.38 FTE (−25%)", "0.63 FTE (+25%)")
        assert shown["throughput"] == (
            "Serving throughput",
            "−25% on every rate",
            "+25% on every rate",
        )
        # Two deployments at two prices: the move, not one price.
        assert shown["gpu_hour_price"][1:] == ("−25% on every price", "+25% on every price")
        assert shown["api_prices"][1:] == ("−25% on every price", "+25% on every price")


def test_one_gpu_price_is_named_and_the_peak_ratio_stops_at_flat_traffic(
    fixture_catalogue: Catalogue,
) -> None:
    raw = _raw(workload={"peak_to_average": 1.0})
    raw["deployments"] = raw["deployments"][:1]
    raw["tiers"][1] = {**raw["tiers"][1], "route": "api", "deployment": None}
    results = analyse(Scenario.model_validate(raw), fixture_catalogue)
    bars = {bar.driver: bar for bar in results.proposal.sensitivity}
    price = results.proposal.deployments[0].gpu_hour_price_usd
    assert bars["gpu_hour_price"].low_value == price * 0.75
    words = Words(results, USD)
    assert words.sensitivity_end(bars["gpu_hour_price"], "low") == (
        f"${price * 0.75:,.2f} per GPU-hour (−25%)"
    )
    assert bars["peak_to_average"].low_floored
    assert bars["peak_to_average"].low_value == 1
    assert words.sensitivity_end(bars["peak_to_average"], "low") == (
        "1 (flat traffic: the ratio cannot go below 1)"
    )
    # Floored at 1, the low end is today's traffic: the same savings as the base case.
    assert bars["peak_to_average"].monthly_savings_usd_low == results.proposal.monthly_savings_usd


def test_a_plan_that_self_hosts_nothing_has_no_tornado(
    make_scenario: Any, fixture_catalogue: Catalogue
) -> None:
    """Nothing self-hosted saves nothing whatever moves: no bars, no simulation, and the
    report shows no tornado rather than seven bars of zero."""
    results = analyse(make_scenario(), fixture_catalogue)
    plan = results.headline_plan
    assert not plan.self_hosts
    assert plan.monte_carlo is None
    assert plan.sensitivity == []
