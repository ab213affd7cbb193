"""Adversarial drawn areas (GeoJSON, lon/lat, 5 decimals as a drawing tool sends them),
all centred on downtown Los Angeles: what one person with a drawing tool can post to
``/aggregate`` and ``/compare`` within the body limit. Used by benchmarks/areas.py (CPU
seconds) and tests/integration/test_adversarial_areas.py (each answered or refused)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

CX, CY = -118.25, 34.05
Ring = list[list[float]]


def _round(ring: Ring) -> Ring:
    return [[round(x, 5), round(y, 5)] for x, y in ring]


def _closed(ring: Ring) -> Ring:
    return _round([*ring, ring[0]])


def _square(x: float, y: float, size: float, clockwise: bool = False) -> Ring:
    ring = [[x, y], [x + size, y], [x + size, y + size], [x, y + size]]
    return _closed(ring[::-1] if clockwise else ring)


def circle(vertices: int, radius: float = 0.05) -> dict[str, Any]:
    """A circle of ``vertices`` vertices (about 11 km across)."""
    step = 2 * math.pi / vertices
    ring = [[CX + radius * math.cos(i * step), CY + radius * math.sin(i * step)]
            for i in range(vertices)]  # fmt: skip
    return {"type": "Polygon", "coordinates": [_closed(ring)]}


def squares(n: int, size: float = 0.0005, gap: float = 0.0012) -> dict[str, Any]:
    """``n`` disjoint small squares on a grid (55 m squares 130 m apart by default)."""
    side = math.ceil(math.sqrt(n))
    x0, y0 = CX - 0.1, CY - 0.1
    return {
        "type": "MultiPolygon",
        "coordinates": [[_square(x0 + (k % side) * gap, y0 + (k // side) * gap, size)]
                        for k in range(n)],
    }  # fmt: skip


def swiss(holes: int, size: float = 0.0005, gap: float = 0.0012) -> dict[str, Any]:
    """One square with ``holes`` small square holes."""
    side = math.ceil(math.sqrt(holes))
    x0, y0 = CX - 0.1, CY - 0.1
    outer = _square(x0 - 0.01, y0 - 0.01, side * gap + 0.02)
    inner = [_square(x0 + (k % side) * gap, y0 + (k // side) * gap, size, clockwise=True)
             for k in range(holes)]  # fmt: skip
    return {"type": "Polygon", "coordinates": [outer, *inner]}


def star(points: int, radius: float = 0.1) -> dict[str, Any]:
    """A star drawn in one stroke through ``points`` points (step ``points // 2``): it
    crosses itself ``points × (points - 3) / 2`` times, like a scribble."""
    k = points // 2
    ring = [[CX + radius * math.cos(2 * math.pi * (i * k % points) / points),
             CY + radius * math.sin(2 * math.pi * (i * k % points) / points)]
            for i in range(points)]  # fmt: skip
    return {"type": "Polygon", "coordinates": [_closed(ring)]}


def bow_ties(n: int, size: float = 0.003) -> dict[str, Any]:
    """``n`` self-intersecting bow ties."""
    ties = []
    for k in range(n):
        x, y = CX - 0.1 + (k % 50) * 0.004, CY - 0.1 + (k // 50) * 0.004
        ties.append([_closed([[x, y], [x + size, y + size], [x + size, y], [x, y + size]])])
    return {"type": "MultiPolygon", "coordinates": ties}


def nested_rings(depth: int) -> dict[str, Any]:
    """``depth`` square rings (each an outer ring with a hole) inside one another,
    overlapping their neighbours: holes inside holes."""
    polygons = []
    for d in range(depth):
        r = 0.1 * (1 - d / (depth + 1))
        polygons.append(
            [
                _square(CX - r, CY - r, 2 * r),
                _square(CX - 0.97 * r, CY - 0.97 * r, 1.94 * r, clockwise=True),
            ]
        )
    return {"type": "MultiPolygon", "coordinates": polygons}


def strips(n: int, gap: float = 0.00025) -> dict[str, Any]:
    """``n`` long thin strips (30 km by 5 m), each meeting every tract along its length."""
    out = []
    for k in range(n):
        x, y = CX - 0.15, CY - 0.1 + k * gap
        out.append([_closed([[x, y], [x + 0.3, y], [x + 0.3, y + 0.00005], [x, y + 0.00005]])])
    return {"type": "MultiPolygon", "coordinates": out}


#: name → area; the first seven are the attack of issue #26, the rest probe each limit
CASES: dict[str, Callable[[], dict[str, Any]]] = {
    "circle of 199,990 vertices": lambda: circle(199_990),
    "8,000 small squares": lambda: squares(8_000),
    "39,000 small squares": lambda: squares(39_000),
    "star of 51 points": lambda: star(51),
    "star of 101 points": lambda: star(101),
    "2,500 bow ties": lambda: bow_ties(2_500),
    "200 nested rings": lambda: nested_rings(200),
    "10,000 small squares": lambda: squares(10_000),
    "polygon with 9,999 holes": lambda: swiss(9_999),
    "polygon with 39,000 holes": lambda: swiss(39_000),
    "800 long strips": lambda: strips(800),
    "2,000 long strips": lambda: strips(2_000, gap=0.0001),
}
