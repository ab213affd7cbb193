"""Compare ways of splitting tracts on the real mirror: land area, block-group centre in
polygon, Voronoi cells of the centres (apportioned by area), and a 50/50 blend; then the
fallbacks for areas that hold no centre. The tract layer includes the tracts rebuilt from
the coverage gaps, as in a build.

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

from boundaries.crosswalk import compute_crosswalk, land_tracts
from boundaries.rebuild import rebuild_missing_tracts
from boundaries.voronoi import cells_in
from loaders import county_boundaries, population, tiger
from loaders.geometry import AREA_CRS, read_vector


def voronoi_cells(tl: gpd.GeoDataFrame, centres: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Each block group's Voronoi cell among its tract's centres, clipped to the tract."""
    land = tl.set_index("id").geometry
    rows = []
    for tract, group in centres.to_crs(AREA_CRS).groupby("tract"):
        if tract not in land.index:
            continue
        cells = cells_in(land[tract], list(group.geometry))
        rows += list(zip([tract] * len(group), group["population"], cells, strict=True))
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


def compare_fallbacks(
    name: str,
    layer: gpd.GeoDataFrame,
    reference: pd.Series,
    kinds: pd.Series,
    tl: gpd.GeoDataFrame,
    centres: gpd.GeoDataFrame,
    tract_pop: pd.Series,
    tiles: bool,
) -> None:
    """Print, per fallback for pieces without a centre, the error against ``reference``
    for each kind of area (``kinds``: e.g. city / unincorporated), the areas of 500+
    people left without a figure or outside 0.5-2 times the reference, and the layer's
    total against the tracts'."""
    print(f"\n{name}: fallback for areas without a block-group centre")
    print("| fallback | areas | median error | 90th pct error | within 10% | sum of abs errors |")
    print("|---|---|---:|---:|---:|---:|")
    labels = {
        "none": "none (centre in polygon only)",
        "areas": "Voronoi cells, areas with no centre (chosen)",
        "pieces": "Voronoi cells, every piece without a centre",
    }
    summary = []
    for fallback in ("none", "areas", "pieces"):
        cw = compute_crosswalk(tl, layer, centres, fallback=fallback, tiles=tiles)  # type: ignore[arg-type]
        pop = tract_pop.reindex(cw["tract"]).fillna(0.0).to_numpy()
        est = (cw["weight"] * pop).groupby(cw["feature"]).sum()
        ref = reference[reference > 0]
        got = est.reindex(ref.index).fillna(0.0)
        err = (got - ref).abs() / ref * 100
        for kind in sorted(set(kinds)):
            part = kinds.reindex(ref.index) == kind
            e = err[part]
            print(
                f"| {labels[fallback]} | {kind} ({int(part.sum())}) | {e.median():.1f}% "
                f"| {e.quantile(0.9):.1f}% | {(e <= 10).mean() * 100:.0f}% "
                f"| {(got - ref).abs()[part].sum():,.0f} |"
            )
        big = ref[ref >= 500].index
        ratio = got[big] / ref[big]
        total = tract_pop.reindex(tl["id"]).fillna(0.0).sum()
        summary.append(
            f"| {labels[fallback]} | {int((got[big] <= 0).sum())} "
            f"| {int(((ratio <= 0.5) | (ratio >= 2)).sum())} of {len(big)} "
            f"| {100 * (est.sum() - total) / total:+.4f}% |"
        )
    print("\n| fallback | 500+ without a figure | 500+ outside 0.5-2x | layer total vs tracts |")
    print("|---|---:|---:|---:|")
    print("\n".join(summary))


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
    rebuilt, _ = rebuild_missing_tracts(tracts, land, centres)
    tracts = tiger.add_tracts(tracts, rebuilt, "derived", trim=False)
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
    kinds = communities.set_index("id")["city_type"].map(
        lambda t: "cities and LA communities" if t == "City" else "unincorporated"
    )
    compare_fallbacks(
        "Countywide Statistical Areas",
        communities,
        communities.set_index("id")["reference"],
        kinds,
        tl,
        centres,
        tract_pop,
        tiles=True,
    )


if __name__ == "__main__":
    main()
