"""Rebuilding tracts that have people but no polygon, from the gaps in the tract coverage.

The land is the A|B|C row of tests/shapes.py; the tract file has A and C only, so B's
square is a gap of about 1 km².
"""

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point, box

from boundaries.rebuild import (
    DERIVED_NOTE,
    add_derived_note,
    mark_derived,
    rebuild_missing_tracts,
    tract_name,
)
from loaders.geometry import AREA_CRS
from tests import shapes

X, Y = "06037602512", "06037609900"


def _centres(rows: list[tuple[str, float, float, float]]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"tract": [r[0] for r in rows], "population": [r[1] for r in rows]},
        geometry=[Point(shapes.X0 + x * shapes.D, shapes.Y0 + y * shapes.D) for *_, x, y in rows],
        crs="EPSG:4326",
    )


def _land() -> object:
    return box(shapes.X0, shapes.Y0, shapes.X0 + 3 * shapes.D, shapes.Y0 + shapes.D)


def test_a_gap_holding_two_missing_tracts_is_split_by_their_centres_voronoi_cells():
    known = shapes.tract_frame().iloc[[0, 2]]
    people = _centres([(X, 900, 1.2, 0.5), (Y, 400, 1.8, 0.5), (Y, 300, 1.8, 0.2)])
    rebuilt, report = rebuild_missing_tracts(known, _land(), people)
    assert list(rebuilt["id"]) == [X, Y]
    assert list(rebuilt["name"]) == ["Census Tract 6025.12", "Census Tract 6099"]
    areas = rebuilt.to_crs(AREA_CRS).set_index("id").geometry
    gap = (
        gpd.GeoSeries(
            [box(shapes.X0 + shapes.D, shapes.Y0, shapes.X0 + 2 * shapes.D, shapes.Y0 + shapes.D)],
            crs="EPSG:4326",
        )
        .to_crs(AREA_CRS)
        .iloc[0]
    )
    # together they fill the gap, without overlap; each holds the land nearest its centres
    assert (areas[X].area + areas[Y].area) == pytest.approx(gap.area, rel=1e-3)
    assert areas[X].intersection(areas[Y]).area == pytest.approx(0.0, abs=1.0)
    rebuilt = rebuilt.set_index("id").geometry
    d = shapes.D
    assert rebuilt[X].contains(Point(shapes.X0 + 1.45 * d, shapes.Y0 + 0.5 * d))
    assert rebuilt[Y].contains(Point(shapes.X0 + 1.55 * d, shapes.Y0 + 0.5 * d))
    assert rebuilt[Y].contains(Point(shapes.X0 + 1.45 * d, shapes.Y0 + 0.05 * d))  # nearer Y
    by_id = {r["id"]: r for r in report}
    assert by_id[X]["rebuilt"] and by_id[X]["shares_gap_with"] == [Y]
    assert by_id[Y]["block_groups"] == 2 and by_id[Y]["population"] == 700.0


def test_a_gap_with_one_missing_tract_becomes_that_tract_and_small_gaps_are_left_alone():
    known = shapes.tract_frame().iloc[[0, 2]]
    # Y's centre lies in tract A (no gap there): it cannot be rebuilt
    people = _centres([(X, 900, 1.5, 0.5), (Y, 50, 0.5, 0.5)])
    rebuilt, report = rebuild_missing_tracts(known, _land(), people)
    assert list(rebuilt["id"]) == [X]
    square = box(shapes.X0 + shapes.D, shapes.Y0, shapes.X0 + 2 * shapes.D, shapes.Y0 + shapes.D)
    # the whole of B's square (up to the curvature of the land's long top edge in EPSG:3310)
    assert rebuilt.geometry.iloc[0].symmetric_difference(square).area < 1e-3 * square.area
    assert {r["id"]: r["rebuilt"] for r in report} == {X: True, Y: False}
    # a gap of 0.05 km² (under MIN_GAP_M2) is boundary noise, never a tract
    narrow = shapes.tract_frame().assign(
        geometry=[
            box(shapes.X0, shapes.Y0, shapes.X0 + 1.0 * shapes.D, shapes.Y0 + shapes.D),
            box(
                shapes.X0 + 1.05 * shapes.D,
                shapes.Y0,
                shapes.X0 + 2 * shapes.D,
                shapes.Y0 + shapes.D,
            ),
            box(
                shapes.X0 + 2 * shapes.D, shapes.Y0, shapes.X0 + 3 * shapes.D, shapes.Y0 + shapes.D
            ),
        ]
    )
    people = _centres([(X, 900, 1.02, 0.5)])
    rebuilt, report = rebuild_missing_tracts(narrow, _land(), people)
    assert rebuilt.empty and report[0]["rebuilt"] is False


def test_rebuilt_tracts_are_marked_and_their_notes_say_the_outline_is_derived():
    tracts = pd.DataFrame(
        {"id": [X, Y], "data_notes": ["ba_plus_pct: no margin of error published", None]}
    )
    marked = add_derived_note(mark_derived(tracts, {Y}))
    assert list(marked["derived_outline"]) == [False, True]
    assert marked["data_notes"].iloc[0] == "ba_plus_pct: no margin of error published"
    assert marked["data_notes"].iloc[1] == DERIVED_NOTE
    assert tract_name("06037980003") == "Census Tract 9800.03"
