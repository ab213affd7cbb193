"""Served from a store file, drawn areas are parsed and computed in worker processes:
the same figures as in-process, the same problems (errors cross the process boundary
intact), and a deadline that stops the work and answers 503."""

from __future__ import annotations

import multiprocessing

import pytest
from fastapi.testclient import TestClient
from shapely.geometry import box, mapping

import geo_api.areapool as areapool
from geo_api.app import create_app
from tests.routes.conftest import make_settings
from tests.shapes import X0, Y0, D

AREA = mapping(box(X0 + 0.5 * D, Y0, X0 + 1.5 * D, Y0 + D))  # halves of tracts A and B


@pytest.fixture(scope="module")
def pooled(fixture_build, tmp_path_factory):
    settings = make_settings(tmp_path_factory.mktemp("pool"))
    app = create_app(settings.model_copy(update={"store": fixture_build[1]}))
    with TestClient(app) as client:
        yield client


def test_drawn_areas_are_computed_in_worker_processes(pooled, client):
    assert pooled.app.state.areas._pool is not None
    in_threads = client.post("/aggregate", json=AREA).json()["properties"]
    in_workers = pooled.post("/aggregate", json=AREA).json()["properties"]
    assert in_workers == in_threads
    assert len(multiprocessing.active_children()) >= 2  # the pool's processes


def test_problems_cross_from_the_workers_intact(pooled):
    point = pooled.post("/aggregate", json={"type": "Point", "coordinates": [0, 0]})
    assert point.status_code == 400
    assert point.json()["code"] == "invalid-geometry" and "Polygon" in point.json()["valid"]
    far = pooled.post("/aggregate", json=mapping(box(10, 10, 11, 11)))
    assert far.status_code == 422 and far.json()["code"] == "outside-county"
    assert far.json()["county_share"] == 0


def test_an_area_past_its_deadline_is_stopped_and_answered_503(pooled, monkeypatch):
    monkeypatch.setattr(areapool, "AREA_DEADLINE_SECONDS", 0.0)
    late = pooled.post("/aggregate", json=mapping(box(X0, Y0, X0 + 0.7 * D, Y0 + D)))
    assert late.status_code == 503
    assert late.json()["code"] == "deadline" and late.json()["deadline_seconds"] == 0.0
    assert pooled.app.state.areas._pool._pool is None  # its processes were stopped
    monkeypatch.setattr(areapool, "AREA_DEADLINE_SECONDS", 30.0)
    again = pooled.post("/aggregate", json=mapping(box(X0, Y0, X0 + 0.7 * D, Y0 + D)))
    assert again.status_code == 200  # a new pool answers


def test_a_worker_that_cannot_read_its_store_says_why(fixture_build):
    pool = areapool.AreaPool(fixture_build[1], "not-this-store", 1)
    try:
        kind, why = pool.aggregate(box(X0, Y0, X0 + D, Y0 + D), "a", ())
    finally:
        pool.close()
    assert (kind, why) == (
        "unavailable",
        "the store file changed since the server started: restart it",
    )
