"""Tiny synthetic geographies for unit tests, written from explicit coordinates.

A 3×1 row of unit-ish square "tracts" near downtown LA (lon/lat), neighbourhoods that
split them, and helpers that write these as shapefiles/GeoJSON in upstream layouts.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
from shapely.geometry import Polygon, box

X0, Y0, D = -118.30, 34.00, 0.01


def tract_frame() -> gpd.GeoDataFrame:
    """Three adjacent tracts A|B|C in EPSG:4326, ids 06037000100/200/300."""
    return gpd.GeoDataFrame(
        {
            "id": ["06037000100", "06037000200", "06037000300"],
            "name": ["Census Tract 1", "Census Tract 2", "Census Tract 3"],
        },
        geometry=[box(X0 + i * D, Y0, X0 + (i + 1) * D, Y0 + D) for i in range(3)],
        crs="EPSG:4326",
    )


def neighborhood_frame() -> gpd.GeoDataFrame:
    """West = tract A + west half of B; East = east half of B + tract C."""
    mid = X0 + 1.5 * D
    return gpd.GeoDataFrame(
        {
            "id": ["west", "east"],
            "name": ["West Side", "East Side"],
            "type": ["segment-of-a-city"] * 2,
            "region": ["test"] * 2,
        },
        geometry=[box(X0, Y0, mid, Y0 + D), box(mid, Y0, X0 + 3 * D, Y0 + D)],
        crs="EPSG:4326",
    )


def tidy_values() -> pd.DataFrame:
    """Tidy tract values: households, households without subscription, a median."""
    rows = []
    data = {
        "SVI_HH": [(1000, 100), (4000, 150), (0, 12)],
        "SVI_NOINT": [(100, 40), (1200, 120), (0, 12)],
        "SVI_TOTPOP": [(3000, 300), (5000, 400), (0, 12)],
    }
    ids = list(tract_frame()["id"])
    for var, pairs in data.items():
        for gid, (e, m) in zip(ids, pairs, strict=True):
            rows.append((gid, var, float(e), float(m), "SVI2022", "cdc-svi", 2022, None))
    for gid, (e, m) in zip(ids, [(50000, 5000), (70000, 9000), (None, None)], strict=True):
        rows.append((gid, "B19013_001", e, m, "B19013", "acs5", 2022, None))
    return pd.DataFrame(
        rows,
        columns=["GEOID", "variable", "estimate", "moe", "table", "dataset", "vintage", "note"],
    ).astype({"estimate": "float64", "moe": "float64"})


def bowtie() -> Polygon:
    """A self-intersecting (invalid) polygon with area."""
    return Polygon([(X0, Y0), (X0 + D, Y0 + D), (X0 + D, Y0), (X0, Y0 + D), (X0, Y0)])


def write_shapefile(frame: gpd.GeoDataFrame, path: Path) -> Path:
    """Write ``frame`` as an ESRI shapefile (with .prj) and return the .shp path."""
    pyogrio.write_dataframe(frame, path, driver="ESRI Shapefile")
    return path
