"""The MapLibre GL map of vector tiles in headless Chromium, with the network blocked."""

import pytest

from tests.browser import chromium_browser
from tests.integration.test_map_browser import ARTIFACTS

pytestmark = pytest.mark.integration


def test_maplibre_draws_tract_tiles_offline(live_server):
    with chromium_browser() as browser:
        page = browser.new_page(viewport={"width": 1200, "height": 850})
        outside: list[str] = []
        errors: list[str] = []

        def route(r):
            if r.request.url.startswith(("http://127.0.0.1", "blob:", "data:")):
                r.continue_()
            else:
                outside.append(r.request.url)
                r.abort()

        page.route("**/*", route)
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"{live_server}/maps/tracts/no_subscription_pct/vector", wait_until="load")
        # a locator rather than wait_for_function: the page's CSP forbids eval
        page.locator("canvas.maplibregl-canvas").wait_for(timeout=60_000)
        drawn = 0
        for _ in range(60):
            page.wait_for_timeout(1000)
            drawn = page.evaluate(
                "() => window.geoapiMap.loaded() ? "
                "window.geoapiMap.queryRenderedFeatures({layers: ['areas']}).length : 0"
            )
            if drawn > 1000:
                break
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "vector-tracts-no_subscription_pct.png"))
        assert drawn > 1000, "MapLibre drew too few tract features from the tiles"
        assert outside == [] and errors == []
        legend = page.inner_text("#legend")
        assert "No data" in legend and "low reliability" in legend
        page.close()
