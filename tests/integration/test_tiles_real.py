"""Vector tiles of the store built from the real-data mirror, read back with GDAL."""

from pathlib import Path

import httpx
import morecantile
import pyogrio
import pytest

pytestmark = pytest.mark.integration
TMS = morecantile.tms.get("WebMercatorQuad")


def test_the_downtown_z10_tile_decodes_with_gdal_into_tracts_with_figures(
    live_server, tmp_path: Path
):
    url = f"{live_server}/collections/tracts/tiles/WebMercatorQuad/10/408/175"
    out = httpx.get(url, timeout=60)
    assert out.status_code == 200
    assert out.headers["content-type"] == "application/vnd.mapbox-vector-tile"
    path = tmp_path / "10" / "175" / "408.pbf"  # GDAL's MVT driver reads z/x/y from the path
    path.parent.mkdir(parents=True)
    path.write_bytes(out.content)
    frame = pyogrio.read_dataframe(path, layer="tracts")
    assert len(frame) >= 20
    for column in ("no_subscription_pct", "no_subscription_pct_moe", "poverty_pct"):
        assert frame[column].notna().sum() >= 20, column
    assert frame["id"].str.startswith("06037").all()


@pytest.mark.parametrize(("layer", "zoom"), [("tracts", 10), ("neighborhoods", 8), ("cities", 8)])
def test_every_tile_over_the_county_encodes(live_server, layer, zoom):
    extent = httpx.get(f"{live_server}/collections/{layer}", timeout=60).json()["extent"]
    west, south, east, north = extent["spatial"]["bbox"][0]
    tiles = list(TMS.tiles(west, south, east, north, [zoom]))
    assert len(tiles) > 3
    seen = 0
    with httpx.Client(timeout=120) as client:
        for t in tiles:
            out = client.get(
                f"{live_server}/collections/{layer}/tiles/WebMercatorQuad/{t.z}/{t.y}/{t.x}",
                params={"properties": "name,population"},
            )
            assert out.status_code == 200, (t, out.text[:200])
            seen += len(out.content) > 0
    assert seen > 0


def test_school_district_maps_draw_one_tiling_set_of_districts(live_server):
    def drawn(params):
        page = httpx.get(
            f"{live_server}/maps/school-districts/poverty_pct", params=params, timeout=120
        )
        assert page.status_code == 200
        return page.text.count('"fill": ')

    kinds = httpx.get(
        f"{live_server}/collections/school-districts/items",
        params={"limit": 1000, "properties": "sd_type"},
        timeout=60,
    ).json()["features"]
    count = {
        k: sum(f["properties"]["sd_type"] == k for f in kinds)
        for k in ("unified", "elementary", "secondary")
    }
    assert drawn({}) == count["unified"] + count["elementary"]
    assert drawn({"sd_type": "secondary"}) == count["unified"] + count["secondary"]
    assert drawn({"sd_type": "unified"}) == count["unified"]


def test_gdal_reads_the_readme_tile_url(live_server):
    # as the README writes it for ogrinfo (GDAL's MVT driver, through pyogrio's GDAL)
    url = f"MVT:{live_server}/collections/tracts/tiles/WebMercatorQuad/10/408/175?f=mvt"
    frame = pyogrio.read_dataframe(url)
    assert len(frame) > 100 and "no_subscription_pct" in frame.columns
