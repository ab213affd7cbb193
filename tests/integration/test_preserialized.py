"""Pre-serialized and cached responses equal a fresh serialization, on the real layers."""

import json

import numpy as np
import pytest
import shapely
from fastapi.testclient import TestClient

from geo_api.app import create_app
from geo_api.precision import round_indicators
from tests.routes.conftest import make_settings

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def real(mirror_store, tmp_path_factory):
    app = create_app(make_settings(tmp_path_factory.mktemp("preser")), store=mirror_store)
    with TestClient(app) as c:
        yield c


def fresh_features(frame):
    """An independent serialization: GeoPandas' own GeoJSON of the stored frame."""
    return json.loads(frame.to_json(na="null", drop_id=True))["features"]


def test_every_collection_equals_a_fresh_serialization(real, mirror_store):
    for lid, frame in mirror_store.layers.items():
        url = f"/collections/{lid}/items?limit=10000"
        first = real.get(url, headers={"Accept-Encoding": "gzip"})
        cached = real.get(url, headers={"Accept-Encoding": "gzip"})
        assert cached.content == first.content  # the stored bytes are stable
        served = first.json()
        features = served["features"]
        # the served figures have the documented precision (geo_api/precision.py)
        expected = fresh_features(round_indicators(frame.reset_index(drop=True)))
        assert len(features) == len(expected) == served["numberMatched"], lid
        for got, want in zip(features, expected, strict=True):
            assert got["id"] == want["properties"]["id"]
            assert got["properties"] == want["properties"], (lid, got["id"])
            a = shapely.geometry.shape(got["geometry"])
            b = shapely.geometry.shape(want["geometry"])
            coords_a, coords_b = shapely.get_coordinates(a), shapely.get_coordinates(b)
            assert coords_a.shape == coords_b.shape, (lid, got["id"])
            # rounded to 6 decimals: half a unit off at most (plus binary rounding of a half)
            assert np.abs(coords_a - coords_b).max() <= 5e-7 + 1e-12


def test_web_zoom_tracts_are_small_and_keep_every_feature(real, mirror_store):
    keep = "no_subscription_pct,no_subscription_pct_moe,no_subscription_pct_reliability"
    r = real.get(
        f"/collections/tracts/items?limit=10000&zoom=10&properties={keep}",
        headers={"Accept-Encoding": "gzip"},
    )
    assert r.headers["content-encoding"] == "gzip"
    assert r.num_bytes_downloaded < 300_000  # all 2,492 tracts, one indicator with its MOE
    features = r.json()["features"]
    assert len(features) == len(mirror_store.layers["tracts"])
    geoms = [shapely.geometry.shape(f["geometry"]) for f in features]
    assert all(g.is_valid and not g.is_empty for g in geoms)
    full = mirror_store.layers["tracts"].geometry.to_numpy()
    # no area lost or gained beyond a fraction of a percent across the county
    assert shapely.union_all(geoms).area == pytest.approx(shapely.union_all(full).area, rel=5e-3)
