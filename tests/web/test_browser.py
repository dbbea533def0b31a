"""End to end in real Chromium against a live `crossover serve`: a client's round trip and the desk's."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from .conftest import CONSULTANT, EXAMPLE, PASSWORD, cli_problems, with_mistakes
from .test_email_and_migrations import Inbox

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
WIDTHS = (1280, 390)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.is_file(), reason="needs Debian's chromium at /usr/bin/chromium"
    ),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class Live:
    url: str
    inbox: Inbox
    data: Path


@pytest.fixture
def live(tmp_path: Path, database_url: str) -> Iterator[Live]:
    """`crossover serve` with one report worker, as a user starts it, and an SMTP server beside it."""
    from aiosmtpd.controller import Controller

    smtp_port = _free_port()
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    data = tmp_path / "portal"
    env = {
        **os.environ,
        "CROSSOVER_DATABASE_URL": database_url,
        "CROSSOVER_SMTP_HOST": "127.0.0.1",
        "CROSSOVER_SMTP_PORT": str(smtp_port),
        "CROSSOVER_SMTP_SECURITY": "none",
        "CROSSOVER_SMTP_FROM": "desk@firm.example",
    }
    crossover = [sys.executable, "-m", "crossover"]
    subprocess.run(
        [*crossover, "users", "add", CONSULTANT, "--data", str(data)],
        input=PASSWORD + "\n",
        text=True,
        env=env,
        check=True,
        capture_output=True,
    )
    port = _free_port()
    server = subprocess.Popen(
        [*crossover, "serve", "--port", str(port), "--data", str(data)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://localhost:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"{url}/sign-in", timeout=2).close()
            break
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                raise AssertionError(
                    f"the server did not start: {server.communicate()[0]}"
                ) from None
            time.sleep(0.2)
    try:
        yield Live(url, inbox, data)
    finally:
        server.terminate()
        log = server.communicate(timeout=30)[0]
        controller.stop()
        assert "Traceback" not in log, log


@pytest.fixture
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


def _shots(page: Any, name: str, folder: Path) -> None:
    """Screenshots at desktop and phone width; nothing may overflow the page sideways."""
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(folder / f"{name}-{width}.png"), full_page=True)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{name} overflows by {overflow}px at {width}px"
    page.set_viewport_size({"width": 1280, "height": 900})


def _watch(page: Any, problems: list[str]) -> None:
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
def test_a_client_round_trip_and_the_desk(
    live: Live, browser: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shots = Path(os.environ.get("CROSSOVER_SCREENSHOTS", tmp_path / "shots"))
    shots.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []

    # The consultant signs in and invites a client.
    consultant = browser.new_context()
    desk = consultant.new_page()
    _watch(desk, errors)
    desk.goto(f"{live.url}/sign-in")
    _shots(desk, "sign-in", shots)
    desk.fill("#email", CONSULTANT)
    desk.fill("#password", PASSWORD)
    desk.click("input[value='Sign in']")
    desk.wait_for_selector("h1:has-text('Clients')")
    desk.fill("#name", "Acme Legal")
    desk.fill("#email", "cfo@acme.example")
    desk.fill("#days", "14")
    desk.click("input[value='Create the private link']")
    link = desk.inner_text("#private-link").strip()
    assert link.startswith(f"{live.url}/c/")
    _shots(desk, "desk-invited", shots)

    # The client, in a browser of its own, downloads the template and uploads a workbook with mistakes.
    client = browser.new_context(accept_downloads=True)
    portal = client.new_page()
    _watch(portal, errors)
    portal.goto(link)
    with portal.expect_download() as download:
        portal.click("#template-link")
    template = tmp_path / "template.xlsx"
    download.value.save_as(template)
    from openpyxl import load_workbook

    workbook = load_workbook(template)
    sheet, cell = next(iter(workbook.defined_names["client_name"].destinations))
    assert workbook[sheet][cell.replace("$", "")].value == "Acme Legal"
    _shots(portal, "client-start", shots)

    broken = with_mistakes(tmp_path / "acme-costs.xlsx")
    portal.set_input_files("#workbook", str(broken))
    portal.click("input[value='Upload and check']")
    portal.wait_for_selector("#result")
    shown = [li.inner_text().strip() for li in portal.query_selector_all(".problems-error li")]
    assert shown == cli_problems(broken, capsys)
    assert "2 problem(s) to fix" in portal.inner_text("#result")
    _shots(portal, "client-problems", shots)

    # The fixed workbook is received.
    fixed = tmp_path / "acme-costs-fixed.xlsx"
    fixed.write_bytes(EXAMPLE.read_bytes())
    portal.set_input_files("#workbook", str(fixed))
    portal.click("input[value='Upload and check']")
    portal.wait_for_selector("#result h2:has-text('Received')")
    assert "Your recommendation" not in portal.content()
    _shots(portal, "client-received", shots)

    # The consultant sees both versions, and the report of the sound one.
    desk.click("nav >> text=Clients")
    desk.click("table >> text=Acme Legal")
    rows = desk.query_selector_all("table.versions tbody tr")
    assert len(rows) == 2
    assert "sound" in rows[0].inner_text()
    assert "2 problem(s)" in rows[1].inner_text()
    assert "$20,693" in rows[0].inner_text()
    _shots(desk, "desk-client", shots)
    rows[0].query_selector("a").click()
    desk.wait_for_selector("text=Download the PDF", timeout=180_000)  # the page follows the job
    frame = desk.frame_locator("iframe.report")
    assert "Northwind Documents" in frame.locator("body").inner_text(timeout=30_000)
    # The report under its own policy, as a page of its own (headless Chromium paints a
    # sandboxed frame, which runs in a process of its own, blank in a screenshot).
    report = consultant.new_page()
    _watch(report, errors)
    report.goto(live.url + desk.get_attribute("iframe.report", "src"))
    _shots(report, "desk-report", shots)
    report.close()
    with desk.expect_download() as pdf:
        desk.click("text=Download the PDF")
    assert Path(pdf.value.path()).read_bytes().startswith(b"%PDF-")

    # Release, then email the report.
    desk.click("button:has-text('Release to the client')")
    desk.wait_for_selector("text=Released to the client")
    desk.fill("#to", "cfo@acme.example")
    desk.click("input[value='Send the report']")
    desk.wait_for_selector("text=Sent northwind-documents-2026-11-27.pdf to cfo@acme.example")
    _shots(desk, "desk-version", shots)
    [message] = live.inbox.messages
    assert [a.get_filename() for a in message.iter_attachments()] == [
        "northwind-documents-2026-11-27.pdf"
    ]

    portal.reload()
    assert "Your recommendation" in portal.inner_text("main")
    assert "Adopt the proposed split" in portal.inner_text("main")
    _shots(portal, "client-released", shots)

    # A third version with one input changed; the desk compares it with the second.
    workbook = load_workbook(EXAMPLE)
    sheet, cell = next(iter(workbook.defined_names["peak_to_average"].destinations))
    workbook[sheet][cell.replace("$", "")] = workbook[sheet][cell.replace("$", "")].value + 1
    third = tmp_path / "acme-costs-v3.xlsx"
    workbook.save(third)
    portal.set_input_files("#workbook", str(third))
    portal.click("input[value='Upload and check']")
    portal.wait_for_selector("#result h2:has-text('Received')")
    desk.click("nav >> text=Clients")
    desk.click("table >> text=Acme Legal")
    desk.click("#compare-link")
    changes = desk.inner_text("table.diff-changes tbody")
    assert changes.split("\t")[0] == "workload.peak_to_average"
    assert "workload.peak_to_average" in desk.inner_text("table.diff-attribution")
    _shots(desk, "desk-diff", shots)

    desk.click("nav >> text=Audit log")
    log = desk.inner_text("table")
    for action in ("sign_in", "invite", "upload", "release", "email"):
        assert action in log
    _shots(desk, "desk-audit", shots)
    assert errors == []  # no script errors and no Content-Security-Policy violations
