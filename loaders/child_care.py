"""Licensed child-care sites from CDSS Community Care Licensing (CCLD).

:func:`load_child_care` reads the CCLD facility CSVs the CHHS open-data portal publishes
(child-care centers, family child-care homes; one file each or concatenated). Columns
used: ``Facility Number``, ``Facility Name``, ``Facility Type``, ``Facility Capacity``,
``Facility Status``, ``County Name`` and, where the file has them, ``Latitude``/
``Longitude`` (also accepted as ``Facility Latitude``/``Facility Longitude``).

Returns ``(GeoDataFrame, report)``: EPSG:4326 points for LA County facilities with
status LICENSED (or PENDING) and published coordinates, with ``id`` (facility number,
str, 9 digits), ``name``, ``facility_type``, ``category`` ("center" or "family home"),
``capacity`` (Int64), ``status``, ``geometry``. No geocoding service is called: rows
without coordinates are counted in ``report`` and their capacity totalled, never
silently dropped.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd

from loaders.acs_extracts import read_text_csv
from loaders.errors import SourceFormatError
from loaders.geometry import SERVE_CRS

OPEN_STATUSES = {"LICENSED", "PENDING", "ON PROBATION"}
_LAT = ("Latitude", "Facility Latitude", "LATITUDE")
_LON = ("Longitude", "Facility Longitude", "LONGITUDE")


def _first(frame: pd.DataFrame, names: tuple[str, ...]) -> pd.Series:
    for name in names:
        if name in frame.columns:
            return frame[name]
    return pd.Series(pd.NA, index=frame.index, dtype="string")


def load_child_care(
    paths: list[Path], county: str = "LOS ANGELES", source: str = "child-care"
) -> tuple[gpd.GeoDataFrame, dict[str, int]]:
    """Licensed child-care facilities with coordinates; see the module docstring."""
    raw = pd.concat([read_text_csv(p, source) for p in paths], ignore_index=True)
    needed = ["Facility Number", "Facility Name", "Facility Type", "Facility Capacity"]
    missing = [c for c in needed if c not in raw.columns]
    if missing:
        raise SourceFormatError(source, f"not a CCLD facility file: missing {missing}")
    report: dict[str, int] = {}
    in_county = raw.get("County Name", pd.Series(county, index=raw.index)).str.upper() == county
    report["outside the county"] = int((~in_county).sum())
    raw = raw[in_county]
    status = raw.get("Facility Status", pd.Series("LICENSED", index=raw.index)).str.upper()
    closed = ~status.isin(OPEN_STATUSES)
    report["not licensed (closed, inactive …)"] = int(closed.sum())
    raw, status = raw[~closed], status[~closed]
    capacity = pd.to_numeric(raw["Facility Capacity"], errors="coerce").astype("Int64")
    lat = pd.to_numeric(_first(raw, _LAT), errors="coerce")
    lon = pd.to_numeric(_first(raw, _LON), errors="coerce")
    located = lat.notna() & lon.notna()
    report["no published coordinates"] = int((~located).sum())
    report["capacity without coordinates"] = int(capacity[~located].fillna(0).sum())
    ftype = raw["Facility Type"].astype(str)
    frame = pd.DataFrame(
        {
            "id": raw["Facility Number"].astype(str).str.strip().str.zfill(9),
            "name": raw["Facility Name"].astype(str),
            "facility_type": ftype,
            "category": ftype.str.upper()
            .str.contains("HOME")
            .map({True: "family home", False: "center"}),
            "capacity": capacity,
            "status": status,
        }
    )[located.to_numpy()]
    out = gpd.GeoDataFrame(
        frame.reset_index(drop=True),
        geometry=gpd.points_from_xy(lon[located].to_numpy(), lat[located].to_numpy()),
        crs=SERVE_CRS,
    )
    return out, {k: v for k, v in report.items() if v}
