"""`catalogue refresh` from recorded price-list answers: no network; a bad answer refreshes
nothing from its provider, and an older price never replaces a newer one.

The answers in recorded/ are excerpts of real answers of the Azure Retail Prices API and of
the AWS Price List offer file for EC2; recorded/README.md gives each one's origin.
"""

from __future__ import annotations

import io
import urllib.parse
import urllib.request
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from crossover.catalogue import Catalogue, Instance, with_local_overlay
from crossover.catalogue.models import PriceSeen
from crossover.catalogue.refresh import (
    AZURE_MAX_BYTES,
    Fetchers,
    LocalOverlay,
    LocalPrice,
    NotRefreshed,
    RefreshError,
    apply_overlay,
    aws_hourly,
    http_get,
    moves,
    read_overlay,
    refresh,
    write_overlay,
)
from crossover.cli import cli, main

RECORDED = Path(__file__).parent / "recorded"
TODAY = date(2026, 12, 4)
AZURE_H100 = "azure/standard_nd96isr_h100_v5"


def _instances(catalogue: Catalogue, *ids: str) -> dict[str, Instance]:
    return {i: catalogue.instances[i] for i in ids}


def _fetchers(
    azure: str = "azure-nd96isr-h100-v5-eastus.json", aws: str = "aws-ec2-us-east-1.csv"
) -> Fetchers:
    def get(url: str, cap: int) -> bytes:
        assert "Standard_ND96isr_H100_v5" in url and "eastus" in url
        return (RECORDED / azure).read_bytes()

    def lines(url: str, cap: int) -> Iterator[str]:
        assert url.endswith("/AmazonEC2/current/us-east-1/index.csv")
        yield from (RECORDED / aws).read_text().splitlines(keepends=True)

    return Fetchers(get=get, lines=lines)


def _aws_lines() -> list[str]:
    return (RECORDED / "aws-ec2-us-east-1.csv").read_text().splitlines(keepends=True)


def test_the_aws_offer_gives_one_plain_linux_on_demand_price_per_type(
    catalogue: Catalogue,
) -> None:
    m5 = catalogue.instances["aws/g6.xlarge"].model_copy(
        update={"id": "aws/m5.xlarge", "instance_type": "m5.xlarge"}
    )
    wanted = [
        *_instances(catalogue, "aws/p5.48xlarge", "aws/p4d.24xlarge", "aws/g6.xlarge").values(),
        m5,
    ]
    offer = aws_hourly(_aws_lines(), wanted)
    # p5's $0.00 Capacity Block row is skipped (MarketOption), as are m5's Windows, BYOL,
    # SQL Standard, dedicated and unused-reservation rows, and the free-tier pseudo-product.
    assert offer.hourly == {
        "aws/p5.48xlarge": 55.04,
        "aws/p4d.24xlarge": 21.957642,
        "aws/g6.xlarge": 0.8048,
        "aws/m5.xlarge": 0.192,
    }
    assert (offer.published, offer.version) == (date(2026, 9, 10), "20260910195514")


def test_an_offer_file_without_a_market_option_is_refused(catalogue: Catalogue) -> None:
    lines = _aws_lines()
    lines[5] = lines[5].replace(',"MarketOption"', "")
    with pytest.raises(RefreshError, match="AWS: the offer file lacks the columns MarketOption"):
        aws_hourly(lines, list(_instances(catalogue, "aws/p5.48xlarge").values()))


def test_refresh_reads_the_linux_on_demand_prices_per_gpu(catalogue: Catalogue) -> None:
    instances = _instances(
        catalogue, AZURE_H100, "aws/p5.48xlarge", "aws/p4d.24xlarge", "aws/g6.xlarge"
    )
    outcome = refresh(instances, TODAY, _fetchers())
    prices = {p.instance: p.price for p in outcome.overlay.prices}
    # Azure: 98.32 / 8 (not the Spot, Low Priority or Windows rows), seen the day it was asked.
    # AWS: g6.xlarge's 0.8048, seen the day the offer was published; p5 (55.04 / 8 = 6.88)
    # and p4d were seen at their source on 2026-11-09, after the offer's 2026-09-10: kept.
    assert {i: (p.usd_per_gpu_hour, p.seen) for i, p in prices.items()} == {
        AZURE_H100: (12.29, TODAY),
        "aws/g6.xlarge": (0.8048, date(2026, 9, 10)),
    }
    assert sorted(outcome.kept) == ["aws/p4d.24xlarge", "aws/p5.48xlarge"]
    assert outcome.not_refreshed == []
    assert prices[AZURE_H100].source == "Microsoft Azure, Retail Prices API, eastus"
    assert prices["aws/g6.xlarge"].source == "AWS, Price List offer file for Amazon EC2, us-east-1"
    assert "offer version 20260910195514" in prices["aws/g6.xlarge"].provenance


