"""The adversarial drawn areas of benchmarks/adversarial.py on the real store: each is
answered with figures or refused with a 413 naming its limits, and the work it was let do
is bounded by count (rings laid over the tracts, tract pieces cut), the quantities whose
cost benchmarks/areas.py measures in CPU seconds. No wall-clock assertion."""

from __future__ import annotations

import geopandas as gpd
import orjson
import pytest
from fastapi.testclient import TestClient

import boundaries.crosswalk as crosswalk
from benchmarks.adversarial import CASES, circle
from boundaries.custom import MAX_PIECES
from geo_api.app import create_app
from geo_api.geoinput import MAX_RINGS
from tests.routes.conftest import make_settings

pytestmark = pytest.mark.integration

REFUSED = {"39,000 small squares", "polygon with 39,000 holes", "2,000 long strips"}


@pytest.fixture(scope="module")
def real_client(mirror_store, tmp_path_factory):
    """The real store given in memory: areas are computed in this process's threads, where
    the overlays can be counted (served from a file they run in worker processes)."""
    settings = make_settings(tmp_path_factory.mktemp("adversarial"))
    with TestClient(create_app(settings, store=mirror_store)) as c:
        assert c.app.state.areas._pool is None
        yield c


@pytest.fixture
def overlay_work(monkeypatch):
    """(parts laid over the tracts, pieces cut) of every overlay the request ran."""
    seen: list[tuple[int, int]] = []
    real = gpd.overlay

    def counting(left, right, **kwargs):
        pieces = real(left, right, **kwargs)
        seen.append((len(right), len(pieces)))
        return pieces

    monkeypatch.setattr(crosswalk.gpd, "overlay", counting)
    return seen


@pytest.mark.parametrize("name", list(CASES))
def test_each_adversarial_area_is_answered_or_refused_within_bounds(
    real_client, overlay_work, name
):
    answer = real_client.post("/aggregate", content=orjson.dumps(CASES[name]()))
    if name in REFUSED:
        assert answer.status_code == 413, answer.text[:300]
        problem = answer.json()
        assert problem["code"] == "too-complex"
        assert problem["limits"] == {
            "max_body_bytes": 5_000_000, "max_vertices": 200_000, "max_rings": MAX_RINGS,
            "max_tract_pieces": MAX_PIECES,
        }  # fmt: skip
        assert all(pieces == 0 for _, pieces in overlay_work)  # refused before the overlay
        return
    assert answer.status_code == 200, answer.text[:300]
    assert answer.json()["properties"]["population"] is not None
    assert overlay_work, "the area was laid over the tracts"
    for parts, pieces in overlay_work:
        assert parts <= MAX_RINGS and pieces <= MAX_PIECES


def test_two_large_drawn_areas_are_compared(real_client, overlay_work):
    a, b = circle(95_000), circle(95_000, radius=0.03)
    answer = real_client.post("/compare", content=orjson.dumps({"a": a, "b": b}))
    assert answer.status_code == 200, answer.text[:300]
    assert answer.json()["indicators"]
    assert len(overlay_work) == 2 and all(parts == 1 for parts, _ in overlay_work)
