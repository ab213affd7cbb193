"""A plan as GeoJSON (the chosen sites as features; the totals, the naive comparison and
the inputs as top-level members) and as CSV rows."""

from __future__ import annotations

from typing import Any

import numpy as np

from geo_api.catalog import Catalog
from geo_api.planning.demand import NEEDS
from geo_api.planning.plans import PlanResult, interval

FORMULAS = {
    "la-deal": "tract households × share without an internet subscription (ACS via CDC SVI "
    "2022), given to block groups by 2020 population",
    "community-schools": "tract children under 18 × poverty rate of all people (S1701), given "
    "to block groups by 2020 population; with schools as candidates, also each school's own "
    "FRPM-eligible pupils (CDE), reached by that school alone",
    "early-care": "tract children under 5 × their poverty rate (S1701), given to block "
    "groups by 2020 population",
}
DISTANCE = "straight-line metres in California Albers (EPSG:3310), not travel distance"


def _share(part: float, whole: float) -> float | None:
    return None if whole <= 0 else round(part / whole, 4)


def site_features(result: PlanResult) -> list[dict[str, Any]]:
    """One GeoJSON Feature per chosen (or given) site, in the order chosen."""
    sites = result.candidates
    out = []
    for order, (j, marginal) in enumerate(
        zip(result.plan.chosen, result.plan.marginal, strict=True)
    ):
        out.append(
            {
                "type": "Feature",
                "id": sites.ids[j],
                "geometry": {
                    "type": "Point",
                    "coordinates": [round(float(sites.lon[j]), 6), round(float(sites.lat[j]), 6)],
                },
                "properties": {
                    "id": sites.ids[j],
                    "order": order + 1,
                    "name": sites.names[j],
                    "layer": sites.layers[j],
                    "details": sites.details[j] or None,
                    "marginal": round(marginal, 1),
                    "chosen_share": round(float(result.chosen_share[j]), 3),
                },
            }
        )
    return out


def plan_document(result: PlanResult, catalog: Catalog, url: str) -> dict[str, Any]:
    """The whole answer (a GeoJSON FeatureCollection with top-level members)."""
    q = result.query
    plan, first = result.plan, result.naive
    shortfall = result.covered_draws - result.naive_draws
    return {
        "type": "FeatureCollection",
        "features": site_features(result),
        "program": q.program,
        "need": {"counts": NEEDS[q.program].words, "formula": FORMULAS[q.program]},
        "covered": interval(plan.covered, result.covered_draws),
        "naive": {
            **interval(first.covered, result.naive_draws),
            "sites": [result.candidates.ids[j] for j in first.chosen],
            "meaning": "the k candidates that each reach the most need on their own, overlap "
            "ignored (a ranked list of sites), with overlap counted once",
            "shortfall": interval(plan.covered - first.covered, shortfall),
        },
        "total_need": interval(result.total_need, result.total_draws),
        "already_met": interval(result.met_need, result.met_draws),
        "share_of_county_need": interval(
            _share(plan.covered, result.total_need) or 0.0,
            np.divide(
                result.covered_draws,
                result.total_draws,
                out=np.zeros_like(result.covered_draws),
                where=result.total_draws > 0,
            ),
            digits=4,
        ),
        "query": {
            "k": q.k,
            "candidates": list(q.candidates),
            "existing": q.existing,
            "radius_m": q.radius,
            "district": q.district,
            "sites": list(q.sites) or None,
            "draws": q.draws,
            "seed": q.seed,
        },
        "method": {
            "solver": plan.method,
            "distance": DISTANCE,
            "uncertainty": "the tract estimates behind the need are redrawn within their "
            "MOEs (truncated normal, PCG64 seeded); for each draw the plan is solved again "
            "from the chosen sites by single swaps while one covers more (chosen_share: how "
            "often a site is still chosen), and the chosen plan's coverage is evaluated on "
            "each draw (interval_90: 5th-95th percentile, widened to hold the estimate)",
            "documentation": "docs/methods.md, section 'Where to put the next k sites'",
        },
        "inputs": {
            "candidates": len(result.candidates.ids),
            "existing_sites": len(result.existing.ids),
            "school_pupils": round(result.pupils, 1) if result.pupils else None,
            "tracts_without_an_estimate": result.unknown_tracts,
            "store_checksum": catalog.checksum,
            "acs_vintages": sorted(
                {
                    str(catalog.layers["tracts"].vintage_of(i))
                    for i in (NEEDS[q.program].count, NEEDS[q.program].rate)
                    if catalog.layers["tracts"].vintage_of(i)
                }
            ),
            "access_points_vintage": "2019 inventory"
            if "access-points" in (*q.candidates, q.existing)
            else None,
        },
        "fewer_sites_than_k": len(plan.chosen) < q.k and not q.sites,
        "reproducibility": {"url": url},
    }


def csv_rows(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """One CSV row per chosen site."""
    return [
        {
            **f["properties"],
            "lon": f["geometry"]["coordinates"][0],
            "lat": f["geometry"]["coordinates"][1],
        }
        for f in doc["features"]
    ]
