"""Population-weighted allocation on hand-made shapes, and what it does to reliability.

Tracts A|B|C are 0.01° squares side by side (tests/shapes.py); "west" holds A and the
west half of B, "east" the east half of B and C. Block-group centres are placed by hand.
"""

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

from boundaries.aggregate import choose_recipes, layer_values
from boundaries.allocation import allocation_stats, cap_reliability
from boundaries.crosswalk import compute_crosswalk, coverage, land_tracts
from tests import shapes

A, B, C = "06037000100", "06037000200", "06037000300"


def centres(rows: list[tuple[str, float, float, float]]) -> gpd.GeoDataFrame:
    """Block-group centres from (tract, population, x in tract widths, y in widths)."""
    return gpd.GeoDataFrame(
        {
            "id": [f"{t}{i}" for i, (t, *_rest) in enumerate(rows, start=1)],
            "tract": [r[0] for r in rows],
            "population": [r[1] for r in rows],
        },
        geometry=[Point(shapes.X0 + x * shapes.D, shapes.Y0 + y * shapes.D) for *_, x, y in rows],
        crs="EPSG:4326",
    )


def weights(cw: pd.DataFrame) -> dict[tuple[str, str], float]:
    return {(r.tract, r.feature): r.weight for r in cw.itertuples()}


def test_a_tract_with_all_its_people_on_one_side_goes_to_that_side():
    people = centres(
        [(A, 500, 0.5, 0.5), (B, 800, 1.1, 0.3), (B, 700, 1.3, 0.8), (C, 900, 2.5, 0.5)]
    )
    cw = compute_crosswalk(
        land_tracts(shapes.tract_frame(), None), shapes.neighborhood_frame(), people
    )
    w = weights(cw)
    assert w[(B, "west")] == 1.0  # both of B's centres lie west of the line at x = 1.5
    assert (B, "east") not in w  # half of B's land, none of its people
    assert set(cw.loc[cw.tract == B, "method"]) == {"population"}
    # area weights would have split B 50/50: the crosswalk keeps them for comparison
    assert cw.set_index(["tract", "feature"]).area_weight[(B, "west")] == pytest.approx(
        0.5, abs=1e-3
    )


def test_weights_of_a_split_tract_are_population_shares_summing_to_one():
    people = centres([(B, 300, 1.2, 0.5), (B, 100, 1.7, 0.5), (B, 0, 1.9, 0.9)])
    cw = compute_crosswalk(
        land_tracts(shapes.tract_frame(), None), shapes.neighborhood_frame(), people
    )
    w = weights(cw)
    assert w[(B, "west")] == pytest.approx(0.75)
    assert w[(B, "east")] == pytest.approx(0.25)
    # tracts without any centre (A, C here) fall back to whole/area rules
    assert w[(A, "west")] == 1.0 and w[(C, "east")] == 1.0


def _plant(x0: float = 1.6, x1: float = 1.9) -> gpd.GeoDataFrame:
    """A strip of tract B from x0 to x1 tract widths, full height, holding no centre."""
    return gpd.GeoDataFrame(
        {"id": ["plant"], "name": ["Industrial park"]},
        geometry=[
            box(
                shapes.X0 + x0 * shapes.D,
                shapes.Y0,
                shapes.X0 + x1 * shapes.D,
                shapes.Y0 + shapes.D,
            )
        ],
        crs="EPSG:4326",
    )


def test_an_area_with_no_centre_gets_the_part_of_the_voronoi_cells_inside_it():
    # B's two groups: 600 people at x = 1.2 and 400 at x = 1.95, just east of the plant
    # (x 1.6-1.9), which holds no centre. Their Voronoi cells meet at x = 1.575: the plant
    # holds 0.3 of the east cell's 0.425 width.
    people = centres([(B, 600, 1.2, 0.5), (B, 400, 1.95, 0.5)])
    tl = land_tracts(shapes.tract_frame(), None)
    cw = compute_crosswalk(tl, _plant(), people)
    assert weights(cw)[(B, "plant")] == pytest.approx(400 * 0.3 / 0.425 / 1000, rel=1e-3)
    assert set(cw["method"]) == {"cell"}
    # the rule measured before it: centre in polygon alone gives the plant nobody
    assert compute_crosswalk(tl, _plant(), people, fallback="none").empty
    cov = coverage("test", _plant(), tl, cw, None, people)
    assert cov.features["plant"] == pytest.approx(1.0, abs=1e-4)
    assert "plant" not in cov.population and cov.no_tracts == []
    # rated low, and the note says how the figure was made
    stats = allocation_stats(cw, pd.Series({B: 1000.0}))
    assert stats.loc["plant", "cap"] == "low" and bool(stats.loc["plant", "cell"])


