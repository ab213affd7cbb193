"""Reading vector files with pyogrio, repairing invalid polygons, and the CRSs we use.

Every polygon loader returns a GeoDataFrame in :data:`SERVE_CRS` (EPSG:4326) whose
geometries are valid Polygons or MultiPolygons. Invalid geometries are repaired with
``shapely.make_valid`` (keeping the polygonal part) and counted, never dropped.
"""

from __future__ import annotations

import logging
from pathlib import Path

import geopandas as gpd
import pyogrio
import shapely
from shapely.geometry.base import BaseGeometry

from loaders.errors import SourceFormatError

log = logging.getLogger(__name__)

SERVE_CRS = "EPSG:4326"
AREA_CRS = "EPSG:3310"  # California Albers, equal-area metres


def read_vector(path: Path | str, source: str, **kwargs: object) -> gpd.GeoDataFrame:
    """Read any OGR-readable file (GeoJSON, shapefile, zipped shapefile) with pyogrio.

    A missing ``.prj`` is an error rather than a guess; a truncated or corrupt file raises
    :class:`SourceFormatError` naming ``source``.
    """
    try:
        frame = pyogrio.read_dataframe(path, **kwargs)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        raise SourceFormatError(source, f"unreadable vector file {path}: {exc}") from exc
    except (pyogrio.errors.FieldError, pyogrio.errors.GeometryError, RuntimeError) as exc:
        raise SourceFormatError(source, f"corrupt vector file {path}: {exc}") from exc
    if frame.crs is None:
        raise SourceFormatError(source, f"{path} declares no CRS (missing .prj?)")
    if frame.geometry.isna().any():
        nulls = int(frame.geometry.isna().sum())
        raise SourceFormatError(source, f"{path}: {nulls} null geometries")
    return frame


def polygonal(geom: BaseGeometry) -> BaseGeometry:
    """Keep the polygonal part of ``geom`` (``make_valid`` can add stray lines or points)."""
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [g for g in getattr(geom, "geoms", []) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else shapely.Polygon()


def repair(frame: gpd.GeoDataFrame, source: str) -> tuple[gpd.GeoDataFrame, int]:
    """Return ``(frame with valid polygons, number repaired)``.

    Raises :class:`SourceFormatError` if a repair leaves a feature without area, because
    dropping it would silently remove a place from the map.
    """
    invalid = ~frame.geometry.is_valid
    count = int(invalid.sum())
    if count:
        fixed = frame.geometry[invalid].apply(lambda g: polygonal(shapely.make_valid(g)))
        empty = fixed.is_empty
        if empty.any():
            raise SourceFormatError(
                source, f"{int(empty.sum())} geometries have no area after repair"
            )
        frame = frame.copy()
        frame.loc[invalid, frame.geometry.name] = fixed
        log.info("%s: repaired %d invalid geometries", source, count)
    return frame, count


def to_serve_crs(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Reproject to EPSG:4326 (NAD83 → WGS84 differs by about 1 m in LA)."""
    return frame if frame.crs.to_epsg() == 4326 else frame.to_crs(SERVE_CRS)


def polygon_layer(
    frame: gpd.GeoDataFrame, ids: object, names: object, source: str, keep: list[str] | None = None
) -> tuple[gpd.GeoDataFrame, int]:
    """Build the standard polygon layer: ``id`` (str), ``name`` (str), ``keep`` columns, geometry.

    Checks that ids are unique and non-empty, repairs geometry and reprojects to EPSG:4326.
    Returns ``(layer, repaired_count)``.
    """
    out = gpd.GeoDataFrame(
        {"id": ids, "name": names, **{k: frame[k] for k in keep or []}},
        geometry=frame.geometry.values,
        crs=frame.crs,
    )
    out["id"] = out["id"].astype(str)
    out["name"] = out["name"].astype(str)
    dupes = out["id"][out["id"].duplicated()]
    if len(dupes):
        raise SourceFormatError(source, f"duplicate feature ids: {sorted(set(dupes))[:5]}")
    if (out["id"].str.len() == 0).any():
        raise SourceFormatError(source, "empty feature id")
    out, repaired = repair(out, source)
    return to_serve_crs(out).reset_index(drop=True), repaired
