"""Areas sent by clients: GeoJSON bodies parsed, bounded, reprojected and repaired.

``POST /aggregate`` takes a GeoJSON Polygon, MultiPolygon, Feature or FeatureCollection
(the union of its polygons). Rules, each a problem response with its own code:

* a body over :data:`MAX_BODY_BYTES` is ``413 too-large``; more than :data:`MAX_VERTICES`
  vertices or :data:`MAX_RINGS` rings (outer rings and holes, what drives the overlay's
  cost), as posted or after repair, is ``413 too-complex`` with the limits in ``limits``;
* a body that is not JSON, not one of those GeoJSON types, or has coordinates that are
  not finite numbers is ``400 invalid-geometry``, naming what is wrong;
* coordinates are x/y (longitude/latitude, or easting/northing for a projected ``crs=``,
  :mod:`geo_api.crs`), as in GeoJSON; a lon/lat outside the world is a 400;
* an invalid polygon (self-intersecting ring, bow tie, wrong winding) is repaired with
  ``shapely.make_valid``, keeping its polygonal parts, and the answer's ``data_notes``
  says so; an area with nothing polygonal left is a 400.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import orjson
import shapely
from pyproj import CRS, Transformer
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from geo_api.crs import crs_list
from geo_api.errors import ApiError
from loaders.geometry import polygonal

MAX_BODY_BYTES = 5_000_000
MAX_VERTICES = 200_000
#: rings (outer rings and holes) of a posted area: measured on the real store, 10,000
#: squares cost 0.8 s of CPU and a polygon with 9,999 holes 1.5 s, where 39,000 holes cost
#: 9.8 s (benchmarks/areas.py)
MAX_RINGS = 10_000
POLYGONAL = ("Polygon", "MultiPolygon")


class InvalidGeometry(ApiError):
    """The body is not a usable GeoJSON area."""

    code = "invalid-geometry"
    title = "Invalid geometry"


class TooLarge(ApiError):
    """The body exceeds the documented size limit."""

    status = 413
    code = "too-large"
    title = "Request body too large"


class TooComplex(TooLarge):
    """The area has more vertices, rings or tract pieces than the documented limits."""

    code = "too-complex"
    title = "Area too complex"

    def __init__(self, detail: str) -> None:
        super().__init__(detail, limits=area_limits())


def area_limits() -> dict[str, int]:
    """The limits a posted area must keep (answered with every 413 ``too-complex``)."""
    from boundaries.custom import MAX_PIECES

    return {
        "max_body_bytes": MAX_BODY_BYTES,
        "max_vertices": MAX_VERTICES,
        "max_rings": MAX_RINGS,
        "max_tract_pieces": MAX_PIECES,
    }


def check_complexity(parts: list[BaseGeometry], when: str) -> None:
    """413 ``too-complex`` when ``parts`` hold more vertices or rings than the limits."""
    vertices = int(sum(shapely.get_num_coordinates(p) for p in parts))
    if vertices > MAX_VERTICES:
        raise TooComplex(
            f"the area has {vertices:,} vertices {when}; the limit is {MAX_VERTICES:,} "
            "(simplify it)"
        )
    # two levels: a repair can give a GeometryCollection holding a MultiPolygon
    polygons = shapely.get_parts(shapely.get_parts(np.asarray(parts, dtype=object)))
    polygons = polygons[shapely.get_type_id(polygons) == shapely.GeometryType.POLYGON]
    rings = int(len(polygons) + shapely.get_num_interior_rings(polygons).sum())
    if rings > MAX_RINGS:
        raise TooComplex(
            f"the area has {rings:,} rings (polygons and holes) {when}; the limit is "
            f"{MAX_RINGS:,} (merge or simplify its parts)"
        )


def _polygons(obj: Any, where: str) -> list[dict[str, Any]]:
    """The polygonal geometry objects of a GeoJSON object (400 for anything else)."""
    if not isinstance(obj, dict):
        raise InvalidGeometry(f"{where} is not a JSON object")
    kind = obj.get("type")
    if kind in POLYGONAL:
        return [obj]
    if kind == "Feature":
        return _polygons(obj.get("geometry"), f"{where}.geometry")
    if kind == "FeatureCollection":
        features = obj.get("features")
        if not isinstance(features, list) or not features:
            raise InvalidGeometry(f"{where}.features must be a non-empty array")
        return [g for i, f in enumerate(features) for g in _polygons(f, f"{where}.features[{i}]")]
    raise InvalidGeometry(
        f"{where} has type {str(kind)[:40]!r}; an area is a Polygon, MultiPolygon, Feature "
        "or FeatureCollection",
        valid=[*POLYGONAL, "Feature", "FeatureCollection"],
    )


def _to_shape(obj: dict[str, Any], where: str) -> BaseGeometry:
    try:
        geom = shape(obj)
    except Exception as exc:  # shapely's messages for bad coordinate arrays vary by type
        raise InvalidGeometry(
            f"{where}: coordinates are not a valid {obj['type']} ({exc})"
        ) from None
    coords = shapely.get_coordinates(geom)
    if not len(coords) or not all(math.isfinite(v) for v in coords.ravel()):
        raise InvalidGeometry(f"{where}: coordinates must be finite numbers")
    return geom


def parse_area(body: bytes, epsg: int | None = None) -> tuple[BaseGeometry, list[str]]:
    """The area of a GeoJSON ``body`` in lon/lat and notes on what was repaired.

    ``epsg`` names a projected CRS of the body (:data:`geo_api.crs.OFFERED`); ``None`` or
    4326 means lon/lat, GeoJSON's own order (RFC 7946), whatever the CRS's axis order.
    """
    if len(body) > MAX_BODY_BYTES:
        raise TooLarge(f"the body is {len(body):,} bytes; the limit is {MAX_BODY_BYTES:,}")
    try:
        doc = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise InvalidGeometry(f"the body is not JSON ({exc})") from None
    parts = [_to_shape(p, f"polygon {i}") for i, p in enumerate(_polygons(doc, "the body"))]
    check_complexity(parts, "as posted")
    # every vertex as posted, before a repair could drop a wild one unseen (a vertex at
    # x = -1.18e35 in a self-intersecting ring used to vanish in make_valid)
    raw = shapely.total_bounds(parts) if parts else np.zeros(4)
    if epsg in (None, 4326) and not _bounds_in_world(raw):
        raise InvalidGeometry(
            "coordinates are outside longitude -180..180 / latitude -90..90: if they are "
            "projected, say so with crs=",
            valid=crs_list(),
        )
    if epsg not in (None, 4326) and not (np.isfinite(raw).all() and np.abs(raw).max() < 1e8):
        raise InvalidGeometry("coordinates are not finite or lie far outside the given crs")
    notes = []
    invalid = [i for i, p in enumerate(parts) if not p.is_valid]
    if invalid:
        reasons = "; ".join(shapely.is_valid_reason(parts[i]) for i in invalid[:3])
        # "structure": rings are unioned and holes subtracted, as a hand-drawn outline
        # means. "linework" cut a 101-point star into 2,519 even-odd pieces in 4.5 s CPU
        # (structure: 0.03 s, one polygon holding everything the outline encloses)
        parts = [shapely.make_valid(p, method="structure") if not p.is_valid else p for p in parts]
        notes.append(f"the area was not a valid polygon ({reasons}) and was repaired")
        check_complexity(parts, "after repair")
    geom = union_parts([polygonal(p) for p in parts])
    if epsg not in (None, 4326):
        transformer = Transformer.from_crs(CRS.from_epsg(epsg), CRS.from_epsg(4326), always_xy=True)
        geom = shapely.transform(geom, lambda c: _projected(transformer, c))
    elif not _in_world(geom):
        raise InvalidGeometry(
            "coordinates are outside longitude -180..180 / latitude -90..90: if they are "
            "projected, say so with crs=",
            valid=crs_list(),
        )
    if geom.is_empty or geom.area == 0:
        raise InvalidGeometry("the area has no extent (nothing polygonal with an area)")
    return geom, notes


def union_parts(parts: list[BaseGeometry]) -> BaseGeometry:
    """The union of valid polygonal ``parts``, overlaying only the polygons that touch or
    overlap another: 39,000 disjoint squares are gathered as they are (0.3 s CPU, where a
    full union took 3.6 s)."""
    polygons = shapely.get_parts(np.asarray(parts, dtype=object))
    polygons = polygons[~shapely.is_empty(polygons)]
    if len(polygons) == 0:
        return shapely.Polygon()
    tree = shapely.STRtree(polygons)
    left, right = tree.query(polygons, predicate="intersects")
    meeting = np.unique(np.concatenate([left[left != right], right[left != right]]))
    if len(meeting) == 0:
        return shapely.multipolygons(polygons) if len(polygons) > 1 else polygons[0]
    alone = np.setdiff1d(np.arange(len(polygons)), meeting)
    # what meets nothing stays apart from the union of what meets: one valid MultiPolygon
    joined = shapely.get_parts(shapely.union_all(polygons[meeting]))
    gathered = np.concatenate([polygons[alone], joined])
    return shapely.multipolygons(gathered) if len(gathered) > 1 else gathered[0]


def _projected(transformer: Transformer, coords: Any) -> Any:
    x, y = transformer.transform(coords[:, 0], coords[:, 1])
    out = np.column_stack([x, y])
    if not np.isfinite(out).all():
        raise InvalidGeometry("coordinates cannot be projected from the given crs")
    return out


def _in_world(geom: BaseGeometry) -> bool:
    return _bounds_in_world(np.asarray(geom.bounds))


def _bounds_in_world(bounds: np.ndarray) -> bool:
    """Whether lon/lat bounds (minx, miny, maxx, maxy) lie on the globe (NaN does not)."""
    minx, miny, maxx, maxy = (float(v) for v in bounds)
    return minx >= -180 and maxx <= 180 and miny >= -90 and maxy <= 90
