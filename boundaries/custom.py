"""Figures for an area no layer has: a drawn polygon, or a union of a layer's features.

The area is treated as one more feature of a layer and goes through the same crosswalk,
sums and MOE formulas as every served layer (:mod:`boundaries.crosswalk`,
:mod:`boundaries.aggregate`), so its properties follow the same contract: ``<indicator>``,
``_moe``, ``_cv``, ``_reliability``, ``allocated_share`` and ``data_notes``. Rules:

* a census tract with ≥ 99% of its land inside the area counts whole; a tract the
  boundary splits contributes the share of its 2020 population whose block-group centre
  lies inside (land-area share without centres). A union of features is one polygon, so
  a tract shared by two chosen features is counted once;
* an area that is one census tract (one whole tract and nothing else) returns that
  tract's figures as served on the tract layer, published rates included;
* a drawn outline is simplified to :data:`SIMPLIFY_M` metres first (said in the notes
  when it removed vertices): the cost of the overlay follows the vertex count, and
  no tract's share changes at that scale;
* only the area's part on the county's land can have figures: ``county_share`` says
  how much of it that is, and an area with less than :data:`COUNTY_SHARE_MIN` of it on
  the county's land is refused (:class:`OutsideCounty`);
* ``tract_coverage`` (share of that land part covered by tract polygons) and
  ``population_coverage`` (share of its 2020 population living in tracts with a
  polygon) say what the figures can miss.

Geometry is taken in EPSG:4326; areas are measured in EPSG:3310.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from boundaries.aggregate import Choice, choose_recipes, layer_values
from boundaries.allocation import allocation_stats
from boundaries.crosswalk import allocation_method, compute_crosswalk
from boundaries.indicators import INDICATORS, source_words
from loaders.geometry import AREA_CRS, SERVE_CRS

#: an area with less of its surface than this on the county's land is refused
COUNTY_SHARE_MIN = 0.5
CUSTOM_ID = "custom-area"


class OutsideCounty(ValueError):
    """Too little of the area lies on LA County's land for its figures to mean anything."""

    def __init__(self, county_share: float) -> None:
        super().__init__(
            f"only {100 * county_share:.1f}% of the area lies on LA County's land; at least "
            f"{100 * COUNTY_SHARE_MIN:.0f}% must (figures exist only for the county)"
        )
        self.county_share = county_share


@dataclass
class AreaInputs:
    """Everything custom-area aggregation reads, prepared once per served store.

    ``tracts_land``: ``id`` and tract polygons clipped to land (EPSG:3310); ``land``: the
    county's land outline (EPSG:3310); ``centres``: block-group centres (``tract``,
    ``population``, EPSG:3310) or ``None``; ``tidy``: the ACS tract values the catalogue
    reads; ``tract_rows``: the served tract layer's attributes, indexed by tract id.
    """

    tracts_land: gpd.GeoDataFrame
    land: BaseGeometry
    centres: gpd.GeoDataFrame | None
    tidy: pd.DataFrame
    choices: dict[str, Choice]
    tract_population: pd.Series | None
    tract_rows: pd.DataFrame

    @classmethod
    def from_tables(
        cls, areas: dict[str, gpd.GeoDataFrame], tidy: pd.DataFrame, tracts: gpd.GeoDataFrame
    ) -> AreaInputs:
        """From a store's :data:`boundaries.store.AREA_TABLES`, its tidy ACS values and its
        served tract layer."""
        land = areas["area_land"].to_crs(AREA_CRS).geometry.union_all()
        centres = areas.get("area_centres")
        population = None
        if centres is not None and len(centres):
            centres = centres[["tract", "population", "geometry"]].to_crs(AREA_CRS)
            population = centres.groupby("tract")["population"].sum()
        else:
            centres = None
            if "population" in tracts.columns:
                population = tracts.set_index("id")["population"].astype(float)
        tracts_land = areas["area_tract_land"][["id", "geometry"]].to_crs(AREA_CRS)
        tracts_land.sindex  # noqa: B018 - built once here, not on the first request
        return cls(
            tracts_land=tracts_land,
            land=land,
            centres=centres,
            tidy=tidy,
            choices=choose_recipes(tidy),
            tract_population=population,
            tract_rows=pd.DataFrame(tracts.drop(columns=tracts.geometry.name)).set_index("id"),
        )

    def indicator_sources(self) -> dict[str, dict[str, Any]]:
        """Per available indicator: dataset, vintage and source tables of its figures."""
        return {
            ind_id: {
                "dataset": ch.recipe.dataset,
                "vintage": ch.vintage,
                "tables": list(ch.recipe.tables),
                "label": INDICATORS[ind_id].label,
                "source": source_words(ch.recipe.dataset, ch.vintage, ch.recipe.tables),
            }
            for ind_id, ch in self.choices.items()
            if ch.recipe is not None
        }


