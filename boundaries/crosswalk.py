"""Tract → layer crosswalks: which share of each tract's people falls in each feature.

Weights are computed in EPSG:3310 (California Albers, equal area) on tracts clipped to
the county's land outline, because TIGER/Line tracts extend over the ocean and open
water holds no households. Rules:

* a tract with ≥ 99% of its land area inside a feature is assigned to it whole
  (weight 1, method ``whole``), and its slivers (< 1%) elsewhere in the layer are ignored;
* otherwise the tract is *split* and apportioned by population (method ``population``):
  its weight in a feature is the share of its people, placed at the 2020 Census
  block-group centres of population (:mod:`loaders.population`), whose centre lies in
  that feature. The denominator is the tract's own population whose centres lie on the
  tract's land, so the weights of a tract over a layer that tiles the county sum to 1
  (a centre that falls in a gap between such a layer's features counts in the nearest
  piece of its tract);
* a feature that would hold no centre at all, although it overlaps populated tracts
  (a small unincorporated community), gets from each block group of those tracts the
  part of the group's Voronoi cell inside it (method ``cell``), taken from the feature
  holding the group's centre (:func:`centreless_weights`);
* without centres (no population file loaded, or a tract whose groups hold nobody), the
  share of the tract's land area (method ``area``) is the fallback.

docs/methods.md compares centre-in-polygon with area weights and with Voronoi cells of
the centres on the real county data: centre-in-polygon was the most accurate, and the
Voronoi fallback for areas without a centre made no measured figure worse
(``benchmarks/allocation.py``).

The crosswalk frame has columns ``tract`` (GEOID), ``feature`` (feature id), ``weight``
(float, 0-1], ``method`` (``whole``/``population``/``cell``/``area``) and ``area_weight`` (the
land-area share, kept so the aggregation can tell how much the allocation method
matters for a feature).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from boundaries.voronoi import cells_in
from loaders.geometry import AREA_CRS

WHOLE_SHARE = 0.99
#: intersections smaller than this (m²) are boundary noise between different sources
MIN_PIECE_M2 = 1.0
#: which split pieces without a centre get a Voronoi-cell share: those of features that
#: hold no centre at all (the rule chosen by measurement), every such piece, or none
Fallback = Literal["areas", "pieces", "none"]
CROSSWALK_COLUMNS = ["tract", "feature", "weight", "method", "area_weight"]


@dataclass
class Coverage:
    """How well the tracts cover a layer.

    ``features`` maps feature id → share of its land area covered by tract polygons;
    ``population`` maps feature id → share of its 2020 population (block-group centres
    inside it) that lives in tracts with a polygon (only when centres are loaded; a
    feature with no centre inside is left out).
    """

    layer: str
    area_share: float
    features: dict[str, float] = field(default_factory=dict)
    no_tracts: list[str] = field(default_factory=list)
    population: dict[str, float] = field(default_factory=dict)

    def incomplete(self, threshold: float = 0.99) -> dict[str, float]:
        """Features whose land area is less than ``threshold`` covered by tracts."""
        return {k: v for k, v in self.features.items() if v < threshold}

    def population_incomplete(self, threshold: float = 0.99) -> dict[str, float]:
        """Features of which less than ``threshold`` of the population has tract values."""
        return {k: v for k, v in self.population.items() if v < threshold}


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
    centres: gpd.GeoDataFrame | None = None,
    fallback: Fallback = "areas",
    tiles: bool = False,
) -> pd.DataFrame:
    """Crosswalk from tracts (already :func:`land_tracts`) to ``layer`` features.

    A feature may come as several rows of one ``id``: the disjoint parts of a valid
    (Multi)Polygon (a drawn area's parts, so each part meets only the tracts near it).
    Their pieces of a tract are gathered into one.

    ``centres``: optional block-group centres of population (``tract``, ``population``,
    point geometry; :func:`loaders.population.load_blockgroup_centers`). When given, split
    tracts are apportioned by the population whose centre lies in each feature; without
    them, by land area. Whole-tract assignment follows the 99% land-area rule either way.
    ``fallback`` says which pieces without a centre get a Voronoi-cell share
    (:data:`Fallback`); ``tiles``: the layer covers the county, so a centre in a gap
    between features goes to the nearest piece of its tract.
    """
    feats = layer[["id", "geometry"]].to_crs(AREA_CRS).rename(columns={"id": "feature"})
    tr = tracts_land.rename(columns={"id": "tract"})
    pieces = gpd.overlay(tr, feats, how="intersection", keep_geom_type=True)
    pieces = _gather_parts(pieces)
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
            "method": "whole",
            "area_weight": pieces.loc[whole, "share"],
        }
    )
    split = pieces[~whole & ~sliver]
    weights = split["share"].to_numpy()
    method = np.full(len(split), "area", dtype=object)
    if centres is not None and len(split):
        pts = _own_centres(centres, tr, set(split["tract"]))
        holders = centre_holders(pts, split, tiles)
        pop_weights = population_weights(split, pts, holders)
        known = ~np.isnan(pop_weights)
        weights = np.where(known, pop_weights, weights)
        method[known] = "population"
        held = set(pieces.loc[whole, "feature"]) | set(split["feature"][weights > 0])
        if fallback == "pieces":
            targets = known & (weights == 0)
        elif fallback == "areas":
            targets = known & ~split["feature"].isin(held).to_numpy()
        else:
            targets = np.zeros(len(split), dtype=bool)
        if targets.any():
            weights = centreless_weights(split, tr, pts, holders, weights, targets)
            method[targets & (weights > 0)] = "cell"
    out_split = pd.DataFrame(
        {
            "tract": split["tract"],
            "feature": split["feature"],
            "weight": weights,
            "method": method,
            "area_weight": split["share"],
        }
    )
    out = pd.concat([out_whole, out_split], ignore_index=True)
    out = out[out["weight"] > 0]
    return out.sort_values(["feature", "tract"]).reset_index(drop=True)[CROSSWALK_COLUMNS]


def _gather_parts(pieces: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """One piece per (tract, feature): the pieces of a feature's disjoint parts in one
    tract are gathered as a MultiPolygon (no overlay: disjoint parts stay disjoint)."""
    repeated = pieces.duplicated(["tract", "feature"], keep=False).to_numpy()
    if not repeated.any():
        return pieces
    gathered = (
        pieces[repeated]
        .groupby(["tract", "feature"])["geometry"]
        .agg(lambda g: shapely.multipolygons(shapely.get_parts(g.to_numpy())))
        .reset_index()
    )
    joined = gpd.GeoDataFrame(gathered, geometry="geometry", crs=pieces.crs)
    return pd.concat([pieces[~repeated], joined], ignore_index=True)


def population_weights(
    pieces: gpd.GeoDataFrame, pts: gpd.GeoDataFrame, holders: pd.DataFrame
) -> np.ndarray:
    """Population share of each (tract, feature) piece, NaN where the tract has nobody.

    Each centre counts only inside its own tract (the GEOID says which), so a centre
    that an imprecise boundary puts in a neighbouring tract is not counted twice. The
    denominator is the population of the tract's centres that lie on the tract's land:
    for a layer that tiles the county the weights of a tract sum to 1, while people
    outside every feature of a layer that does not (a city's unincorporated
    neighbours) stay outside. The few centres off their tract's land polygon (coastal
    clipping) are left out of both sides: ``pts`` are the centres on their own tract's
    land (:func:`_own_centres`) and ``holders`` the pieces holding them
    (:func:`centre_holders`).
    """
    tract_pop = pts.groupby("tract")["population"].sum()
    piece_pop = (
        pts.loc[holders.index, "population"].groupby([holders["tract"], holders["feature"]]).sum()
    )
    keys = pd.MultiIndex.from_arrays([pieces["tract"], pieces["feature"]])
    numerator = piece_pop.reindex(keys).fillna(0.0).to_numpy()
    denominator = tract_pop.reindex(pieces["tract"]).fillna(0.0).to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(denominator > 0, numerator / denominator, np.nan)
    return np.minimum(share, 1.0)


def centre_holders(pts: gpd.GeoDataFrame, pieces: gpd.GeoDataFrame, tiles: bool) -> pd.DataFrame:
    """The piece of its own tract each centre of ``pts`` (:func:`_own_centres`) lies in.

    Indexed like ``pts`` (a row per centre and piece holding it: a centre lies in two
    features of an overlapping layer), columns ``tract`` and ``feature``. With
    ``tiles`` (the layer covers the county), a centre in a gap between features (the
    layer's and the Census's lines disagree by metres) goes to the nearest piece of its
    tract.
    """
    inside = gpd.sjoin(
        pts[["tract", "geometry"]],
        pieces[["tract", "feature", "geometry"]].rename(columns={"tract": "own"}),
        predicate="within",
    )
    inside = inside[inside["tract"] == inside["own"]][["tract", "feature"]]
    if not tiles:
        return inside
    rest = pts[~pts.index.isin(inside.index)]
    near = []
    for label, tract, point in zip(rest.index, rest["tract"], rest.geometry, strict=True):
        own = pieces[pieces["tract"] == tract]
        if len(own):
            best = own.geometry.distance(point).to_numpy().argmin()
            near.append((label, tract, own["feature"].iloc[int(best)]))
    extra = pd.DataFrame(near, columns=["label", "tract", "feature"]).set_index("label")
    return pd.concat([inside, extra]) if len(extra) else inside


def _own_centres(
    centres: gpd.GeoDataFrame, tracts_land: gpd.GeoDataFrame, tracts: set[str]
) -> gpd.GeoDataFrame:
    """Centres of ``tracts`` (EPSG:3310) that lie on their own tract's land."""
    pts = centres[["tract", "population", "geometry"]].to_crs(AREA_CRS)
    pts = pts[pts["tract"].isin(tracts)]
    on_land = gpd.sjoin(
        pts, tracts_land[["tract", "geometry"]].rename(columns={"tract": "own"}), predicate="within"
    )
    on_land = on_land[on_land["tract"] == on_land["own"]]
    return on_land[~on_land.index.duplicated()].drop(columns=["own", "index_right"])


