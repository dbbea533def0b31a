"""The intake portal: clients submit workbooks, consultants keep versions and release reports.

The Flask application lives in `crossover.web.app`; it is imported only when asked for, so the
command line (which registers the portal's commands) starts without loading Flask.
"""

from __future__ import annotations

from typing import Any

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from crossover.web.app import create_app

        return create_app
    raise AttributeError(f"module 'crossover.web' has no attribute {name!r}")