@dataclass
class AreaResult:
    """One aggregated area: its properties (the layer contract) and how they were made."""

    properties: dict[str, Any]
    crosswalk: pd.DataFrame
    metadata: dict[str, Any]


def _clean(value: Any) -> Any:
    if isinstance(value, float | np.floating):
        return None if np.isnan(value) else float(value)
    if isinstance(value, np.integer):
        return int(value)
    return None if value is pd.NA else value


def _indicator_columns(inputs: AreaInputs) -> list[str]:
    return [
        col
        for ind_id, ch in inputs.choices.items()
        if ch.available
        for col in (ind_id, f"{ind_id}_moe", f"{ind_id}_cv", f"{ind_id}_reliability")
    ]


def _coverage(inputs: AreaInputs, area: BaseGeometry, inside: BaseGeometry) -> dict[str, Any]:
    """Share of the area's land part covered by tracts, and of its people in those tracts."""
    tl = inputs.tracts_land
    near = tl.geometry.iloc[tl.sindex.query(inside, predicate="intersects")]
    covered = shapely.union_all(near.to_numpy()) if len(near) else shapely.Polygon()
    tract_share = inside.intersection(covered).area / inside.area if inside.area else 0.0
    out: dict[str, Any] = {"tract_coverage": round(float(tract_share), 6)}
    if inputs.centres is not None:
        pts = inputs.centres
        within = pts.iloc[pts.sindex.query(area, predicate="contains")]
        total = float(within["population"].sum())
        have = float(within.loc[within["tract"].isin(set(tl["id"])), "population"].sum())
        out["population_2020"] = total
        out["population_coverage"] = round(have / total, 6) if total else None
    return out


#: a drawn area may meet at most this many tracts part by part (candidate pieces of the
#: overlay, counted on bounding boxes before it runs): 10,000 scattered squares make about
#: 15,500 and a county-wide box 2,500
MAX_PIECES = 50_000


class AreaTooComplex(Exception):
    """A drawn area would cut the tracts into more pieces than :data:`MAX_PIECES`."""

    def __init__(self, pieces: int) -> None:
        super().__init__(
            f"the area's parts meet census tracts {pieces:,} times; the limit is "
            f"{MAX_PIECES:,} (merge or simplify its parts)"
        )
        self.pieces = pieces


#: drawn outlines are simplified to this tolerance (metres, EPSG:3310) before the overlay:
#: far below a census tract's scale (hundreds of metres), so no allocation changes, while a
#: 200,000-vertex circle drops to a few thousand vertices and costs a fraction of the time
SIMPLIFY_M = 1.0


def simplify_drawn(area: BaseGeometry) -> tuple[BaseGeometry, tuple[int, int] | None]:
    """``area`` (EPSG:3310) simplified to :data:`SIMPLIFY_M`, kept valid, and (vertices
    before, after) when that removed any, else ``None``."""
    before = int(shapely.get_num_coordinates(area))
    simple = shapely.simplify(area, SIMPLIFY_M, preserve_topology=True)
    if not simple.is_valid:
        simple = shapely.make_valid(simple)
    after = int(shapely.get_num_coordinates(simple))
    if after >= before or simple.is_empty:
        return area, None
    return simple, (before, after)


