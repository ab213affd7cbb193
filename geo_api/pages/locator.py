"""A small locator map drawn as inline SVG: the county in grey, one area highlighted.

It needs no tiles and no script, so it shows offline and in any browser. Coordinates are
lon/lat (EPSG:4326) drawn with an equirectangular projection scaled by the cosine of the
middle latitude, which keeps LA County's shapes true to within a percent.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import shapely
from markupsafe import escape
from shapely.geometry.base import BaseGeometry

#: south of this latitude lie only Santa Catalina and San Clemente islands: the map keeps
#: to the mainland unless the area itself is there
MAINLAND_SOUTH = 33.65
#: an area drawn smaller than this many pixels across also gets a marker
MARKER_BELOW_PX = 6.0


def _rings(geom: BaseGeometry) -> list[Sequence[tuple[float, float]]]:
    polygons = getattr(geom, "geoms", [geom])
    rings: list[Sequence[tuple[float, float]]] = []
    for poly in polygons:
        if poly.geom_type != "Polygon" or poly.is_empty:
            continue
        rings.append(poly.exterior.coords)
        rings.extend(interior.coords for interior in poly.interiors)
    return rings


class Frame:
    """Maps lon/lat to pixels of a ``width`` × ``height`` picture of ``bounds``."""

    def __init__(self, bounds: tuple[float, float, float, float], width: int, height: int) -> None:
        minx, miny, maxx, maxy = bounds
        self.kx = math.cos(math.radians((miny + maxy) / 2))
        span_x, span_y = (maxx - minx) * self.kx, maxy - miny
        self.scale = min((width - 8) / span_x, (height - 8) / span_y)
        self.x0 = minx - ((width / self.scale) - span_x) / 2 / self.kx
        self.y0 = maxy + ((height / self.scale) - span_y) / 2

    def xy(self, lon: float, lat: float) -> tuple[float, float]:
        """Pixel position of a lon/lat point."""
        return (lon - self.x0) * self.kx * self.scale, (self.y0 - lat) * self.scale

    def path(self, geom: BaseGeometry) -> str:
        """An SVG path ``d`` of a (multi)polygon."""
        parts = []
        for ring in _rings(geom):
            points = [self.xy(x, y) for x, y in ring]
            parts.append("M" + "L".join(f"{x:.1f} {y:.1f}" for x, y in points) + "Z")
        return "".join(parts)


def locator_svg(
    context: Sequence[BaseGeometry],
    area: BaseGeometry,
    label: str,
    width: int = 260,
    height: int = 200,
) -> str:
    """SVG markup: the ``context`` shapes (the county's parts) in grey, ``area`` in red
    with a marker when it is too small to see; ``label`` is its accessible name."""
    whole = shapely.union_all([g for g in context if g is not None and not g.is_empty])
    minx, miny, maxx, maxy = whole.bounds
    if area.bounds[3] >= MAINLAND_SOUTH:
        miny = max(miny, MAINLAND_SOUTH)
    frame = Frame((minx, miny, maxx, maxy), width, height)
    tolerance = 1.0 / frame.scale  # one pixel, in degrees
    clip = shapely.box(minx - 1, miny, maxx + 1, maxy + 1)
    grey = "".join(
        frame.path(shapely.simplify(shapely.intersection(g, clip), tolerance))
        for g in context
        if g is not None and not g.is_empty
    )
    shape = area if area.geom_type != "Point" else area.buffer(0)
    red = frame.path(shapely.simplify(shape, tolerance / 2)) if not shape.is_empty else ""
    ax0, ay1 = frame.xy(area.bounds[0], area.bounds[1])
    ax1, ay0 = frame.xy(area.bounds[2], area.bounds[3])
    marker = ""
    if max(ax1 - ax0, ay1 - ay0) < MARKER_BELOW_PX:
        point = area.representative_point() if area.geom_type != "Point" else area
        cx, cy = frame.xy(point.x, point.y)
        marker = (
            f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="6" fill="none" stroke="#b3001b" '
            'stroke-width="2.5"/>'
        )
    return (
        f'<svg class="locator" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-label="{escape(label)}">'
        f'<path d="{grey}" fill="#e4e4e4" stroke="#9a9a9a" stroke-width="0.6" '
        'fill-rule="evenodd"/>'
        f'<path d="{red}" fill="#b3001b" stroke="#6d0010" stroke-width="0.8" '
        f'fill-rule="evenodd"/>{marker}</svg>'
    )
