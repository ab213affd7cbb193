from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from geo_api.app import create_app
from geo_api.settings import Settings
from tests import shapes


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
def store():
    return shapes.tiny_store()


@pytest.fixture
def client(store, tmp_path):
    with TestClient(create_app(make_settings(tmp_path), store=store)) as c:
        yield c
