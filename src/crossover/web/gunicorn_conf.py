"""Gunicorn settings for the portal, for those who run gunicorn themselves:

    gunicorn -c python:crossover.web.gunicorn_conf 'crossover.web.wsgi:app'

`crossover serve` applies the same settings. Command-line options given after -c override them.
"""

from __future__ import annotations

from crossover.web.gunicorn_log import RedactingLogger

logger_class = RedactingLogger
"""Access and error logs without private-link tokens."""
accesslog = "-"
worker_class = "gthread"
threads = 8
"""A validation waits on its child process: threads keep the worker answering meanwhile."""
umask = 0o027
"""Files the portal creates (reports, the database's journal) are not readable by others."""
