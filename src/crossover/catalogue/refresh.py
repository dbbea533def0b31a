"""`crossover catalogue refresh`: on-demand prices from the providers' public price lists.

The only code in crossover that touches the network, and only when the user asks. It reads
the Azure Retail Prices API and the AWS Price List bulk offer files (neither needs an
account), and GCP's Cloud Billing Catalog when a key is set in the environment, for the
instances the catalogue knows; checks every answer, and writes a dated local overlay in the
user's data folder. A provider whose answer is wrong (no answer, a timeout, an oversized or
malformed reply, an empty one) is listed with its reason and leaves the others refreshed; an
instance missing from an answer, or priced far from the shipped figure, is listed and keeps its
price. An older observation never replaces a newer one.
"""

from __future__ import annotations

import csv
import io
import json
import re
import urllib.parse
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from crossover.catalogue.models import Instance, PriceSeen
from crossover.errors import EXIT_UNAVAILABLE, CrossoverError

TIMEOUT_S = 30.0
"""Per connection and per read; a price list slower than this is given up."""
AZURE_MAX_BYTES = 2_000_000
"""One Azure answer for one machine in one region is a few kilobytes."""
AWS_MAX_BYTES = 6_000_000_000
"""A region's EC2 offer file is several gigabytes of CSV, read line by line, never held."""
PLAUSIBLE_RATIO = 3.0
"""A refreshed price more than this many times above or below the shipped one is nonsense."""

GCP_MAX_BYTES = 60_000_000
"""One page of Compute Engine SKUs (5,000 at most) is some tens of megabytes."""
GCP_MAX_PAGES = 40
"""Compute Engine lists a few tens of thousands of SKUs: more pages than this is not an answer."""
GCP_KEY_VARIABLE = "CROSSOVER_GCP_API_KEY"
"""The environment variable holding a Google Cloud API key for the Cloud Billing Catalog."""

AZURE_URL = "https://prices.azure.com/api/retail/prices"
AWS_URL = (
    "https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AmazonEC2/current/{region}/index.csv"
)
GCP_URL = "https://cloudbilling.googleapis.com/v1/services/6F81-5844-456A/skus"
"""The Cloud Billing Catalog's SKUs of Compute Engine (service 6F81-5844-456A)."""


class RefreshError(CrossoverError):
    """A refresh that could not be trusted (nothing was written), or a damaged local overlay."""

    exit_code = EXIT_UNAVAILABLE


class LocalPrice(BaseModel):
    """One refreshed on-demand price."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    instance: str
    price: PriceSeen


class LocalOverlay(BaseModel):
    """The local overlay file: the day of the refresh and the prices it found."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    refreshed: date
    prices: list[LocalPrice]

    @property
    def name(self) -> str:
        return f"refreshed {self.refreshed.isoformat()}"


def read_overlay(path: Path) -> LocalOverlay | None:
    """The local overlay at path; None when there is none. A damaged one is an error."""
    if not path.is_file():
        return None
    try:
        return LocalOverlay.model_validate_json(path.read_bytes())
    except ValidationError as error:
        raise RefreshError(
            f"{path}: the local price overlay is damaged ({error.error_count()} problems); "
            "run `crossover catalogue refresh` again, or delete the file to use the shipped prices"
        ) from None


def apply_overlay(instances: dict[str, Instance], overlay: LocalOverlay) -> dict[str, Instance]:
    """The instances with their refreshed on-demand prices where those are not older than the
    shipped ones; unknown ids are ignored."""
    updated = dict(instances)
    for row in overlay.prices:
        if row.instance in updated and supersedes(row.price, updated[row.instance].on_demand):
            updated[row.instance] = updated[row.instance].model_copy(
                update={"on_demand": row.price}
            )
    return updated


def supersedes(new: PriceSeen, old: PriceSeen | None) -> bool:
    """Whether an observation may replace another: never an older one. A dated price always
    replaces an undated one (nothing shows when that held)."""
    if old is None or not old.dated:
        return True
    return new.dated and new.day >= old.day


# --- reading the price lists -------------------------------------------------------------


def _read_capped(stream: io.BufferedIOBase | Any, max_bytes: int) -> bytes:
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise RefreshError(f"the answer is larger than {max_bytes:,} bytes")
    return bytes(data)


