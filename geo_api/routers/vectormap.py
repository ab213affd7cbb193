"""``/maps/{layer}/{indicator}/vector``: the choropleth drawn by MapLibre GL from geo-api's
own vector tiles, with the classes of the folium map (same scheme, k, palette, breaks)."""

from __future__ import annotations

import orjson
from fastapi import APIRouter, Request
from starlette.responses import Response

from boundaries.indicators import INDICATORS
from geo_api.deps import BaseUrlDep, CacheDep, CatalogDep, polygon_layer
from geo_api.errors import InvalidParameter
from geo_api.html import render
from geo_api.mapvalues import indicator_values
from geo_api.openapi_params import VECTOR_MAP
from geo_api.query import unknown_params
from geo_api.responses import cached_response
from geo_api.routers.maps import classification_params
from maps.classify import classify
from maps.mapdata import OUTLINE_LINE, class_entries

router = APIRouter(tags=["Maps"])
NO_DATA = "#d9d9d9"


def fill_expression(indicator: str, upper: list[float], colors: list[str]) -> list:
    """A MapLibre expression giving each area its class colour: the same classes as
    :func:`maps.classify.classify` (a value equal to a class's upper bound is in it)."""
    value = ["to-number", ["get", indicator]]
    cases: list = ["case", ["!", ["has", indicator]], NO_DATA]
    for bound, color in zip(upper[:-1], colors[:-1], strict=False):
        cases += [["<=", value, bound], color]
    return [*cases, colors[len(upper) - 1] if upper else NO_DATA]


@router.get(
    "/maps/{layer}/{indicator}/vector",
    summary="Choropleth from vector tiles (MapLibre GL)",
    openapi_extra=VECTOR_MAP,
)
def vector_map(
    request: Request,
    layer: str,
    indicator: str,
    catalog: CatalogDep,
    cache: CacheDep,
    base: BaseUrlDep,
) -> Response:
    """The indicator over the layer, drawn by MapLibre GL from
    ``/collections/{layer}/tiles``: classes as on ``/maps/{layer}/{indicator}`` (``scheme``,
    ``k``, ``palette``, ``breaks``), low-reliability areas faded, estimate ± 90% MOE on
    hover. Every asset is served by geo-api."""
    unknown_params(set(request.query_params), {"scheme", "k", "palette", "breaks"})
    lyr = polygon_layer(catalog, layer, "map")
    valid = [i for i in lyr.indicators if f"{i}_moe" in lyr.properties]
    if indicator not in valid:
        raise InvalidParameter(f"indicator {indicator!r} has no values on {layer}", valid=valid)
    scheme, k, palette, breaks = classification_params(request.query_params)

    def body() -> bytes:
        values = indicator_values(lyr, indicator)
        cls = classify(values.values, scheme, k, palette, breaks)
        props = ",".join(["name", indicator, f"{indicator}_moe", f"{indicator}_reliability"])
        tiles = f"{base}/collections/{layer}/tiles/WebMercatorQuad/{{z}}/{{y}}/{{x}}"
        legend = class_entries(cls, values.unit)
        # city limits over tracts, as on the folium map (geo_api/routers/maps.py)
        outlines = None
        if layer == "tracts" and "cities" in catalog.layers:
            outlines = f"{base}/collections/cities/tiles/WebMercatorQuad/{{z}}/{{y}}/{{x}}"
            outlines += "?properties=name"
        return render(
            "vector_map.html",
            base=base,
            title=f"{INDICATORS[indicator].label}: {lyr.layer.title}",
            indicator=indicator,
            unit=values.unit,
            layer=layer,
            tiles=f"{tiles}?properties={props}",
            fill=orjson.dumps(fill_expression(indicator, cls.upper, cls.colors)).decode(),
            legend=legend,
            no_data=NO_DATA,
            vintage=values.vintage,
            source=values.source,
            extent=lyr.extent,
            folium=f"{base}/maps/{layer}/{indicator}",
            outlines=outlines,
            outline_color=OUTLINE_LINE,
        )

    return cached_response(request, cache, catalog.checksum, "text/html; charset=utf-8", body)
