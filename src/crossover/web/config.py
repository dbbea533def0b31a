"""The portal's settings: a data folder, a database URL, and safe defaults for the rest."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from crossover.errors import InputError
from crossover.workbook.preflight import MAX_FILE_BYTES

DATABASE_ENV = "CROSSOVER_DATABASE_URL"
SECRET_ENV = "CROSSOVER_SECRET_KEY"
SMTP_CONFIG_ENV = "CROSSOVER_SMTP_CONFIG"
TRUSTED_PROXIES_ENV = "CROSSOVER_TRUSTED_PROXIES"
IDLE_TIMEOUT_ENV = "CROSSOVER_IDLE_TIMEOUT_MINUTES"
BRAND_ENV = "CROSSOVER_BRAND"
RATELIMIT_STORAGE_ENV = "CROSSOVER_RATELIMIT_STORAGE_URI"
RATELIMIT_PREFIX_ENV = "CROSSOVER_RATELIMIT_KEY_PREFIX"
QUEUE_URL_ENV = "CROSSOVER_QUEUE_URL"
QUEUE_NAME_ENV = "CROSSOVER_QUEUE_NAME"
QUEUE_SCHEMES = ("redis://", "rediss://", "unix://")
DEFAULT_IDLE_TIMEOUT_MINUTES = 60
PRIVATE_FILE = 0o600
PRIVATE_FOLDER = 0o750
FORM_OVERHEAD_BYTES = 64 * 1024
"""Room for the form's other fields and the multipart boundaries around the file."""


def load_config(
    data_dir: Path,
    database_url: str | None = None,
    environ: Mapping[str, str] = os.environ,
    **overrides: Any,
) -> dict[str, Any]:
    """The configuration create_app takes: SQLite in the data folder unless a URL is given."""
    data_dir = data_dir.resolve()
    data_dir.mkdir(mode=PRIVATE_FOLDER, parents=True, exist_ok=True)
    url = database_url or environ.get(DATABASE_ENV) or f"sqlite:///{data_dir / 'crossover.db'}"
    if url.startswith("sqlite:///"):
        private_file(Path(url.removeprefix("sqlite:///")))
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    smtp_config = environ.get(SMTP_CONFIG_ENV)
    config: dict[str, Any] = {
        "DATA_DIR": str(data_dir),
        "SQLALCHEMY_DATABASE_URI": url,
        "SECRET_KEY": environ.get(SECRET_ENV) or secret_key(data_dir),
        # A workbook over the pre-flight's limit is refused before a byte is stored: 413.
        "MAX_CONTENT_LENGTH": MAX_FILE_BYTES + FORM_OVERHEAD_BYTES,
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": True,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session
        # In memory counts per process; a shared store (redis://...) counts across them all.
        "RATELIMIT_STORAGE_URI": _limits_store(environ),
        # Two portals sharing one store (staging and production) count apart.
        "RATELIMIT_KEY_PREFIX": environ.get(RATELIMIT_PREFIX_ENV, "crossover"),
        "SIGNIN_RATE_LIMIT": "10 per minute",
        "UPLOAD_RATE_LIMIT": "20 per minute",
        "VALIDATION_TIMEOUT_S": 20.0,
        "VALIDATION_MEMORY_MB": 512,
        "REPORT_TIMEOUT_S": 120.0,
        "SMTP_CONFIG": smtp_config,
        "SMTP_ENV": dict(environ),
        "TRUSTED_PROXIES": _whole_number(environ, TRUSTED_PROXIES_ENV, 0),
        "IDLE_TIMEOUT_MINUTES": _whole_number(
            environ, IDLE_TIMEOUT_ENV, DEFAULT_IDLE_TIMEOUT_MINUTES, least=1
        ),
        "BRAND": environ.get(BRAND_ENV) or None,
        "QUEUE_URL": _queue_url(environ.get(QUEUE_URL_ENV)),
        # Two portals on one Redis server (staging and production) keep their queues apart.
        "QUEUE_NAME": environ.get(QUEUE_NAME_ENV) or "crossover",
        "JOB_LEASE_S": None,  # None: the report timeout and half a minute
    }
    config.update(overrides)
    return config


def secret_key(data_dir: Path) -> str:
    """The key that signs sessions: made once, kept in the data folder, readable by its owner only."""
    path = data_dir / "secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    with os.fdopen(fd, "w") as f:
        f.write(key + "\n")
    return key


def private_file(path: Path) -> None:
    """Make the file if it is missing, readable and writable by its owner only (0600).

    SQLite creates its database with the process's umask (0644 on most systems), and gives its
    journal files the database's own mode: made here first, every one of them is 0600. An
    older database made more open than that is narrowed.
    """
    if str(path) in ("", ":memory:"):
        return
    path.parent.mkdir(mode=PRIVATE_FOLDER, parents=True, exist_ok=True)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, PRIVATE_FILE))
    if path.stat().st_mode & 0o077:
        path.chmod(PRIVATE_FILE)


def _whole_number(environ: Mapping[str, str], name: str, default: int, least: int = 0) -> int:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = least - 1
    if value < least:
        raise InputError(f"{name}: expected a whole number of at least {least}, found {raw!r}")
    return value


def _queue_url(url: str | None) -> str | None:
    """The Redis server the report queue is on; None: a SQLite file in the data folder."""
    if not url:
        return None
    if not url.startswith(QUEUE_SCHEMES):
        raise InputError(
            f"{QUEUE_URL_ENV}: expected a Redis URL (redis://host:6379/0), found {url!r}; "
            "leave it unset for the queue in the data folder"
        )
    return url


def _limits_store(environ: Mapping[str, str]) -> str:
    """Where the rate limits count: the setting, else the queue's Redis server, else memory.

    One setting (CROSSOVER_QUEUE_URL) is enough for several servers: the limits count in the
    same Redis as the queue unless CROSSOVER_RATELIMIT_STORAGE_URI names another store.
    """
    queue = environ.get(QUEUE_URL_ENV) or ""
    shared = queue if queue.startswith(("redis://", "rediss://")) else None
    return environ.get(RATELIMIT_STORAGE_ENV) or shared or "memory://"
