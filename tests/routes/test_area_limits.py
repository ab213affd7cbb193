"""What drives a drawn area's cost is bounded, each limit tested on both sides: rings (outer
rings and holes, as posted and after repair) and the tract pieces the overlay would cut.
Parts are gathered without an overlay when they do not meet, and a self-intersecting
outline is repaired by its structure (holding everything it encloses)."""

from __future__ import annotations

import math

import orjson
import shapely
from shapely.geometry import Polygon, box, mapping

import boundaries.custom as custom
import geo_api.geoinput as geoinput
from geo_api.geoinput import parse_area, union_parts
from tests.routes.test_areas import problem, strip
from tests.shapes import X0, Y0, D


def _squares(n: int, shift: float = 0.0) -> dict:
    """``n`` small disjoint squares inside the fixture's first two tracts."""
    size = D / 10
    return {
        "type": "MultiPolygon",
        "coordinates": [
            mapping(box(X0 + (2 * k + 1) * size, Y0 + 2 * size + shift,
                        X0 + (2 * k + 2) * size, Y0 + 3 * size + shift))["coordinates"]
            for k in range(n)
        ],
    }  # fmt: skip


def _with_holes(holes: int) -> dict:
    outer = box(X0, Y0, X0 + 2 * D, Y0 + D)
    size = D / 10
    inner = [
        box(X0 + (2 * k + 1) * size, Y0 + 4 * size, X0 + (2 * k + 2) * size, Y0 + 5 * size)
        for k in range(holes)
    ]
    return mapping(Polygon(outer.exterior, [h.exterior for h in inner]))


def test_rings_at_the_limit_are_answered_and_one_more_is_413(client, monkeypatch):
    monkeypatch.setattr(geoinput, "MAX_RINGS", 3)
    assert client.post("/aggregate", json=_squares(3)).status_code == 200
    body = problem(client.post("/aggregate", json=_squares(4)), 413, "too-complex")
    assert "4 rings (polygons and holes) as posted; the limit is 3" in body["detail"]
    assert body["limits"]["max_rings"] == 3
    assert body["limits"]["max_vertices"] == geoinput.MAX_VERTICES
    # holes count as rings: an outer ring and two holes is three
    assert client.post("/aggregate", json=_with_holes(2)).status_code == 200
    problem(client.post("/aggregate", json=_with_holes(3)), 413, "too-complex")


def test_rings_are_counted_again_after_repair(client, monkeypatch):
    x1, y1 = X0 + D, Y0 + D
    bow_tie = {
        "type": "Polygon",
        "coordinates": [[[X0, Y0], [x1, y1], [x1, Y0], [X0, y1], [X0, Y0]]],
    }
    monkeypatch.setattr(geoinput, "MAX_RINGS", 2)
    assert client.post("/aggregate", json=bow_tie).status_code == 200  # two triangles
    monkeypatch.setattr(geoinput, "MAX_RINGS", 1)
    body = problem(client.post("/aggregate", json=bow_tie), 413, "too-complex")
    assert "2 rings (polygons and holes) after repair" in body["detail"]


def test_tract_pieces_beyond_the_limit_are_413(client, monkeypatch):
    two_tracts = mapping(strip(0.5, 1.5))  # meets tracts A and B
    monkeypatch.setattr(custom, "MAX_PIECES", 1)
    body = problem(client.post("/aggregate", json=two_tracts), 413, "too-complex")
    assert "meet census tracts 2 times; the limit is 1" in body["detail"]
    assert body["limits"]["max_tract_pieces"] == 1
    monkeypatch.setattr(custom, "MAX_PIECES", 2)
    assert client.post("/aggregate", json=two_tracts).status_code == 200


def test_disjoint_parts_are_gathered_and_meeting_parts_joined():
    a, b = box(0, 0, 1, 1), box(2, 0, 3, 1)
    apart = union_parts([a, b])
    assert apart.geom_type == "MultiPolygon" and apart.is_valid and apart.area == 2
    touching = union_parts([a, box(1, 0, 2, 1), b])  # a shares an edge with the middle box
    assert touching.is_valid and touching.area == 3
    assert shapely.get_num_geometries(touching) == 1  # one strip 0-3: all three meet
    overlapping = union_parts([a, box(0.5, 0, 1.5, 1), b])
    assert overlapping.is_valid and overlapping.area == 2.5
    assert shapely.get_num_geometries(overlapping) == 2
    assert union_parts([a]).equals(a)


def test_a_self_intersecting_star_keeps_everything_it_encloses():
    # a pentagram drawn in one stroke: "linework" repair keeps the five points and drops
    # the pentagon in the middle (even-odd); the outline encloses it, so it is kept
    ring = [
        [X0 + D * math.cos(math.pi / 2 + 4 * math.pi * k / 5),
         Y0 + D * math.sin(math.pi / 2 + 4 * math.pi * k / 5)]
        for k in range(5)
    ]  # fmt: skip
    star = {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}
    geom, notes = parse_area(orjson.dumps(star))
    assert "was repaired" in notes[0]
    assert geom.geom_type == "Polygon" and geom.is_valid
    centre = shapely.Point(X0, Y0)
    assert geom.contains(centre)
    linework = shapely.make_valid(shapely.Polygon(star["coordinates"][0]), method="linework")
    assert not linework.contains(centre) and geom.area > linework.area
