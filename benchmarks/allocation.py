"""Compare ways of splitting tracts on the real mirror: land area, block-group centre in
polygon, Voronoi cells of the centres (apportioned by area), and a 50/50 blend.

Each method allocates the 2020 Census block-group population of split tracts to cities
and Countywide Statistical Areas; the result is compared with the County's own population
of each area (the CSA file's POPULATION column, an independent reference). Prints one
table per layer; docs/methods.md quotes it. Usage:

    .venv/bin/python benchmarks/allocation.py --mirror ../shared/data
"""

from __future__ import annotations

import argparse
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from boundaries.crosswalk import compute_crosswalk, land_tracts
from loaders import county_boundaries, population, tiger
from loaders.geometry import AREA_CRS, read_vector


def voronoi_cells(tl: gpd.GeoDataFrame, centres: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Each block group's Voronoi cell among its tract's centres, clipped to the tract."""
    land = tl.set_index("id").geometry
    rows = []
    for tract, group in centres.to_crs(AREA_CRS).groupby("tract"):
        if tract not in land.index:
            continue
        shape = land[tract]
        pts = list(group.geometry)
        cells = (
            [shape]
            if len(pts) == 1
            else list(shapely.voronoi_polygons(shapely.MultiPoint(pts), extend_to=shape).geoms)
        )
        tree = shapely.STRtree(cells)
        for (_, row), pt in zip(group.iterrows(), pts, strict=True):
            cell = cells[int(tree.nearest(pt))]
            rows.append((tract, row["population"], cell.intersection(shape)))
    frame = pd.DataFrame(rows, columns=["tract", "population", "geometry"])
    return gpd.GeoDataFrame(frame, geometry="geometry", crs=AREA_CRS)


def voronoi_weights(
    cw: pd.DataFrame, layer: gpd.GeoDataFrame, cells: gpd.GeoDataFrame
) -> np.ndarray:
    """Weights of the crosswalk's split pieces from Voronoi cells apportioned by area."""
    feats = layer[["id", "geometry"]].to_crs(AREA_CRS).rename(columns={"id": "feature"})
    cells = cells.assign(cell_area=cells.geometry.area)
    parts = gpd.overlay(cells, feats, how="intersection", keep_geom_type=True)
    parts["people"] = parts["population"] * parts.geometry.area / parts["cell_area"]
    per_piece = parts.groupby(["tract", "feature"])["people"].sum()
    per_tract = cells.groupby("tract")["population"].sum()
    keys = pd.MultiIndex.from_arrays([cw["tract"], cw["feature"]])
    num = per_piece.reindex(keys).fillna(0.0).to_numpy()
    den = per_tract.reindex(cw["tract"]).fillna(0.0).to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(den > 0, num / den, cw["area_weight"].to_numpy())
    return np.where(cw["method"] == "whole", 1.0, share)


def compare(
    name: str,
    layer: gpd.GeoDataFrame,
    reference: pd.Series,
    tl: gpd.GeoDataFrame,
    centres: gpd.GeoDataFrame,
    cells: gpd.GeoDataFrame,
    tract_pop: pd.Series,
) -> None:
    """Print the error of each method against ``reference`` (areas with a split tract)."""
    cw = compute_crosswalk(tl, layer, centres)
    by_area = compute_crosswalk(tl, layer)
    pop = tract_pop.reindex(cw["tract"]).fillna(0.0).to_numpy()
    methods = {
        "land area": by_area.assign(p=tract_pop.reindex(by_area["tract"]).fillna(0).to_numpy()),
        "centre in polygon": cw.assign(p=pop),
    }
    # Voronoi and the blend need every piece, including those without a centre
    pieces = methods["land area"]
    vor = pieces.assign(weight=voronoi_weights(pieces, layer, cells))
    methods["Voronoi cells"] = vor
    centre = cw.set_index(["tract", "feature"])["weight"]
    keys = pd.MultiIndex.from_arrays([pieces["tract"], pieces["feature"]])
    centre_w = centre.reindex(keys).fillna(0.0).to_numpy()
    methods["blend 50/50"] = pieces.assign(weight=0.5 * centre_w + 0.5 * vor["weight"])
    split = set(by_area.loc[by_area["method"] != "whole", "feature"])
    ref = reference[reference.index.isin(split) & (reference > 0)]
    print(f"\n{name}: {len(ref)} areas with a split tract, against the County's population")
    print(
        "| method | median error | mean error | 90th pct error | within 10% | sum of abs errors |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for label, frame in methods.items():
        est = (frame["weight"] * frame["p"]).groupby(frame["feature"]).sum()
        err = (est.reindex(ref.index).fillna(0.0) - ref).abs() / ref * 100
        total = (est.reindex(ref.index).fillna(0.0) - ref).abs().sum()
        print(
            f"| {label} | {err.median():.1f}% | {err.mean():.1f}% | {err.quantile(0.9):.1f}% "
            f"| {(err <= 10).mean() * 100:.0f}% | {total:,.0f} |"
        )


def main() -> None:
    """Load the mirror and print the comparison tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mirror", type=Path, required=True)
    mirror = parser.parse_args().mirror
    land = tiger.load_land_mask(mirror / "tracts/la_county_tracts_2010_cb2019_500k.geojson")
    tracts, _ = tiger.load_tracts(mirror / "tracts/la_county_tracts_2020_tiger.geojson")
    extra, _ = tiger.load_tracts(mirror / "tracts/la_county_tracts_2020_supplement.geojson")
    tracts = tiger.add_tracts(tracts, extra, "tracts-supplement")
    centres = population.load_blockgroup_centers(
        mirror / "population/la_county_blockgroup_centers_of_population_2020.csv"
    )
    tl = land_tracts(tracts, land)
    cells = voronoi_cells(tl, centres)
    tract_pop = centres.groupby("tract")["population"].sum()
    csa_path = mirror / "boundaries/la_county_csa/BOS_Countywide_Statistical_Areas.shp"
    communities, _ = county_boundaries.load_communities(csa_path)
    raw = read_vector(csa_path, "csa")
    communities["reference"] = raw["POPULATION"].astype(float).to_numpy()
    compare(
        "Countywide Statistical Areas",
        communities,
        communities.set_index("id")["reference"],
        tl,
        centres,
        cells,
        tract_pop,
    )
    cities, _ = tiger.load_cities(
        mirror / "boundaries/la_county_census_places_2019_cb500k.geojson", land
    )
    by_city = communities[communities["city_type"] == "City"].groupby("city")["reference"].sum()
    ids = dict(zip(cities["name"], cities["id"], strict=True))
    by_city.index = [ids.get(n) for n in by_city.index]
    compare("Cities", cities, by_city[by_city.index.notna()], tl, centres, cells, tract_pop)


if __name__ == "__main__":
    main()