def test_the_feature_holding_the_centre_gives_up_what_a_centreless_one_receives():
    # a layer that tiles B: "mill" (x 1.0-1.6) holds both centres, "plant" (1.6-2.0) none
    layer = gpd.GeoDataFrame(
        {"id": ["mill", "plant"], "name": ["Mill", "Plant"]},
        geometry=[
            box(shapes.X0 + shapes.D, shapes.Y0, shapes.X0 + 1.6 * shapes.D, shapes.Y0 + shapes.D),
            box(
                shapes.X0 + 1.6 * shapes.D,
                shapes.Y0,
                shapes.X0 + 2 * shapes.D,
                shapes.Y0 + shapes.D,
            ),
        ],
        crs="EPSG:4326",
    )
    people = centres([(B, 600, 1.2, 0.5), (B, 400, 1.4, 0.5)])
    tl = land_tracts(shapes.tract_frame().iloc[[1]], None)
    w = weights(compute_crosswalk(tl, layer, people, tiles=True))
    # cells meet at x = 1.3; the 400 group's cell (1.3-2.0) is 0.4/0.7 inside the plant
    assert w[(B, "plant")] == pytest.approx(400 * 0.4 / 0.7 / 1000, rel=1e-3)
    assert w[(B, "mill")] + w[(B, "plant")] == pytest.approx(1.0)


def _strips(spans: dict[str, tuple[float, float]]) -> gpd.GeoDataFrame:
    """Full-height strips from x0 to x1 tract widths, one feature each."""
    d = shapes.D
    return gpd.GeoDataFrame(
        {"id": list(spans), "name": list(spans)},
        geometry=[
            box(shapes.X0 + x0 * d, shapes.Y0, shapes.X0 + x1 * d, shapes.Y0 + d)
            for x0, x1 in spans.values()
        ],
        crs="EPSG:4326",
    )


def test_in_an_overlapping_layer_the_district_around_a_centreless_one_gets_its_people():
    # Elementary districts e1 (x 1.0-1.6, both of B's centres), e2 (1.6-2.0, none) and
    # e3 (tract C); high-school districts h (1.0-1.7) and h2 (1.7-3.0, C's centre).
    layer = _strips(
        {"e1": (1.0, 1.6), "e2": (1.6, 2.0), "e3": (2.0, 3.0), "h": (1.0, 1.7), "h2": (1.7, 3.0)}
    )
    people = centres([(B, 600, 1.2, 0.5), (B, 400, 1.4, 0.5), (C, 500, 2.5, 0.5)])
    tl = land_tracts(shapes.tract_frame().iloc[[1, 2]], None)
    w = weights(compute_crosswalk(tl, layer, people))
    moved = 400 * 0.4 / 0.7 / 1000  # the 400 group's cell (1.3-2.0) inside e2
    assert w[(B, "e2")] == pytest.approx(moved, rel=1e-3)
    assert w[(B, "e1")] + w[(B, "e2")] == pytest.approx(1.0)  # elementary side sums to 1
    # h holds the centres but not e2's land beyond 1.7, which goes to h2
    assert w[(B, "h2")] == pytest.approx(400 * 0.3 / 0.7 / 1000, rel=1e-3)
    assert w[(B, "h")] + w[(B, "h2")] == pytest.approx(1.0)


def test_in_a_layer_that_tiles_the_county_a_centre_in_a_gap_counts_in_the_nearest_piece():
    # the two features leave a gap at x 1.49-1.51; a group's centre lies in it at 1.495
    layer = _strips({"west": (1.0, 1.49), "east": (1.51, 2.0)})
    people = centres([(B, 300, 1.495, 0.5), (B, 700, 1.8, 0.5)])
    tl = land_tracts(shapes.tract_frame().iloc[[1]], None)
    tiled = weights(compute_crosswalk(tl, layer, people, tiles=True))
    assert tiled[(B, "west")] == pytest.approx(0.3) and tiled[(B, "east")] == pytest.approx(0.7)
    # a layer that does not tile (cities) leaves that group outside
    loose = weights(compute_crosswalk(tl, layer, people, fallback="none"))
    assert (B, "west") not in loose and loose[(B, "east")] == pytest.approx(0.7)


