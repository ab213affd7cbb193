"""California Department of Education school directory → public school points.

:func:`load_schools` reads either format CDE publishes:

* ``pubschls`` ("Public Schools and Districts" data file; tab-separated ``.txt``, or the
  same columns as CSV): ``CDSCode``, ``StatusType``, ``District``, ``School``, ``SOCType``,
  ``Charter``, ``Latitude``, ``Longitude`` …; district-office rows (blank ``School``)
  are not schools.
* the School Directory search export (``CDESchoolDirectoryExport``; tab-separated):
  ``CDS Code``, ``District``, ``School``, ``Entity Type``, ``Public Yes/No``,
  ``Latitude``, ``Longitude``; only open schools are listed, private rows have
  ``Public Yes/No`` = N, and redacted coordinates read ``Information Redacted``.

Returns ``(GeoDataFrame, report)``. The frame (EPSG:4326 points) keeps active public
schools with coordinates in LA County (CDS county code 19): ``id`` (14-char CDS code,
str), ``name``, ``district``, ``school_type``, ``charter`` ("Y"/"N"/null), ``geometry``.
``report`` counts every row left out, by reason, so nothing disappears unexplained.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd

from loaders.acs_extracts import read_text_csv
from loaders.errors import SourceFormatError
from loaders.geometry import SERVE_CRS

COUNTY_CODE = "19"
#: generous LA County bounding box (lon/lat) for catching mis-geocoded points
LA_BBOX = (-119.0, 33.2, -117.5, 35.0)


def _sniff_sep(path: Path) -> str:
    with open(path, encoding="utf-8-sig", errors="replace") as fh:
        header = fh.readline()
    return "\t" if header.count("\t") > header.count(",") else ","


def _standardise(raw: pd.DataFrame, source: str) -> tuple[pd.DataFrame, dict[str, int]]:
    report: dict[str, int] = {}
    if "CDSCode" in raw.columns:  # pubschls
        frame = pd.DataFrame(
            {
                "id": raw["CDSCode"],
                "name": raw["School"],
                "district": raw["District"],
                "school_type": raw.get("SOCType", raw.get("EdOpsName")),
                "charter": raw.get("Charter"),
                "lat": raw["Latitude"],
                "lon": raw["Longitude"],
            }
        )
        inactive = raw["StatusType"].fillna("") != "Active"
        office = raw["School"].isna()
        report["not active"] = int(inactive.sum())
        report["district or county office record"] = int((office & ~inactive).sum())
        frame = frame[~inactive & ~office]
    elif "CDS Code" in raw.columns:  # School Directory export
        funding = raw.get("Funding Type", pd.Series(pd.NA, index=raw.index))
        frame = pd.DataFrame(
            {
                "id": raw["CDS Code"],
                "name": raw["School"],
                "district": raw["District"],
                "school_type": raw["Entity Type"],
                "charter": funding.notna().map({True: "Y", False: "N"}),
                "lat": raw["Latitude"],
                "lon": raw["Longitude"],
            }
        )
        private = raw["Public Yes/No"].fillna("") != "Y"
        report["private school"] = int(private.sum())
        frame = frame[~private]
    else:
        raise SourceFormatError(source, "neither a pubschls file nor a School Directory export")
    return frame, report


def load_schools(
    path: Path, source: str = "schools", unplaced: dict[str, str] | None = None
) -> tuple[gpd.GeoDataFrame, dict[str, int]]:
    """Active public schools with coordinates; see the module docstring for the schema.

    ``unplaced``, when given, is filled with the CDS code of each LA County public school
    left out for its coordinates, and why (so pupil counts can say where they went)."""
    raw = read_text_csv(path, source, sep=_sniff_sep(path))
    frame, report = _standardise(raw, source)
    frame = frame.assign(id=frame["id"].astype(str).str.strip())
    bad_ids = ~frame["id"].str.fullmatch(r"\d{14}")
    if bad_ids.any():
        raise SourceFormatError(source, f"malformed CDS codes: {list(frame['id'][bad_ids][:5])}")
    other_county = ~frame["id"].str.startswith(COUNTY_CODE)
    report["outside LA County"] = int(other_county.sum())
    frame = frame[~other_county]
    lat = pd.to_numeric(frame["lat"], errors="coerce")
    lon = pd.to_numeric(frame["lon"], errors="coerce")
    no_coords = lat.isna() | lon.isna()
    report["no coordinates (blank or redacted)"] = int(no_coords.sum())
    west, south, east, north = LA_BBOX
    outside = ~no_coords & ~(lon.between(west, east) & lat.between(south, north))
    report["coordinates outside the LA County box"] = int(outside.sum())
    keep = ~no_coords & ~outside
    if unplaced is not None:
        unplaced.update(dict.fromkeys(frame["id"][no_coords], "no coordinates in the directory"))
        unplaced.update(
            dict.fromkeys(frame["id"][outside], "directory coordinates outside LA County")
        )
    frame, lat, lon = frame[keep], lat[keep], lon[keep]
    dupes = frame["id"].duplicated()
    if dupes.any():
        raise SourceFormatError(source, f"duplicate CDS codes: {list(frame['id'][dupes][:5])}")
    out = gpd.GeoDataFrame(
        frame.drop(columns=["lat", "lon"]).reset_index(drop=True),
        geometry=gpd.points_from_xy(lon.to_numpy(), lat.to_numpy()),
        crs=SERVE_CRS,
    )
    return out, {k: v for k, v in report.items() if v}
