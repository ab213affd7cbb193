"""Census TIGER/Line and cartographic-boundary files: tracts, places, school districts.

All loaders read with pyogrio (plain, GeoJSON or zipped shapefile) and return a
GeoDataFrame in EPSG:4326 with columns ``id`` (str), ``name`` (str), the extra columns
listed per function, and ``geometry`` (valid Polygon/MultiPolygon), plus the number of
geometries repaired. Statewide files are cut to the county here.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from loaders.acs_values import normalise_geoid
from loaders.errors import SourceFormatError
from loaders.geometry import AREA_CRS, SERVE_CRS, polygon_layer, polygonal, read_vector

STATE = "06"
COUNTY = "037"


def _county_rows(frame: gpd.GeoDataFrame, source: str) -> gpd.GeoDataFrame:
    if "COUNTYFP" in frame.columns:
        frame = frame[(frame["STATEFP"] == STATE) & (frame["COUNTYFP"] == COUNTY)]
    if frame.empty:
        raise SourceFormatError(source, f"no features for county {STATE}{COUNTY}")
    return frame


def load_tracts(path: Path, source: str = "tracts") -> tuple[gpd.GeoDataFrame, int]:
    """Census tracts of LA County: ``id`` = 11-char GEOID, ``name`` ("Census Tract 1011.10").

    Accepts TIGER/Line (``GEOID``, ``NAMELSAD``) and the mirror's GeoJSON (``GEOID``,
    ``NAME``); an integer GEOID with its leading zero lost is zero-padded.
    """
    frame = _county_rows(read_vector(path, source), source)
    col = "GEOID" if "GEOID" in frame.columns else "GEO_ID"
    ids = normalise_geoid(frame[col], source)
    if not ids.str.startswith(STATE + COUNTY).all():
        raise SourceFormatError(source, "tracts outside LA County in the tract file")
    name_col = "NAMELSAD" if "NAMELSAD" in frame.columns else "NAME"
    names = frame[name_col].astype(str)
    names = names.where(names.str.startswith("Census Tract"), "Census Tract " + names)
    return polygon_layer(frame, ids.to_numpy(), names.to_numpy(), source)


def add_tracts(
    tracts: gpd.GeoDataFrame, extra: gpd.GeoDataFrame, source: str, trim: bool = True
) -> gpd.GeoDataFrame:
    """``tracts`` with the tracts of ``extra`` (a supplement file) appended, sorted by id.

    A supplement exists to fill gaps, so a tract it repeats is an error, not a silent
    replacement: two polygons for one GEOID would double its people in every aggregate.
    Slivers where a supplement polygon overlaps the tract file are cut from it, unless
    ``trim`` is false (tracts rebuilt from the coverage gaps overlap nothing by
    construction).
    """
    repeated = sorted(set(tracts["id"]) & set(extra["id"]))
    if repeated:
        raise SourceFormatError(source, f"tracts already in the tract file: {repeated[:5]}")
    extra = extra.to_crs(tracts.crs)
    if trim:
        # A supplement may come from another TIGER year (the mirror's is 2023 geometry):
        # where it overlaps the tract file by a sliver, the sliver is cut from the
        # supplement, so the layer stays a clean coverage (no area counted twice, coverage
        # simplification works).
        geoms = tracts.geometry.to_numpy()
        trimmed = []
        for shape in extra.geometry:
            near = geoms[shapely.intersects(geoms, shape)]
            cut = shape.difference(shapely.union_all(near)) if len(near) else shape
            trimmed.append(polygonal(cut) if not cut.is_empty else shape)
        extra = extra.set_geometry(trimmed, crs=tracts.crs)
    joined = pd.concat([tracts, extra], ignore_index=True)
    return gpd.GeoDataFrame(joined, crs=tracts.crs).sort_values("id").reset_index(drop=True)


def load_land_mask(path: Path, source: str = "land") -> BaseGeometry:
    """LA County's land outline (EPSG:4326) from shoreline-clipped cartographic tracts.

    TIGER/Line tracts extend over the ocean; clipping them to this outline keeps area
    weights from treating open water as a place where people live.
    """
    frame = _county_rows(read_vector(path, source), source)
    geoms = frame.to_crs(SERVE_CRS).geometry.make_valid()
    return shapely.union_all(geoms.to_numpy())


def area_inside(frame: gpd.GeoDataFrame, outline: BaseGeometry) -> tuple[pd.Series, pd.Series]:
    """``(area inside outline, total area)`` of each feature, in m² (EPSG:3310)."""
    projected = frame.to_crs(AREA_CRS).geometry
    shape = gpd.GeoSeries([outline], crs=SERVE_CRS).to_crs(AREA_CRS).iloc[0]
    return projected.intersection(shape).area, projected.area


def load_cities(
    path: Path, outline: BaseGeometry | None = None, source: str = "places"
) -> tuple[gpd.GeoDataFrame, int]:
    """Incorporated cities (Census places with LSAD 25): ``id`` = 7-char place GEOID.

    Extra columns: ``lsad``. A statewide file is cut to places with more than half their
    area inside ``outline`` (the county), the rule the mirror was built with.
    """
    frame = read_vector(path, source)
    frame = frame[frame["LSAD"].astype(str) == "25"]
    if outline is not None:
        inside, total = area_inside(frame, outline)
        frame = frame[(inside / total).to_numpy() > 0.5]
    if frame.empty:
        raise SourceFormatError(source, "no incorporated cities (LSAD 25)")
    ids = frame["GEOID"].astype(str).str.zfill(7)
    frame = frame.assign(lsad=frame["LSAD"].astype(str))
    return polygon_layer(frame, ids.to_numpy(), frame["NAME"].to_numpy(), source, keep=["lsad"])


SD_KINDS = {"unsd": "unified", "elsd": "elementary", "scsd": "secondary"}


def load_school_districts(
    paths: list[Path], outline: BaseGeometry | None = None, source: str = "school-districts"
) -> tuple[gpd.GeoDataFrame, int]:
    """School districts (unified, elementary, secondary): ``id`` = 7-char NCES LEAID.

    Extra columns: ``sd_type`` (unified/elementary/secondary). Accepts the three Census
    files (type taken from ``UNSDLEA``/``ELSDLEA``/``SCSDLEA``) or one file with an
    ``SD_TYPE`` column. Statewide files keep districts with more than 0.5 km² inside
    ``outline``. Elementary and secondary districts overlap by design.
    """
    frames = []
    for path in paths:
        frame = read_vector(path, source)
        if "SD_TYPE" not in frame.columns:
            kind = next((k for k in SD_KINDS if f"{k.upper()}LEA" in frame.columns), None)
            if kind is None:
                raise SourceFormatError(source, f"{path}: not a school-district file")
            frame = frame.assign(SD_TYPE=SD_KINDS[kind])
        frames.append(frame.to_crs(SERVE_CRS))
    frame = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=SERVE_CRS)
    if outline is not None:
        inside, _ = area_inside(frame, outline)
        frame = frame[(inside > 0.5e6).to_numpy()]
    frame = frame.assign(sd_type=frame["SD_TYPE"].astype(str))
    ids = frame["GEOID"].astype(str).str.zfill(7)
    return polygon_layer(frame, ids.to_numpy(), frame["NAME"].to_numpy(), source, keep=["sd_type"])
