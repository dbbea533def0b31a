"""Rate limits that hold across several web processes: `crossover serve --workers 4` counting in
one Redis store, as several servers behind a load balancer would."""

from __future__ import annotations

import http.cookiejar
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest

from .conftest import redis_server
from .test_browser import _free_port

WEB_PROCESSES = 4
LIMIT = 10
"""Sign-in attempts a minute from one address: the portal's default (SECURITY.md, P8)."""


def _attempt(url: str) -> int:
    """One wrong sign-in from a fresh browser (its own cookie and CSRF token): the status code."""
    browser = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    with browser.open(f"{url}/sign-in", timeout=30) as page:
        match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.read().decode())
    assert match is not None
    form = urllib.parse.urlencode(
        {"csrf_token": match.group(1), "email": "nobody@firm.example", "password": "not it"}
    ).encode()
    try:
        with browser.open(f"{url}/sign-in", data=form, timeout=30) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as refused:
        return refused.code


@pytest.mark.slow
def test_sign_in_limits_count_once_across_four_web_processes(tmp_path: Path) -> None:
    # A key prefix of its own, so that runs sharing one Redis server do not count together.
    store = redis_server()
    env = {
        **os.environ,
        "CROSSOVER_RATELIMIT_STORAGE_URI": store,
        "CROSSOVER_RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex[:8]}",
    }
    port = _free_port()
    command = [sys.executable, "-m", "crossover", "serve", "--port", str(port)]
    command += ["--data", str(tmp_path / "portal"), "--workers", str(WEB_PROCESSES)]
    command += ["--report-workers", "0"]
    server = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{url}/sign-in", timeout=2).close()
                break
            except OSError:
                assert time.monotonic() < deadline and server.poll() is None, "no server"
                time.sleep(0.2)
        codes = [_attempt(url) for _ in range(LIMIT + 2)]
    finally:
        server.terminate()
        log = server.communicate(timeout=30)[0]
    assert "Traceback" not in log, log
    # Four processes answered (each on its own would allow ten), yet the eleventh is refused.
    assert len(set(re.findall(r"Booting worker with pid: (\d+)", log))) == WEB_PROCESSES
    assert codes == [200] * LIMIT + [429, 429], codes
