"""The shipped catalogue: it loads, its ids hold together, and its figures follow their sources."""

from __future__ import annotations

import math
from datetime import date

import pytest
from pydantic import ValidationError

from crossover.catalogue import Catalogue, PricePlanAssumption, PriceSeen
from crossover.engine.rates import (
    RequestShape,
    calibrate,
    default_gpus_per_replica,
    measured_replica,
    serving_rate,
    weight_gb,
)

REQUIRED_GPUS = (
    "a10g",
    "l4",
    "l40s",
    "a100-40gb",
    "a100-80gb",
    "h100-sxm",
    "h100-pcie",
    "h200",
    "b200",
    "mi300x",
    "b300",
    "mi325x",
    "mi355x",
    "rtx-pro-6000",
)
REQUIRED_MODELS = ("llama-3.3-70b", "llama-3.1-8b", "mistral-7b", "qwen2.5-14b", "qwen2.5-72b")
REFERENCE_INSTANCES = {
    "a10g": "aws/g5.xlarge",
    "l4": "aws/g6.xlarge",
    "l40s": "aws/g6e.xlarge",
    "a100-40gb": "aws/p4d.24xlarge",
    "a100-80gb": "aws/p4de.24xlarge",
    "h100-sxm": "aws/p5.48xlarge",
    "h100-pcie": "lambda/gpu_1x_h100_pcie",
    "h200": "aws/p5en.48xlarge",
    "b200": "aws/p6-b200.48xlarge",
    "mi300x": "runpod/1x_mi300x_secure",
}
REQUIRED_RATES = [
    ("llama-3.3-70b", "bf16", "a100-80gb"),
    ("llama-3.3-70b", "bf16", "h100-sxm"),
    ("llama-3.3-70b", "bf16", "h200"),
    ("llama-3.3-70b", "fp8", "h100-sxm"),
    ("llama-3.3-70b", "fp8", "h200"),
    ("llama-3.3-70b", "fp8", "l40s"),
    ("llama-3.3-70b", "int4", "a100-80gb"),
    ("llama-3.3-70b", "int4", "a100-40gb"),
    ("llama-3.3-70b", "int4", "h100-sxm"),
    ("llama-3.3-70b", "int4", "l40s"),
    ("llama-3.1-8b", "bf16", "a10g"),
    ("llama-3.1-8b", "bf16", "l4"),
    ("llama-3.1-8b", "bf16", "l40s"),
    ("llama-3.1-8b", "bf16", "a100-80gb"),
    ("llama-3.1-8b", "bf16", "h100-sxm"),
    ("mistral-7b", "bf16", "a10g"),
    ("mistral-7b", "bf16", "l4"),
    ("mistral-7b", "bf16", "a100-80gb"),
    ("mistral-7b", "bf16", "a100-40gb"),
    ("mistral-7b", "bf16", "h100-sxm"),
    ("qwen2.5-14b", "bf16", "a100-80gb"),
    ("qwen2.5-14b", "bf16", "a100-40gb"),
    ("qwen2.5-14b", "bf16", "h100-sxm"),
    ("qwen2.5-14b", "bf16", "l40s"),
    ("qwen2.5-14b", "int4", "l4"),
    ("qwen2.5-14b", "int4", "a10g"),
    ("qwen2.5-72b", "bf16", "h100-sxm"),
    ("qwen2.5-72b", "bf16", "a100-80gb"),
    ("qwen2.5-72b", "int4", "h100-sxm"),
    ("qwen2.5-72b", "int4", "a100-80gb"),
]


def test_the_yaml_loads_with_its_version(catalogue: Catalogue) -> None:
    assert catalogue.version == "2026-11-27"


def test_every_entry_is_dated_no_later_than_it_was_gathered(catalogue: Catalogue) -> None:
    entries = [
        *catalogue.gpus.values(),
        *catalogue.models.values(),
        *catalogue.engines.values(),
        *catalogue.measurements,
    ]
    assert (
        max(entry.as_of.isoformat() for entry in entries) <= "2026-12-07"
    )  # the MoE models were read on 2026-12-07


