"""Polygons for 2020 tracts the tract file lacks, rebuilt from the gaps they leave.

The mirror's tract file has no polygon for five 2020 tracts, yet the ACS tables and the
2020 block-group centres of population cover them, and each of their centres lies in a
gap of the tract coverage (the county's land minus the union of the known tracts).
:func:`rebuild_missing_tracts` gives each such tract the gap (or gaps) its centres lie
in. A gap holding the centres of several missing tracts is split between them by the
Voronoi cells of those centres, clipped to the gap. The outline is *derived*, not
published: the layer marks it (``derived_outline``), the manifest lists it and the
tract's ``data_notes`` say so. Gaps smaller than :data:`MIN_GAP_M2` are boundary noise
between sources and are never used; a missing tract whose centres lie in no gap stays
missing (and the coverage notes say so).
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import pandas as pd
import shapely
import shapely.errors
from shapely.geometry.base import BaseGeometry

from boundaries.voronoi import cells_in
from loaders.geometry import AREA_CRS, SERVE_CRS, polygonal

#: gaps in the tract coverage smaller than this (m², 0.1 km²) are never made into tracts
MIN_GAP_M2 = 100_000.0
#: the published tracts' coordinate precision (degrees), which rebuilt outlines keep
COORD_GRID = 1e-6
#: the grid (m) a difference of nearly coincident edges is snapped to when GEOS fails
SNAP_M = 0.001
DERIVED_NOTE = (
    "derived_outline: no published polygon of this census tract was available; its "
    "outline is the gap between the published tracts that holds its 2020 block-group "
    "centres of population, so its edges are approximate"
)


def coverage_gaps(tracts: gpd.GeoDataFrame, land: BaseGeometry) -> gpd.GeoSeries:
    """The county's land not covered by ``tracts``, one polygon per gap (EPSG:3310)."""
    mask = gpd.GeoSeries([land], crs=SERVE_CRS).to_crs(AREA_CRS).iloc[0]
    known = shapely.union_all(tracts.to_crs(AREA_CRS).geometry.to_numpy())
    try:
        rest = mask.difference(known)
    except shapely.errors.GEOSException:  # edges that meet at the last bit: snap to 1 mm
        rest = shapely.difference(mask, known, grid_size=SNAP_M)
    gaps = gpd.GeoSeries([rest], crs=AREA_CRS).explode(index_parts=False)
    gaps = gaps[gaps.geom_type == "Polygon"]
    return gaps.reset_index(drop=True)


def rebuild_missing_tracts(
    tracts: gpd.GeoDataFrame, land: BaseGeometry, centres: gpd.GeoDataFrame
) -> tuple[gpd.GeoDataFrame, list[dict[str, Any]]]:
    """Polygons for the tracts of ``centres`` that ``tracts`` lacks, and a report.

    ``tracts``: ``id``, ``name``, geometry (any CRS); ``land``: the county's land outline
    (EPSG:4326); ``centres``: block-group centres (``tract``, ``population``, points).
    Returns a GeoDataFrame in EPSG:4326 with ``id``, ``name`` ("Census Tract 6025.12")
    and ``geometry`` (one row per rebuilt tract, sorted by id), and one report entry per
    missing tract: ``id``, ``rebuilt`` (bool), ``area_km2``, ``block_groups``,
    ``population`` and ``shares_gap_with`` (other tracts whose centres share its gap).
    """
    missing = centres[~centres["tract"].isin(set(tracts["id"]))].to_crs(AREA_CRS)
    empty = gpd.GeoDataFrame({"id": [], "name": []}, geometry=[], crs=SERVE_CRS)
    if missing.empty:
        return empty, []
    gaps = coverage_gaps(tracts, land)
    gaps = gaps[gaps.area >= MIN_GAP_M2].reset_index(drop=True)
    hits = gpd.sjoin(missing, gpd.GeoDataFrame(geometry=gaps), predicate="within")
    parts: dict[str, list[BaseGeometry]] = {}
    neighbours: dict[str, set[str]] = {}
    for gap_index, group in hits.groupby("index_right"):
        gap = gaps.iloc[int(gap_index)]
        owners = sorted(set(group["tract"]))
        if len(owners) == 1:
            parts.setdefault(owners[0], []).append(gap)
        else:
            for tract, cell in zip(
                group["tract"], cells_in(gap, list(group.geometry)), strict=True
            ):
                if not cell.is_empty:
                    parts.setdefault(tract, []).append(cell)
        for tract in owners:
            neighbours.setdefault(tract, set()).update(set(owners) - {tract})
    rows, report = [], []
    for tract, group in missing.groupby("tract"):
        shape = shapely.union_all(parts[tract]) if tract in parts else None
        report.append(
            {
                "id": tract,
                "rebuilt": shape is not None,
                "area_km2": round(shape.area / 1e6, 3) if shape is not None else None,
                "block_groups": len(group),
                "population": float(group["population"].sum()),
                "shares_gap_with": sorted(neighbours.get(tract, set())),
            }
        )
        if shape is not None:
            rows.append({"id": tract, "name": tract_name(tract), "geometry": shape})
    if not rows:
        return empty, report
    frame = gpd.GeoDataFrame(pd.DataFrame(rows), geometry="geometry", crs=AREA_CRS).to_crs(
        SERVE_CRS
    )
    # back on the published tracts' 6-decimal grid: the shared edges are their vertices
    frame = frame.set_geometry([_on_grid(g) for g in frame.geometry])
    return frame.sort_values("id").reset_index(drop=True), report


def _on_grid(shape: BaseGeometry) -> BaseGeometry:
    """``shape`` with its vertices on :data:`COORD_GRID`, still a valid polygon."""
    try:
        return shapely.set_precision(shape, COORD_GRID)
    except shapely.errors.GEOSException:  # a hole that collapses onto its shell
        snapped = shapely.set_precision(shape, COORD_GRID, mode="pointwise")
        return polygonal(shapely.make_valid(snapped))


def tract_name(geoid: str) -> str:
    """ "Census Tract 6025.12" from ``06037602512`` (the suffix is dropped when it is 00)."""
    code = geoid[5:]
    base, suffix = code[:4].lstrip("0") or "0", code[4:]
    return f"Census Tract {base}" + ("" if suffix == "00" else f".{suffix}")


def mark_derived(tracts: gpd.GeoDataFrame, derived: set[str]) -> gpd.GeoDataFrame:
    """``tracts`` with ``derived_outline`` (bool): True for the rebuilt tracts."""
    return tracts.assign(derived_outline=tracts["id"].isin(derived))


def add_derived_note(tracts: pd.DataFrame) -> pd.DataFrame:
    """``tracts`` (with ``derived_outline`` and ``data_notes``) with :data:`DERIVED_NOTE`
    added to the notes of every rebuilt tract."""
    notes = [
        "; ".join(n for n in (note, DERIVED_NOTE if derived else None) if isinstance(n, str) and n)
        or None
        for note, derived in zip(tracts["data_notes"], tracts["derived_outline"], strict=True)
    ]
    return tracts.assign(data_notes=pd.Series(notes, index=tracts.index, dtype=object))
