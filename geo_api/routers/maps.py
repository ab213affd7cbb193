"""Choropleth maps: ``/maps/{layer}/{indicator}`` (full page), ``.../embed`` (for iframes),
``?f=png`` (static image). Rendering lives in :mod:`maps`; this module checks parameters,
gathers the values and metadata, and caches the bytes per ETag.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import numpy as np
from fastapi import APIRouter, Request
from starlette.datastructures import QueryParams
from starlette.responses import Response

from boundaries.indicators import INDICATORS
from boundaries.layers import is_water_tract
from boundaries.programs import SCHOOL_MEASURES
from boundaries.webgeom import fit_zoom
from geo_api.catalog import Catalog, LayerData
from geo_api.deps import BaseUrlDep, CacheDep, CatalogDep, polygon_layer
from geo_api.errors import AssetsMissing, InvalidParameter
from geo_api.mapvalues import PRIORITY_PREFIX, map_values, mappable
from geo_api.openapi_params import MAPS
from geo_api.query import int_param, parse_bbox, unknown_params
from geo_api.ranking import RankingCache
from geo_api.rankquery import RANKING_PARAMS
from geo_api.responses import cached_response
from geo_api.routers.documents import language_headers, page_language, switch_link
from geo_api.schoolselect import district_names
from geo_api.settings import Settings
from maps.choropleth import LEGEND_MODES, Assets, Tiles, View, hatched, render_map
from maps.classify import (
    MapParameterError,
    classify,
    parse_breaks,
    parse_k,
    parse_palette,
    parse_scheme,
)
from maps.i18n import translator
from maps.labels import Label, label_points
from maps.mapdata import MapData, Outlines, Points
from maps.pointcolors import share_colors, share_legend
from maps.static import MAX_SIZE, MIN_SIZE, render_png

router = APIRouter(tags=["Maps"])
PARAMS = {
    "scheme",
    "k",
    "palette",
    "breaks",
    "overlay",
    "f",
    "width",
    "height",
    "legend",
    "bbox",
    "highlight",
    "sd_type",
    "overlay_district",
    "overlay_color",
    "outline",
    "lang",
}
#: reference boundaries a map may draw over its areas (``outline=``): city limits; tract
#: maps draw them unless ``outline=none``
OUTLINE_LAYERS = ("cities",)
DEFAULT_OUTLINE = {"tracts": "cities"}
#: school-district maps: which types are drawn. Unified and elementary districts tile the
#: county; secondary districts overlap the elementary ones, so they are never drawn with them.
DISTRICT_VIEWS = {
    "elementary": ("unified", "elementary"),
    "secondary": ("unified", "secondary"),
    "unified": ("unified",),
}
DEFAULT_DISTRICT_VIEW = "elementary"
#: listed in a highlight= error when a layer has no more features than this
LIST_IDS_UP_TO = 300
OVERLAYS = ("schools",)
MAP_PIXELS = 900  # the view a layer's detail is simplified for; one zoom finer than its fit


def classification_params(q: QueryParams) -> tuple[str, int, str, list[float] | None]:
    """``scheme``, ``k``, ``palette`` and ``breaks`` of a map request (a 400 when invalid):
    the one parser of classification parameters for every map route."""
    try:
        scheme = parse_scheme(q.get("scheme"))
        return (
            scheme,
            parse_k(q.get("k")),
            parse_palette(q.get("palette")),
            parse_breaks(q.get("breaks"), scheme),
        )
    except MapParameterError as err:
        raise InvalidParameter(str(err), valid=err.valid) from None


def _check(request: Request, catalog: Catalog, layer_id: str, indicator: str) -> LayerData:
    ranking = indicator.startswith(PRIORITY_PREFIX)
    unknown_params(set(request.query_params), PARAMS | (RANKING_PARAMS if ranking else set()))
    layer = polygon_layer(catalog, layer_id, "map")
    valid = mappable(catalog, layer)
    if indicator not in valid:
        raise InvalidParameter(f"indicator {indicator!r} has no values on {layer_id}", valid=valid)
    return layer


def _map_data(
    catalog: Catalog,
    layer: LayerData,
    indicator: str,
    overlay: str | None,
    base: str,
    rankings: RankingCache,
    q: QueryParams,
    lang: str = "en",
) -> MapData:
    t = translator(lang)
    quantity = map_values(catalog, layer, indicator, rankings, q, t)
    minx, miny, maxx, maxy = layer.extent
    zoom = min(fit_zoom((minx, miny, maxx, maxy), MAP_PIXELS) + 1, 14)
    points = None
    if overlay == "schools":
        points = _schools(catalog, q.get("overlay_district"), t, q.get("overlay_color"))
    else:
        for name in ("overlay_district", "overlay_color"):
            if name in q:
                raise InvalidParameter(f"{name} needs overlay=schools", valid=["schools"])
    lid = layer.layer.id
    links = {
        "GeoJSON": f"{base}/collections/{lid}/items?f=json&limit=10000&zoom={zoom}",
        "CSV": f"{base}/collections/{lid}/items?f=csv&limit=10000",
        "PNG": f"{base}/maps/{lid}/{indicator}?f=png",
    }
    if indicator in INDICATORS:
        links["About this indicator"] = f"{base}/indicators/{indicator}"
        if lid == "tracts":
            links["Coarser layer"] = f"{base}/maps/neighborhoods/{indicator}"
    elif indicator.startswith(PRIORITY_PREFIX):
        params = [(k, v) for k, v in q.multi_items() if k in RANKING_PARAMS]
        query = urlencode([("layer", lid), *params])
        ranking = f"{base}/priorities/{indicator.removeprefix(PRIORITY_PREFIX)}?{query}"
        links["GeoJSON"], links["CSV"] = f"{ranking}&f=geojson", f"{ranking}&f=csv"
        links["Ranking"] = f"{ranking}&f=html"
    name, url = switch_link(f"{base}/maps/{lid}/{indicator}", q.multi_items(), lang)
    links[name] = url
    keep, shown = _shown_districts(layer, q)
    keep = _without_water(layer, quantity.values, keep)
    outlines = _outlines(catalog, layer, q.get("outline"), zoom, t)

    def pick(values: Any) -> Any:
        if keep is None or values is None or len(values) == 0:
            return values
        return values[keep] if isinstance(values, np.ndarray) else [values[i] for i in keep]

    return MapData(
        layer_title=t(layer.layer.title) + shown,
        indicator=indicator,
        label=t(quantity.label),
        unit=quantity.unit,
        vintage=quantity.vintage,
        source=quantity.source,
        ids=pick([r["id"] for r in layer.records]),
        names=pick([str(r.get("name") or r["id"]) for r in layer.records]),
        geoms=pick(layer.zoom_shapes(zoom)),
        values=pick(quantity.values),
        moes=pick(quantity.moes),
        reliability=pick(quantity.reliability),
        notes=pick(quantity.notes),
        cautions=pick(quantity.cautions),
        details=pick(quantity.details),
        places=pick(_places(layer)),
        labels=_labels(catalog, layer, keep),
        overlay=points,
        outlines=outlines,
        links=links,
        lang=lang,
        profile_url=f"{base}/collections/{lid}/items/{{id}}?f=html",
    )


def _outlines(
    catalog: Catalog, layer: LayerData, asked: str | None, zoom: int, t: Callable[[str], str]
) -> Outlines | None:
    """City limits over the map (``outline=cities``; the default on tract maps), simplified
    for the map's zoom, or ``None`` (``outline=none``, or on the cities map itself)."""
    valid = [*OUTLINE_LAYERS, "none"]
    chosen = asked if asked is not None else DEFAULT_OUTLINE.get(layer.layer.id, "none")
    if chosen not in valid:
        raise InvalidParameter(f"unknown outline {chosen[:40]!r}", valid=valid)
    if chosen == "none" or chosen == layer.layer.id:
        return None
    if chosen not in catalog.layers:
        if asked is None:  # the default, on a store without the layer: nothing to draw
            return None
        raise InvalidParameter(f"outline {asked!r} is not loaded in this store", valid=["none"])
    return Outlines(title=t("City boundaries"), geoms=catalog.layers[chosen].zoom_shapes(zoom))