def test_an_area_that_cuts_a_block_group_gets_the_group_only_if_it_holds_the_centre():
    # the boundary at x = 1.5 cuts B; its first group spreads across it, centre at 1.45
    people = centres([(B, 600, 1.45, 0.5), (B, 400, 1.8, 0.5)])
    cw = compute_crosswalk(
        land_tracts(shapes.tract_frame(), None), shapes.neighborhood_frame(), people
    )
    w = weights(cw)
    assert w[(B, "west")] == pytest.approx(0.6)
    assert w[(B, "east")] == pytest.approx(0.4)
    # land area would say 0.5/0.5: the disagreement is visible in allocation_stats
    stats = allocation_stats(cw, pd.Series({A: 0.0, B: 1000.0, C: 0.0}))
    assert stats.loc["west", "allocation_ratio"] == pytest.approx(0.6 / 0.5, rel=1e-3)


def test_population_coverage_counts_people_in_tracts_without_a_polygon():
    tracts = shapes.tract_frame().iloc[:2]  # tract C has no polygon
    people = centres([(A, 100, 0.5, 0.5), (B, 100, 1.7, 0.5), (C, 300, 2.5, 0.5)])
    tl = land_tracts(tracts, None)
    cw = compute_crosswalk(tl, shapes.neighborhood_frame(), people)
    cov = coverage("neighborhoods", shapes.neighborhood_frame(), tl, cw, None, people)
    assert cov.population["west"] == 1.0
    assert cov.population["east"] == pytest.approx(100 / 400)
    assert cov.population_incomplete() == {"east": pytest.approx(0.25)}


def test_allocated_share_and_reliability_caps():
    cw = pd.DataFrame(
        {
            "tract": [A, B, B, C],
            "feature": ["mostly-whole", "mostly-whole", "sliver-city", "sliver-city"],
            "weight": [1.0, 0.1, 0.9, 0.02],
            "method": ["whole", "population", "population", "population"],
            "area_weight": [1.0, 0.5, 0.5, 0.6],
        }
    )
    pop = pd.Series({A: 3000.0, B: 1000.0, C: 5000.0})
    stats = allocation_stats(cw, pop)
    # mostly-whole: 3000 whole + 100 allocated
    assert stats.loc["mostly-whole", "allocated_share"] == pytest.approx(100 * 100 / 3100)
    assert stats.loc["mostly-whole", "cap"] is None
    # sliver-city: all allocated (900 + 100); by area it would be 500 + 3000
    assert stats.loc["sliver-city", "allocated_share"] == pytest.approx(100.0)
    assert stats.loc["sliver-city", "allocation_ratio"] == pytest.approx(3500 / 1000)
    assert stats.loc["sliver-city", "cap"] == "low"
    # allocated but both methods agree: medium
    agree = cw.assign(area_weight=cw["weight"])
    assert allocation_stats(agree, pop).loc["sliver-city", "cap"] == "medium"
    capped = cap_reliability(
        pd.Series(["high", "medium", "low", None, "high"], dtype=object),
        pd.Series(["medium", "medium", "medium", "low", None], dtype=object),
    )
    assert list(capped) == ["medium", "medium", "low", None, "high"]


def test_layer_values_cap_reliability_and_explain_it():
    tidy = shapes.tidy_values()
    choices = choose_recipes(tidy)
    people = centres([(B, 1000, 1.8, 0.5)])  # all of B's people live east
    tl = land_tracts(shapes.tract_frame(), None)
    hoods = shapes.neighborhood_frame()
    cw = compute_crosswalk(tl, hoods, people)
    pop = pd.Series({A: 3000.0, B: 5000.0, C: 0.0})
    uncapped = layer_values(tidy, cw, hoods["id"], choices).set_index("id")
    capped = layer_values(tidy, cw, hoods["id"], choices, allocation=allocation_stats(cw, pop))
    capped = capped.set_index("id")
    # east is all of B (allocated) and C (nobody): 100% allocated
    assert capped.loc["east", "allocated_share"] == pytest.approx(100.0)
    assert capped.loc["west", "allocated_share"] == pytest.approx(0.0)
    assert uncapped.loc["east", "population_reliability"] == "high"
    assert capped.loc["east", "population_reliability"] != "high"
    assert "allocated_share 100%" in capped.loc["east", "data_notes"]
    # the figures themselves do not change, only their reliability flag
    assert capped.loc["east", "population"] == uncapped.loc["east", "population"]
    assert capped.loc["east", "population_moe"] == uncapped.loc["east", "population_moe"]
    assert np.isfinite(capped.loc["east", "population_cv"])
