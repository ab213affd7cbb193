import copy

from fastapi.testclient import TestClient

from boundaries.store import content_checksum
from geo_api.app import create_app, load_catalog
from tests.routes.conftest import make_settings

URL = "/collections/tracts/items?limit=10"


def test_repeated_request_is_answered_from_the_cache(client):
    fast = client.app.state.fast_cache
    first = client.get(URL, headers={"Accept-Encoding": "gzip"})
    size = len(fast)
    second = client.get(URL, headers={"Accept-Encoding": "gzip"})
    assert len(fast) == size  # nothing new stored: it was a hit
    assert second.content == first.content
    assert second.headers["etag"] == first.headers["etag"]
    assert second.headers["content-encoding"] == "gzip"
    plain = client.get(URL, headers={"Accept-Encoding": "identity"})
    assert len(fast) == size + 1 and "content-encoding" not in plain.headers
    assert plain.json() == first.json()


def test_format_host_and_cors_are_respected_on_hits(client):
    as_html = client.get(URL, headers={"Accept": "text/html"})
    as_json = client.get(URL, headers={"Accept": "application/geo+json"})
    assert as_html.headers["content-type"].startswith("text/html")
    assert as_json.headers["content-type"] == "application/geo+json"
    other_host = client.get(URL, headers={"Host": "maps.example.org"})
    assert "http://maps.example.org/collections/tracts" in other_host.text
    cors = client.get(URL, headers={"Origin": "https://advocate.example"})
    assert cors.headers["access-control-allow-origin"] == "*"
    again = client.get(URL, headers={"If-None-Match": as_json.headers["etag"]})
    assert again.status_code == 304


def test_errors_are_never_cached(client):
    fast = client.app.state.fast_cache
    size = len(fast)
    for _ in range(2):
        assert client.get("/collections/tracts/items?limit=0").status_code == 400
        assert client.get("/collections/nowhere").status_code == 404
    assert len(fast) == size


def changed_store(store):
    layers = {k: v.copy() for k, v in store.layers.items()}
    layers["tracts"].loc[0, "population"] = 4321.0
    tables = {
        "acs_values": store.acs_values,
        "crosswalk": store.crosswalk,
        "indicator_status": store.indicator_status,
        "coverage": store.coverage,
    }
    manifest = copy.deepcopy(store.manifest)
    manifest["content_sha256"] = content_checksum(layers, tables)
    return type(store)(layers=layers, manifest=manifest, **tables)


def test_a_new_store_gets_new_etags_and_no_stale_bytes(store, tmp_path):
    new = changed_store(store)
    assert new.checksum != store.checksum
    with TestClient(create_app(make_settings(tmp_path), store=store)) as c:
        old = c.get("/collections/tracts/items/06037000100")
        c.get("/collections/tracts/items/06037000100")  # now cached
        load_catalog(c.app, new)
        fresh = c.get("/collections/tracts/items/06037000100")
    assert fresh.headers["etag"] != old.headers["etag"]
    assert old.json()["properties"]["population"] != 4321.0
    assert fresh.json()["properties"]["population"] == 4321.0


def test_caches_are_bounded_by_bytes():
    from geo_api.fastpath import FastCache
    from geo_api.responses import BodyCache

    fast = FastCache(max_entries=100, max_bytes=250)
    for i in range(5):
        fast.put(("k", i), (200, [], b"x" * 100))
    assert len(fast) == 2 and fast.get(("k", 0)) is None and fast.get(("k", 4)) is not None
    bodies = BodyCache(max_items=100, max_bytes=250)
    for i in range(5):
        bodies.get(("t", str(i)), lambda: b"y" * 100)
    assert bodies.get(("t", "4"), lambda: b"new") == b"y" * 100
    assert bodies.get(("t", "0"), lambda: b"new") == b"new"  # evicted, recomputed