def http_get(url: str, max_bytes: int) -> bytes:
    """GET with a timeout and a size cap."""
    import urllib.request  # only a refresh needs HTTP: every other command starts faster

    request = urllib.request.Request(url, headers={"User-Agent": "crossover catalogue refresh"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
            return _read_capped(response, max_bytes)
    except OSError as error:  # URLError, timeouts and refused connections are OSErrors
        raise RefreshError(f"{urllib.parse.urlsplit(url).netloc}: {error}") from None


def http_lines(url: str, max_bytes: int) -> Iterator[str]:
    """The lines of a large text answer, read as they arrive, with a timeout and a size cap."""
    import urllib.request

    request = urllib.request.Request(url, headers={"User-Agent": "crossover catalogue refresh"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
            read = 0
            for raw in response:
                read += len(raw)
                if read > max_bytes:
                    raise RefreshError(f"the answer is larger than {max_bytes:,} bytes")
                yield raw.decode("utf-8")
    except OSError as error:
        raise RefreshError(f"{urllib.parse.urlsplit(url).netloc}: {error}") from None


def azure_url(instance: Instance) -> str:
    query = (
        f"serviceName eq 'Virtual Machines' and armSkuName eq '{instance.instance_type}' "
        f"and armRegionName eq '{instance.region}' and priceType eq 'Consumption'"
    )
    return f"{AZURE_URL}?{urllib.parse.urlencode({'$filter': query})}"


def azure_hourly(payload: bytes, instance: Instance) -> float:
    """The Linux pay-as-you-go hourly price of one machine from a Retail Prices API answer.

    Linux and Windows share a meter name (only the product name says Windows); Spot and Low
    Priority are meters of their own; reservations are another price type.
    """
    try:
        items = json.loads(payload)["Items"]
        rows = [
            float(item["retailPrice"])
            for item in items
            if item["armSkuName"] == instance.instance_type
            and item["armRegionName"] == instance.region
            and item["type"] == "Consumption"
            and item["unitOfMeasure"] == "1 Hour"
            and item.get("currencyCode", "USD") == "USD"
            and not any(
                word in f"{item.get('meterName', '')} {item.get('skuName', '')}"
                for word in ("Spot", "Low Priority")
            )
            and "Windows" not in item["productName"]
        ]
    except (ValueError, KeyError, TypeError) as error:
        raise RefreshError(
            f"Azure: the answer for {instance.id} is not a price list ({error!r})"
        ) from None
    if len(rows) != 1:
        raise RefreshError(
            f"Azure: expected one Linux pay-as-you-go price for {instance.id}, found {len(rows)}"
        )
    return rows[0]


_AWS_COLUMNS = (
    "TermType",
    "Unit",
    "PricePerUnit",
    "Currency",
    "Instance Type",
    "Operating System",
    "Tenancy",
    "Pre Installed S/W",
    "CapacityStatus",
    "License Model",
    "MarketOption",
    "operation",
)

_AWS_ON_DEMAND = {
    "TermType": "OnDemand",
    "Unit": "Hrs",
    "Currency": "USD",
    "Operating System": "Linux",
    "Tenancy": "Shared",
    "Pre Installed S/W": "NA",
    "CapacityStatus": "Used",
    "License Model": "No License required",
    # Capacity Blocks (p4d to p6-b300) list a $0.00 OnDemand-term row of their own: the
    # market option is what tells them apart.
    "MarketOption": "OnDemand",
    # Plain Linux: RunInstances:0004 and the like are images with software priced in.
    "operation": "RunInstances",
}
"""The one row of an instance type that is its Linux, shared-tenancy on-demand price."""


@dataclass(frozen=True)
class AwsOffer:
    """What an EC2 offer file says about some instance types: each one's hourly price, and the
    day the offer was published."""

    published: date
    version: str
    hourly: dict[str, float]


def aws_hourly(lines: Iterable[str], instances: list[Instance]) -> AwsOffer:
    """Linux, shared-tenancy on-demand hourly prices from an EC2 offer file (CSV form).

    The file opens with five lines of metadata (its publication date and version among them),
    then the header row.
    """
    wanted = {i.instance_type: i for i in instances}
    rows = iter(lines)
    metadata = dict(
        (r[0], r[1]) for r in csv.reader(next(rows, "") for _ in range(5)) if len(r) >= 2
    )
    try:
        published = date.fromisoformat(metadata["Publication Date"][:10])
    except (KeyError, ValueError):
        raise RefreshError("AWS: the offer file does not give its publication date") from None
    reader = csv.DictReader(rows)
    missing = [c for c in _AWS_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise RefreshError(f"AWS: the offer file lacks the columns {', '.join(missing)}")
    found: dict[str, float] = {}
    for row in reader:
        instance = wanted.get(row["Instance Type"])
        if instance is None or any(row[k] != v for k, v in _AWS_ON_DEMAND.items()):
            continue
        try:
            price = float(row["PricePerUnit"])
        except ValueError:
            raise RefreshError(
                f"AWS: {instance.id} has a price that is not a number: {row['PricePerUnit']!r}"
            ) from None
        if instance.id in found and found[instance.id] != price:
            raise RefreshError(f"AWS: {instance.id} has two different on-demand prices")
        found[instance.id] = price
    return AwsOffer(published=published, version=metadata.get("Version", ""), hourly=found)


@dataclass(frozen=True)
class GcpShape:
    """What a GCP machine type is billed for: vCPUs, memory and GPUs, each at its SKU's rate."""

    family: str
    """The machine family as the SKUs name it ("G2 Instance Core running in ...")."""
    vcpus: int
    memory_gib: float
    gpu_sku: str
    """The GPU SKU's description before " running in" ("Nvidia L4 GPU")."""
    gpus: int


GCP_SHAPES = {
    "g2-standard-4": GcpShape("G2", 4, 16, "Nvidia L4 GPU", 1),
    "a2-highgpu-1g": GcpShape("A2", 12, 85, "Nvidia Tesla A100 GPU", 1),
    "a2-highgpu-8g": GcpShape("A2", 96, 680, "Nvidia Tesla A100 GPU", 8),
}
"""The machine types whose price the SKUs add up to (Compute Engine's machine-type tables).
Other GCP instances keep their shipped prices."""


def gcp_skus(payloads: Iterable[bytes]) -> list[dict[str, Any]]:
    """Every SKU of the answer's pages."""
    skus: list[dict[str, Any]] = []
    for payload in payloads:
        try:
            page = json.loads(payload)["skus"]
        except (ValueError, KeyError, TypeError) as error:
            raise RefreshError(f"GCP: the answer is not a SKU list ({error!r})") from None
        if not isinstance(page, list):
            raise RefreshError("GCP: the answer is not a SKU list")
        skus += page
    return skus


def _gcp_rate(skus: list[dict[str, Any]], prefix: str, region: str, unit: str) -> tuple[str, float]:
    """The one on-demand SKU whose description starts with prefix in the region: id and rate."""
    try:
        found = [
            sku
            for sku in skus
            if sku["description"].startswith(prefix)
            and sku["category"]["usageType"] == "OnDemand"
            and region in sku.get("serviceRegions", [])
        ]
        if len(found) != 1:
            raise RefreshError(
                f"GCP: expected one on-demand SKU '{prefix}...' in {region}, found {len(found)}"
            )
        expression = found[0]["pricingInfo"][0]["pricingExpression"]
        if expression["usageUnit"] != unit:
            raise RefreshError(
                f"GCP: '{found[0]['description']}' is priced per {expression['usageUnit']!r}, "
                f"not {unit!r}"
            )
        tier = next(t for t in expression["tieredRates"] if float(t["startUsageAmount"]) == 0)
        price = tier["unitPrice"]
        rate = int(price.get("units", 0)) + int(price.get("nanos", 0)) / 1e9
    except (KeyError, IndexError, TypeError, ValueError, StopIteration) as error:
        raise RefreshError(f"GCP: a SKU for '{prefix}...' is malformed ({error!r})") from None
    return str(found[0]["skuId"]), rate


def gcp_hourly(skus: list[dict[str, Any]], instance: Instance) -> tuple[float, str]:
    """A machine's on-demand hourly price from its vCPU, memory and GPU SKUs, and how."""
    shape = GCP_SHAPES[instance.instance_type]
    region = instance.region or ""
    core_id, core = _gcp_rate(skus, f"{shape.family} Instance Core running in ", region, "h")
    ram_id, ram = _gcp_rate(skus, f"{shape.family} Instance Ram running in ", region, "GiBy.h")
    gpu_id, gpu = _gcp_rate(skus, f"{shape.gpu_sku} running in ", region, "h")
    hourly = shape.vcpus * core + shape.memory_gib * ram + shape.gpus * gpu
    how = (
        f"{shape.vcpus} vCPU × {core:g} ({core_id}) + {shape.memory_gib:g} GiB × {ram:g} "
        f"({ram_id}) + {shape.gpus} GPU × {gpu:g} ({gpu_id})"
    )
    return hourly, how


def _gcp_pages(key: str, fetch: Fetchers) -> Iterator[bytes]:
    token = ""
    for _ in range(GCP_MAX_PAGES):
        query = {"currencyCode": "USD", "pageSize": "5000", "key": key}
        if token:
            query["pageToken"] = token
        payload = fetch.get(f"{GCP_URL}?{urllib.parse.urlencode(query)}", GCP_MAX_BYTES)
        yield payload
        try:
            token = json.loads(payload).get("nextPageToken", "")
        except ValueError:
            return  # gcp_skus says what is wrong with it
        if not token:
            return
    raise RefreshError(f"GCP: more than {GCP_MAX_PAGES} pages of SKUs")


def _gcp(instances: dict[str, Instance], today: date, fetch: Fetchers) -> _Found:
    wanted = [
        i
        for i in instances.values()
        if i.cloud == "gcp" and i.region and i.instance_type in GCP_SHAPES
    ]
    if not wanted:
        return [], []
    if not fetch.gcp_api_key:
        raise RefreshError(
            f"GCP: set {GCP_KEY_VARIABLE} to a Google Cloud API key to read the Cloud Billing "
            "Catalog"
        )
    skus = gcp_skus(_gcp_pages(fetch.gcp_api_key, fetch))
    prices: list[LocalPrice] = []
    problems: list[NotRefreshed] = []
    for instance in wanted:
        try:
            hourly, how = gcp_hourly(skus, instance)
            # The catalog answers with today's list prices: seen today.
            prices.append(
                _priced(
                    instance,
                    hourly,
                    today,
                    f"Google Cloud, Cloud Billing Catalog, {instance.region}",
                    f" ({how})",
                )
            )
        except RefreshError as error:
            problems.append(NotRefreshed(instance.id, str(error)))
    return prices, problems


# --- the refresh -----------------------------------------------------------------------


@dataclass(frozen=True)
class Fetchers:
    """How the price lists are read: the network by default, recorded answers in tests."""

    get: Callable[[str, int], bytes] = http_get
    lines: Callable[[str, int], Iterable[str]] = http_lines
    gcp_api_key: str | None = None
    """A Google Cloud API key: without one GCP's prices are not read."""


@dataclass(frozen=True)
class Move:
    """One instance's on-demand price: shipped, and as refreshed."""

    instance: str
    shipped: float | None
    refreshed: float

    @property
    def change_pct(self) -> float | None:
        if self.shipped is None:
            return None
        return (self.refreshed - self.shipped) / self.shipped * 100


@dataclass(frozen=True)
class NotRefreshed:
    """A provider, or one instance, whose price list could not be used, and why."""

    subject: str
    """The provider (aws, azure, gcp) or the instance id."""
    reason: str


@dataclass(frozen=True)
class RefreshOutcome:
    """What a refresh found: the overlay to write, and what it could not refresh."""

    overlay: LocalOverlay
    not_refreshed: list[NotRefreshed]
    kept: list[str]
    """Instances whose shipped price was seen later than the price list's: left as shipped."""


def _checked(instance: Instance, hourly: float) -> float:
    per_gpu = hourly / instance.gpus_per_instance
    shipped = instance.on_demand_usd_per_gpu_hour
    if not per_gpu > 0:
        raise RefreshError(f"{instance.id}: a price of {hourly!r} per hour is not a price")
    if (
        shipped is not None
        and not shipped / PLAUSIBLE_RATIO <= per_gpu <= shipped * PLAUSIBLE_RATIO
    ):
        raise RefreshError(
            f"{instance.id}: {per_gpu:g} USD per GPU-hour is more than {PLAUSIBLE_RATIO:g} times "
            f"away from the shipped {shipped:g}; not trusted"
        )
    return per_gpu


_Found = tuple[list[LocalPrice], list[NotRefreshed]]


def _priced(instance: Instance, hourly: float, seen: date, source: str, note: str) -> LocalPrice:
    return LocalPrice(
        instance=instance.id,
        price=PriceSeen(
            usd_per_gpu_hour=_checked(instance, hourly),
            seen=seen,
            source=source,
            provenance=f"crossover catalogue refresh: {hourly:g} USD/h per instance{note}",
        ),
    )


def _azure(instances: dict[str, Instance], today: date, fetch: Fetchers) -> _Found:
    prices: list[LocalPrice] = []
    problems: list[NotRefreshed] = []
    for instance in (i for i in instances.values() if i.cloud == "azure" and i.region):
        hourly = azure_hourly(fetch.get(azure_url(instance), AZURE_MAX_BYTES), instance)
        try:
            # The API answers with today's retail price: seen today.
            prices.append(
                _priced(
                    instance,
                    hourly,
                    today,
                    f"Microsoft Azure, Retail Prices API, {instance.region}",
                    "",
                )
            )
        except RefreshError as error:
            problems.append(NotRefreshed(instance.id, str(error)))
    return prices, problems


def _aws(instances: dict[str, Instance], today: date, fetch: Fetchers) -> _Found:
    # Only instances priced in one named region: a row quoting several regions is left alone.
    aws = [
        i
        for i in instances.values()
        if i.cloud == "aws" and i.region and re.fullmatch(r"[a-z]{2}-[a-z]+-\d", i.region)
    ]
    prices: list[LocalPrice] = []
    problems: list[NotRefreshed] = []
    for region in sorted({i.region for i in aws if i.region}):
        in_region = [i for i in aws if i.region == region]
        offer = aws_hourly(fetch.lines(AWS_URL.format(region=region), AWS_MAX_BYTES), in_region)
        for instance in in_region:
            if instance.id not in offer.hourly:
                if instance.on_demand is not None:  # else sold as Capacity Blocks only
                    problems.append(
                        NotRefreshed(instance.id, f"AWS: no on-demand price in {region}")
                    )
                continue
            try:
                # Seen on the day the offer file was published, not the day it was read.
                prices.append(
                    _priced(
                        instance,
                        offer.hourly[instance.id],
                        offer.published,
                        f"AWS, Price List offer file for Amazon EC2, {region}",
                        f"; offer version {offer.version}, published {offer.published}",
                    )
                )
            except RefreshError as error:
                problems.append(NotRefreshed(instance.id, str(error)))
    return prices, problems


PROVIDERS: dict[str, Callable[[dict[str, Instance], date, Fetchers], _Found]] = {
    "azure": _azure,
    "aws": _aws,
    "gcp": _gcp,
}
"""The price lists a refresh reads, each on its own: one failing leaves the others."""


def refresh(
    instances: dict[str, Instance],
    today: date,
    fetchers: Fetchers | None = None,
    previous: LocalOverlay | None = None,
) -> RefreshOutcome:
    """Every provider's on-demand prices as its price list gives them today, over the previous
    overlay's; RefreshError only when no provider answered with a usable price list."""
    fetch = fetchers or Fetchers()
    prices: list[LocalPrice] = []
    not_refreshed: list[NotRefreshed] = []
    for provider, read in PROVIDERS.items():
        try:
            found, problems = read(instances, today, fetch)
        except RefreshError as error:
            not_refreshed.append(NotRefreshed(provider, str(error)))
            continue
        prices += found
        not_refreshed += problems
    if not prices:
        raise RefreshError(
            "no price list gave a usable price: "
            + "; ".join(f"{n.subject}: {n.reason}" for n in not_refreshed)
        )
    kept = [
        p.instance
        for p in prices
        if p.instance in instances and not supersedes(p.price, instances[p.instance].on_demand)
    ]
    fresh = {p.instance: p for p in prices if p.instance not in kept}
    # A provider that failed this time keeps the prices an earlier refresh found for it.
    carried = [
        p
        for p in (previous.prices if previous else [])
        if p.instance not in fresh
        and p.instance in instances
        and supersedes(p.price, instances[p.instance].on_demand)
    ]
    overlay = LocalOverlay(refreshed=today, prices=[*carried, *fresh.values()])
    return RefreshOutcome(overlay=overlay, not_refreshed=not_refreshed, kept=kept)


def write_overlay(overlay: LocalOverlay, path: Path) -> None:
    """Atomically: a reader sees the old overlay or the new one, never half of one."""
    from crossover.files import write_text_atomic

    path.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(path, overlay.model_dump_json(indent=2) + "\n")


def moves(shipped: dict[str, Instance], overlay: LocalOverlay) -> list[Move]:
    """How each refreshed price compares with the shipped one."""
    return [
        Move(
            instance=row.instance,
            shipped=shipped[row.instance].on_demand_usd_per_gpu_hour
            if row.instance in shipped
            else None,
            refreshed=row.price.usd_per_gpu_hour,
        )
        for row in overlay.prices
    ]
