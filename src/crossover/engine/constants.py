"""The units and constants of docs/economics.md."""

HOURS_PER_YEAR = 8760
"""A 365-day year: what a one-year reservation bills."""
HOURS_PER_MONTH = HOURS_PER_YEAR / 12
"""730: the cloud providers' billing month."""
DAYS_PER_MONTH = 365 / 12
"""30.4166…: the same month in days."""
SECONDS_PER_DAY = 86400
TOKENS_PER_MTOK = 1e6

COMFORTABLE_FIT = 0.6
"""Weights may fill at most 60% of a replica's memory by default (the rest: KV cache, runtime)."""
MAX_FIT = 0.9
"""Above 90%, vLLM's memory cap leaves nothing for the KV cache: does not fit."""
REPLICA_SIZES = (1, 2, 4, 8)

LOW_UTILISATION = 0.6
"""The article's rule: self-hosting pays only at high, steady average utilisation."""
CALIBRATION_TOLERANCE_PCT = 20.0
"""A catalogue-priced bill further than this from the client's own is flagged (economics §8)."""
