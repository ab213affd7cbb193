"""Voronoi cells of block-group centres of population, clipped to a shape.

Two places need to know which part of a shape "belongs" to each of several points: a gap
in the tract coverage that holds the centres of more than one tract without a polygon
(:mod:`boundaries.rebuild`), and the fallback that gives an area without any centre a
share of the tracts around it (:mod:`boundaries.crosswalk`). Both work in EPSG:3310.
"""

from __future__ import annotations

import shapely
from shapely.geometry.base import BaseGeometry

from loaders.geometry import polygonal


def cells_in(shape: BaseGeometry, points: list[BaseGeometry]) -> list[BaseGeometry]:
    """The Voronoi cell of each point (same order), clipped to ``shape``.

    One point gets the whole shape. Points at the same place share one cell: the first
    gets it, the others an empty polygon (so people are never counted twice). A cell that
    the clip leaves empty or non-polygonal is an empty polygon.
    """
    if len(points) == 1:
        return [shape]
    unique: dict[tuple[float, float], int] = {}
    for i, pt in enumerate(points):
        unique.setdefault((round(pt.x, 3), round(pt.y, 3)), i)
    if len(unique) == 1:
        first = next(iter(unique.values()))
        return [shape if i == first else shapely.Polygon() for i in range(len(points))]
    sites = list(unique.values())
    raw = shapely.voronoi_polygons(
        shapely.MultiPoint([points[i] for i in sites]), extend_to=shape, ordered=True
    ).geoms
    owner = dict(zip(sites, raw, strict=True))
    out: list[BaseGeometry] = []
    for i in range(len(points)):
        cell = owner.get(i)
        if cell is None:
            out.append(shapely.Polygon())
            continue
        clipped = polygonal(cell.intersection(shape))
        out.append(clipped if not clipped.is_empty else shapely.Polygon())
    return out
