"""The engine's rules one by one, each against a figure worked out by hand from docs/economics.md."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

from crossover.catalogue import Catalogue
from crossover.engine import analyse
from crossover.engine.constants import DAYS_PER_MONTH, HOURS_PER_MONTH

HAIKU = {"input": 1.0, "cached": 0.1, "output": 5.0}  # anthropic/claude-haiku-4-5, USD/Mtok


def _tier(**kw: Any) -> dict[str, Any]:
    return {"tier": "all", "share_pct": 100, "api_model": "anthropic/claude-haiku-4-5", **kw}


def _deployment(**kw: Any) -> dict[str, Any]:
    return {
        "deployment": "d",
        "model": "qwen2.5-14b",
        "precision": "bf16",
        "gpu": "a100-80gb",
        "gpu_hour_price": 2.0,
        "gpus_per_instance": 1,
        "prefill_tps_per_gpu": 10000,
        "decode_tps_per_gpu": 1000,
        **kw,
    }


def test_api_cost_blends_cache_hits_and_output(
    make_scenario: Any, fixture_catalogue: Catalogue
) -> None:
    scenario = make_scenario(
        workload={"input_mtok_per_day": 100, "output_mtok_per_day": 20, "cache_hit_pct": 40}
    )
    tier = analyse(scenario, fixture_catalogue).tiers[0]
    per_day = 100 * (0.6 * HAIKU["input"] + 0.4 * HAIKU["cached"]) + 20 * HAIKU["output"]
    assert tier.api_month_usd == pytest.approx(DAYS_PER_MONTH * per_day, rel=1e-12)
    assert tier.api_month_without_cache_usd == pytest.approx(
        DAYS_PER_MONTH * (100 + 100), rel=1e-12
    )
    assert tier.blended_price_per_mtok_usd == pytest.approx(per_day / 120, rel=1e-12)


def test_batch_tiers_pay_the_batch_price(make_scenario: Any, fixture_catalogue: Catalogue) -> None:
    scenario = make_scenario(tiers=[_tier(api_mode="batch")])
    tier = analyse(scenario, fixture_catalogue).tiers[0]
    assert tier.api_month_usd == pytest.approx(DAYS_PER_MONTH * (100 * 0.5 + 20 * 2.5))
    assert tier.api_month_at_realtime_price_usd == pytest.approx(DAYS_PER_MONTH * (100 + 100))


def test_a_price_override_wins_field_by_field(
    make_scenario: Any, fixture_catalogue: Catalogue
) -> None:
    scenario = make_scenario(
        price_overrides=[{"api_model": "anthropic/claude-haiku-4-5", "output_per_mtok": 4.0}]
    )
    tier = analyse(scenario, fixture_catalogue).tiers[0]
    assert (tier.prices.input_per_mtok, tier.prices.output_per_mtok) == (1.0, 4.0)
    assert tier.prices.source == "override"
    assert tier.api_month_usd == pytest.approx(DAYS_PER_MONTH * (100 + 80))


def test_an_unknown_model_priced_fully_by_override_is_accepted(
    make_scenario: Any, fixture_catalogue: Catalogue
) -> None:
    scenario = make_scenario(
        tiers=[_tier(api_model="acme/private-model")],
        price_overrides=[
            {"api_model": "acme/private-model", "input_per_mtok": 2, "output_per_mtok": 6}
        ],
    )
    tier = analyse(scenario, fixture_catalogue).tiers[0]
    assert tier.prices.cached_input_per_mtok == 2  # no cache price: cached input costs as input
    assert tier.api_month_usd == pytest.approx(DAYS_PER_MONTH * (200 + 120))


def test_replicas_gpus_cost_and_utilisation_by_hand(
    make_scenario: Any, fixture_catalogue: Catalogue
) -> None:
    """120 Mtok/day (100 in, 20 out), peak ×2, u_max 0.8, N+1, R from prefill/decode."""
    scenario = make_scenario(
        tiers=[_tier(route="self_host", deployment="d")], deployments=[_deployment()]
    )
    d = analyse(scenario, fixture_catalogue).proposal.deployments[0]
    r = 120 / (100 / 10000 + 20 / 1000)  # tokens/s per replica at this mix (1 GPU)
    avg = 120e6 / 86400
    replicas = math.ceil(avg * 2 / (r * 0.8)) + 1
    assert d.effective_tps_per_replica == pytest.approx(r, rel=1e-12)
    assert d.replicas == replicas == 2
    assert d.billed_gpus == 2
    assert d.gpu_month_usd == pytest.approx(2 * 2.0 * HOURS_PER_MONTH)
    assert d.overhead_month_usd == pytest.approx(0.1 * d.gpu_month_usd)
    assert d.average_utilisation == pytest.approx(avg / (replicas * r), rel=1e-12)
    assert d.utilisation_ceiling == pytest.approx(0.4)
    assert d.gpu_cost_per_mtok_usd == pytest.approx(d.gpu_month_usd / (DAYS_PER_MONTH * 120))


def test_instances_round_up_to_whole_nodes(
    make_scenario: Any, fixture_catalogue: Catalogue
) -> None:
    scenario = make_scenario(
        tiers=[_tier(route="self_host", deployment="d")],
        deployments=[_deployment(gpus_per_instance=8)],
    )
    d = analyse(scenario, fixture_catalogue).proposal.deployments[0]
    assert (d.gpus, d.billed_gpus, d.instances) == (2, 8, 1)


def test_batch_work_runs_flat_and_needs_no_peak_capacity(
    make_scenario: Any, fixture_catalogue: Catalogue
) -> None:
    realtime = make_scenario(
        workload={"input_mtok_per_day": 2000, "output_mtok_per_day": 100, "peak_to_average": 3},
        tiers=[_tier(route="self_host", deployment="d")],
        deployments=[_deployment()],
    )
    batch = make_scenario(
        workload={"input_mtok_per_day": 2000, "output_mtok_per_day": 100, "peak_to_average": 3},
        tiers=[_tier(route="self_host", deployment="d", api_mode="batch")],
        deployments=[_deployment()],
    )
    rt, bt = (analyse(s, fixture_catalogue).proposal.deployments[0] for s in (realtime, batch))
    assert bt.demand_peak_tps == pytest.approx(bt.demand_avg_tps)
    assert rt.demand_peak_tps == pytest.approx(3 * rt.demand_avg_tps)
    assert bt.replicas < rt.replicas
    assert bt.utilisation_ceiling == pytest.approx(0.8)


def test_ops_are_counted_once_for_the_estate_and_only_with_one(
    make_scenario: Any, fixture_catalogue: Catalogue
) -> None:
    scenario = make_scenario(
        tiers=[
            _tier(tier="a", share_pct=50, route="self_host", deployment="d1"),
            _tier(tier="b", share_pct=30, route="self_host", deployment="d2"),
            _tier(tier="c", share_pct=20, deployment="unused"),
        ],
        deployments=[
            _deployment(deployment="d1"),
            _deployment(deployment="d2"),
            _deployment(deployment="unused"),
        ],
    )
    results = analyse(scenario, fixture_catalogue)
    ops = 0.25 * 180000 / 12
    assert results.proposal.ops_month_usd == pytest.approx(ops)
    assert results.api_only.ops_month_usd == 0
    # The proposal uses d1 and d2 only: a deployment no tier of a plan goes to is not in it.
    assert [d.deployment for d in results.proposal.deployments] == ["d1", "d2"]
    shares = [d.ops_share_month_usd for d in results.proposal.deployments]
    assert shares == pytest.approx([ops * 50 / 80, ops * 30 / 80])
    # The best all-self-hosted plan exists (every tier has a deployment) and keeps no tier on
    # the API.
    all_self = results.plan_in_role("all_self_hosted")
    assert all_self.tiers_on_api == []


def test_savings_payback_and_horizon(make_scenario: Any, fixture_catalogue: Catalogue) -> None:
    scenario = make_scenario(
        workload={"input_mtok_per_day": 2000, "output_mtok_per_day": 400},
        tiers=[_tier(route="self_host", deployment="d")],
        deployments=[_deployment()],
        operations={"horizon_months": 12},
    )
    results = analyse(scenario, fixture_catalogue)
    proposal, api_only = results.proposal, results.api_only
    assert proposal.monthly_savings_usd == pytest.approx(
        api_only.monthly_cost_usd - proposal.monthly_cost_usd
    )
    assert proposal.setup_cost_usd == 9000
    assert proposal.payback_weeks == pytest.approx(9000 / (proposal.monthly_savings_usd * 12 / 52))
    months = proposal.horizon.months
    assert len(months) == 12
    assert months[0].plan_usd == pytest.approx(proposal.monthly_cost_usd + 9000)
    assert months[-1].cumulative_api_only_usd == pytest.approx(12 * api_only.monthly_cost_usd)
    assert proposal.horizon.payback_month == 0  # savings exceed the setup cost in month 0
    # The only routing that self-hosts is the proposal, and it is the cheapest: the headline.
    assert results.headline.plan == proposal.key
    assert results.headline.verdict == "adopt_proposal"
    assert results.headline_plan.roles() == ["best", "proposed", "all_self_hosted"]


def test_growth_resizes_replicas_month_by_month(
    make_scenario: Any, fixture_catalogue: Catalogue
) -> None:
    scenario = make_scenario(
        workload={"input_mtok_per_day": 100, "output_mtok_per_day": 20, "monthly_growth_pct": 20},
        tiers=[_tier(route="self_host", deployment="d")],
        deployments=[_deployment()],
        operations={"horizon_months": 12},
    )
    months = analyse(scenario, fixture_catalogue).proposal.horizon.months
    assert months[11].volume_factor == pytest.approx(1.2**11)
    replicas = [m.replicas["d"] for m in months]
    assert replicas == sorted(replicas)
    assert replicas[-1] > replicas[0]


def test_compliance_makes_self_hosting_required_and_names_the_premium(
    make_scenario: Any, fixture_catalogue: Catalogue
) -> None:
    scenario = make_scenario(
        workload={"input_mtok_per_day": 1, "output_mtok_per_day": 0.2},
        tiers=[_tier(route="self_host", deployment="d")],
        deployments=[_deployment()],
        compliance={"hipaa": True},
    )
    results = analyse(scenario, fixture_catalogue)
    headline, plan = results.headline, results.headline_plan
    assert headline.required_by_compliance
    assert headline.reason == "compliance"
    assert headline.verdict == "adopt_proposal"
    assert plan.compliance_premium_month_usd == pytest.approx(-plan.monthly_savings_usd)
    assert plan.compliance_premium_month_usd is not None
    assert plan.compliance_premium_month_usd > 0
    assert plan.risks[0].code == "compliance_premium"
    # API only is still shown, as what compliance rules out.
    assert not results.api_only.allowed


def test_the_api_wins_a_small_workload_and_says_why(
    make_scenario: Any, fixture_catalogue: Catalogue
) -> None:
    scenario = make_scenario(
        workload={"input_mtok_per_day": 1, "output_mtok_per_day": 0.2},
        tiers=[_tier(route="self_host", deployment="d")],
        deployments=[_deployment()],
    )
    results = analyse(scenario, fixture_catalogue)
    assert results.headline.verdict == "stay_on_api"
    assert results.headline.reason == "api_cheapest"
    assert results.headline_plan.key == results.api_only.key
    assert results.headline_plan.payback_weeks is None
    assert results.proposal.monthly_savings_usd < 0


def test_never_a_crossover_when_a_gpu_token_costs_more_than_an_api_token(
    make_scenario: Any, fixture_catalogue: Catalogue
) -> None:
    scenario = make_scenario(
        tiers=[_tier(route="self_host", deployment="d", api_model="openai/gpt-4o-mini")],
        deployments=[_deployment(prefill_tps_per_gpu=200, decode_tps_per_gpu=20)],
    )
    c = analyse(scenario, fixture_catalogue).proposal.crossover
    assert c.status == "never"
    assert c.crossover_mtok_per_day is None
    assert c.marginal_selfhost_usd_per_mtok is not None and c.moved_api_usd_per_mtok is not None
    assert c.api_price_rise_needed_pct == pytest.approx(
        (c.marginal_selfhost_usd_per_mtok / c.moved_api_usd_per_mtok - 1) * 100
    )


def test_the_memory_fit_rule_picks_replica_sizes(
    make_scenario: Any, fixture_catalogue: Catalogue
) -> None:
    scenario = make_scenario(
        deployments=[
            # The client's own rates: nothing to choose between sizes, the memory-fit rule's.
            {
                "deployment": "a",
                "model": "llama-3.3-70b",
                "precision": "fp8",
                "gpu": "h100-sxm",
                "tps_per_gpu": 1000,
            },
            {
                "deployment": "b",
                "model": "llama-3.3-70b",
                "precision": "fp8",
                "gpu": "h100-sxm",
                "gpus_per_replica": 1,
                # TensorRT-LLM keeps 90% of what the weights leave: room for a few requests.
                "engine": "trt-llm",
            },
        ]
    )
    results = analyse(scenario, fixture_catalogue)
    # No tier may go to either: both are options shown beside the plans, rated, not sized.
    a, b = results.unused_deployments
    assert (a.gpus_per_replica, a.memory_fit) == (2, "comfortable")
    assert (b.gpus_per_replica, b.memory_fit) == (1, "tight")
    assert b.memory_fit_ratio == pytest.approx(70.6 / 80)
    assert any("little room for KV cache" in w.message for w in results.warnings)


def test_catalogue_prices_apply_the_plan(make_scenario: Any, fixture_catalogue: Catalogue) -> None:
    plans = ["on_demand", "reserved_1y", "reserved_3y", "spot"]
    scenario = make_scenario(
        deployments=[
            {
                "deployment": plan,
                "model": "llama-3.3-70b",
                "precision": "fp8",
                "gpu": "h100-sxm",
                "price_plan": plan,
            }
            for plan in plans
        ]
    )
    options = analyse(scenario, fixture_catalogue).unused_deployments
    prices = [d.gpu_hour_price_usd for d in options]
    assert prices == pytest.approx([6.88, 6.88 * 0.6, 6.88 * 0.4, 3.79])


def test_every_catalogue_figure_used_is_listed_with_its_source(
    make_scenario: Any, fixture_catalogue: Catalogue
) -> None:
    scenario = make_scenario(
        deployments=[
            {"deployment": "a", "model": "llama-3.3-70b", "precision": "fp8", "gpu": "h100-sxm"}
        ]
    )
    sources = analyse(scenario, fixture_catalogue).sources
    assert [(s.kind, s.subject) for s in sources] == [
        ("api_prices", "anthropic/claude-haiku-4-5"),
        ("gpu", "h100-sxm"),
        ("model", "llama-3.3-70b"),
        ("instance", "aws/p5.48xlarge"),
        ("price_plan", "reserved_3y"),
        ("engine", "vllm"),
        ("serving_efficiency", "vllm"),
    ]
    # Numbers only, money in USD: the words and the currency are the report's.
    by_kind = {s.kind: s for s in sources}
    assert by_kind["model"].figures["params_b"] == 70.6
    assert set(by_kind["price_plan"].figures) == {"discount_pct", "range_low_pct", "range_high_pct"}
    assert set(by_kind["engine"].figures) == {"mem_fraction", "max_batch"}
    assert set(by_kind["api_prices"].figures) == {
        "input_usd_per_mtok",
        "cached_input_usd_per_mtok",
        "output_usd_per_mtok",
    }
    assert all("$" not in s.model_dump_json() for s in sources)


def test_the_proposals_risks_are_named_even_when_the_api_is_recommended(
    make_scenario: Any, fixture_catalogue: Catalogue
) -> None:
    scenario = make_scenario(
        workload={"input_mtok_per_day": 1, "output_mtok_per_day": 0.2},
        tiers=[_tier(route="self_host", deployment="d")],
        deployments=[_deployment()],
    )
    results = analyse(scenario, fixture_catalogue)
    assert results.headline.verdict == "stay_on_api"
    assert results.headline_plan.risks == []
    # The proposal keeps its own risks, shown as the comparison it is.
    assert [r.code for r in results.proposal.risks] == [
        "payback_beyond_horizon",
        "low_utilisation",
        "quality_change",
    ]


def test_a_batch_tier_without_a_batch_cache_price_pays_batch_input_for_cached_tokens(
    make_scenario: Any, fixture_catalogue: Catalogue
) -> None:
    """economics §2: all three prices are batch prices; no cache-read price means p_in."""
    scenario = make_scenario(
        workload={"input_mtok_per_day": 100, "output_mtok_per_day": 20, "cache_hit_pct": 50},
        tiers=[_tier(api_model="openai/gpt-4.1", api_mode="batch")],
    )
    prices = analyse(scenario, fixture_catalogue).tiers[0].prices
    assert (prices.input_per_mtok, prices.cached_input_per_mtok, prices.output_per_mtok) == (
        1.0,
        1.0,
        4.0,
    )


def test_a_back_dated_report_keeps_the_batch_discount(
    make_scenario: Any, fixture_catalogue: Catalogue
) -> None:
    scenario = make_scenario(
        client={"client_name": "Earlier", "report_date": "2026-06-01"},
        tiers=[_tier(api_mode="batch")],
    )
    prices = analyse(scenario, fixture_catalogue).tiers[0].prices
    assert (prices.input_per_mtok, prices.output_per_mtok) == (0.5, 2.5)


def test_an_override_without_a_cache_price_never_makes_cached_tokens_dearer(
    make_scenario: Any, fixture_catalogue: Catalogue
) -> None:
    scenario = make_scenario(
        tiers=[_tier(api_model="openai/gpt-4o-mini", api_mode="batch")],
        price_overrides=[
            {"api_model": "openai/gpt-4o-mini", "api_mode": "batch", "input_per_mtok": 0.05}
        ],
    )
    prices = analyse(scenario, fixture_catalogue).tiers[0].prices
    assert prices.cached_input_per_mtok == prices.input_per_mtok == 0.05


def _instance_id(catalogue: Catalogue, gpu: str, instance: str | None, min_gpus: int = 1) -> str:
    found = catalogue.instance_for(gpu, instance, min_gpus)
    assert found is not None
    return found.id


def test_a_replica_is_never_split_across_machines(catalogue: Catalogue) -> None:
    """L4's reference rental holds one GPU; a two-GPU replica gets the 4-GPU g6.12xlarge."""
    assert _instance_id(catalogue, "l4", None) == "aws/g6.xlarge"
    assert _instance_id(catalogue, "l4", None, 2) == "aws/g6.12xlarge"
    assert _instance_id(catalogue, "l4", None, 8) == "aws/g6.48xlarge"
    assert _instance_id(catalogue, "l4", "runpod/1x_l4_secure", 2) == "runpod/1x_l4_secure"