def centreless_weights(
    pieces: gpd.GeoDataFrame,
    tracts_land: gpd.GeoDataFrame,
    pts: gpd.GeoDataFrame,
    holders: pd.DataFrame,
    weights: np.ndarray,
    targets: np.ndarray,
) -> np.ndarray:
    """``weights`` with a share moved to the ``targets`` pieces, which hold no centre.

    Each block group of a target piece's tract owns its Voronoi cell among the tract's
    centres, clipped to the tract's land. A target piece receives, from each group, the
    group's people in proportion to the part of its cell inside the piece; the piece
    holding that group's centre gives the same number up, so the tract's weights keep
    their sum. Weights are shares of the tract's people on its land, as in
    :func:`population_weights` (``pts`` and ``holders`` as there).
    """
    out = weights.astype(float).copy()
    pts = pts[pts["tract"].isin(set(pieces.loc[targets, "tract"]))]
    land = tracts_land.set_index("tract").geometry
    row_of = {
        (t, f): i for i, (t, f) in enumerate(zip(pieces["tract"], pieces["feature"], strict=True))
    }
    geoms = pieces.geometry.to_numpy()
    for tract, group in pts.groupby("tract"):
        total = float(group["population"].sum())
        if total <= 0:
            continue
        cells = cells_in(land[tract], list(group.geometry))
        in_tract = (pieces["tract"] == tract).to_numpy()
        rows = np.flatnonzero(targets & in_tract)
        others = np.flatnonzero(~targets & in_tract)
        for label, pop, cell in zip(group.index, group["population"], cells, strict=True):
            if pop <= 0 or cell.is_empty:
                continue
            givers = [row_of[(tract, f)] for f in holders.loc[holders.index == label, "feature"]]
            taken = shapely.union_all([cell.intersection(geoms[r]) for r in rows])
            if taken.is_empty:
                continue
            for r in rows:
                out[r] += pop * cell.intersection(geoms[r]).area / cell.area / total
            # A holder gives up what it does not itself contain; in an overlapping layer a
            # piece that neither holds the centre nor is a target but covers the taken
            # land (the high-school district around a centreless elementary district)
            # receives it, so each set of features that tiles the county keeps its sum.
            for j in others:
                if j in givers:
                    lost = taken.difference(geoms[j]).area / cell.area
                    out[j] = max(out[j] - pop * lost / total, 0.0)
                else:
                    out[j] += pop * taken.intersection(geoms[j]).area / cell.area / total
    return out


