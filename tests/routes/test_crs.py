"""OGC API - Features Part 2: crs=, bbox-crs= and Content-Crs on the fixture store."""

import numpy as np
import pyogrio
import pytest
from pyproj import Transformer

from tests.shapes import X0, Y0, D

EPSG = "http://www.opengis.net/def/crs/EPSG/0/"
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"


def coords(feature):
    return np.array(feature["geometry"]["coordinates"][0], dtype=float)


def test_state_plane_coordinates_agree_with_pyproj_within_a_foot(client):
    plain = client.get("/collections/tracts/items").json()["features"]
    feet = client.get("/collections/tracts/items", params={"crs": f"{EPSG}2229"})
    assert feet.status_code == 200
    assert feet.headers["content-crs"] == f"<{EPSG}2229>"
    to_feet = Transformer.from_crs("OGC:CRS84", "EPSG:2229", always_xy=True)
    for a, b in zip(plain, feet.json()["features"], strict=True):
        assert a["id"] == b["id"] and a["properties"] == b["properties"]
        x, y = to_feet.transform(coords(a)[:, 0], coords(a)[:, 1])
        expected = np.column_stack([x, y])
        assert np.abs(coords(b) - expected).max() < 1.0  # US survey feet
        assert 6.4e6 < expected[0, 0] < 6.6e6  # eastings near downtown LA, in feet


def test_epsg_4326_uses_its_official_latitude_first_order(client):
    lonlat = client.get("/collections/tracts/items/06037000100").json()
    latlon = client.get("/collections/tracts/items/06037000100", params={"crs": f"{EPSG}4326"})
    assert latlon.headers["content-crs"] == f"<{EPSG}4326>"
    assert np.allclose(coords(latlon.json()), coords(lonlat)[:, ::-1], atol=1e-6)
    assert client.get("/collections/tracts/items/06037000100").headers["content-crs"] == (
        f"<{CRS84}>"
    )


def test_bbox_in_another_crs_selects_the_same_features(client):
    lonlat_box = (X0 + 0.2 * D, Y0 + 0.2 * D, X0 + 1.5 * D, Y0 + 0.8 * D)
    plain = client.get(
        "/collections/tracts/items", params={"bbox": ",".join(map(str, lonlat_box))}
    ).json()
    to_albers = Transformer.from_crs("OGC:CRS84", "EPSG:3310", always_xy=True)
    minx, miny, maxx, maxy = to_albers.transform_bounds(*lonlat_box)
    albers = client.get(
        "/collections/tracts/items",
        params={"bbox": f"{minx},{miny},{maxx},{maxy}", "bbox-crs": f"{EPSG}3310"},
    ).json()
    ids = [f["id"] for f in plain["features"]]
    assert ids == [f["id"] for f in albers["features"]] == ["06037000100", "06037000200"]
    # EPSG:4326 boxes are latitude first
    latlon = ",".join(map(str, (lonlat_box[1], lonlat_box[0], lonlat_box[3], lonlat_box[2])))
    swapped = client.get(
        "/collections/tracts/items", params={"bbox": latlon, "bbox-crs": f"{EPSG}4326"}
    ).json()
    assert [f["id"] for f in swapped["features"]] == ids


@pytest.mark.parametrize(
    "params",
    [{"crs": "EPSG:27700"}, {"crs": "nonsense"}, {"bbox-crs": "EPSG:9999", "bbox": "0,0,1,1"}],
)
def test_unoffered_crs_is_a_400_listing_the_offered(client, params):
    out = client.get("/collections/tracts/items", params=params)
    assert out.status_code == 400
    assert f"{EPSG}2229" in out.json()["valid"]


def test_collections_and_conformance_declare_the_crs(client):
    doc = client.get("/collections/tracts").json()
    assert doc["storageCrs"] == CRS84
    assert {f"{EPSG}{c}" for c in (4326, 3857, 3310, 2229)} <= set(doc["crs"])
    conformance = client.get("/conformance").json()["conformsTo"]
    assert "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs" in conformance


def test_a_geopackage_in_state_plane(client, tmp_path):
    out = client.get("/collections/tracts/items", params={"crs": "EPSG:2229", "f": "gpkg"})
    path = tmp_path / "t.gpkg"
    path.write_bytes(out.content)
    frame = pyogrio.read_dataframe(path)
    assert frame.crs.to_epsg() == 2229
    assert out.headers["content-crs"] == f"<{EPSG}2229>"


def test_zoomed_pages_are_projected_too(client):
    out = client.get("/collections/tracts/items", params={"crs": "EPSG:3857", "zoom": 12})
    first = coords(out.json()["features"][0])
    assert -1.32e7 < first[0, 0] < -1.31e7 and 4.0e6 < first[0, 1] < 4.1e6
