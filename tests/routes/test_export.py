"""`geo-api export --pmtiles`: archives readable by a PMTiles reader, and the static page."""

import gzip
import json
import subprocess
import sys

import mapbox_vector_tile
import morecantile
from pmtiles.reader import MmapSource, Reader
from pmtiles.tile import TileType

from tests.fixture_mirror import TRACTS
from tests.shapes import X0, Y0, D


def test_export_writes_archives_and_a_static_map(fixture_build, tmp_path):
    store = fixture_build[1]
    out = tmp_path / "static"
    done = subprocess.run(
        [sys.executable, "-m", "geo_api.cli", "export", "--pmtiles", str(out), "--store",
         str(store), "--layers", "tracts,neighborhoods", "--maxzoom", "12"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in out.iterdir()) == [
        "assets", "index.html", "manifest.json", "neighborhoods.pmtiles", "tracts.pmtiles"
    ]  # fmt: skip
    with open(out / "tracts.pmtiles", "rb") as f:
        reader = Reader(MmapSource(f))
        header, meta = reader.header(), reader.metadata()
        assert header["tile_type"] == TileType.MVT and header["max_zoom"] == 12
        assert meta["vector_layers"][0]["id"] == "tracts"
        assert len(meta["geo_api"]["store_checksum"]) == 64
        t = morecantile.tms.get("WebMercatorQuad").tile(X0 + 2 * D, Y0 + D / 2, 12)
        tile = mapbox_vector_tile.decode(gzip.decompress(reader.get(t.z, t.x, t.y)))
    ids = sorted(f["properties"]["id"] for f in tile["tracts"]["features"])
    assert ids == sorted(TRACTS)
    page = (out / "index.html").read_text()
    assert "assets/pmtiles.js" in page and "assets/maplibre-gl.js" in page
    for name in ("pmtiles.js", "maplibre-gl.js", "maplibre-gl.css"):
        assert (out / "assets" / name).stat().st_size > 1000
    report = json.loads((out / "manifest.json").read_text())
    assert report["tracts"]["tiles"] > 10


def test_exported_archives_are_readable_by_other_users_under_the_umask(fixture_build, tmp_path):
    # a web server running as another user must read them (0600 answered 403)
    store = fixture_build[1]
    for umask, mode in ((0o022, 0o644), (0o027, 0o640)):
        out = tmp_path / f"static-{umask:o}"
        done = subprocess.run(
            [sys.executable, "-c", f"import os, sys; os.umask({umask}); "
             "from geo_api.cli import main; sys.exit(main())",
             "export", "--pmtiles", str(out), "--store", str(store), "--layers", "spas",
             "--maxzoom", "6"],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert (out / "spas.pmtiles").stat().st_mode & 0o777 == mode
        assert (out / "index.html").stat().st_mode & 0o777 == mode


def test_export_refuses_unknown_layers(fixture_build, tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "geo_api.cli", "export", "--pmtiles", str(tmp_path / "x"),
         "--store", str(fixture_build[1]), "--layers", "nowhere"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 1 and "nowhere" in done.stderr
