"""Clients' private links: a random token shown once, stored only as its SHA-256."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from crossover.web.models import utcnow

TOKEN_BYTES = 32
"""256 random bits: guessing is hopeless, so a fast hash is enough to store it (no salt needed)."""


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_link(days: int) -> tuple[str, str, datetime]:
    """A fresh token, its hash to store, and when it expires."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    return token, token_hash(token), utcnow() + timedelta(days=days)