@pytest.mark.parametrize(
    ("azure", "message"),
    [
        (
            "azure-malformed.json",
            "Azure: the answer for azure/standard_nd96isr_h100_v5 is not a price list",
        ),
        (
            "azure-empty.json",
            "Azure: expected one Linux pay-as-you-go price for azure/standard_nd96isr_h100_v5, found 0",
        ),
    ],
)
def test_a_failing_provider_is_listed_and_leaves_the_others_refreshed(
    catalogue: Catalogue, azure: str, message: str
) -> None:
    instances = _instances(catalogue, AZURE_H100, "aws/g6.xlarge")
    outcome = refresh(instances, TODAY, _fetchers(azure=azure))
    assert [p.instance for p in outcome.overlay.prices] == ["aws/g6.xlarge"]
    [failed] = outcome.not_refreshed
    assert failed.subject == "azure" and failed.reason.startswith(message)


def test_when_no_provider_answers_nothing_is_refreshed(catalogue: Catalogue) -> None:
    def lines(url: str, cap: int) -> Iterator[str]:
        yield "<html>Service Unavailable</html>\n"

    fetchers = Fetchers(get=_fetchers(azure="azure-empty.json").get, lines=lines)
    with pytest.raises(RefreshError) as raised:
        refresh(_instances(catalogue, AZURE_H100, "aws/g6.xlarge"), TODAY, fetchers)
    assert str(raised.value) == (
        "no price list gave a usable price: azure: Azure: expected one Linux pay-as-you-go "
        "price for azure/standard_nd96isr_h100_v5, found 0; aws: AWS: the offer file does not "
        "give its publication date"
    )


def test_an_instance_missing_from_the_aws_file_is_listed_and_keeps_its_price(
    catalogue: Catalogue,
) -> None:
    outcome = refresh(_instances(catalogue, "aws/g5.xlarge", "aws/g6.xlarge"), TODAY, _fetchers())
    assert [p.instance for p in outcome.overlay.prices] == ["aws/g6.xlarge"]
    assert outcome.not_refreshed == [
        NotRefreshed("aws/g5.xlarge", "AWS: no on-demand price in us-east-1")
    ]


def test_an_implausible_price_is_not_trusted(catalogue: Catalogue) -> None:
    g6 = catalogue.instances["aws/g6.xlarge"]
    assert g6.on_demand is not None
    cheap = g6.model_copy(
        update={"on_demand": g6.on_demand.model_copy(update={"usd_per_gpu_hour": 0.1})}
    )
    outcome = refresh({g6.id: cheap, **_instances(catalogue, AZURE_H100)}, TODAY, _fetchers())
    assert [p.instance for p in outcome.overlay.prices] == [AZURE_H100]
    assert outcome.not_refreshed == [
        NotRefreshed(
            "aws/g6.xlarge",
            "aws/g6.xlarge: 0.8048 USD per GPU-hour is more than 3 times away from the shipped "
            "0.1; not trusted",
        )
    ]


def test_an_older_overlay_never_replaces_a_newer_shipped_price(catalogue: Catalogue) -> None:
    # The case: an overlay dated 2026-08-01 over p5 prices seen 2026-11-09.
    old = LocalOverlay(
        refreshed=date(2026, 8, 1),
        prices=[
            LocalPrice(
                instance=instance,
                price=PriceSeen(usd_per_gpu_hour=5.0, seen=date(2026, 8, 1), source="AWS"),
            )
            for instance in ("aws/p5.48xlarge", "aws/g5.xlarge")
        ],
    )
    applied = apply_overlay(catalogue.instances, old)
    assert applied["aws/p5.48xlarge"].on_demand_usd_per_gpu_hour == 6.88
    # g5.xlarge's shipped price is undated: a dated observation replaces it.
    assert applied["aws/g5.xlarge"].on_demand_usd_per_gpu_hour == 5.0


def test_a_provider_that_fails_keeps_the_prices_of_the_last_refresh(
    catalogue: Catalogue,
) -> None:
    instances = _instances(catalogue, AZURE_H100, "aws/g6.xlarge")
    earlier = refresh(instances, date(2026, 12, 1), _fetchers()).overlay
    later = refresh(
        instances, TODAY, _fetchers(azure="azure-malformed.json"), previous=earlier
    ).overlay
    azure = next(p for p in later.prices if p.instance == AZURE_H100)
    assert azure.price.seen == date(2026, 12, 1)


class _Answer(io.BytesIO):
    """What urlopen returns, from bytes: read(), iteration and a context manager."""


def test_an_answer_over_the_size_cap_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    def urlopen(request: Any, timeout: float) -> _Answer:
        return _Answer(b"x" * (AZURE_MAX_BYTES + 1))

    monkeypatch.setattr(urllib.request, "urlopen", urlopen)
    with pytest.raises(RefreshError, match="larger than 2,000,000 bytes"):
        http_get("https://prices.azure.com/api/retail/prices", AZURE_MAX_BYTES)


def test_a_timeout_is_a_refresh_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def urlopen(request: Any, timeout: float) -> _Answer:
        assert timeout == 30.0
        raise TimeoutError("timed out")

    monkeypatch.setattr(urllib.request, "urlopen", urlopen)
    with pytest.raises(RefreshError, match=r"prices\.azure\.com: timed out"):
        http_get("https://prices.azure.com/api/retail/prices", AZURE_MAX_BYTES)