def coverage(
    layer_id: str,
    layer: gpd.GeoDataFrame,
    tracts_land: gpd.GeoDataFrame,
    crosswalk: pd.DataFrame,
    land: BaseGeometry | None,
    centres: gpd.GeoDataFrame | None = None,
) -> Coverage:
    """Share of each feature's land area (and population) covered by the tract layer.

    With ``centres`` (block-group centres of the whole county, including tracts that
    have no polygon), each feature also gets the share of its people who live in tracts
    the layer has: the rest are missing from every figure of that feature.
    """
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
    population: dict[str, float] = {}
    if centres is not None:
        pts = centres[["tract", "population", "geometry"]].to_crs(AREA_CRS)
        inside = gpd.sjoin(pts, feats[["id", "geometry"]], predicate="within")
        have = inside["tract"].isin(set(tracts_land["id"]))
        total_pop = inside.groupby("id")["population"].sum()
        have_pop = inside[have].groupby("id")["population"].sum().reindex(total_pop.index)
        ratio = (have_pop.fillna(0.0) / total_pop).where(total_pop > 0)
        population = {k: round(float(v), 6) for k, v in ratio.dropna().items()}
    return Coverage(
        layer=layer_id,
        area_share=round(area_share, 6),
        features=shares,
        no_tracts=sorted(set(feats["id"]) - with_tracts),
        population=population,
    )


def allocation_method(crosswalk: pd.DataFrame) -> str:
    """How a layer's split tracts were divided, in words for ``/collections/{layer}``."""
    methods = set(crosswalk["method"])
    if methods == {"whole"}:
        return "whole tracts"
    if "population" in methods and "cell" in methods:
        return (
            "apportioned by 2020 block-group population (centre in polygon; Voronoi cells "
            "of the centres for areas holding none)"
        )
    if "cell" in methods:
        return "apportioned by the Voronoi cells of 2020 block-group centres (none inside)"
    if "population" in methods:
        return "apportioned by 2020 block-group population (centre in polygon)"
    return "apportioned by land area"