def _schools(
    catalog: Catalog, district: str | None, t: Callable[[str], str], color: str | None = None
) -> Points:
    """The public schools overlay, or only one district's (``overlay_district``, matched
    ignoring case; a 400 lists the districts), coloured by a share of each school's
    pupils when ``color`` (``overlay_color``) names one (:data:`SCHOOL_COLORS`)."""
    schools = catalog.layers["schools"]
    rows = list(range(len(schools.records)))
    title = t("Public schools")
    if district is not None:
        wanted = district.strip().casefold()
        rows = [
            i for i in rows if str(schools.records[i].get("district") or "").casefold() == wanted
        ]
        if not rows:
            names = district_names(schools)
            raise InvalidParameter(f"no schools of district {district[:80]!r}", valid=names)
        title = t("Public schools of {district}").format(
            district=schools.records[rows[0]]["district"]
        )
    geom = schools.frame.geometry.iloc[rows]
    records = [schools.records[i] for i in rows]
    details = [
        " · ".join(str(rec.get(k)) for k in ("district", "school_type") if rec.get(k))
        for rec in records
    ]
    colors = legend = None
    if color is not None:
        shown = [c for c in SCHOOL_COLORS if c in schools.properties]
        if color not in shown:
            raise InvalidParameter(f"cannot colour schools by {color[:40]!r}", valid=shown)
        values = [rec.get(color) for rec in records]
        colors, legend = share_colors(values), share_legend(values, t)
        details = [
            " · ".join(p for p in (d, school_share_text(rec, color, t)) if p)
            for d, rec in zip(details, records, strict=True)
        ]
    return Points(
        title=title,
        lon=geom.x.to_numpy(),
        lat=geom.y.to_numpy(),
        names=[rec["name"] for rec in records],
        details=details,
        colors=colors,
        legend=legend,
        colored_by=t(SCHOOL_COLORS[color]) if color else None,
    )


