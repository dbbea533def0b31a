"""The firm as its clients see it on the portal: the name and contact line of its brand."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Firm:
    """What the portal's pages say of the firm (the report carries the rest of the brand)."""

    name: str
    contact: str


def load_firm(brand: str | Path | None) -> Firm:
    """The firm of the brand folder (or brand.toml) named, else of the brand the tool ships.

    The brand is checked in full here, as `report --brand` checks it, so a broken one stops
    the portal at start with the field to fix rather than a report later.
    """
    from crossover.report.brand import default_brand, load_brand

    loaded = load_brand(Path(brand)) if brand else default_brand()
    return Firm(loaded.name, loaded.contact)
