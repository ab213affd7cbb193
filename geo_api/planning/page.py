"""A plan as a page: the headline with its interval, a map of the chosen sites with their
reach, the existing sites and the need, the sites in order, and how it was made."""

from __future__ import annotations

import html
import math
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import shapely
from fastapi import Request

from geo_api.catalog import Catalog
from geo_api.html import render
from geo_api.planning.plans import PlanResult
from geo_api.routers.documents import language_switch
from maps.i18n import translator

#: the layer whose outlines give the map its geography, and its zoom for simplification
CONTEXT = ("spas", 9)
#: block-group demand drawn on the map: only points above this share of the largest
DEMAND_FLOOR = 0.02
LAYER_WORDS = {
    "access-points": "public internet access points",
    "schools": "public schools",
    "tracts": "census tracts (a point on each tract's land)",
}
EXISTING_WORDS = {
    "access-points": "public internet access points (2019)",
    "community-schools": "known Community Schools (partial list)",
    "none": "none",
}


def _fmt(value: float | None) -> str:
    return "–" if value is None or not math.isfinite(value) else f"{value:,.0f}"


def map_data(result: PlanResult, catalog: Catalog, t: Callable[[str], str]) -> dict[str, Any]:
    """What the page's map draws (lon/lat rounded to 5 decimals)."""
    ctx_id, zoom = CONTEXT
    context = catalog.layers.get(ctx_id)
    shapes: list[Any] = list(context.zoom_shapes(zoom)) if context is not None else []
    sites = result.candidates
    chosen = [
        [round(float(sites.lon[j]), 5), round(float(sites.lat[j]), 5), html.escape(sites.names[j]),
         n + 1, t("adds {count}").format(count=_fmt(m))]
        for n, (j, m) in enumerate(zip(result.plan.chosen, result.plan.marginal, strict=True))
    ]  # fmt: skip
    existing = result.existing
    tracts = catalog.layers["tracts"]
    minx, miny, maxx, maxy = tracts.extent
    return {
        "context": {
            "type": "FeatureCollection",
            "features": [
                {"type": "Feature", "properties": {}, "geometry": shapely.geometry.mapping(g)}
                for g in shapes
            ],
        },
        "demand": result_demand(result),
        "existing": [
            [round(float(x), 5), round(float(y), 5), html.escape(name)]
            for x, y, name in zip(existing.lon, existing.lat, existing.names, strict=True)
        ],
        "sites": chosen,
        "radius": result.query.radius,
        "extent": [[miny, minx], [maxy, maxx]],
    }


def result_demand(result: PlanResult) -> list[list[float]]:
    """Block-group demand points as [lon, lat, need] (the largest needs first drawn last)."""
    points = result.demand_lonlat
    need = result.demand_need
    if len(need) == 0:
        return []
    floor = DEMAND_FLOOR * float(need.max())
    keep = [i for i in range(len(need)) if need[i] > floor]
    keep.sort(key=lambda i: need[i])
    return [
        [round(float(points[i, 0]), 5), round(float(points[i, 1]), 5), round(float(need[i]), 1)]
        for i in keep
    ]


def plan_page(
    doc: dict[str, Any],
    result: PlanResult,
    catalog: Catalog,
    base: str,
    request: Request,
    lang: str,
) -> bytes:
    """The plan as a page in ``lang``."""
    t = translator(lang)
    q = [(k, v) for k, v in request.query_params.multi_items() if k not in ("f", "lang")]
    here = f"{base}/plans/{result.query.program}?"
    return render(
        "plan.html",
        doc=doc,
        base=base,
        title=t("{program}: where to put the next {k} sites").format(
            program=t(PROGRAM_TITLES[result.query.program]), k=result.query.k
        ),
        t=t,
        lang=lang,
        links=[
            {"rel": "alternate", "type": "application/geo+json", "href": here + urlencode(q)},
            {"rel": "alternate", "type": "text/csv", "href": here + urlencode([*q, ("f", "csv")])},
        ],
        fmt=_fmt,
        map_data=map_data(result, catalog, t),
        existing=result.existing.ids,
        layer_words=LAYER_WORDS,
        existing_words=EXISTING_WORDS[result.query.existing],
        formula=FORMULA_WORDS[result.query.program],
        **language_switch(request, lang, base),
    )


PROGRAM_TITLES = {
    "la-deal": "LA DEAL (regional broadband consortium)",
    "community-schools": "LAUSD Community Schools",
    "early-care": "Early care and education",
}
FORMULA_WORDS = {
    "la-deal": "each tract's households without an internet subscription, shared among its "
    "block groups by their 2020 population",
    "community-schools": "each tract's children under 18 times its poverty rate, shared among "
    "its block groups by their 2020 population; a candidate school also reaches its own "
    "pupils eligible for free or reduced-price meals",
    "early-care": "each tract's children under 5 in poverty, shared among its block groups "
    "by their 2020 population",
}