#: the shares of a school's pupils its point can be coloured by: column → heading
SCHOOL_COLORS = {k: SCHOOL_MEASURES[k] for k in ("frpm_pct", "english_learners_pct")}
#: the count and the enrolment behind each share, and the column naming its year
SHARE_PARTS = {
    "frpm_pct": ("frpm_count", "enrollment", "frpm_year"),
    "english_learners_pct": ("english_learners", "upc_enrollment", "upc_year"),
}


def school_share_text(record: dict[str, Any], column: str, t: Callable[[str], str]) -> str:
    """ "Meals: 92.3% (473 of 512 pupils, 2022-23)" for a school's tooltip; "no count"
    when the school has none."""
    count, total, year = (record.get(k) for k in SHARE_PARTS[column])
    value = record.get(column)
    head = t(SCHOOL_COLORS[column])
    if value is None or count is None or total is None:
        return f"{head}: {t('no count')}"
    return t("{label}: {share}% ({count} of {total} pupils, {year})").format(
        label=head, share=f"{value:.1f}", count=f"{count:,.0f}", total=f"{total:,.0f}", year=year
    )


def _without_water(
    layer: LayerData, values: np.ndarray, keep: np.ndarray | None
) -> np.ndarray | None:
    """``keep`` less the water-only census tracts without a value: ocean drawn as "No
    data" would read as a place the survey missed (:func:`boundaries.layers.is_water_tract`)."""
    if layer.layer.id != "tracts":
        return keep
    water = np.array([is_water_tract(r["id"]) for r in layer.records]) & np.isnan(
        values.astype(float)
    )
    if not water.any():
        return keep
    rows = np.arange(len(layer.records)) if keep is None else keep
    return rows[~water[rows]]


