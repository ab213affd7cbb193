"""LA County's own boundaries: Countywide Statistical Areas and the LA Times layers.

Each loader returns ``(GeoDataFrame in EPSG:4326, geometries repaired)`` with columns
``id`` (str), ``name`` (str), the extra columns listed, and ``geometry``.

* Communities: the County's Countywide Statistical Areas (CSAs; shapefile in EPSG:2229,
  US feet). ``id`` is a stable slug of the CSA ``LABEL`` ("city-of-agoura-hills",
  "los-angeles-van-nuys", "unincorporated-altadena"); extra columns ``city_type``, ``city``.
* Neighborhoods: LA Times Mapping L.A. v6, LA County features only (the file also holds
  Orange County); ``id`` is the LA Times ``slug``; extra columns ``type``, ``region``.
* SPAs, supervisorial districts, LA City council districts: ``id`` is the number as a
  string without leading zeros ("1" … "15"); SPAs add ``abbreviation``.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import geopandas as gpd

from loaders.errors import SourceFormatError
from loaders.geometry import polygon_layer, read_vector


def slugify(text: str) -> str:
    """ASCII, lower-case, hyphen-separated slug.

    "Los Angeles - Van Nuys" → "los-angeles-van-nuys".
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def _require(frame: gpd.GeoDataFrame, columns: list[str], source: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise SourceFormatError(source, f"missing columns {missing}")


def load_communities(path: Path, source: str = "csa") -> tuple[gpd.GeoDataFrame, int]:
    """Countywide Statistical Areas (348 in the 2017 release)."""
    frame = read_vector(path, source)
    _require(frame, ["LABEL", "CITY_TYPE", "LCITY"], source)
    frame = frame.assign(city_type=frame["CITY_TYPE"].astype(str), city=frame["LCITY"].astype(str))
    ids = frame["LABEL"].astype(str).map(slugify)
    return polygon_layer(
        frame, ids.to_numpy(), frame["LABEL"].to_numpy(), source, keep=["city_type", "city"]
    )


def load_neighborhoods(
    path: Path, county: str = "los-angeles", source: str = "neighborhoods"
) -> tuple[gpd.GeoDataFrame, int]:
    """Mapping L.A. neighborhoods of one county (270 LA County features in v6)."""
    frame = read_vector(path, source)
    _require(frame, ["name", "slug", "county"], source)
    frame = frame[frame["county"] == county]
    frame = frame.assign(type=frame["type"].astype(str), region=frame["region"].astype(str))
    return polygon_layer(
        frame, frame["slug"].to_numpy(), frame["name"].to_numpy(), source, keep=["type", "region"]
    )


def _number_ids(values: gpd.GeoSeries, source: str) -> list[str]:
    out = []
    for v in values:
        text = str(v).strip()
        if not re.fullmatch(r"\d+(\.0)?", text):
            raise SourceFormatError(source, f"district number {v!r} is not a number")
        out.append(str(int(float(text))))
    return out


def load_spas(path: Path, source: str = "spas") -> tuple[gpd.GeoDataFrame, int]:
    """Service Planning Areas 1-8 (name e.g. "Antelope Valley")."""
    frame = read_vector(path, source)
    _require(frame, ["SPA_2012", "SPA_NAME"], source)
    frame = frame.assign(abbreviation=frame["ABBV"].astype(str) if "ABBV" in frame else "")
    return polygon_layer(
        frame,
        _number_ids(frame["SPA_2012"], source),
        frame["SPA_NAME"].to_numpy(),
        source,
        keep=["abbreviation"],
    )


def load_districts(path: Path, label: str, source: str) -> tuple[gpd.GeoDataFrame, int]:
    """Numbered districts with a ``DISTRICT`` column; ``name`` = f"{label} {number}"."""
    frame = read_vector(path, source)
    _require(frame, ["DISTRICT"], source)
    ids = _number_ids(frame["DISTRICT"], source)
    return polygon_layer(frame, ids, [f"{label} {i}" for i in ids], source)
