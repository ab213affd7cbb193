"""GDAL's OAPIF driver (what QGIS uses) sends its attribute filters to the server.

A `geo-api serve` process with its access log in a file; pyogrio reads a collection with
`where=`; the log shows the request carried `filter=` and the answer is already filtered.
"""

import subprocess
import sys

import pyogrio
import pytest

from tests.serving import free_port, wait_healthy

pytestmark = pytest.mark.integration


def test_gdal_where_becomes_a_server_side_cql2_filter(fixture_build, tmp_path):
    port = free_port()
    log = tmp_path / "access.log"
    with open(log, "w") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "geo_api.cli", "serve", "--store", str(fixture_build[1]),
             "--port", str(port), "--no-warm"],
            stdout=out,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, server)
        frame = pyogrio.read_dataframe(f"OAPIF:{url}/collections/tracts", where="population > 3500")
        assert sorted(frame["id"]) == ["06037000200", "06037000400"]
        named = pyogrio.read_dataframe(f"OAPIF:{url}/collections/tracts", where="city = 'Alpha'")
        assert list(named["id"]) == ["06037000100"]
    finally:
        server.terminate()
        server.wait(timeout=30)
    requests = [
        line for line in log.read_text().splitlines() if "/collections/tracts/items" in line
    ]
    assert any(
        "filter=population%20%3E%203500" in r and "filter-lang=cql-text" in r for r in requests
    )
    assert any("filter=city%20%3D%20" in r for r in requests)
