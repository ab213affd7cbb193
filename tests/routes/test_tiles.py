"""OGC API - Tiles on the fixture store: MVT tiles, tileset metadata and TileJSON."""

import mapbox_vector_tile
import morecantile
import pyogrio
import pytest

from tests.fixture_mirror import TRACTS
from tests.shapes import X0, Y0, D

TMS = morecantile.tms.get("WebMercatorQuad")
BASE = "/collections/tracts/tiles/WebMercatorQuad"


def tile_of(z: int):
    return TMS.tile(X0 + 2 * D, Y0 + 0.5 * D, z)


def test_a_tile_carries_every_tract_in_it_with_its_figures(client, tmp_path):
    t = tile_of(12)
    out = client.get(f"{BASE}/{t.z}/{t.y}/{t.x}")
    assert out.status_code == 200
    assert out.headers["content-type"] == "application/vnd.mapbox-vector-tile"
    decoded = mapbox_vector_tile.decode(out.content)
    features = decoded["tracts"]["features"]
    assert sorted(f["properties"]["id"] for f in features) == sorted(TRACTS)
    props = next(f["properties"] for f in features if f["properties"]["id"] == TRACTS[0])
    assert props["population"] == 3000 and "population_moe" in props
    # tract C has no households: its null rate is absent, not encoded as a value
    c = next(f["properties"] for f in features if f["properties"]["id"] == TRACTS[2])
    assert "no_subscription_pct" not in c
    # GDAL's MVT driver reads it (z/x/y.pbf names the tile)
    path = tmp_path / str(t.z) / str(t.x) / f"{t.y}.pbf"
    path.parent.mkdir(parents=True)
    path.write_bytes(out.content)
    frame = pyogrio.read_dataframe(path, layer="tracts")
    assert len(frame) == 4 and frame.crs.to_epsg() == 3857
    lon, lat = frame.to_crs(4326).geometry.union_all().centroid.coords[0]
    assert lon == pytest.approx(X0 + 2 * D, abs=0.002) and lat == pytest.approx(
        Y0 + D / 2, abs=0.002
    )


def test_properties_select_what_a_tile_carries(client):
    t = tile_of(11)
    out = client.get(f"{BASE}/{t.z}/{t.y}/{t.x}", params={"properties": "poverty_pct,name"})
    props = mapbox_vector_tile.decode(out.content)["tracts"]["features"][0]["properties"]
    assert set(props) == {"id", "name", "poverty_pct"}
    bad = client.get(f"{BASE}/{t.z}/{t.y}/{t.x}", params={"properties": "nope"})
    assert bad.status_code == 400


def test_tiles_are_cached_with_etags(client):
    t = tile_of(10)
    first = client.get(f"{BASE}/{t.z}/{t.y}/{t.x}")
    again = client.get(
        f"{BASE}/{t.z}/{t.y}/{t.x}", headers={"if-none-match": first.headers["etag"]}
    )
    assert again.status_code == 304


def test_a_tile_far_away_is_empty_and_outside_the_matrix_is_404(client):
    empty = client.get(f"{BASE}/10/0/0")
    assert empty.status_code == 200 and mapbox_vector_tile.decode(empty.content) == {}
    assert client.get(f"{BASE}/3/8/0").status_code == 404
    assert client.get(f"{BASE}/23/0/0").status_code == 404
    assert client.get("/collections/tracts/tiles/WorldCRS84Quad/1/0/0").status_code == 404
    assert client.get(f"{BASE}/a/0/0").status_code == 400


def test_tileset_metadata_and_tilejson(client):
    listed = client.get("/collections/tracts/tiles").json()
    assert listed["tilesets"][0]["dataType"] == "vector"
    meta = client.get(BASE).json()
    template = next(link for link in meta["links"] if link["rel"] == "item")
    assert template["href"].endswith("/WebMercatorQuad/{tileMatrix}/{tileRow}/{tileCol}")
    assert meta["tileMatrixSetURI"].endswith("/WebMercatorQuad")
    assert meta["layers"][0]["propertiesSchema"]["properties"]["population"]["type"] == "number"
    tj = client.get(f"{BASE}/tilejson.json").json()
    assert tj["tilejson"] == "3.0.0" and tj["tiles"][0].endswith("/{z}/{y}/{x}")
    assert tj["vector_layers"][0]["fields"]["population"] == "Number"
    conformance = client.get("/conformance").json()["conformsTo"]
    assert "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/mvt" in conformance


def test_the_vector_map_uses_the_folium_classes(client):
    import json

    import numpy as np

    from maps.classify import classify

    page = client.get("/maps/tracts/population/vector", params={"k": 3})
    assert page.status_code == 200
    assert "/assets/maplibre/maplibre-gl.js" in page.text
    assert "/collections/tracts/tiles/WebMercatorQuad/{z}/{y}/{x}?properties=" in page.text
    fill = json.loads(page.text.split('"fill-color": ', 1)[1].split(",\n", 1)[0])
    values = np.array(
        [
            f["properties"]["population"]
            for f in client.get("/collections/tracts/items").json()["features"]
        ],
        dtype=float,
    )
    cls = classify(values, "quantiles", 3, "YlOrRd")
    bounds = [case[2] for case in fill[3:-1:2]]
    assert bounds == cls.upper[:-1]
    assert fill[-1] == cls.colors[-1]
    assert client.get("/assets/maplibre/maplibre-gl.js").status_code == 200
    assert client.get("/maps/tracts/nothing/vector").status_code == 400
    # city limits over tracts, from the cities layer's own tiles
    assert "/collections/cities/tiles/WebMercatorQuad/{z}/{y}/{x}?properties=name" in page.text
    assert 'data-legend="outlines"' in page.text
    hoods = client.get("/maps/neighborhoods/population/vector").text
    assert "/collections/cities/tiles" not in hoods
    tile = client.get("/collections/cities/tiles/WebMercatorQuad/0/0/0?properties=name")
    assert tile.status_code == 200
    assert client.get("/maps/schools/population/vector").status_code == 400
    assert client.get("/maps/tracts/population/vector", params={"overlay": "x"}).status_code == 400
