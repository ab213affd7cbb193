"""The wheel works on its own: installed outside the source tree, with no npm, `geo-api
serve` run from another directory serves a map and its Leaflet script.

The wheel is built without build isolation and installed with ``--no-deps`` into its own
folder, which comes first on ``PYTHONPATH``; the dependencies come from the test
environment (tests never reach the network). The check that the imported packages are
the wheel's, not the source tree's, is part of the test.
"""

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import httpx
import pytest

from tests.serving import free_port, wait_healthy

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.integration


def test_the_wheel_serves_maps_with_its_own_leaflet(tmp_path, fixture_build):
    dist, site, elsewhere = tmp_path / "dist", tmp_path / "site", tmp_path / "elsewhere"
    elsewhere.mkdir()
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
    subprocess.run(
        [*pip, "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(dist), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    wheel = next(dist.glob("geo_api-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "geo_api/static/leaflet/leaflet.js" in names
    assert "geo_api/static/leaflet/LICENSE" in names
    subprocess.run(
        [*pip, "install", "--no-deps", "--no-index", "-q", "--target", str(site), str(wheel)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("GEO_API_")}
    env["PYTHONPATH"] = str(site)
    probe = subprocess.run(
        [sys.executable, "-c", "import geo_api, maps; print(geo_api.__file__, maps.__file__)"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert probe.stdout.count(str(site)) == 2, probe.stdout  # the wheel's code, not ROOT's
    port = free_port()
    cmd = [sys.executable, "-m", "geo_api.cli", "serve", "--store", str(fixture_build[1])]
    server = subprocess.Popen(
        [*cmd, "--port", str(port), "--no-warm"],
        cwd=elsewhere,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, server)
        page = httpx.get(f"{url}/maps/neighborhoods/poverty_pct", timeout=60)
        assert page.status_code == 200
        assert f"{url}/assets/leaflet/leaflet.js" in page.text
        script = httpx.get(f"{url}/assets/leaflet/leaflet.js", timeout=10)
        assert script.status_code == 200 and b"Leaflet" in script.content[:2000]
    finally:
        server.terminate()
        server.wait(timeout=30)
