"""Gunicorn's logger with private-link tokens redacted from every access-log field."""

from __future__ import annotations

from typing import Any

from gunicorn.glogging import Logger

from crossover.web.redact import RedactingFilter, redact


class RedactingLogger(Logger):
    """Gunicorn's own logger, whose access-log fields never carry a client's private link.

    The request line, the path, the query, the Referer and every header or environ field a
    custom access_log_format might name all pass through redact(); the error log gets the
    same filter, since a failing request's message names its path.
    """

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        self.error_log.addFilter(RedactingFilter())

    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        atoms: dict[str, Any] = super().atoms(resp, req, environ, request_time)
        return {
            name: redact(value) if isinstance(value, str) else value
            for name, value in atoms.items()
        }
