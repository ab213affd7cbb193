"""How far people live from a public internet access point, as tract values the
indicator catalogue aggregates like any other (``far_from_internet_access_pct``).

Each 2020 block-group centre of population is more or less than :data:`FAR_M` (1,609 m,
a mile), straight-line in EPSG:3310, from the nearest site of LA County's 2019 inventory
of public internet access points. A tract's ``ACCESS_FAR_POP`` is the 2020 population of
its far block groups and ``ACCESS_POP`` its whole 2020 population: complete counts with a
margin of error of 0, not survey estimates. The share stands in for households, which
the Census counts by block group only in tables the store does not hold. Distances are
as the crow flies: a freeway or a hill between a home and a library is not seen, and the
inventory may have changed since 2019.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from loaders.acs_values import TIDY_COLUMNS
from loaders.geometry import AREA_CRS

FAR_M = 1609.0
#: the catalogue indicators made here (they need the block-group centres and the sites)
ACCESS_INDICATORS = frozenset({"far_from_internet_access_pct"})
DATASET = "access-distance"
#: the year of the population counts the distances weigh
VINTAGE = 2020


def access_distance_values(
    centres: gpd.GeoDataFrame, access_points: gpd.GeoDataFrame
) -> pd.DataFrame:
    """Tidy tract values (:data:`loaders.acs_values.TIDY_COLUMNS`): ``ACCESS_FAR_POP`` and
    ``ACCESS_POP`` of every tract with a block-group centre, MOE 0."""
    sites = access_points.to_crs(AREA_CRS)
    homes = centres.to_crs(AREA_CRS)
    tree = cKDTree(np.column_stack([sites.geometry.x, sites.geometry.y]))
    distance, _ = tree.query(np.column_stack([homes.geometry.x, homes.geometry.y]))
    people = homes["population"].astype(float).to_numpy()
    frame = pd.DataFrame({"GEOID": homes["tract"].astype(str).to_numpy(), "people": people})
    frame["far"] = np.where(distance > FAR_M, people, 0.0)
    per_tract = frame.groupby("GEOID")[["far", "people"]].sum()
    rows = []
    for variable, column in (("ACCESS_FAR_POP", "far"), ("ACCESS_POP", "people")):
        rows.append(
            pd.DataFrame(
                {
                    "GEOID": per_tract.index,
                    "variable": variable,
                    "estimate": per_tract[column].to_numpy(),
                    "moe": 0.0,
                    "table": "ACCESS",
                    "dataset": DATASET,
                    "vintage": VINTAGE,
                    "note": pd.NA,
                }
            )
        )
    return pd.concat(rows, ignore_index=True)[TIDY_COLUMNS]
