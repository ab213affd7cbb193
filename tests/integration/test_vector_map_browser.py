"""The MapLibre GL map of vector tiles in headless Chromium, with the network blocked."""

import pytest

from tests.browser import chromium_browser, maplibre_features, open_offline
from tests.integration.test_map_browser import ARTIFACTS

pytestmark = pytest.mark.integration


def test_maplibre_draws_tract_tiles_offline(live_server):
    with chromium_browser() as browser:
        url = f"{live_server}/maps/tracts/no_subscription_pct/vector"
        page, outside, errors = open_offline(browser, url, 1200, 850)
        drawn = maplibre_features(page, 1000)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "vector-tracts-no_subscription_pct.png"))
        assert drawn > 1000, "MapLibre drew too few tract features from the tiles"
        assert outside == [] and errors == []
        legend = page.inner_text("#legend")
        assert "No data" in legend and "low reliability" in legend
        page.close()


STATIC_SERVER = """
import sys, uvicorn
from starlette.applications import Starlette
from starlette.staticfiles import StaticFiles
app = Starlette()
app.mount("/", StaticFiles(directory=sys.argv[1], html=True))
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[2]), log_level="warning")
"""


def test_the_pmtiles_export_draws_from_a_plain_static_host(mirror_store_path, tmp_path):
    import subprocess
    import sys
    import time

    import httpx

    from tests.serving import free_port

    out = tmp_path / "static"
    subprocess.run(
        [sys.executable, "-m", "geo_api.cli", "export", "--pmtiles", str(out), "--store",
         str(mirror_store_path), "--layers", "neighborhoods", "--maxzoom", "9"],
        check=True, capture_output=True,
    )  # fmt: skip
    port = free_port()
    # a plain static file server (range requests, nothing of geo-api's)
    host = subprocess.Popen([sys.executable, "-c", STATIC_SERVER, str(out), str(port)])
    try:
        url = f"http://127.0.0.1:{port}/"
        for _ in range(100):
            try:
                if httpx.get(url, timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        with chromium_browser() as browser:
            page, outside, errors = open_offline(browser, url, 1000, 800)
            drawn = maplibre_features(page, 100)
            page.screenshot(path=str(ARTIFACTS / "pmtiles-neighborhoods.png"))
            assert drawn >= 100 and outside == [] and errors == []
    finally:
        host.terminate()
        host.wait(timeout=30)