def test_compliance_keeps_out_the_providers_it_forbids(catalogue: Catalogue) -> None:
    """economics §7: data that must stay in the client's network runs only in the client's own
    cloud account; HIPAA only with a provider that signs a business associate agreement (a fact
    the catalogue has no source for counts against the provider)."""
    from crossover.inputs import load_scenario

    example = Path(__file__).resolve().parents[2] / "inputs" / "examples"
    scenario = load_scenario(example / "regulated-healthcare.json", catalogue)
    assert scenario.compliance.hipaa and scenario.compliance.data_must_stay_in_network
    results = analyse(scenario, catalogue)
    allowed = {
        cloud
        for cloud, facts in catalogue.providers.items()
        if facts.runs_in_client_cloud_account and facts.hipaa_baa is True
    }
    for plan in results.plans:
        for placed in plan.instances.values():
            assert placed.instance is not None
            assert placed.instance.partition("/")[0] in allowed, (plan.key, placed.instance)
    kept = {(e.deployment, e.cloud): e.reasons for e in results.kept_out}
    # RunPod rents the B200 the fp4 candidate would use: a third party with no BAA on record.
    assert kept[("llama70b-b200-fp4", "runpod")] == ["outside_client_account", "no_hipaa_baa"]
    assert all(cloud not in allowed for _, cloud in kept)
    # Without the rules nothing is kept out.
    free = scenario.model_copy(
        update={
            "compliance": scenario.compliance.model_copy(
                update={"hipaa": False, "data_must_stay_in_network": False}
            )
        }
    )
    assert analyse(free, catalogue).kept_out == []


