"""The parts of a tier split by difficulty (economics §7b; engine/difficulty.py splits them)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

EASIER_SUFFIX = "#easier"
"""Appended to a split tier's id to name its easier part (checks.py refuses a tier id that
contains it, so no client's tier can be mistaken for a part)."""

PartName = Literal["easier", "rest"]


class TierPart(BaseModel):
    """One part of a tier split by difficulty."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    part: PartName
    """easier: the share the client says a smaller model handles; rest: the remainder, which
    only options meeting the tier's rule may take."""
    of: str
    """The client's tier this is part of."""
    share_of_tier_pct: float
    """This part's share of the tier's requests, percent (the easier share, or 100 − it)."""


def easier_id(tier: str) -> str:
    """The id of a split tier's easier part."""
    return tier + EASIER_SUFFIX
