"""Query parameters declared in the OpenAPI document for routes that parse them by hand.

Items, maps and priorities read their query strings themselves (filters on any property,
``a>=20``), so FastAPI cannot infer them; these lists describe them for ``/openapi.json``
and ``/docs``. The parsers in :mod:`geo_api.query`, :mod:`maps.classify` and the routers
stay the single source of what is accepted.
"""

from __future__ import annotations

from typing import Any

from boundaries.webgeom import MAX_ZOOM, MIN_ZOOM
from geo_api.crs import crs_list
from geo_api.ranking import DEFAULT_DRAWS, DEFAULT_SEED, MAX_DRAWS, MIN_DRAWS
from maps.classify import MAX_K, MIN_K, PALETTES, SCHEMES
from maps.static import MAX_SIZE, MIN_SIZE


def param(name: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
    """One OpenAPI query parameter."""
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema,
    }


def extra(*params: dict[str, Any]) -> dict[str, Any]:
    """``openapi_extra`` for a route with these query parameters."""
    return {"parameters": list(params)}


ITEMS = extra(
    param(
        "filter",
        "CQL2 filter on the properties listed at queryables (and geometry), e.g. "
        "no_subscription_pct > 20 AND casei(city) = casei('los angeles').",
        {"type": "string"},
    ),
    param(
        "filter-lang",
        "Language of filter (cql-text is the draft name of cql2-text).",
        {"type": "string", "enum": ["cql2-text", "cql2-json", "cql-text"], "default": "cql2-text"},
    ),
    param(
        "limit",
        "Features per page (1-10000; larger values are clamped).",
        {"type": "integer", "minimum": 1, "maximum": 10000, "default": 100},
    ),
    param("offset", "Features to skip.", {"type": "integer", "minimum": 0, "default": 0}),
    param(
        "bbox",
        "minx,miny,maxx,maxy in lon/lat (CRS84), or in bbox-crs (its axis order).",
        {"type": "string"},
    ),
    param(
        "bbox-crs",
        "CRS of bbox (OGC API - Features Part 2).",
        {"type": "string", "enum": crs_list()},
    ),
    param(
        "crs",
        "CRS of the answer's geometry (Content-Crs says it).",
        {"type": "string", "enum": crs_list()},
    ),
    param(
        "zoom",
        "Web-map zoom: geometry simplified as a coverage and rounded for it.",
        {"type": "integer", "minimum": MIN_ZOOM, "maximum": MAX_ZOOM},
    ),
    param(
        "properties",
        "Comma-separated properties to return (id and name always).",
        {"type": "string"},
    ),
    param(
        "sortby", "Comma-separated properties, '-' for descending; nulls last.", {"type": "string"}
    ),
    param(
        "f",
        "Output format (or use the Accept header).",
        {"type": "string", "enum": ["json", "html", "csv", "gpkg"]},
    ),
)

ITEM = extra(
    param(
        "crs", "CRS of the geometry (Content-Crs says it).", {"type": "string", "enum": crs_list()}
    ),
)

MAPS = extra(
    param(
        "scheme",
        "Classification scheme (mapclassify).",
        {"type": "string", "enum": sorted(SCHEMES), "default": "quantiles"},
    ),
    param(
        "k",
        "Number of classes.",
        {"type": "integer", "minimum": MIN_K, "maximum": MAX_K, "default": 5},
    ),
    param(
        "breaks",
        "Upper class bounds, ascending, comma-separated (scheme=user).",
        {"type": "string"},
    ),
    param(
        "palette",
        "ColorBrewer sequential palette (colour-blind safe).",
        {"type": "string", "enum": sorted(PALETTES), "default": "YlOrRd"},
    ),
    param("overlay", "Draw public schools as points.", {"type": "string", "enum": ["schools"]}),
    param(
        "overlay_district",
        "With overlay=schools, only this district's schools (its name, any case).",
        {"type": "string"},
    ),
    param(
        "overlay_color",
        "With overlay=schools, colour each school by a share of its own pupils (CDE "
        "counts): free or reduced-price meals, or English learners.",
        {"type": "string", "enum": ["frpm_pct", "english_learners_pct"]},
    ),
    param(
        "outline",
        "Reference boundaries drawn over the areas as thin lines: city limits (the default "
        "on tract maps) or none.",
        {"type": "string", "enum": ["cities", "none"]},
    ),
    param(
        "legend",
        "Legend: expanded, collapsed (click or Enter opens it), hidden; auto collapses it on "
        "maps narrower than 600 px (phones, small embeds).",
        {"type": "string", "enum": ["auto", "expanded", "collapsed", "hidden"], "default": "auto"},
    ),
    param("bbox", "Open the map on minx,miny,maxx,maxy (lon/lat).", {"type": "string"}),
    param("highlight", "Outline this feature id and open the map on it.", {"type": "string"}),
    param(
        "lang",
        "Language of the page's text: en (default) or es (Spanish).",
        {"type": "string", "enum": ["en", "es"], "default": "en"},
    ),
    param(
        "sd_type",
        "School districts drawn: elementary (default: unified and elementary, which tile the "
        "county), secondary (unified and secondary) or unified.",
        {"type": "string", "enum": ["elementary", "secondary", "unified"]},
    ),
    param(
        "f",
        "html page or png image.",
        {"type": "string", "enum": ["html", "png"], "default": "html"},
    ),
    param(
        "width",
        "PNG width in pixels.",
        {"type": "integer", "minimum": MIN_SIZE, "maximum": MAX_SIZE, "default": 1200},
    ),
    param(
        "height",
        "PNG height in pixels.",
        {"type": "integer", "minimum": MIN_SIZE, "maximum": MAX_SIZE, "default": 900},
    ),
)

