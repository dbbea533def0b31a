"""The WSGI entry point for gunicorn, configured by the environment:

    gunicorn -c python:crossover.web.gunicorn_conf 'crossover.web.wsgi:app'

CROSSOVER_DATA names the data folder; CROSSOVER_TRUSTED_PROXIES the reverse proxies in front
(X-Forwarded-For/-Proto are believed only then); the rest is crossover.web.config's.
"""

from __future__ import annotations

import os
from pathlib import Path

from crossover.web.app import create_app
from crossover.web.config import load_config
from crossover.web.validation import start_forkserver

app = create_app(load_config(Path(os.environ.get("CROSSOVER_DATA", "crossover-data"))))
start_forkserver()  # each web process warms its validation children's parent at once
