"""``GET /draw``: draw a polygon or pick areas of a layer, read every figure with its 90%
MOE and compare it with any area; the page names places as the maps do and finds them by
name, so a planner can tell where they are drawing."""

from __future__ import annotations

import orjson
import shapely
from fastapi import APIRouter, Request
from starlette.responses import Response

from boundaries.custom import COUNTY_SHARE_MIN
from boundaries.indicators import INDICATORS
from geo_api.catalog import Catalog
from geo_api.deps import BaseUrlDep, CacheDep, CatalogDep
from geo_api.html import render
from geo_api.routers.areas import RELIABILITY_WORDS, status_source
from geo_api.routers.documents import language_page, language_switch, page_language
from maps.i18n import translator
from maps.labels import LABEL_CSS, LABELS_JS, label_points, label_rows
from maps.notes import ITEM_START, TRANSLATED_FIELDS, field_words, note_patterns

router = APIRouter(tags=["Custom areas"])
#: first view of the draw page: the LA basin and San Fernando Valley (lon/lat bounds)
BASIN = (-118.67, 33.70, -117.65, 34.35)
#: the layers whose names the page draws (by zoom) and finds
PLACE_LAYERS = ("neighborhoods", "cities")


def place_finder(catalog: Catalog) -> tuple[list[list], dict[str, list[float]]]:
    """The neighbourhood names to draw (:func:`maps.labels.label_rows`) and every
    neighbourhood's and city's bounds by name, for the page's search."""
    hoods = catalog.layers.get("neighborhoods")
    labels: list[list] = []
    if hoods is not None:
        names = [str(r.get("name") or "") for r in hoods.records]
        labels = label_rows(label_points(names, hoods.frame.geometry.to_numpy()))
    places: dict[str, list[float]] = {}
    for lid in PLACE_LAYERS:
        layer = catalog.layers.get(lid)
        if layer is None:
            continue
        bounds = shapely.bounds(layer.frame.geometry.to_numpy())
        for rec, box in zip(layer.records, bounds, strict=True):
            if rec.get("name"):
                places.setdefault(str(rec["name"]), [round(float(v), 4) for v in box])
    return labels, places


#: the draw page's words that its script writes (translated with the page)
DRAW_TEXT = (
    "no estimate",
    "unknown (no MOE)",
    "Land in LA County: {share}% of the area",
    "allocated from split tracts: {share}%",
    "{count} census tract(s)",
    "no tracts",
    "Download CSV",
    "Indicator",
    "Estimate ± 90% MOE",
    "Reliability",
    "No figures for this area.",
    "Computing…",
    "Figures for the drawn area.",
    "Draw an area or click one.",
    "{count} area(s) combined; click more to add, again to remove.",
    "Loading…",
    "Custom area",
    # "Compare with" (POST /compare)
    "Compare with",
    "Is the difference real, or within the margin of error? The Census Bureau's test at 90%.",
    "(choose an area)",
    "Difference (this area − {name})",
    "{value} points",
    "Significant at 90%?",
    "Yes",
    "No",
    "cannot be tested",
    # allocation methods (boundaries.crosswalk.allocation_method)
    "whole tracts",
    "apportioned by 2020 block-group population (centre in polygon)",
    "apportioned by land area",
    # finding a place
    "Find a place",
    "No area matches",
)


@router.get("/draw", summary="Draw or pick an area and see its figures")
def draw(request: Request, catalog: CatalogDep, cache: CacheDep, base: BaseUrlDep) -> Response:
    """An HTML page: draw a polygon or rectangle, or click features of a layer, to get every
    indicator with its 90% MOE and reliability, and a CSV download (``lang=en|es``)."""
    lang = page_language(request)
    t = translator(lang)
    layers = [
        {"id": lid, "title": t(lyr.layer.title)}
        for lid, lyr in catalog.layers.items()
        if lyr.layer.kind == "polygon"
    ]
    labels = {
        i: {"label": t(ind.label), "unit": ind.unit, "percent": ind.is_percent}
        for i, ind in INDICATORS.items()
    }
    tracts_layer = catalog.layers["tracts"]
    sources = {
        i: status_source(tracts_layer, i, t)["source"]
        for i in INDICATORS
        if i in tracts_layer.properties
    }
    # the populated basin, not the islands and desert that the county's extent includes
    tracts = tracts_layer.extent
    view = [
        max(a, b) if i < 2 else min(a, b)
        for i, (a, b) in enumerate(zip(tracts, BASIN, strict=True))
    ]
    if view[0] >= view[2] or view[1] >= view[3]:
        view = tracts

    def page() -> bytes:
        names, places = place_finder(catalog)
        return render(
            "draw.html",
            place_labels=orjson.dumps(names).decode(),
            places=orjson.dumps(places).decode(),
            label_css=LABEL_CSS,
            labels_js=LABELS_JS,
            base=base,
            title=t("Figures for any area"),
            layers=layers,
            labels=orjson.dumps(labels).decode(),
            words=orjson.dumps({k: t(v) for k, v in RELIABILITY_WORDS.items()}).decode(),
            text=orjson.dumps({k: t(k) for k in DRAW_TEXT}).decode(),
            sources=orjson.dumps(sources).decode(),
            notes=orjson.dumps(
                {
                    "split": ITEM_START.pattern,
                    "patterns": note_patterns(t),
                    "fields": field_words(t),
                    "translated": list(TRANSLATED_FIELDS),
                }
            ).decode(),
            view=view,
            county_min=COUNTY_SHARE_MIN,
            links=[],
            t=t,
            lang=lang,
            **language_switch(request, lang, base),
        )

    return language_page(request, cache, catalog, lang, page)