def _prices(catalogue: Catalogue) -> list[PriceSeen | PricePlanAssumption]:
    return [
        *(i.on_demand for i in catalogue.instances.values() if i.on_demand),
        *(i.spot for i in catalogue.instances.values() if i.spot),
        *catalogue.price_plans,
    ]


def test_a_dated_price_is_seen_no_later_than_the_check(catalogue: Catalogue) -> None:
    dated = [p for p in _prices(catalogue) if p.dated]
    assert all(p.seen is not None and p.seen <= date(2026, 12, 1) for p in dated)
    # Dated observations, not one assembly day for all.
    assert len({p.seen for p in dated}) >= 6


def test_a_price_whose_source_gives_no_date_says_so(catalogue: Catalogue) -> None:
    undated = [p for p in _prices(catalogue) if not p.dated]
    # 27 instance prices from the SkyPilot snapshots and undated code tables read on 2026-11-27
    # and Vultr's plan list, and the hyperscalers' 6 assumed commitment discounts.
    assert len(undated) == 33
    assert {p.read_on for p in undated} == {date(2026, 11, 27), date(2026, 12, 7)}
    assert all(p.seen is None for p in undated)
    assert all(
        "no date" in p.provenance or "undated" in p.provenance
        for p in undated
        if isinstance(p, PriceSeen)
    )