def aggregate_area(
    inputs: AreaInputs, geometry: BaseGeometry, name: str = "Custom area", notes: tuple = ()
) -> AreaResult:
    """Indicator figures for ``geometry`` (a valid Polygon/MultiPolygon in EPSG:4326).

    Raises :class:`OutsideCounty` when less than :data:`COUNTY_SHARE_MIN` of the area is
    on the county's land, :class:`AreaTooComplex` when its parts meet tracts more than
    :data:`MAX_PIECES` times, and ``ValueError`` for an area with no extent.
    """
    area = gpd.GeoSeries([geometry], crs=SERVE_CRS).to_crs(AREA_CRS).iloc[0]
    if area.is_empty or area.area <= 0:
        raise ValueError("the area has no extent (zero area)")
    area, simplified = simplify_drawn(area)
    inside = area.intersection(inputs.land)
    county_share = inside.area / area.area
    if county_share < COUNTY_SHARE_MIN:
        raise OutsideCounty(county_share)
    # one row per part: each part is laid over the tracts near it alone (39,000 squares
    # as one MultiPolygon met every tract of their extent, each cutting all 39,000)
    parts = shapely.get_parts(area)
    pieces = len(inputs.tracts_land.sindex.query(parts)[0])
    if pieces > MAX_PIECES:
        raise AreaTooComplex(pieces)
    frame = gpd.GeoDataFrame({"id": [CUSTOM_ID] * len(parts)}, geometry=parts, crs=AREA_CRS)
    cw = compute_crosswalk(inputs.tracts_land, frame, inputs.centres)
    cov = _coverage(inputs, area, inside)
    note_parts = [n for n in notes if n]
    if simplified is not None:
        note_parts.append(
            f"the drawn outline was simplified to {SIMPLIFY_M:g} m ({simplified[0]:,} to "
            f"{simplified[1]:,} vertices) before it was laid over the census tracts"
        )
    columns = _indicator_columns(inputs)
    single = len(cw) == 1 and cw["method"].iloc[0] == "whole"
    if cw.empty:
        values: dict[str, Any] = dict.fromkeys(columns)
        note_parts.append("no census tract with residents lies in this area: figures unknown")
        values["allocated_share"] = None
    elif single:
        tract = str(cw["tract"].iloc[0])
        row = inputs.tract_rows.loc[tract]
        values = {c: row.get(c) for c in columns}
        values["allocated_share"] = 0.0
        note_parts.append(f"the area is census tract {tract}: its figures as published")
        if isinstance(row.get("data_notes"), str) and row["data_notes"]:
            note_parts.append(row["data_notes"])
    else:
        allocation = None
        if inputs.tract_population is not None:
            allocation = allocation_stats(cw, inputs.tract_population)
        table = layer_values(
            inputs.tidy, cw, pd.Series([CUSTOM_ID]), inputs.choices, allocation=allocation
        )
        values = {str(k): v for k, v in table.iloc[0].drop(labels=["id"]).items()}
        aggregated_note = values.pop("data_notes", None)
        if isinstance(aggregated_note, str) and aggregated_note:
            note_parts.append(aggregated_note)
    if county_share < 0.995:
        note_parts.append(
            f"county_share {100 * county_share:.1f}%: only this part of the area lies on "
            "LA County's land; the figures describe that part"
        )
    if cov["tract_coverage"] < 0.99:
        note_parts.append(
            f"tract_coverage {100 * cov['tract_coverage']:.1f}%: part of the area's land "
            "has no census tract polygon, so its residents are missing from the figures"
        )
    properties: dict[str, Any] = {"id": CUSTOM_ID, "name": name}
    properties.update({k: _clean(v) for k, v in values.items()})
    properties["county_share"] = round(float(county_share), 6)
    properties.update(cov)
    properties["data_notes"] = "; ".join(note_parts) or None
    metadata = {
        "allocation_method": allocation_method(cw) if len(cw) else None,
        "county_share": properties["county_share"],
        **cov,
        "tracts": [
            {"tract": t, "weight": round(float(w), 6), "method": m}
            for t, w, m in zip(cw["tract"], cw["weight"], cw["method"], strict=True)
        ],
        "indicators": inputs.indicator_sources(),
        "moe": "90% margins of error; sums by the Census Bureau's sum rule, rates by the "
        "proportion (or ratio) formula; see docs/methods.md",
    }
    return AreaResult(properties=properties, crosswalk=cw, metadata=metadata)