def test_the_overlay_replaces_the_shipped_prices_and_is_named(
    catalogue: Catalogue, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    overlay = refresh(_instances(catalogue, AZURE_H100), TODAY, _fetchers()).overlay
    moved = overlay.model_copy(
        update={
            "prices": [
                p.model_copy(
                    update={"price": p.price.model_copy(update={"usd_per_gpu_hour": 11.0})}
                )
                for p in overlay.prices
            ]
        }
    )
    monkeypatch.setenv("CROSSOVER_DATA_DIR", str(tmp_path))
    write_overlay(moved, tmp_path / "price-overlay.json")
    refreshed = with_local_overlay(catalogue)
    assert refreshed.instances[AZURE_H100].on_demand_usd_per_gpu_hour == 11.0
    assert refreshed.versions["local price overlay"] == "refreshed 2026-12-04"
    assert catalogue.instances[AZURE_H100].on_demand_usd_per_gpu_hour == 12.29
    [move] = moves(catalogue.instances, moved)
    assert move.change_pct == pytest.approx((11.0 - 12.29) / 12.29 * 100)


def test_a_damaged_overlay_is_an_error_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "price-overlay.json"
    path.write_text('{"refreshed": "someday"}')
    with pytest.raises(RefreshError, match="the local price overlay is damaged"):
        read_overlay(path)


def test_the_cli_refresh_that_fails_writes_nothing_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def urlopen(request: Any, timeout: float) -> _Answer:
        return _Answer((RECORDED / "azure-malformed.json").read_bytes())

    monkeypatch.setattr(urllib.request, "urlopen", urlopen)
    monkeypatch.setenv("CROSSOVER_DATA_DIR", str(tmp_path))
    with pytest.raises(SystemExit) as exit_info:
        main(["catalogue", "refresh"])
    assert exit_info.value.code == 69
    assert capsys.readouterr().err.startswith(
        "Error: refresh failed, nothing changed: no price list gave a usable price: azure: "
        "Azure: the answer for azure/"
    )
    assert list(tmp_path.iterdir()) == []


def test_the_cli_diff_without_a_refresh_says_the_shipped_prices_are_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CROSSOVER_DATA_DIR", str(tmp_path))
    result = CliRunner().invoke(cli, ["catalogue", "diff"])
    assert result.exit_code == 0
    assert "reports use the shipped ones" in result.output


def _gcp_fetchers(key: str | None = "test-key") -> Fetchers:
    def get(url: str, cap: int) -> bytes:
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
        assert query["key"] == ["test-key"] and query["currencyCode"] == ["USD"]
        page = 2 if query.get("pageToken") == ["page-2"] else 1
        return (RECORDED / f"gcp-compute-skus-page-{page}.json").read_bytes()

    return Fetchers(get=get, gcp_api_key=key)


def test_gcp_adds_up_a_machine_from_its_vcpu_memory_and_gpu_skus(catalogue: Catalogue) -> None:
    outcome = refresh(_instances(catalogue, "gcp/g2-standard-4"), TODAY, _gcp_fetchers())
    [price] = outcome.overlay.prices
    # 4 vCPU × 0.02498844 + 16 GiB × 0.00292847 + 1 L4 × 0.56004 (not the Spot, commitment,
    # custom-machine, workstation or Netherlands SKUs), read across both pages.
    expected = 4 * 0.02498844 + 16 * 0.00292847 + 0.56004
    assert price.price.usd_per_gpu_hour == pytest.approx(expected, rel=1e-12)
    assert round(expected, 3) == 0.707  # the shipped price, from a secondary source
    assert price.price.seen == TODAY
    assert price.price.source == "Google Cloud, Cloud Billing Catalog, us-central1"
    assert "D18E-3563-415F" in price.price.provenance


def test_without_a_gcp_key_gcp_is_listed_and_the_others_refresh(catalogue: Catalogue) -> None:
    instances = _instances(catalogue, "gcp/g2-standard-4", AZURE_H100)
    fetchers = Fetchers(get=_fetchers().get, lines=_fetchers().lines)
    outcome = refresh(instances, TODAY, fetchers)
    assert [p.instance for p in outcome.overlay.prices] == [AZURE_H100]
    assert outcome.not_refreshed == [
        NotRefreshed(
            "gcp",
            "GCP: set CROSSOVER_GCP_API_KEY to a Google Cloud API key to read the Cloud "
            "Billing Catalog",
        )
    ]


def test_a_gcp_machine_whose_skus_are_missing_keeps_its_price(catalogue: Catalogue) -> None:
    a2 = catalogue.instances["gcp/a2-highgpu-1g"]
    with pytest.raises(RefreshError) as raised:
        refresh({a2.id: a2}, TODAY, _gcp_fetchers())
    assert str(raised.value) == (
        "no price list gave a usable price: gcp/a2-highgpu-1g: GCP: expected one on-demand SKU "
        "'A2 Instance Core running in ...' in us-central1, found 0"
    )
