"""Distance to a public internet access point, as tract values: each side of the mile."""

from __future__ import annotations

import geopandas as gpd
from shapely.geometry import Point

from boundaries.access import FAR_M, access_distance_values


def test_block_groups_on_each_side_of_the_mile_and_their_tracts():
    # in EPSG:3310 metres: a site at the origin; centres just inside and just outside a mile
    site = gpd.GeoDataFrame({"id": ["1"]}, geometry=[Point(0, 0)], crs="EPSG:3310")
    centres = gpd.GeoDataFrame(
        {"tract": ["06037000100", "06037000100", "06037000200"], "population": [300, 700, 50]},
        geometry=[Point(FAR_M - 1, 0), Point(0, FAR_M + 1), Point(0, -(FAR_M - 0.01))],
        crs="EPSG:3310",
    ).to_crs("EPSG:4326")
    tidy = access_distance_values(centres, site.to_crs("EPSG:4326"))
    values = tidy.pivot(index="GEOID", columns="variable", values="estimate")
    assert values.loc["06037000100", "ACCESS_FAR_POP"] == 700
    assert values.loc["06037000100", "ACCESS_POP"] == 1000
    assert values.loc["06037000200", "ACCESS_FAR_POP"] == 0  # a centimetre inside the mile
    assert set(tidy["moe"]) == {0.0} and set(tidy["dataset"]) == {"access-distance"}
