"""Which items pages are built on the event loop, and that they answer as FastAPI would."""

import pytest
from starlette.requests import Request

from geo_api.crs import CRS84
from geo_api.itemsroute import INLINE_MAX_LIMIT, runs_inline


def _request(query: str, accept: str = "") -> Request:
    headers = [(b"accept", accept.encode())] if accept else []
    scope = {
        "type": "http",
        "method": "GET",
        "path": "/collections/tracts/items",
        "query_string": query.encode(),
        "headers": headers,
    }
    return Request(scope)


@pytest.mark.parametrize(
    ("query", "accept", "inline"),
    [
        ("", "", True),
        ("bbox=-118.4,34.0,-118.2,34.1&limit=100", "", True),
        (f"limit={INLINE_MAX_LIMIT}&properties=name", "application/geo+json", True),
        (f"crs={CRS84}", "*/*", True),
        ("f=json", "text/html", True),  # f= wins over Accept
        (f"limit={INLINE_MAX_LIMIT + 1}", "", False),
        ("limit=10000", "", False),
        ("limit=-1", "", False),  # the route answers the 400
        ("filter=population>1000", "", False),
        ("crs=http://www.opengis.net/def/crs/EPSG/0/3857", "", False),
        ("f=csv", "", False),
        ("f=gpkg", "", False),
        ("", "text/html,application/xhtml+xml", False),
        ("f=xml", "", False),  # the route answers the 406
    ],
)
def test_only_small_geojson_pages_in_the_stored_crs_run_inline(query, accept, inline):
    assert runs_inline(_request(query, accept)) is inline


def test_inline_and_thread_pool_pages_carry_the_same_features(client):
    """The same bbox as an inline GeoJSON page and as a thread-pool CSV: same ids."""
    bbox = "bbox=-180,-90,180,90"
    page = client.get(f"/collections/tracts/items?{bbox}&limit=2")
    assert page.status_code == 200
    assert page.headers["content-type"] == "application/geo+json"
    csv = client.get(f"/collections/tracts/items?{bbox}&limit=2&f=csv")
    ids = [f["id"] for f in page.json()["features"]]
    rows = csv.text.splitlines()[1:]
    assert [row.split(",")[0] for row in rows] == ids
    bad = client.get(f"/collections/tracts/items?{bbox}&limit=0")
    assert bad.status_code == 400
    assert bad.headers["content-type"] == "application/problem+json"
