import math

import numpy as np
import pytest
import shapely
from shapely.geometry import Polygon, box

from boundaries.webgeom import fit_zoom, pixel_degrees, simplify_for_zoom, zoom_decimals


def wiggly_pair() -> np.ndarray:
    """Two polygons sharing a wiggly edge of 400 vertices (~1 m wiggles at lon -118.3)."""
    x0, y0, d = -118.30, 34.00, 0.02
    ys = np.linspace(y0, y0 + d, 400)
    xs = x0 + d + 0.00001 * np.sin(np.arange(400))
    edge = list(zip(xs, ys, strict=True))
    west = Polygon([(x0, y0), *edge, (x0, y0 + d)])
    east = Polygon([*edge, (x0 + 2 * d, y0 + d), (x0 + 2 * d, y0)])
    return np.array([west, east], dtype=object)


def test_pixel_size_and_decimals_follow_zoom():
    assert pixel_degrees(0) == pytest.approx(360 / 256 * math.cos(math.radians(34)))
    assert pixel_degrees(10) == pytest.approx(pixel_degrees(9) / 2)
    for zoom in range(0, 16):  # a rounding step never exceeds a tenth of a pixel
        assert 10 ** -zoom_decimals(zoom) <= pixel_degrees(zoom) / 10 or zoom_decimals(zoom) == 6
    assert zoom_decimals(10) == 4  # 0.0001° ≈ 11 m; a pixel is ≈ 127 m at zoom 10
    assert zoom_decimals(22) == 6


def test_coverage_simplify_keeps_neighbours_meeting():
    pair = wiggly_pair()
    simple = simplify_for_zoom(pair, 10)
    before = shapely.get_num_coordinates(pair).sum()
    after = shapely.get_num_coordinates(simple).sum()
    assert after < before / 10  # the invisible wiggles are gone
    assert shapely.is_valid(simple).all()
    # no gap and no overlap between the neighbours
    assert shapely.intersection(simple[0], simple[1]).area == pytest.approx(0, abs=1e-12)
    union = shapely.union(simple[0], simple[1])
    assert union.area == pytest.approx(shapely.union_all(pair).area, rel=1e-3)
    shared = shapely.intersection(simple[0].boundary, simple[1].boundary)
    assert shared.length == pytest.approx(0.02, rel=0.01)


def test_coordinates_are_rounded_for_the_zoom():
    simple = simplify_for_zoom(wiggly_pair(), 10)
    coords = shapely.get_coordinates(simple)
    assert np.allclose(coords, np.round(coords, 4), atol=1e-12)


def test_overlapping_polygons_are_simplified_one_by_one():
    a, b = box(0, 0, 2, 2), box(1, 1, 3, 3)  # overlap: not a coverage
    simple = simplify_for_zoom(np.array([a, b], dtype=object), 12)
    assert shapely.equals(simple[0], a) and shapely.equals(simple[1], b)


def test_tiny_polygons_and_points_never_vanish():
    tiny = box(-118.3, 34.0, -118.29999, 34.00001)  # ~1 m, far below a pixel at zoom 5
    point = shapely.Point(-118.123456789, 34.987654321)
    out = simplify_for_zoom(np.array([tiny, point], dtype=object), 5)
    assert not shapely.is_empty(out).any()
    assert out[1].x == pytest.approx(-118.12, abs=0.01)


def test_zoom_out_of_range_and_fit_zoom():
    with pytest.raises(ValueError):
        simplify_for_zoom(wiggly_pair(), 23)
    la_county = (-118.95, 33.70, -117.65, 34.82)
    assert fit_zoom(la_county, 900) == 9
    assert fit_zoom((-118.3, 34.0, -118.29, 34.01), 900) > 14
