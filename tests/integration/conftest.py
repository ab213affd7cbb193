"""One store built from the real-data mirror for all integration tests, and a live server."""

import subprocess
import sys
from pathlib import Path

import pytest

from boundaries.build import build_store
from boundaries.store import read_store
from loaders.sources import Fetcher
from tests.serving import free_port, wait_healthy


@pytest.fixture(scope="session")
def mirror_store_path(mirror: Path, tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("mirror-store")
    path = tmp / "geo-api.gpkg"
    build_store(Fetcher(mirror=mirror, cache_dir=tmp / "cache"), path, progress=lambda s: None)
    return path


@pytest.fixture(scope="session")
def mirror_store(mirror_store_path):
    return read_store(mirror_store_path)


@pytest.fixture(scope="session")
def live_server(live_process):
    """Base URL of the live `geo-api serve` process."""
    return live_process[0]


@pytest.fixture(scope="session")
def live_process(mirror_store_path):
    """(base URL, process) of `geo-api serve` in its own process on a free loopback port
    (GDAL's client holds the GIL while it fetches, so the server cannot share the test's
    process)."""
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "geo_api.cli",
            "serve",
            "--store",
            str(mirror_store_path),
            "--port",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, proc, seconds=180)
        yield url, proc
    finally:
        proc.terminate()
        proc.wait(timeout=30)