#: the vector-tile map takes the classification parameters only
VECTOR_MAP = extra(
    *(p for p in MAPS["parameters"] if p["name"] in ("scheme", "k", "breaks", "palette"))
)

PRIORITIES = extra(
    param(
        "layer",
        "Polygon layer to rank, or schools (community-schools only: each school's own "
        "pupils beside its area's ACS figures).",
        {"type": "string", "default": "neighborhoods"},
    ),
    param(
        "weights",
        "indicator:weight pairs overriding the program's defaults (0 drops one).",
        {"type": "string", "example": "poverty_pct:2,no_subscription_pct:1"},
    ),
    param(
        "seed",
        "Seed of the simulation.",
        {"type": "integer", "minimum": 0, "default": DEFAULT_SEED},
    ),
    param(
        "draws",
        "Simulation draws.",
        {"type": "integer", "minimum": MIN_DRAWS, "maximum": MAX_DRAWS, "default": DEFAULT_DRAWS},
    ),
    param(
        "min_population",
        "Leave areas with fewer people unranked (0 ranks every area).",
        {"type": "integer", "minimum": 0, "default": 1000},
    ),
    param(
        "min_households",
        "Leave areas with fewer households unranked when an input is measured over "
        "households (default 300; 0 when min_population=0 is given alone).",
        {"type": "integer", "minimum": 0, "default": 300},
    ),
    param(
        "context",
        "layer=schools: the area whose ACS figures stand beside each school's own.",
        {"type": "string", "enum": ["tract", "neighborhood"], "default": "tract"},
    ),
    param(
        "district",
        "layer=schools: only this district's schools (its name, any case; LAUSD too).",
        {"type": "string", "example": "Los Angeles Unified"},
    ),
    param(
        "school_type",
        "layer=schools: only schools of this CDE type.",
        {"type": "string", "example": "Elementary Schools (Public)"},
    ),
    param(
        "grade",
        "layer=schools: only schools whose grade span includes this grade.",
        {"type": "string", "enum": ["P", "K", *(str(g) for g in range(1, 13)), "Adult"]},
    ),
    param(
        "min_enrollment",
        "layer=schools: leave schools with fewer K-12 pupils unranked.",
        {"type": "integer", "minimum": 0, "default": 50},
    ),
    param(
        "f",
        "Output format.",
        {"type": "string", "enum": ["json", "geojson", "csv", "html"], "default": "json"},
    ),
)


PLANS = extra(
    param("k", "Sites to choose.", {"type": "integer", "minimum": 1, "maximum": 50, "default": 10}),
    param(
        "candidates",
        "Comma-separated layers whose features may be chosen: access-points, schools, tracts "
        "(a point on each tract's land). Default per program.",
        {"type": "string", "example": "access-points,schools"},
    ),
    param(
        "existing",
        "Sites already in place, whose reach counts as met.",
        {"type": "string", "enum": ["access-points", "community-schools", "none"]},
    ),
    param(
        "radius_m",
        "Reach of a site, straight-line metres (EPSG:3310).",
        {"type": "integer", "minimum": 200, "maximum": 10000, "default": 1609},
    ),
    param(
        "district",
        "With schools among the candidates: only this district's schools (any case; LAUSD).",
        {"type": "string"},
    ),
    param(
        "draws",
        "Redraws of the survey estimates (0 for none).",
        {"type": "integer", "minimum": 0, "maximum": 200, "default": 100},
    ),
    param("seed", "Seed of the draws.", {"type": "integer", "minimum": 0, "default": DEFAULT_SEED}),
    param(
        "sites",
        "Evaluate these sites (comma-separated layer:id, at most 50) instead of choosing.",
        {"type": "string", "example": "schools:19647336015887"},
    ),
    param(
        "f",
        "Output format.",
        {"type": "string", "enum": ["json", "geojson", "csv", "html"], "default": "json"},
    ),
)
