"""Mapbox Vector Tiles of a served layer in the WebMercatorQuad tile matrix set.

A tile holds the layer's features that intersect it (found with the layer's STRtree),
with the geometry geo-api already simplifies for that web zoom
(:meth:`geo_api.catalog.LayerData.zoom_shapes`: a coverage simplification, so neighbours
still meet), projected to EPSG:3857, clipped to the tile plus a buffer and quantized to a
4096 grid. Every property of the feature travels with it (MVT has no null: a missing
value is simply absent). The tile matrix set and the tile bounds come from morecantile;
encoding is mapbox-vector-tile's.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import mapbox_vector_tile
import morecantile
import numpy as np
import shapely

from boundaries.webgeom import MAX_ZOOM
from geo_api.catalog import LayerData
from geo_api.crs import parse_crs_param, to_crs
from geo_api.errors import NotFound
from loaders.geometry import polygonal

TMS_ID = "WebMercatorQuad"
EXTENT = 4096
#: tile buffer, in tile units (of EXTENT): enough for stroke widths at tile edges
BUFFER = 64
MVT = "application/vnd.mapbox-vector-tile"


@lru_cache(maxsize=1)
def tms() -> morecantile.TileMatrixSet:
    """The OGC WebMercatorQuad tile matrix set."""
    return morecantile.tms.get(TMS_ID)


def check_tile(tms_id: str, z: int, y: int, x: int) -> None:
    """A 404 for an unknown tile matrix set or a tile outside the matrix."""
    if tms_id != TMS_ID:
        raise NotFound(f"no tile matrix set {tms_id[:40]!r}", valid=[TMS_ID])
    if not 0 <= z <= MAX_ZOOM:
        raise NotFound(f"tile matrix {z} is outside 0-{MAX_ZOOM}")
    if not (0 <= x < 2**z and 0 <= y < 2**z):
        raise NotFound(f"tile row {y} / column {x} is outside tile matrix {z} (0-{2**z - 1})")


def _properties(record: dict[str, Any], keep: list[str] | None) -> dict[str, Any]:
    out = {}
    for key in keep if keep is not None else record:
        value = record.get(key)
        if value is None or (isinstance(value, float) and np.isnan(value)):
            continue
        out[key] = value if isinstance(value, str | int | float | bool) else str(value)
    return out


def encode_tile(layer: LayerData, z: int, y: int, x: int, keep: list[str] | None = None) -> bytes:
    """The MVT of one tile: one MVT layer named after the collection, carrying the
    properties in ``keep`` (default: all)."""
    tile = morecantile.Tile(x, y, z)
    west, south, east, north = tms().bounds(tile)
    xy = tms().xy_bounds(tile)
    pad = BUFFER / EXTENT
    dx, dy = (east - west) * pad, (north - south) * pad
    hits = layer.tree.query(
        shapely.box(west - dx, south - dy, east + dx, north + dy), predicate="intersects"
    )
    if len(hits) == 0:
        return mapbox_vector_tile.encode([])
    hits = np.sort(hits)
    shapes = layer.zoom_shapes(z)[hits] if layer.layer.kind == "polygon" else None
    if shapes is None:
        shapes = layer.frame.geometry.to_numpy()[hits]
    mercator = to_crs(shapes, parse_crs_param("EPSG:3857"))
    sx, sy = EXTENT / (xy.right - xy.left), EXTENT / (xy.top - xy.bottom)

    def to_tile(coords: np.ndarray) -> np.ndarray:  # tile units, y down
        return np.column_stack([(coords[:, 0] - xy.left) * sx, (xy.top - coords[:, 1]) * sy])

    in_tile = shapely.transform(mercator, to_tile)
    clipped = shapely.clip_by_rect(in_tile, -BUFFER, -BUFFER, EXTENT + BUFFER, EXTENT + BUFFER)
    # snapped to the whole-number grid here, vectorized and kept valid (GEOS drops what
    # collapses), rather than by the encoder point by point
    snapped = shapely.set_precision(clipped, 1.0)
    if layer.layer.kind == "polygon":
        snapped = np.array([polygonal(g) for g in snapped], dtype=object)
    # feature ids are strings (GEOIDs, slugs) and MVT ids integers: the id stays a property
    features = [
        {"geometry": geom, "properties": _properties(layer.records[i], keep)}
        for i, geom in zip(hits, snapped, strict=True)
        if not geom.is_empty
    ]
    return mapbox_vector_tile.encode(
        [{"name": layer.layer.id, "features": features}],
        default_options={"y_coord_down": True, "extents": EXTENT},
    )
