"""The WSGI entry point for gunicorn: `gunicorn 'crossover.web.wsgi:app'`, configured by the environment."""

from __future__ import annotations

import os
from pathlib import Path

from werkzeug.middleware.proxy_fix import ProxyFix

from crossover.web.app import create_app
from crossover.web.config import load_config

app = create_app(load_config(Path(os.environ.get("CROSSOVER_DATA", "crossover-data"))))
# Behind one reverse proxy that terminates HTTPS: trust its X-Forwarded-For/-Proto once.
app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1)  # type: ignore[method-assign]
