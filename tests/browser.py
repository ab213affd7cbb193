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

import pytest

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
        pytest.skip("Chromium not installed: run `make browser-deps` (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
