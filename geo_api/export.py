"""``geo-api export --pmtiles DIR``: every layer as a PMTiles archive, plus a static map.

For hosting maps on any object store or CDN when embeds outgrow one server: each layer's
vector tiles (the same tiles ``/collections/{layer}/tiles`` serves, every property) are
written for zooms 0 to ``maxzoom`` into ``DIR/<layer>.pmtiles`` (PMTiles v3, gzip tiles,
TileJSON-like metadata with the vintage and store checksum). ``DIR/index.html`` draws
them with MapLibre and the PMTiles protocol (both copied into ``DIR/assets``), so the
folder works from any static host that answers HTTP range requests. Each archive is
written to a temporary file and renamed into place.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import morecantile
from pmtiles.tile import Compression, TileType, zxy_to_tileid
from pmtiles.writer import Writer

from boundaries.indicators import INDICATORS
from boundaries.store import SERVING_SKIPS, read_store
from geo_api.catalog import Catalog, LayerData
from geo_api.html import render
from geo_api.routers.tiles import tilejson_doc
from geo_api.routers.vectormap import fill_expression
from geo_api.tiles import encode_tile, tms
from maps.classify import classify
from maps.mapdata import class_entries

#: deepest zoom written per layer kind (tracts need one more level than larger areas)
DEFAULT_MAXZOOM = {"tracts": 12, "schools": 12, "child-care": 12, "access-points": 12}
OTHER_MAXZOOM = 11
#: the indicator the static map opens on, per layer, when the layer has it
MAP_INDICATOR = "no_subscription_pct"
STATIC = Path(__file__).resolve().parent / "static"


def layer_tiles(layer: LayerData, maxzoom: int) -> list[morecantile.Tile]:
    """Every tile over the layer's extent from zoom 0 to ``maxzoom``, in PMTiles order."""
    west, south, east, north = layer.extent
    tiles = list(tms().tiles(west, south, east, north, list(range(maxzoom + 1))))
    return sorted(tiles, key=lambda t: zxy_to_tileid(t.z, t.x, t.y))


def current_umask() -> int:
    """The process's umask (read by setting it and putting it back; the CLI is one thread)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_archive(
    layer: LayerData, path: Path, maxzoom: int, metadata: dict[str, Any]
) -> tuple[int, int]:
    """Write ``layer``'s tiles to ``path`` atomically; returns (tiles written, bytes)."""
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.tmp-", suffix=".pmtiles")
    written = 0
    try:
        with os.fdopen(fd, "wb") as out:
            writer = Writer(out)
            for t in layer_tiles(layer, maxzoom):
                data = encode_tile(layer, t.z, t.y, t.x)
                if not data:
                    continue  # an empty tile is simply absent from the archive
                writer.write_tile(zxy_to_tileid(t.z, t.x, t.y), gzip.compress(data, mtime=0))
                written += 1
            west, south, east, north = layer.extent
            header = {
                "tile_type": TileType.MVT,
                "tile_compression": Compression.GZIP,
                "min_lon_e7": int(west * 1e7),
                "min_lat_e7": int(south * 1e7),
                "max_lon_e7": int(east * 1e7),
                "max_lat_e7": int(north * 1e7),
                "center_zoom": min(9, maxzoom),
                "center_lon_e7": int((west + east) / 2 * 1e7),
                "center_lat_e7": int((south + north) / 2 * 1e7),
            }
            writer.finalize(header, metadata)
        # mkstemp makes the file 0600; an export is for a web server, maybe another user
        os.chmod(tmp_name, 0o666 & ~current_umask())
        os.replace(tmp_name, path)
    finally:
        Path(tmp_name).unlink(missing_ok=True)
    return written, path.stat().st_size


def _map_config(layer: LayerData) -> dict[str, Any] | None:
    """What the static page needs to draw ``layer``: indicator, classes, colours."""
    if layer.layer.kind != "polygon" or f"{MAP_INDICATOR}_moe" not in layer.properties:
        return None
    cls = classify(layer.values(MAP_INDICATOR).astype(float), "quantiles", 5, "YlOrRd")
    return {
        "indicator": MAP_INDICATOR,
        "label": INDICATORS[MAP_INDICATOR].label,
        "fill": fill_expression(MAP_INDICATOR, cls.upper, cls.colors),
        "legend": [
            [color, label] for color, label, _ in class_entries(cls, INDICATORS[MAP_INDICATOR].unit)
        ],
    }


def export_pmtiles(
    store: Path,
    out_dir: Path,
    layers: list[str] | None = None,
    maxzoom: int | None = None,
    progress: Callable[[str], None] = print,
) -> dict[str, dict[str, Any]]:
    """Write ``out_dir/<layer>.pmtiles`` for each layer (all by default) and the static
    map ``out_dir/index.html``. Returns per layer: file, tiles and bytes."""
    catalog = Catalog.from_store(read_store(store, SERVING_SKIPS))
    chosen = layers or list(catalog.layers)
    unknown = sorted(set(chosen) - set(catalog.layers))
    if unknown:
        raise ValueError(f"no layers {unknown} in the store (it has {list(catalog.layers)})")
    out_dir.mkdir(parents=True, exist_ok=True)
    report: dict[str, dict[str, Any]] = {}
    configs = {}
    for lid in chosen:
        layer = catalog.layers[lid]
        top = maxzoom if maxzoom is not None else DEFAULT_MAXZOOM.get(lid, OTHER_MAXZOOM)
        meta = tilejson_doc(layer, "")
        meta.pop("tiles")
        meta.update(
            maxzoom=top,
            attribution="ACS 5-year estimates with 90% margins of error, via geo-api",
            geo_api={
                "store_checksum": catalog.checksum,
                "built_at": catalog.manifest.get("built_at"),
                "vintages": layer.vintages,
            },
        )
        path = out_dir / f"{lid}.pmtiles"
        tiles, size = write_archive(layer, path, top, meta)
        report[lid] = {"file": path.name, "tiles": tiles, "bytes": size, "maxzoom": top}
        progress(f"{lid}: {tiles:,} tiles, {size / 1e6:.1f} MB, zoom 0-{top}")
        config = _map_config(layer)
        if config is not None:
            configs[lid] = {**config, "title": layer.layer.title, "bounds": layer.extent}
    assets = out_dir / "assets"
    assets.mkdir(exist_ok=True)
    for name in ("maplibre/maplibre-gl.js", "maplibre/maplibre-gl.css", "pmtiles/pmtiles.js"):
        shutil.copyfile(STATIC / name, assets / Path(name).name)
    page = render("pmtiles_map.html", layers=json.dumps(configs), title="geo-api static maps")
    (out_dir / "index.html").write_bytes(page)
    (out_dir / "manifest.json").write_text(json.dumps(report, indent=2) + "\n")
    return report
