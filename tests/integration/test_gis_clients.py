"""Real OGC API - Features clients (GDAL through pyogrio, OWSLib) against the mirror store."""

import httpx
import pyogrio
import pytest

pytestmark = pytest.mark.integration


def test_gdal_oapif_reads_every_collection(live_server, mirror_store):
    collections = httpx.get(f"{live_server}/collections").json()["collections"]
    for coll in collections:
        cid = coll["id"]
        matched = httpx.get(f"{live_server}/collections/{cid}/items?limit=1").json()[
            "numberMatched"
        ]
        frame = pyogrio.read_dataframe(f"OAPIF:{live_server}/", layer=cid, PAGE_SIZE="1000")
        assert len(frame) == matched == len(mirror_store.layers[cid]), cid
        if cid in ("neighborhoods", "tracts"):
            assert "poverty_pct" in frame.columns and "poverty_pct_moe" in frame.columns
            assert frame["poverty_pct"].notna().sum() > 0.9 * len(frame)


def test_owslib_reads_collections_and_items(live_server):
    from owslib.ogcapi.features import Features

    api = Features(live_server)
    ids = {c["id"] for c in api.collections()["collections"]}
    assert {"tracts", "neighborhoods", "schools"} <= ids
    items = api.collection_items("neighborhoods", limit=300)
    assert items["numberMatched"] == 270 == len(items["features"])
    props = items["features"][0]["properties"]
    assert "no_subscription_pct_reliability" in props
    assert api.conformance()["conformsTo"]
