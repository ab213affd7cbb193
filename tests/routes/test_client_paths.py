"""What GIS clients read before they fetch: the page size they may ask for, the zooms where
tiles add detail, and the GeoPackage version GDAL 3.6 (QGIS LTRs) reads without a warning."""

import sqlite3

from geo_api.routers.tiles import DETAIL_MAXZOOM


def test_the_openapi_document_declares_the_largest_page(client):
    doc = client.get("/openapi.json").json()
    items = doc["paths"]["/collections/{layer}/items"]["get"]["parameters"]
    limit = next(p for p in items if p["name"] == "limit")
    assert limit["schema"]["maximum"] == 10000 and limit["schema"]["default"] == 100
    # a client asking for the declared maximum gets every tract in one page
    page = client.get("/collections/tracts/items", params={"limit": 10000}).json()
    assert page["numberReturned"] == page["numberMatched"]


def test_tilejson_gives_the_zooms_where_tiles_add_detail(client):
    doc = client.get("/collections/tracts/tiles/WebMercatorQuad/tilejson.json").json()
    assert doc["minzoom"] == 0 and doc["maxzoom"] == DETAIL_MAXZOOM == 16
    # beyond it clients overzoom, and the server still answers deeper tiles
    deeper = client.get("/collections/tracts/tiles/WebMercatorQuad/17/52400/22460")
    assert deeper.status_code in (200, 204)


def test_geopackage_downloads_are_version_1_2(client, tmp_path):
    r = client.get("/collections/neighborhoods/items", params={"f": "gpkg"})
    assert r.status_code == 200
    path = tmp_path / "n.gpkg"
    path.write_bytes(r.content)
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA application_id").fetchone()[0] == 0x47504B47  # "GPKG"
        assert db.execute("PRAGMA user_version").fetchone()[0] == 10200
        # the column descriptions live on (the schema extension exists in 1.2)
        assert db.execute("SELECT count(*) FROM gpkg_data_columns").fetchone()[0] > 0


def test_tiles_answer_byte_ranges_as_gdal_vsicurl_asks(client):
    import morecantile

    tile = morecantile.tms.get("WebMercatorQuad").tile(-118.285, 34.005, 12)  # the tracts
    url = f"/collections/tracts/tiles/WebMercatorQuad/12/{tile.y}/{tile.x}"
    whole = client.get(url, headers={"accept-encoding": "identity"})
    assert whole.status_code == 200 and len(whole.content) > 20
    size = len(whole.content)
    part = client.get(url, headers={"range": "bytes=0-9", "accept-encoding": "identity"})
    assert part.status_code == 206 and part.content == whole.content[:10]
    assert part.headers["content-range"] == f"bytes 0-9/{size}"
    tail = client.get(url, headers={"range": "bytes=-5", "accept-encoding": "identity"})
    assert tail.status_code == 206 and tail.content == whole.content[-5:]
    # the last byte is the edge: one past it cannot be satisfied
    last = client.get(url, headers={"range": f"bytes={size - 1}-", "accept-encoding": "identity"})
    assert last.status_code == 206 and last.content == whole.content[-1:]
    past = client.get(url, headers={"range": f"bytes={size}-", "accept-encoding": "identity"})
    assert past.status_code == 416 and past.headers["content-range"] == f"bytes */{size}"
    # several ranges, or an If-Range naming another version: the whole answer
    several = client.get(url, headers={"range": "bytes=0-1,4-5", "accept-encoding": "identity"})
    assert several.status_code == 200 and several.content == whole.content
    stale = client.get(
        url, headers={"range": "bytes=0-9", "if-range": '"old"', "accept-encoding": "identity"}
    )
    assert stale.status_code == 200
