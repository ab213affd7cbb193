"""Headless Chromium for tests and benchmarks: Debian's ``chromium`` driven by Playwright.

``make browser-deps`` (run by ``make test``) installs the Debian package. Playwright's own
browser download is never used: it needs the internet.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from tests.conftest import skip_unless_required

# Without the background-networking flags Chromium keeps calling Google's hosts.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def chromium_path() -> str | None:
    """The Chromium executable (``GEO_API_CHROMIUM`` or Debian's ``chromium``)."""
    return os.environ.get("GEO_API_CHROMIUM") or shutil.which("chromium")


@contextmanager
def chromium_browser() -> Iterator[Any]:
    """A Playwright browser on the system Chromium; skips the test when there is none."""
    path = chromium_path()
    if path is None:
        skip_unless_required(
            "Chromium not installed: run `make browser-deps` (apt-get install chromium)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


LOCAL_PREFIXES = ("http://127.0.0.1", "http://localhost", "blob:", "data:")


def open_offline(
    browser: Any, url: str, width: int = 1200, height: int = 900
) -> tuple[Any, list[str], list[str]]:
    """Open ``url`` with every non-loopback request blocked. Returns the page, the outside
    requests it tried and its console and page errors (both lists fill as it runs)."""
    page = browser.new_page(viewport={"width": width, "height": height})
    outside: list[str] = []
    errors: list[str] = []

    def route(r: Any) -> None:
        if r.request.url.startswith(LOCAL_PREFIXES):
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url, wait_until="load", timeout=60_000)
    return page, outside, errors


def maplibre_features(page: Any, at_least: int, seconds: int = 60) -> int:
    """Wait until the page's MapLibre map (``window.geoapiMap``) has drawn ``at_least``
    features of its ``areas`` layer, or ``seconds`` pass; returns how many it drew."""
    page.locator("canvas.maplibregl-canvas").wait_for(timeout=seconds * 1000)
    drawn = 0
    for _ in range(seconds):
        page.wait_for_timeout(1000)
        drawn = page.evaluate(
            "() => window.geoapiMap.loaded() ? "
            "window.geoapiMap.queryRenderedFeatures({layers: ['areas']}).length : 0"
        )
        if drawn >= at_least:
            break
    return drawn
