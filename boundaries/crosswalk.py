"""Tract → layer crosswalks: which share of each tract's people falls in each feature.

Weights are computed in EPSG:3310 (California Albers, equal area) on tracts clipped to
the county's land outline, because TIGER/Line tracts extend over the ocean and open
water holds no households. Rules:

* a tract with ≥ 99% of its land area inside a feature is assigned to it whole
  (weight 1, method ``whole``), and its slivers (< 1%) elsewhere in the layer are ignored;
* otherwise it is apportioned: weight = share of the tract's land area in the feature
  (method ``area``), or share of its population when block-level population points are
  given (method ``population``).

The crosswalk frame has columns ``tract`` (GEOID), ``feature`` (feature id),
``weight`` (float, 0-1], ``method`` (``whole``/``area``/``population``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry.base import BaseGeometry

AREA_CRS = "EPSG:3310"
WHOLE_SHARE = 0.99
#: intersections smaller than this (m²) are boundary noise between different sources
MIN_PIECE_M2 = 1.0


@dataclass
class Coverage:
    """How well the tracts cover a layer. ``features`` maps feature id → covered share."""

    layer: str
    area_share: float
    features: dict[str, float] = field(default_factory=dict)
    no_tracts: list[str] = field(default_factory=list)

    def incomplete(self, threshold: float = 0.99) -> dict[str, float]:
        """Features whose land area is less than ``threshold`` covered by tracts."""
        return {k: v for k, v in self.features.items() if v < threshold}


def land_tracts(tracts: gpd.GeoDataFrame, land: BaseGeometry | None) -> gpd.GeoDataFrame:
    """Tracts (``id``, geometry) clipped to ``land`` and projected to EPSG:3310."""
    out = tracts[["id", "geometry"]].to_crs(AREA_CRS)
    if land is not None:
        mask = gpd.GeoSeries([land], crs=tracts.crs).to_crs(AREA_CRS).iloc[0]
        clipped = out.geometry.intersection(mask)
        # a tract entirely over water keeps its own shape so it is not lost
        out = out.assign(geometry=clipped.where(clipped.area > 0, out.geometry))
    return out


def compute_crosswalk(
    tracts_land: gpd.GeoDataFrame,
    layer: gpd.GeoDataFrame,
    blocks: gpd.GeoDataFrame | None = None,
) -> pd.DataFrame:
    """Crosswalk from tracts (already :func:`land_tracts`) to ``layer`` features.

    ``blocks``: optional points with a ``population`` column; when given, apportioned
    weights are population shares instead of area shares (whole-tract assignment still
    follows the 99% area rule).
    """
    feats = layer[["id", "geometry"]].to_crs(AREA_CRS).rename(columns={"id": "feature"})
    tr = tracts_land.rename(columns={"id": "tract"})
    pieces = gpd.overlay(tr, feats, how="intersection", keep_geom_type=True)
    pieces["piece_area"] = pieces.geometry.area
    pieces = pieces[pieces["piece_area"] > MIN_PIECE_M2]
    tract_area = tr.set_index("tract").geometry.area
    pieces["share"] = pieces["piece_area"].to_numpy() / tract_area.loc[pieces["tract"]].to_numpy()

    # Whole assignment is decided per piece, so overlapping layers (elementary and
    # secondary school districts) can give one tract whole to two features.
    whole = pieces["share"] >= WHOLE_SHARE
    has_whole = pieces["tract"].isin(set(pieces.loc[whole, "tract"]))
    sliver = has_whole & (pieces["share"] < 1 - WHOLE_SHARE)
    out_whole = pd.DataFrame(
        {
            "tract": pieces.loc[whole, "tract"],
            "feature": pieces.loc[whole, "feature"],
            "weight": 1.0,
        }
    ).assign(method="whole")

    split = pieces[~whole & ~sliver]
    if blocks is not None and len(split):
        weights = _population_weights(split, blocks)
        method = "population"
    else:
        weights = split["share"].to_numpy()
        method = "area"
    out_split = pd.DataFrame(
        {"tract": split["tract"], "feature": split["feature"], "weight": weights}
    ).assign(method=method)
    out = pd.concat([out_whole, out_split], ignore_index=True)
    out = out[out["weight"] > 0]
    return out.sort_values(["feature", "tract"]).reset_index(drop=True)


def _population_weights(pieces: gpd.GeoDataFrame, blocks: gpd.GeoDataFrame) -> np.ndarray:
    pts = blocks[["population", "geometry"]].to_crs(AREA_CRS)
    joined = gpd.sjoin(pts, pieces[["tract", "feature", "geometry"]], predicate="within")
    pop = joined.groupby(["tract", "feature"])["population"].sum()
    total = pop.groupby(level="tract").sum()
    keys = list(zip(pieces["tract"], pieces["feature"], strict=True))
    piece_pop = np.array([pop.get(k, 0.0) for k in keys])
    tract_pop = np.array([total.get(t, 0.0) for t in pieces["tract"]])
    with np.errstate(divide="ignore", invalid="ignore"):
        # a tract with no block population falls back to its area share
        return np.where(tract_pop > 0, piece_pop / tract_pop, pieces["share"].to_numpy())


def coverage(
    layer_id: str,
    layer: gpd.GeoDataFrame,
    tracts_land: gpd.GeoDataFrame,
    crosswalk: pd.DataFrame,
    land: BaseGeometry | None,
) -> Coverage:
    """Share of each feature's land area covered by the tract layer, and features with none."""
    feats = layer[["id", "geometry"]].to_crs(AREA_CRS)
    if land is not None:
        mask = gpd.GeoSeries([land], crs=layer.crs).to_crs(AREA_CRS).iloc[0]
        clipped = feats.geometry.intersection(mask)
        feats = feats.assign(geometry=clipped.where(clipped.area > 0, feats.geometry))
    union = tracts_land.geometry.union_all()
    covered = feats.geometry.intersection(union).area / feats.geometry.area
    shares = dict(zip(feats["id"], covered.fillna(0.0).round(6), strict=True))
    total = float(feats.geometry.area.sum())
    area_share = float(feats.geometry.intersection(union).area.sum() / total) if total else 0.0
    with_tracts = set(crosswalk["feature"])
    return Coverage(
        layer=layer_id,
        area_share=round(area_share, 6),
        features=shares,
        no_tracts=sorted(set(feats["id"]) - with_tracts),
    )