def test_an_undated_price_is_stale_whatever_the_day_it_was_read(catalogue: Catalogue) -> None:
    g5 = catalogue.instances["aws/g5.xlarge"].on_demand
    p5 = catalogue.instances["aws/p5.48xlarge"].on_demand
    assert g5 is not None and p5 is not None
    # Read on 2026-11-27, undated: stale on the very next day. p5, seen 2026-11-09, is fresh
    # until 90 days have passed (2027-02-07) and stale the day after.
    assert g5.stale_on(date(2026, 11, 28))
    assert not p5.stale_on(date(2027, 2, 7)) and p5.stale_on(date(2027, 2, 8))


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"seen": "2026-11-01", "read_on": "2026-11-27"}, "not both and not neither"),
        ({}, "not both and not neither"),
    ],
)
def test_a_price_is_either_dated_or_read_on_a_day(fields: dict[str, str], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        PriceSeen.model_validate({"usd_per_gpu_hour": 1.0, "source": "A page", **fields})


@pytest.mark.parametrize("word", ["3rd-party", "SkyPilot", "@", "code table", ".csv", ".yml"])
def test_client_facing_price_sources_carry_no_technical_provenance(
    catalogue: Catalogue, word: str
) -> None:
    sources = [
        *(i.on_demand.source for i in catalogue.instances.values() if i.on_demand),
        *(i.spot.source for i in catalogue.instances.values() if i.spot),
        *(p.source for p in catalogue.price_plans),
    ]
    assert [s for s in sources if word in s] == []


@pytest.mark.parametrize("gpu", REQUIRED_GPUS)
def test_required_gpu_exists(catalogue: Catalogue, gpu: str) -> None:
    assert gpu in catalogue.gpus


@pytest.mark.parametrize("model", REQUIRED_MODELS)
def test_required_model_exists(catalogue: Catalogue, model: str) -> None:
    assert model in catalogue.models


@pytest.mark.parametrize(("gpu", "instance"), REFERENCE_INSTANCES.items())
def test_reference_instance_exists_and_holds_its_gpu(
    catalogue: Catalogue, gpu: str, instance: str
) -> None:
    assert catalogue.gpus[gpu].reference_instance == instance
    assert catalogue.instances[instance].gpu == gpu


@pytest.mark.parametrize("gpu", REFERENCE_INSTANCES)
def test_reference_instance_has_an_on_demand_price(catalogue: Catalogue, gpu: str) -> None:
    instance = catalogue.instance_for(gpu, None)
    assert instance is not None and instance.on_demand_usd_per_gpu_hour is not None


def test_a_gpu_rented_nowhere_has_no_instance(catalogue: Catalogue) -> None:
    # Never priced from nothing: the deployment must give its own price (issue 19).
    unrented = [g for g in catalogue.gpus.values() if g.reference_instance is None]
    for gpu in unrented:
        assert catalogue.instance_for(gpu.id, None) is None


@pytest.mark.parametrize(
    ("instance", "gpu", "gpus"),
    [
        ("aws/p5.48xlarge", "h100-sxm", 8),
        ("aws/p4de.24xlarge", "a100-80gb", 8),
        ("aws/p4d.24xlarge", "a100-40gb", 8),
    ],
)
def test_aws_node_holds_the_right_gpus(
    catalogue: Catalogue, instance: str, gpu: str, gpus: int
) -> None:
    assert catalogue.instances[instance].gpu == gpu
    assert catalogue.instances[instance].gpus_per_instance == gpus


@pytest.mark.parametrize(
    ("instance", "on_demand", "spot"),
    [
        # 55.04 / 8 on demand; spot is the top of the 20.99-30.33 range, / 8.
        ("aws/p5.48xlarge", 6.88, 3.79125),
        # 21.957642 / 8; spot 9.61 / 8.
        ("aws/p4d.24xlarge", 2.74470525, 1.20125),
        # 5.672 / 4; spot 2.73 / 4.
        ("aws/g5.12xlarge", 1.418, 0.6825),
        # 49.24 / 8; spot 19.71 / 8.
        ("coreweave/hgx-h100-8x", 6.155, 2.46375),
        # 68.80 / 8; spot 34.11 / 8.
        ("coreweave/b200-8x", 8.6, 4.26375),
    ],
)
def test_price_is_per_gpu_hour(
    catalogue: Catalogue, instance: str, on_demand: float, spot: float | None
) -> None:
    assert catalogue.instances[instance].on_demand_usd_per_gpu_hour == on_demand
    assert catalogue.instances[instance].spot_usd_per_gpu_hour == spot


def test_instance_with_only_capacity_blocks_has_no_on_demand_price(catalogue: Catalogue) -> None:
    p5e = catalogue.instances["aws/p5e.48xlarge"]
    assert p5e.on_demand_usd_per_gpu_hour is None
    assert catalogue.gpu_hour_price(p5e, "reserved_1y") is None


def test_lambda_a10_is_not_passed_off_as_an_a10g(catalogue: Catalogue) -> None:
    assert "lambda/gpu_1x_a10" not in catalogue.instances


@pytest.mark.parametrize("plan", ["reserved_1y", "reserved_3y"])
def test_reserved_plans_are_cheaper_than_on_demand(catalogue: Catalogue, plan: str) -> None:
    p5 = catalogue.instances["aws/p5.48xlarge"]
    reserved = catalogue.gpu_hour_price(p5, plan)  # type: ignore[arg-type]
    assert reserved is not None
    assert 0 < reserved < 6.88


@pytest.mark.parametrize("cloud", ["aws", "gcp", "azure"])
def test_three_years_commit_cheaper_than_one(catalogue: Catalogue, cloud: str) -> None:
    one = catalogue.price_plan("reserved_1y", cloud)
    three = catalogue.price_plan("reserved_3y", cloud)
    assert one is not None and three is not None
    assert 0 < one.discount_vs_on_demand_pct < three.discount_vs_on_demand_pct


def test_the_hyperscalers_assumed_discounts_say_they_are_assumptions(
    catalogue: Catalogue,
) -> None:
    for plan in catalogue.price_plans:
        if plan.cloud in ("aws", "gcp", "azure"):
            assert "assumption" in plan.basis.lower()


@pytest.mark.parametrize(
    ("cloud", "plan", "point", "low", "high"),
    [
        # Hyperscalers: the low end of the published 35-45% and 55-60% ranges.
        ("aws", "reserved_1y", 35, 35, 45),
        ("aws", "reserved_3y", 55, 55, 60),
        ("gcp", "reserved_3y", 55, 55, 60),
        # DigitalOcean's own 12-month MI325X price: 1 - 2.88 / 3.80.
        (
            "digitalocean",
            "reserved_1y",
            24.2105263157894737,
            24.2105263157894737,
            24.2105263157894737,
        ),
    ],
)
def test_reserved_discounts_are_per_provider_ranges(
    catalogue: Catalogue, cloud: str, plan: str, point: float, low: float, high: float
) -> None:
    row = catalogue.price_plan(plan, cloud)  # type: ignore[arg-type]
    assert row is not None
    assert (row.discount_vs_on_demand_pct, row.range_pct) == (point, (low, high))


@pytest.mark.parametrize(
    ("instance", "plan"),
    [
        # Issue 26: no discount borrowed from the hyperscalers for a provider that publishes none.
        ("lambda/gpu_8x_h100_sxm5", "reserved_1y"),
        ("lambda/gpu_8x_h100_sxm5", "reserved_3y"),
        ("coreweave/hgx-h100-8x", "reserved_1y"),
        ("runpod/1x_b200", "reserved_3y"),
        ("oracle/bm.gpu.mi355x.8", "reserved_1y"),
        ("digitalocean/gpu-mi325x1-256gb", "reserved_3y"),
    ],
)
def test_a_provider_that_publishes_no_commitment_has_no_reserved_price(
    catalogue: Catalogue, instance: str, plan: str
) -> None:
    node = catalogue.instances[instance]
    assert catalogue.gpu_hour_price(node, plan) is None  # type: ignore[arg-type]
    assert catalogue.price_basis(node, plan) == []  # type: ignore[arg-type]


def test_digitalocean_reserved_mi325x_is_its_own_12_month_price(catalogue: Catalogue) -> None:
    node = catalogue.instances["digitalocean/gpu-mi325x8-2048gb"]
    assert catalogue.gpu_hour_price(node, "reserved_1y") == pytest.approx(2.88)
    assert [type(b).__name__ for b in catalogue.price_basis(node, "reserved_1y")] == [
        "PriceSeen",
        "PricePlanAssumption",
    ]


@pytest.mark.parametrize(
    ("instance", "usd", "seen", "source_starts"),
    [
        # price-observations 2026-12-01: the neocloud prices were stale and too low.
        ("lambda/gpu_8x_h100_sxm5", 3.99, "2026-09-25", "Lambda"),
        ("lambda/gpu_8x_a100_80gb_sxm4", 2.79, "2026-09-20", "Lambda"),
        ("lambda/gpu_1x_h100_pcie", 3.29, "2026-09-25", "Lambda"),
        ("runpod/1x_h100-sxm_secure", 3.99, "2026-11-09", "RunPod"),
        ("runpod/1x_a100-80gb_secure", 1.79, "2026-11-09", "RunPod"),
        # 49.24 / 8 and 68.80 / 8 from CoreWeave's page, 2026-09-20.
        ("coreweave/hgx-h100-8x", 6.155, "2026-09-20", "CoreWeave"),
        ("coreweave/b200-8x", 8.6, "2026-09-20", "CoreWeave"),
        ("coreweave/hgx-h200-8x", 6.305, "2026-10-24", "CoreWeave"),
        # Prices whose own source says "Feb 2026" are dated so.
        ("coreweave/a100-80gb-8x", 2.7, "2026-02-01", "CoreWeave"),
        ("aws/p5.48xlarge", 6.88, "2026-11-09", "AWS"),
        ("azure/standard_nd96isr_h100_v5", 12.29, "2026-11-09", "Microsoft Azure"),
        ("gcp/a3-highgpu-8g", 10.97875, "2026-09-26", "Google Cloud"),
    ],
)
def test_corrected_on_demand_rows(
    catalogue: Catalogue, instance: str, usd: float, seen: str, source_starts: str
) -> None:
    price = catalogue.instances[instance].on_demand
    assert price is not None and price.seen is not None
    assert (price.usd_per_gpu_hour, price.seen.isoformat()) == (usd, seen)
    assert price.source.startswith(source_starts)


@pytest.mark.parametrize(
    "instance",
    ["runpod/1x_h100-sxm_secure", "runpod/1x_h200-sxm_secure", "runpod/1x_a100-80gb_secure"],
)
def test_runpod_community_cloud_is_not_passed_off_as_spot(
    catalogue: Catalogue, instance: str
) -> None:
    assert catalogue.instances[instance].spot is None


def test_b200_bandwidth_is_dgx_b200s_8_tbs(catalogue: Catalogue) -> None:
    assert catalogue.gpus["b200"].memory_bandwidth_tbs == 8.0


def test_gcp_rents_the_l4_in_its_g2_machines(catalogue: Catalogue) -> None:
    g2 = catalogue.instances["gcp/g2-standard-4"]
    assert (g2.gpu, g2.gpus_per_instance, g2.region) == ("l4", 1, "us-central1")
    assert g2.on_demand is not None and g2.on_demand.seen == date(2026, 9, 10)


@pytest.mark.parametrize(
    ("instance", "gpu", "gpus", "usd", "seen"),
    [
        # issue 26: the rows that flattered self-hosting, re-sourced and dated.
        ("runpod/1x_l40s_secure", "l40s", 1, 1.09, date(2026, 9, 25)),
        ("runpod/1x_h200-sxm_secure", "h200", 1, 4.59, date(2026, 9, 25)),
        ("runpod/1x_b200", "b200", 1, 6.79, date(2026, 9, 25)),
        ("digitalocean/gpu-mi325x1-256gb", "mi325x", 1, 3.8, date(2026, 9, 23)),
        ("digitalocean/gpu-mi325x8-2048gb", "mi325x", 8, 3.8, date(2026, 9, 23)),
        # Vultr rents the MI325X by 8: 36.92 USD/h / 8.
        ("vultr/vbm-256c-3072gb-8-mi325x-gpu", "mi325x", 8, 4.615, None),
        # New: an MI355X machine, and a B300 outside AWS.
        ("oracle/bm.gpu.mi355x.8", "mi355x", 8, 8.6, date(2026, 9, 23)),
        ("runpod/1x_b300", "b300", 1, 7.89, date(2026, 9, 9)),
    ],
)
def test_re_sourced_and_added_offers(
    catalogue: Catalogue, instance: str, gpu: str, gpus: int, usd: float, seen: date | None
) -> None:
    found = catalogue.instances[instance]
    assert (found.gpu, found.gpus_per_instance) == (gpu, gpus)
    assert found.on_demand is not None
    assert (found.on_demand.usd_per_gpu_hour, found.on_demand.seen) == (usd, seen)


def test_the_mi355x_is_priced_without_a_client_quote(catalogue: Catalogue) -> None:
    instance = catalogue.instance_for("mi355x", None)
    assert instance is not None and instance.id == "oracle/bm.gpu.mi355x.8"


def test_kv_bytes_of_llama_70b_at_fp16_are_320_kib(catalogue: Catalogue) -> None:
    assert catalogue.models["llama-3.3-70b"].kv_bytes_per_token_fp16 == 327_680


@pytest.mark.parametrize(
    ("model", "kib"),
    [("qwen2.5-72b", 320), ("qwen2.5-14b", 192), ("mistral-7b", 128), ("llama-3.1-8b", 128)],
)
def test_kv_bytes_match_the_throughput_references(
    catalogue: Catalogue, model: str, kib: int
) -> None:
    assert catalogue.models[model].kv_bytes_per_token_fp16 == kib * 1024


def test_api_equivalents_are_known_to_the_price_catalogue(catalogue: Catalogue) -> None:
    known = set(catalogue.known_api_models())
    for model in catalogue.models.values():
        assert set(model.api_equivalents) <= known, model.id


@pytest.mark.parametrize("key", REQUIRED_RATES, ids="/".join)
def test_the_rate_model_rates_every_common_deployment(
    catalogue: Catalogue, key: tuple[str, str, str]
) -> None:
    model_id, precision, gpu_id = key
    model, gpu = catalogue.models[model_id], catalogue.gpus[gpu_id]
    gpus = default_gpus_per_replica(weight_gb(model, precision), gpu.vram_gb)  # type: ignore[arg-type]
    assert gpus is not None and gpus <= 8
    from crossover.engine.rates import Replica

    replica = Replica.of(model, precision, gpu, gpus, catalogue.engines["vllm"], "bf16")  # type: ignore[arg-type]
    rate = serving_rate(
        replica, calibrate(catalogue).efficiency("vllm"), RequestShape(1000, 300, None)
    )
    # Decode never beats the compute bound: a token costs 2 FLOPs a parameter either way.
    assert rate.decode_tps <= gpus * replica.flops / (2 * replica.params)
    assert rate.prefill_tps > 0 and rate.batch >= 1


@pytest.mark.parametrize(
    ("key", "gpus"),
    [
        (("llama-3.3-70b", "bf16", "h100-sxm"), 4),
        (("llama-3.3-70b", "fp8", "h100-sxm"), 2),
        (("llama-3.3-70b", "int4", "h100-sxm"), 1),
        # fp4: 70.6 B × 0.5625 = 39.7 GB ≤ 0.6 × 80 GB (issue 19).
        (("llama-3.3-70b", "fp4", "h100-sxm"), 1),
        (("mistral-7b", "bf16", "a10g"), 2),
        (("qwen2.5-14b", "bf16", "l40s"), 2),
    ],
)
def test_replica_size_of_a_rate(catalogue: Catalogue, key: tuple[str, str, str], gpus: int) -> None:
    model, precision, gpu = key
    weights = weight_gb(catalogue.models[model], precision)  # type: ignore[arg-type]
    assert default_gpus_per_replica(weights, catalogue.gpus[gpu].vram_gb) == gpus


def test_llama_70b_at_fp4_weighs_39_7_gb(catalogue: Catalogue) -> None:
    assert weight_gb(catalogue.models["llama-3.3-70b"], "fp4") == pytest.approx(70.6 * 0.5625)
    assert round(70.6 * 0.5625, 1) == 39.7


def test_enough_published_measurements_across_engines_and_gpus(catalogue: Catalogue) -> None:
    runs = catalogue.measurements
    assert len(runs) >= 25
    assert {m.engine for m in runs} == {"vllm", "sglang", "trt-llm"}
    assert len({m.gpu for m in runs}) >= 5
    fp4 = [m for m in runs if m.precision == "fp4"]
    assert len(fp4) >= 3 and len({m.gpu for m in fp4}) >= 2


def test_every_measurement_states_its_conditions(catalogue: Catalogue) -> None:
    for m in catalogue.measurements:
        assert m.source and m.engine_version and m.model_as_published, m.id
        assert m.gpus % m.tensor_parallel == 0, m.id
        if m.engine == "vllm":
            major, minor = (int(x) for x in m.engine_version.split(".")[:2])
            assert (major, minor) >= (0, 6), m.id


def test_every_measurement_fits_its_replica(catalogue: Catalogue) -> None:
    for m in catalogue.measurements:
        replica = measured_replica(m, catalogue)
        assert replica.kv_budget_bytes > 0, m.id


def test_the_model_reproduces_each_measurement_within_its_stated_error(
    catalogue: Catalogue,
) -> None:
    calibration = calibrate(catalogue)
    for run in calibration.runs:
        stated = calibration.error(run.measurement.engine)
        assert abs(run.log_error) <= math.log(stated.worst_factor) + 1e-12, run.measurement.id
        assert abs(run.left_out_log_error) <= math.log(stated.left_out_worst_factor) + 1e-12


def test_the_calibration_is_good_enough_to_quote(catalogue: Catalogue) -> None:
    # A median within 25% fitted and 45% held out. Held out now means the run's whole source
    # (its published table) left out of the fit, a stricter test than leaving out one row of a
    # table whose other rows stay in (issue 24): every MoE run comes from one table, so with it
    # left out nothing else tells the fit what routing costs. The bands stated beside a rate
    # come from this validation. 40% held out before issue 24's A100 rows (1.37): the Qwen2.5
    # speed table holds every vLLM run on an A100, and with it left out the vLLM fit knows
    # nothing of vLLM's weight reads there: eight of its twelve rows come out 24-46% low (1.42).
    overall = calibrate(catalogue).overall
    assert overall.median_factor < 1.25
    assert overall.left_out_median_factor < 1.45


def test_every_cloud_has_its_compliance_facts(catalogue: Catalogue) -> None:
    for instance in catalogue.instances.values():
        facts = catalogue.provider(instance.cloud)
        assert facts.id == instance.cloud
    azure = catalogue.provider("azure")
    assert azure.runs_in_client_cloud_account and azure.hipaa_baa
    assert azure.eu_regions is not None and "westeurope" in azure.eu_regions


def test_an_unknown_provider_is_named_with_the_known_ones(catalogue: Catalogue) -> None:
    with pytest.raises(KeyError) as raised:
        catalogue.provider("hetzner")
    assert raised.value.args[0] == (
        "no provider facts for 'hetzner'; known: aime, aws, azure, coreweave, digitalocean, "
        "gcp, lambda, oracle, runpod, tensorwave, vultr"
    )
