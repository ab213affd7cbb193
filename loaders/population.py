"""2020 Census centres of population by block group: population weights for split tracts.

:func:`load_blockgroup_centers` reads the Census Bureau's ``CenPop2020_Mean_BG<ss>.txt``
(statewide, comma-separated, UTF-8 with a byte-order mark) or the mirror's county cut of
it, and returns a GeoDataFrame in EPSG:4326 with one point per block group:

============  =======  =============================================================
column        dtype    meaning
============  =======  =============================================================
``id``        str      12-character block-group GEOID (state+county+tract+group)
``tract``     str      11-character tract GEOID (the first 11 characters of ``id``)
``population`` float64 2020 Census count (P1_001N summed over the group's blocks)
``geometry``  Point    population-weighted mean centre (published in NAD83 degrees)
============  =======  =============================================================

Quirks handled on purpose: the latitude is written with a leading ``+`` sign; the
GEOID parts (``STATEFP``, ``COUNTYFP``, ``TRACTCE``, ``BLKGRPCE``) must be read as text
or their leading zeros die, so the 12-character GEOID is rebuilt from them and checked
against a ``GEOID`` column when one is present; NAD83 (EPSG:4269) is transformed to the
served EPSG:4326 (about 1 m here). A row without a number where one is needed, a
duplicated block group or an empty file is a :class:`SourceFormatError`, never dropped.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd

from loaders.acs_extracts import read_text_csv
from loaders.errors import SourceFormatError
from loaders.geometry import SERVE_CRS

REQUIRED = ("STATEFP", "COUNTYFP", "TRACTCE", "BLKGRPCE", "POPULATION", "LATITUDE", "LONGITUDE")
SOURCE_CRS = "EPSG:4269"  # the Census publishes the centres in NAD83 degrees


def load_blockgroup_centers(
    path: Path, *, county: str = "06037", source: str = "population"
) -> gpd.GeoDataFrame:
    """Block-group centres of population of ``county`` (see the module docstring)."""
    raw = read_text_csv(path, source)
    missing = [c for c in REQUIRED if c not in raw.columns]
    if missing:
        raise SourceFormatError(source, f"missing columns {missing}")
    parts = {c: raw[c].str.strip() for c in REQUIRED[:4]}
    ids = parts["STATEFP"].str.zfill(2) + parts["COUNTYFP"].str.zfill(3)
    ids = ids + parts["TRACTCE"].str.zfill(6) + parts["BLKGRPCE"].str.zfill(1)
    if not ids.str.fullmatch(r"\d{12}").all():
        raise SourceFormatError(source, "block-group GEOID parts are not all digits")
    if "GEOID" in raw.columns and not (raw["GEOID"].str.zfill(12) == ids).all():
        raise SourceFormatError(source, "GEOID column disagrees with STATEFP…BLKGRPCE")
    frame = pd.DataFrame({"id": ids, "tract": ids.str[:11]})
    for col in ("POPULATION", "LATITUDE", "LONGITUDE"):
        # "+34.259094": the leading plus sign is part of the published format
        values = pd.to_numeric(raw[col].str.strip().str.lstrip("+"), errors="coerce")
        if values.isna().any():
            bad = raw.loc[values.isna(), col].iloc[0]
            raise SourceFormatError(source, f"{col} is not a number in some rows (e.g. {bad!r})")
        frame[col.lower()] = values.astype("float64")
    frame = frame[frame["id"].str.startswith(county)]
    if frame.empty:
        raise SourceFormatError(source, f"no block groups for county {county}")
    if frame["id"].duplicated().any():
        raise SourceFormatError(source, "block groups listed twice")
    if (frame["population"] < 0).any():
        raise SourceFormatError(source, "negative population")
    points = gpd.points_from_xy(frame["longitude"], frame["latitude"], crs=SOURCE_CRS)
    out = gpd.GeoDataFrame(
        frame[["id", "tract", "population"]].reset_index(drop=True),
        geometry=points,
        crs=SOURCE_CRS,
    )
    return out.to_crs(SERVE_CRS)
