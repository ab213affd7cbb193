"""Per-zoom geometry stays within its byte budget, whatever zooms are asked for; above
DETAIL_ZOOM the full-detail geometry is served and nothing more is cached."""

from __future__ import annotations

from fastapi.testclient import TestClient

import geo_api.catalog as catalog_module
from geo_api.app import create_app
from tests.routes.conftest import make_settings

LAYERS = ("tracts", "neighborhoods", "school-districts")


def _attack(client: TestClient) -> None:
    """Every layer at every zoom, one feature each, gzip and plain (the cache-busting
    requests of issue #26, on the fixture store)."""
    for layer in LAYERS:
        for zoom in range(23):
            for coding in ("gzip", "identity"):
                answer = client.get(
                    f"/collections/{layer}/items?zoom={zoom}&limit=1",
                    headers={"accept-encoding": coding},
                )
                assert answer.status_code == 200


def test_the_zoom_cache_keeps_to_its_budget(store, tmp_path, monkeypatch):
    with TestClient(create_app(make_settings(tmp_path), store=store)) as client:
        cache = client.app.state.catalog.layers["tracts"].zoom_cache
        _attack(client)
        unbounded = cache.nbytes
        assert unbounded > 0
    budget = unbounded // 4
    monkeypatch.setattr(catalog_module, "ZOOM_CACHE_BYTES", budget)
    with TestClient(create_app(make_settings(tmp_path), store=store)) as client:
        layers = client.app.state.catalog.layers
        cache = layers["tracts"].zoom_cache
        assert all(layer.zoom_cache is cache for layer in layers.values())  # one budget
        first = client.get("/collections/tracts/items?zoom=3").json()["features"]
        _attack(client)
        assert 0 < cache.nbytes <= budget
        # an evicted zoom is computed again, identically
        again = client.get("/collections/tracts/items?zoom=3&limit=100").json()["features"]
        assert again == first


def test_beyond_the_detail_zoom_the_full_geometry_is_served(client):
    full = client.get("/collections/tracts/items").json()["features"]
    cache = client.app.state.catalog.layers["tracts"].zoom_cache
    held = len(cache)
    for zoom in (catalog_module.DETAIL_ZOOM + 1, 22):
        deep = client.get(f"/collections/tracts/items?zoom={zoom}").json()["features"]
        assert [f["geometry"] for f in deep] == [f["geometry"] for f in full]
    assert len(cache) == held
    at_detail = client.get(f"/collections/tracts/items?zoom={catalog_module.DETAIL_ZOOM}")
    assert at_detail.status_code == 200 and len(cache) > held
