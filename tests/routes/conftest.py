from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from boundaries.store import read_store
from geo_api.app import create_app
from geo_api.settings import Settings


def make_settings(tmp: Path) -> Settings:
    """Explicit settings: nothing is read from the developer's environment."""
    return Settings.model_construct(
        mirror=None,
        store=tmp / "unused.gpkg",
        census_key=None,
        cache_dir=tmp,
        base_url=None,
    )


@pytest.fixture(scope="module")
def store(fixture_build):
    """The store build_store made from the hand-made mirror (tests/fixture_mirror.py)."""
    return read_store(fixture_build[1])


@pytest.fixture
def client(store, tmp_path):
    with TestClient(create_app(make_settings(tmp_path), store=store)) as c:
        yield c
