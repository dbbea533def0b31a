"""The standalone HTML in a real browser (headless Chromium), at desktop and phone width."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from .helpers import Rendered

if TYPE_CHECKING:  # a test extra, imported at run time only when the browser tests run
    from playwright.sync_api import Browser, Dialog

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.is_file(), reason="needs Debian's chromium at /usr/bin/chromium"
    ),
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


@pytest.mark.parametrize("width", [1280, 390])
def test_nothing_overflows_and_every_image_loads(
    browser: Browser, rendered: Rendered, width: int
) -> None:
    page = browser.new_page(viewport={"width": width, "height": 900})
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    try:
        page.goto(rendered.html_path.as_uri(), wait_until="load")
        scroll_width, inner_width = page.evaluate(
            "[document.scrollingElement.scrollWidth, window.innerWidth]"
        )
        assert scroll_width <= inner_width
        images = page.evaluate(
            "Array.from(document.images).map(i => [i.alt, i.complete, i.naturalWidth])"
        )
        assert images
        for alt, complete, natural_width in images:
            assert complete and natural_width > 0, alt
        assert [url for url in requests if not url.startswith(("file:", "data:"))] == []
    finally:
        page.close()


def test_a_hostile_client_name_runs_no_script(browser: Browser, hostile: Rendered) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    dialogs: list[str] = []

    def on_dialog(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    try:
        page.goto(hostile.html_path.as_uri(), wait_until="load")
        name = hostile.results.scenario.client.client_name
        assert page.title().startswith(name)
        assert page.locator(".cover-client").inner_text() == name
        assert page.evaluate("document.scripts.length") == 0
        assert dialogs == []
    finally:
        page.close()
