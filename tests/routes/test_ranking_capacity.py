import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

from boundaries.programs import PROGRAMS
from geo_api.catalog import Catalog, build_layer
from geo_api.ranking import capacity_per_child, rank


def catalog() -> Catalog:
    areas = gpd.GeoDataFrame(
        {
            "id": ["06037000100", "06037000200", "06037000300"],
            "name": ["A", "B", "C"],
            "children_under_5": [100.0, 40.0, 0.0],
            "children_under_5_moe": [20.0, 30.0, 12.0],
            "children_under_5_reliability": ["high", "low", "low"],
            "under_5_poverty_pct": [30.0, 10.0, np.nan],
            "under_5_poverty_pct_moe": [5.0, 4.0, np.nan],
            "under_5_poverty_pct_reliability": ["high", "low", None],
        },
        geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1), box(2, 0, 3, 1)],
        crs="EPSG:4326",
    )
    sites = gpd.GeoDataFrame(
        {
            "id": ["000000001", "000000002", "000000003", "000000004"],
            "name": ["Center 1", "Home 2", "Center 3", "On the edge"],
            "capacity": pd.array([30, 14, 10, 6], dtype="Int64"),
        },
        geometry=[Point(0.5, 0.5), Point(0.2, 0.2), Point(1.5, 0.5), Point(1.0, 0.5)],
        crs="EPSG:4326",
    )
    status = pd.DataFrame(columns=["layer", "indicator"])
    return Catalog(
        layers={
            "tracts": build_layer("tracts", areas, status),
            "child-care": build_layer("child-care", sites, status),
        },
        manifest={},
        checksum="test",
    )


def test_places_per_child_counts_each_site_once():
    cat = catalog()
    ratio, moe = capacity_per_child(cat, cat.layers["tracts"])
    # the edge site belongs to exactly one area: all 60 places are counted once
    assert ratio[0] * 100 + ratio[1] * 40 == pytest.approx(60)
    assert ratio[0] in (pytest.approx(0.44), pytest.approx(0.50))
    assert np.isnan(ratio[2])  # no children: no ratio, never zero or infinity
    # places are exact; the MOE comes from the children estimate alone
    assert moe[1] == pytest.approx(ratio[1] * 30 / 40)


def test_early_care_uses_capacity_where_child_care_is_loaded():
    cat = catalog()
    program = PROGRAMS["early-care"]
    ranking = rank(cat, cat.layers["tracts"], program, list(program.inputs), draws=100)
    used = {i.weighted.indicator: i for i in ranking.inputs if i.available}
    assert set(used) == {"children_under_5", "under_5_poverty_pct", "child_care_capacity_per_child"}
    assert not used["child_care_capacity_per_child"].weighted.higher_is_worse
    # A: more children, more poverty; B: more places per child but fewer children
    assert ranking.scores.rank[0] == 1 and ranking.scores.rank[1] == 2
    assert not ranking.scores.ranked[2]