def _shown_districts(layer: LayerData, q: QueryParams) -> tuple[np.ndarray | None, str]:
    """Which features a map draws (``None``: all) and the title's note. Only school
    districts have a choice (``sd_type``, :data:`DISTRICT_VIEWS`)."""
    if "sd_type" not in layer.properties:
        if "sd_type" in q:
            raise InvalidParameter("sd_type applies to the school-districts layer only")
        return None, ""
    view = q.get("sd_type", DEFAULT_DISTRICT_VIEW)
    if view not in DISTRICT_VIEWS:
        raise InvalidParameter(f"sd_type={view[:40]!r} is not a view", valid=list(DISTRICT_VIEWS))
    types = DISTRICT_VIEWS[view]
    keep = np.flatnonzero(np.isin(layer.values("sd_type"), types))
    return keep, f" ({' and '.join(types)})"


def _view(q: QueryParams, layer: LayerData, base: str, layer_id: str, indicator: str) -> View:
    """``legend``, ``bbox`` and ``highlight`` checked (a 400 listing the valid values)."""
    legend = q.get("legend", "auto")
    if legend not in LEGEND_MODES:
        raise InvalidParameter(
            f"legend={legend[:40]!r} is not a legend mode", valid=list(LEGEND_MODES)
        )
    bbox = parse_bbox(q["bbox"]) if "bbox" in q else None
    if bbox is not None:
        minx, miny, maxx, maxy = layer.extent
        if bbox[2] < minx or bbox[0] > maxx or bbox[3] < miny or bbox[1] > maxy:
            raise InvalidParameter(
                f"bbox does not overlap the layer's extent {[round(v, 4) for v in layer.extent]}"
            )
    highlight = None
    if "highlight" in q:
        wanted = q["highlight"]
        if wanted not in layer.by_id:
            ids = list(layer.by_id)
            raise InvalidParameter(
                f"highlight={wanted[:60]!r} is not a feature of {layer_id} "
                f"(ids: {layer.layer.id_scheme})",
                valid=ids if len(ids) <= LIST_IDS_UP_TO else None,
            )
        kind = layer.records[layer.by_id[wanted]].get("sd_type")
        shown = q.get("sd_type", DEFAULT_DISTRICT_VIEW)
        if kind is not None and kind not in DISTRICT_VIEWS.get(shown, ()):
            raise InvalidParameter(
                f"highlight={wanted!r} is a {kind} district, not drawn with sd_type={shown}",
                valid=[v for v, types in DISTRICT_VIEWS.items() if kind in types],
            )
        highlight = wanted
    skip = ("f", "width", "height", "legend")
    params = [(k, v) for k, v in q.multi_items() if k not in skip]
    full = f"{base}/maps/{layer_id}/{indicator}" + (f"?{urlencode(params)}" if params else "")
    return View(legend=legend, bbox=bbox, highlight=highlight, full_url=full)


def _labels(catalog: Catalog, layer: LayerData, keep: np.ndarray | None) -> list[Label]:
    """Names to draw: the areas' own; on tracts, the neighborhoods' (a reference layer:
    tract numbers mean nothing to a reader)."""
    source = catalog.layers.get("neighborhoods") if layer.layer.id == "tracts" else layer
    if source is None:
        return []
    rows = range(len(source.records)) if source is not layer or keep is None else keep
    names = [str(source.records[i].get("name") or "") for i in rows]
    geoms = source.frame.geometry.to_numpy()[list(rows)]
    return label_points(names, geoms)


def _places(layer: LayerData) -> list[str]:
    """Per tract, the neighborhood and city it mostly lies in (empty for other layers)."""
    if "neighborhood_name" not in layer.properties:
        return []
    return [
        ", ".join(str(r[k]) for k in ("neighborhood_name", "city") if r.get(k)) or "–"
        for r in layer.records
    ]


def _assets(settings: Settings, base: str) -> Assets:
    if settings.map_assets == "cdn":
        return Assets.cdn()
    if not (settings.assets_dir / "leaflet.js").is_file():
        raise AssetsMissing(
            "map assets (Leaflet) are not where GEO_API_ASSETS_DIR points on this server: "
            "unset it to use the copy shipped with geo-api, or set GEO_API_MAP_ASSETS=cdn"
        )
    return Assets.local(base)


