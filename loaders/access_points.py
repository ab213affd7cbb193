"""LA County's public internet access points (Location Management System export) → points.

The County's LMS lists libraries, recreation and senior centres that offer free computer
and internet use (``cat2`` = ``Public Internet Access``). The export has 31 columns, a
UTF-8 byte-order mark, and three copies of each location: ``latitude``/``longitude``
(WGS84), ``X``/``Y`` (Web Mercator metres) and ``POINT_X``/``POINT_Y`` (State Plane CA V,
US feet). Quirks handled on purpose:

* a row whose WGS84 and Web Mercator positions disagree by more than
  :data:`MAX_COPY_DISAGREEMENT_M` was moved in one copy only: it is left out and counted,
  as the position cannot be trusted;
* ``dis_status`` = ``Not Active`` marks a closed site: left out and counted;
* ``date_updated`` (``2013/06/01 11:50:56+00``) dates each record: the inventory is from
  2019 and some records are older, so the layer keeps the date;
* positions outside the LA County box are left out and counted.

:func:`load_access_points` returns ``(GeoDataFrame, report)``: EPSG:4326 points with
``id`` (the LMS point id ``post_id``, str), ``name``, ``organization``, ``address``,
``city``, ``updated`` (``YYYY-MM-DD``), ``lms_url``, ``geometry``; ``report`` counts the
rows left out by reason.
"""

from __future__ import annotations

import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from loaders.acs_extracts import read_text_csv
from loaders.cde_schools import LA_BBOX
from loaders.errors import SourceFormatError
from loaders.geometry import SERVE_CRS

REQUIRED = ("post_id", "Name", "cat2", "latitude", "longitude", "X", "Y", "date_updated")
CATEGORY = "Public Internet Access"
#: the two positions of one row may differ by rounding, never by a move
MAX_COPY_DISAGREEMENT_M = 100.0
EARTH_RADIUS_M = 6378137.0  # the Web Mercator sphere


def mercator_to_lonlat(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Web Mercator (EPSG:3857) metres → longitude and latitude in degrees."""
    lon = np.degrees(x / EARTH_RADIUS_M)
    lat = np.degrees(2 * np.arctan(np.exp(y / EARTH_RADIUS_M)) - math.pi / 2)
    return lon, lat


def load_access_points(
    path: Path, source: str = "access-points"
) -> tuple[gpd.GeoDataFrame, dict[str, int]]:
    """Active public internet access points in LA County; see the module docstring."""
    raw = read_text_csv(path, source)
    missing = [c for c in REQUIRED if c not in raw.columns]
    if missing:
        raise SourceFormatError(source, f"{path.name} lacks columns {missing}")
    report: dict[str, int] = {}
    other = raw["cat2"].fillna("") != CATEGORY
    report["not a public internet access record"] = int(other.sum())
    closed = ~other & (raw["dis_status"].fillna("").str.strip() == "Not Active")
    report["not active"] = int(closed.sum())
    frame = raw[~other & ~closed]
    numbers = {c: pd.to_numeric(frame[c], errors="coerce") for c in ("latitude", "longitude")}
    x, y = (pd.to_numeric(frame[c], errors="coerce").to_numpy() for c in ("X", "Y"))
    lat, lon = numbers["latitude"].to_numpy(), numbers["longitude"].to_numpy()
    no_position = np.isnan(lat) | np.isnan(lon)
    report["no coordinates"] = int(no_position.sum())
    west, south, east, north = LA_BBOX
    outside = ~no_position & ~((lon >= west) & (lon <= east) & (lat >= south) & (lat <= north))
    report["coordinates outside the LA County box"] = int(outside.sum())
    mlon, mlat = mercator_to_lonlat(x, y)
    apart = np.hypot((mlon - lon) * 111_320 * np.cos(np.radians(lat)), (mlat - lat) * 110_574)
    moved = ~no_position & ~outside & ~(apart <= MAX_COPY_DISAGREEMENT_M)
    report["positions disagree between copies (moved in one)"] = int(moved.sum())
    keep = ~no_position & ~outside & ~moved
    frame, lat, lon = frame[keep], lat[keep], lon[keep]
    ids = frame["post_id"].fillna("").str.strip()
    if (ids == "").any() or ids.duplicated().any():
        raise SourceFormatError(source, "post_id must name each site once")
    updated = pd.to_datetime(frame["date_updated"].str[:10], format="%Y/%m/%d", errors="coerce")
    out = gpd.GeoDataFrame(
        {
            "id": ids.to_numpy(),
            "name": frame["Name"].str.strip().to_numpy(),
            "organization": frame.get("org_name", pd.Series(pd.NA, index=frame.index)).to_numpy(),
            "address": frame.get("addrln1", pd.Series(pd.NA, index=frame.index)).to_numpy(),
            "city": frame.get("city", pd.Series(pd.NA, index=frame.index)).to_numpy(),
            "updated": updated.dt.strftime("%Y-%m-%d").to_numpy(),
            "lms_url": frame.get("link", pd.Series(pd.NA, index=frame.index)).to_numpy(),
        },
        geometry=gpd.points_from_xy(lon, lat),
        crs=SERVE_CRS,
    )
    return out, {k: v for k, v in report.items() if v}
