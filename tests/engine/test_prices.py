"""Prices come from the Catalogue given to analyse, each dated where it was seen; old ones are flagged."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from crossover.catalogue import ApiPrice, ApiPriceBook, Catalogue, build_catalogue
from crossover.catalogue.models import CatalogueFile
from crossover.engine import analyse

MADE_UP = ApiPriceBook(
    rows=(
        ApiPrice(
            model="acme/chat-1",
            mode="realtime",
            input_per_mtok=2.0,
            cached_input_per_mtok=0.5,
            output_per_mtok=10.0,
            source="Acme, price page",
            seen=date(2026, 11, 1),
        ),
        ApiPrice(
            model="acme/chat-1",
            mode="batch",
            input_per_mtok=1.0,
            cached_input_per_mtok=None,
            output_per_mtok=5.0,
            source="Acme, batch price page",
            seen=date(2026, 6, 1),
        ),
    ),
    use_snapshot=False,
)


@pytest.fixture(scope="module")
def made_up_catalogue(fixture_catalogue_file: CatalogueFile) -> Catalogue:
    return build_catalogue(fixture_catalogue_file, MADE_UP)


def _acme(make_scenario: Any, **tier: Any) -> Any:
    return make_scenario(
        client={"client_name": "T", "report_date": "2026-12-04"},
        workload={"input_mtok_per_day": 10, "output_mtok_per_day": 2, "cache_hit_pct": 40},
        tiers=[{"tier": "all", "share_pct": 100, "api_model": "acme/chat-1", **tier}],
    )


def test_analyse_uses_exactly_the_api_prices_of_the_catalogue_it_is_given(
    make_scenario: Any, made_up_catalogue: Catalogue
) -> None:
    results = analyse(_acme(make_scenario), made_up_catalogue)
    # 365/12 days × (10 × (0.6 × 2 + 0.4 × 0.5) + 2 × 10) = 30.41667 × 34
    assert results.tiers[0].api_month_usd == pytest.approx(365 / 12 * 34)
    prices = results.tiers[0].prices
    assert (prices.input_per_mtok, prices.cached_input_per_mtok, prices.output_per_mtok) == (
        2.0,
        0.5,
        10.0,
    )
    assert results.catalogue_versions == {"catalogue": "test"}
    assert "genai-prices" not in results.catalogue_versions


def test_a_model_outside_the_given_price_list_is_unknown_even_if_genai_prices_knows_it(
    make_scenario: Any, made_up_catalogue: Catalogue
) -> None:
    assert made_up_catalogue.resolve_api_model("anthropic/claude-haiku-4-5") is None
    assert made_up_catalogue.known_api_models() == ["acme/chat-1"]


def test_the_sources_name_each_api_price_and_the_day_it_was_seen(
    make_scenario: Any, made_up_catalogue: Catalogue
) -> None:
    sources = analyse(_acme(make_scenario), made_up_catalogue).sources
    assert [(s.kind, s.subject, s.api_mode, s.source, s.as_of, s.stale) for s in sources] == [
        ("api_prices", "acme/chat-1", "realtime", "Acme, price page", date(2026, 11, 1), False)
    ]


def test_a_price_seen_more_than_90_days_before_the_report_is_flagged_stale(
    make_scenario: Any, made_up_catalogue: Catalogue
) -> None:
    results = analyse(_acme(make_scenario, api_mode="batch"), made_up_catalogue)
    # 2026-06-01 to 2026-12-04: 29 + 31 + 31 + 30 + 31 + 30 + 3 = 186 days.
    [stale] = results.stale_prices
    assert (stale.kind, stale.subject, stale.api_mode) == ("api_prices", "acme/chat-1", "batch")
    assert (stale.seen, stale.age_days, stale.limit_days) == (
        date(2026, 6, 1),
        186,
        90,
    )
    assert [s.stale for s in results.sources] == [True]


def test_a_price_seen_exactly_90_days_before_is_not_stale(
    make_scenario: Any, made_up_catalogue: Catalogue
) -> None:
    scenario = _acme(make_scenario, api_mode="batch")
    scenario = scenario.model_copy(
        update={"client": scenario.client.model_copy(update={"report_date": date(2026, 8, 30)})}
    )
    assert analyse(scenario, made_up_catalogue).stale_prices == []


def test_an_old_instance_price_is_flagged_and_a_fresh_one_is_not(
    make_scenario: Any, made_up_catalogue: Catalogue
) -> None:
    p5 = made_up_catalogue.instances["aws/p5.48xlarge"]
    assert p5.on_demand is not None
    old = p5.model_copy(
        update={"on_demand": p5.on_demand.model_copy(update={"seen": date(2026, 3, 1)})}
    )
    catalogue = replace(made_up_catalogue, instances={**made_up_catalogue.instances, p5.id: old})
    scenario = make_scenario(
        client={"client_name": "T", "report_date": "2026-12-04"},
        tiers=[{"tier": "all", "share_pct": 100, "api_model": "acme/chat-1"}],
        deployments=[
            {
                "deployment": "a",
                "model": "llama-3.3-70b",
                "precision": "fp8",
                "gpu": "h100-sxm",
                "price_plan": "on_demand",
            }
        ],
    )
    stale = analyse(scenario, catalogue).stale_prices
    # 2026-03-01 to 2026-12-04: 31+30+31+30+31+31+30+31+30 + 3 = 278 days.
    assert [(s.kind, s.subject, s.age_days) for s in stale] == [
        ("instance", "aws/p5.48xlarge", 278)
    ]
    assert analyse(scenario, made_up_catalogue).stale_prices == []


def test_a_retired_api_model_typed_in_is_accepted_with_a_warning(
    make_scenario: Any, fixture_catalogue: Catalogue
) -> None:
    scenario = make_scenario(
        tiers=[{"tier": "all", "share_pct": 100, "api_model": "anthropic/claude-2"}]
    )
    assert [str(w) for w in analyse(scenario, fixture_catalogue).warnings] == [
        "tiers[0].api_model: anthropic/claude-2 is retired by its provider: it is priced at "
        "its last published price; price the model the client will move to instead"
    ]


@pytest.mark.parametrize(
    ("report_date", "tense"),
    [
        ("2026-12-04", "was retired by its provider on 2026-05-15"),
        ("2026-05-14", "is to be retired by its provider on 2026-05-15"),
    ],
)
def test_a_workbook_naming_a_retired_model_is_warned_of_its_successor(
    make_scenario: Any, catalogue: Catalogue, report_date: str, tense: str
) -> None:
    scenario = make_scenario(tiers=[{"tier": "all", "share_pct": 100, "api_model": "x-ai/grok-3"}])
    client = scenario.client.model_copy(update={"report_date": date.fromisoformat(report_date)})
    warnings = analyse(scenario.model_copy(update={"client": client}), catalogue).warnings
    assert [(w.code, str(w)) for w in warnings] == [
        (
            "retired_model",
            f"tiers[0].api_model: x-ai/grok-3 {tense} (xAI, Grok model retirement on May 15, "
            "2026 (docs.x.ai migration guide)); x-ai/grok-4.3 replaces it: price the model the "
            "client will move to instead",
        )
    ]