def _serve(
    request: Request,
    catalog: Catalog,
    cache: CacheDep,
    base: str,
    layer_id: str,
    indicator: str,
    embed: bool,
) -> Response:
    layer = _check(request, catalog, layer_id, indicator)
    q = request.query_params
    scheme, k, palette, breaks = classification_params(q)
    overlay = q.get("overlay")
    if overlay is not None and overlay not in OVERLAYS:
        raise InvalidParameter(f"unknown overlay {overlay!r}", valid=list(OVERLAYS))
    if overlay is not None and overlay not in catalog.layers:
        loaded = [o for o in OVERLAYS if o in catalog.layers]
        raise InvalidParameter(f"overlay {overlay!r} is not loaded in this store", valid=loaded)
    fmt = q.get("f", "html")
    if fmt not in ("html", "png"):
        raise InvalidParameter(f"unknown map format {fmt!r}", valid=["html", "png"])
    lang = page_language(request)
    view = _view(q, layer, base, layer_id, indicator)
    width = int_param(q.get("width"), "width", 1200, MIN_SIZE, MAX_SIZE)
    height = int_param(q.get("height"), "height", 900, MIN_SIZE, MAX_SIZE)
    settings: Settings = request.app.state.settings
    assets = _assets(settings, base) if fmt == "html" else None
    tiles = (
        Tiles(settings.map_tiles, settings.map_tiles_attribution) if settings.map_tiles else None
    )

    def body() -> bytes:
        # a priority map's ranking takes its own slot; classifying and drawing take one here
        data = _map_data(
            catalog, layer, indicator, overlay, base, request.app.state.rankings, q, lang
        )

        def render() -> bytes:
            cls = classify(data.values, scheme, k, palette, breaks)
            if fmt == "png":
                legend = "hidden" if view.legend == "hidden" else "expanded"
                return render_png(
                    data, cls, width, height, view.bbox, view.highlight, legend, hatched(data)
                )
            skip = ("f", "width", "height")
            params = [(key, v) for key, v in q.multi_items() if key not in skip]
            embed_url = f"{base}/maps/{layer_id}/{indicator}/embed"
            if params:
                embed_url += "?" + urlencode(params)
            assert assets is not None
            page = render_map(data, cls, assets, tiles, embed=embed, embed_url=embed_url, view=view)
            return page.replace("<html>", f'<html lang="{data.lang}">', 1).encode()

        return request.app.state.limiter.run(render)

    media = "image/png" if fmt == "png" else "text/html; charset=utf-8"
    headers = language_headers(lang)
    return cached_response(
        request, cache, catalog.checksum, media, body, headers, variant=f"lang={lang}"
    )


@router.get(
    "/maps/{layer}/{indicator}", summary="Choropleth map (full page or PNG)", openapi_extra=MAPS
)
def full_map(
    request: Request,
    layer: str,
    indicator: str,
    catalog: CatalogDep,
    cache: CacheDep,
    base: BaseUrlDep,
) -> Response:
    """A choropleth of ``indicator`` over ``layer``. Parameters: ``scheme`` (quantiles,
    equal_interval, fisher_jenks, natural_breaks, user), ``k`` (3-9), ``breaks`` (with
    ``scheme=user``), ``palette`` (ColorBrewer sequential), ``overlay=schools``,
    ``f=html|png`` with ``width``/``height`` for PNG."""
    return _serve(request, catalog, cache, base, layer, indicator, embed=False)


@router.get(
    "/maps/{layer}/{indicator}/embed",
    summary="Compact choropleth for an iframe",
    openapi_extra=MAPS,
)
def embed_map(
    request: Request,
    layer: str,
    indicator: str,
    catalog: CatalogDep,
    cache: CacheDep,
    base: BaseUrlDep,
) -> Response:
    """The same map, compact, made to sit in an ``<iframe>`` on another site."""
    return _serve(request, catalog, cache, base, layer, indicator, embed=True)