def test_a_reserved_plan_says_what_it_commits_to_and_its_first_years_cash(
    catalogue: Catalogue,
) -> None:
    """St Aldric's plan reserves one AWS p6-b200.48xlarge (8 × B200) for three years at AWS's
    on-demand price less its three-year discount: 8 × price × 8,760 a year, three times that in
    all (the price read from the catalogue's data, the arithmetic here)."""
    from crossover.inputs import load_scenario

    example = Path(__file__).resolve().parents[2] / "inputs" / "examples"
    results = analyse(load_scenario(example / "regulated-healthcare.json", catalogue), catalogue)
    plan = results.headline_plan
    (commitment,) = plan.commitments
    assert (commitment.instance, commitment.price_plan) == ("aws/p6-b200.48xlarge", "reserved_3y")
    instance = catalogue.instances["aws/p6-b200.48xlarge"]
    assert instance.on_demand is not None
    discount = next(
        p.discount_vs_on_demand_pct
        for p in catalogue.price_plans
        if p.plan == "reserved_3y" and p.cloud == "aws"
    )
    hourly = instance.on_demand.usd_per_gpu_hour * (1 - discount / 100)
    assert (commitment.term_months, commitment.instances, commitment.billed_gpus) == (36, 1, 8)
    assert commitment.usd_per_year == pytest.approx(8 * hourly * 8760, rel=1e-12)
    assert commitment.total_usd == pytest.approx(3 * commitment.usd_per_year, rel=1e-12)
    # The first year by quarter: the horizon's months three at a time, setup in the first.
    months = plan.horizon.months
    assert [q.quarter for q in plan.first_year] == [1, 2, 3, 4]
    for q in plan.first_year:
        three = months[3 * (q.quarter - 1) : 3 * q.quarter]
        assert q.plan_usd == pytest.approx(sum(m.plan_usd for m in three), rel=1e-12)
        assert q.api_only_usd == pytest.approx(sum(m.api_only_usd for m in three), rel=1e-12)
    assert plan.first_year[0].plan_usd - plan.first_year[1].plan_usd == pytest.approx(
        plan.setup_cost_usd, rel=1e-9
    )
    # API only reserves nothing.
    assert results.api_only.commitments == []
