"""Web-zoom geometry: topology-preserving simplification and coordinate rounding per zoom.

A web map at zoom ``z`` shows one screen pixel per ``360 / (256 * 2**z)`` degrees of
longitude (Web Mercator tiles are 256 px). Detail finer than a pixel is invisible but costs
bytes and browser time, so a layer is simplified with a tolerance of one pixel and its
coordinates are rounded to a tenth of a pixel.

Polygon layers that tile the plane (tracts, neighborhoods, cities) are simplified as a
*coverage* (GEOS CoverageSimplifier through :func:`shapely.coverage_simplify`): shared
edges are simplified once, so neighbours still meet with no gaps or slivers. Layers whose
polygons overlap by design (elementary and secondary school districts) are not a valid
coverage; each polygon is then simplified on its own with ``preserve_topology=True``.
Points are only rounded. Rounding uses :func:`shapely.set_precision`, which snaps to the
grid and keeps every polygon valid.
"""

from __future__ import annotations

import math

import numpy as np
import shapely

MIN_ZOOM = 0
MAX_ZOOM = 22
TILE_PIXELS = 256
FULL_DECIMALS = 6  # ~0.1 m: what the un-simplified layers are served with
LA_LATITUDE = 34.0  # scale factor latitude for LA County


def pixel_degrees(zoom: int, latitude: float = LA_LATITUDE) -> float:
    """Ground size of one screen pixel at ``zoom``, in degrees of latitude at ``latitude``."""
    return 360.0 / (TILE_PIXELS * 2**zoom) * math.cos(math.radians(latitude))


def zoom_decimals(zoom: int) -> int:
    """Decimal places that keep coordinates within a tenth of a pixel (at most 6)."""
    return min(FULL_DECIMALS, max(0, math.ceil(-math.log10(pixel_degrees(zoom) / 10))))


def fit_zoom(bounds: tuple[float, float, float, float], pixels: int = 900) -> int:
    """Largest zoom at which ``bounds`` (lon/lat) fits in a ``pixels``-wide square view."""
    minx, miny, maxx, maxy = bounds
    span = max(maxx - minx, (maxy - miny) / math.cos(math.radians((miny + maxy) / 2)), 1e-9)
    zoom = math.floor(math.log2(pixels * 360.0 / (TILE_PIXELS * span)))
    return max(MIN_ZOOM, min(MAX_ZOOM, zoom))


def simplify_for_zoom(geoms: np.ndarray, zoom: int) -> np.ndarray:
    """Simplify and round lon/lat ``geoms`` (a NumPy array of shapely geometries) for ``zoom``.

    Returns a new array of the same length; no geometry becomes empty or invalid.
    """
    if not MIN_ZOOM <= zoom <= MAX_ZOOM:
        raise ValueError(f"zoom must be {MIN_ZOOM}-{MAX_ZOOM}, got {zoom}")
    geoms = np.asarray(geoms, dtype=object)
    grid = 10.0 ** -zoom_decimals(zoom)
    polygonal = shapely.get_type_id(geoms) >= 3  # Polygon, MultiPolygon, collections
    out = geoms.copy()
    if polygonal.any():
        polys = geoms[polygonal]
        tolerance = pixel_degrees(zoom)
        if shapely.coverage_is_valid(polys):
            simple = shapely.coverage_simplify(polys, tolerance)
        else:
            simple = shapely.simplify(polys, tolerance, preserve_topology=True)
        # Never let a small polygon vanish: keep the original where simplification emptied it.
        simple = np.where(shapely.is_empty(simple), polys, simple)
        out[polygonal] = simple
    out = shapely.set_precision(out, grid)
    # Snapping can collapse a polygon smaller than the grid; fall back to its unrounded form.
    collapsed = shapely.is_empty(out) & ~shapely.is_empty(geoms)
    out[collapsed] = geoms[collapsed]
    return out
