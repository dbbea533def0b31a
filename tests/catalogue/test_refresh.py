"""`catalogue refresh` from recorded price-list answers: no network, and a bad answer changes nothing.

The answers in recorded/ are small hand-made files in the real formats of the Azure Retail
Prices API (JSON) and the AWS Price List bulk offer file for EC2 (CSV, five metadata lines).
"""

from __future__ import annotations

import io
import urllib.request
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from crossover.catalogue import Catalogue, Instance, with_local_overlay
from crossover.catalogue.refresh import (
    AZURE_MAX_BYTES,
    Fetchers,
    RefreshError,
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


def test_refresh_reads_the_linux_on_demand_prices_per_gpu(catalogue: Catalogue) -> None:
    instances = _instances(catalogue, AZURE_H100, "aws/p5.48xlarge", "aws/p4d.24xlarge")
    overlay = refresh(instances, TODAY, _fetchers())
    prices = {p.instance: p.price for p in overlay.prices}
    # 98.32 / 8 (not the Spot or Windows rows); 55.04 / 8 and 21.957642 / 8 (not Windows,
    # reserved, dedicated or unused-reservation rows).
    assert {i: p.usd_per_gpu_hour for i, p in prices.items()} == {
        AZURE_H100: 12.29,
        "aws/p5.48xlarge": 6.88,
        "aws/p4d.24xlarge": 2.74470525,
    }
    assert {p.seen for p in prices.values()} == {TODAY}
    assert prices[AZURE_H100].source == "Microsoft Azure, Retail Prices API, eastus"
    assert (
        prices["aws/p5.48xlarge"].source == "AWS, Price List offer file for Amazon EC2, us-east-1"
    )


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
def test_a_malformed_or_empty_azure_answer_is_refused(
    catalogue: Catalogue, azure: str, message: str
) -> None:
    with pytest.raises(RefreshError) as raised:
        refresh(_instances(catalogue, AZURE_H100), TODAY, _fetchers(azure=azure))
    assert str(raised.value).startswith(message)


def test_an_aws_file_without_the_instance_is_refused(catalogue: Catalogue) -> None:
    with pytest.raises(
        RefreshError, match=r"AWS: no on-demand price for aws/g5.xlarge in us-east-1"
    ):
        refresh(_instances(catalogue, "aws/g5.xlarge"), TODAY, _fetchers())


def test_an_implausible_price_is_not_trusted(catalogue: Catalogue) -> None:
    p5 = catalogue.instances["aws/p5.48xlarge"]
    assert p5.on_demand is not None
    cheap = p5.model_copy(
        update={"on_demand": p5.on_demand.model_copy(update={"usd_per_gpu_hour": 0.5})}
    )
    with pytest.raises(RefreshError, match=r"more than 3 times away from the shipped 0.5"):
        refresh({p5.id: cheap}, TODAY, _fetchers())


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
    overlay = refresh(_instances(catalogue, AZURE_H100), TODAY, _fetchers())
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
        "Error: refresh failed, nothing changed: Azure: the answer for azure/"
    )
    assert list(tmp_path.iterdir()) == []


def test_the_cli_diff_without_a_refresh_says_the_shipped_prices_are_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CROSSOVER_DATA_DIR", str(tmp_path))
    result = CliRunner().invoke(cli, ["catalogue", "diff"])
    assert result.exit_code == 0
    assert "reports use the shipped ones" in result.output
