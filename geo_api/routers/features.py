"""OGC API - Features Part 1: landing page, conformance, collections, items, one item."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import geopandas as gpd
import numpy as np
import orjson
import shapely
from fastapi import APIRouter, Request
from starlette.responses import Response

from boundaries.indicators import INDICATORS
from boundaries.layers import LAYERS
from geo_api.catalog import Catalog, LayerData
from geo_api.crs import DEFAULT as DEFAULT_CRS
from geo_api.crs import Crs, crs_list, parse_crs_param, to_crs
from geo_api.deps import BaseUrlDep, CacheDep, CatalogDep, LayerDep
from geo_api.errors import InvalidParameter, NotFound
from geo_api.formats import MEDIA, negotiate, to_csv, to_gpkg
from geo_api.geojson import collection_parts, feature, feature_collection, feature_tail
from geo_api.gzipjoin import gzip_join
from geo_api.html import render
from geo_api.openapi_params import ITEM, ITEMS
from geo_api.pages.area import profile_context
from geo_api.query import parse_query, run_query
from geo_api.responses import BodyCache, cached_response
from geo_api.routers.documents import (
    JSON,
    doc_response,
    language_page,
    language_switch,
    link,
    page_language,
)
from geo_api.routers.pages import home_page
from maps.i18n import LANGUAGES, translator

router = APIRouter()

CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables-query-parameters",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-json",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
    "http://www.opengis.net/spec/cql2/1.0/conf/advanced-comparison-operators",
    "http://www.opengis.net/spec/cql2/1.0/conf/case-insensitive-comparison",
    "http://www.opengis.net/spec/cql2/1.0/conf/accent-insensitive-comparison",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tileset",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tilesets-list",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/geodata-tilesets",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/mvt",
]
GEOJSON = MEDIA["json"]


def _example_map(catalog: Catalog, base: str) -> list[dict[str, str]]:
    """A link to one map the store can draw (every layer's page links all of them)."""
    for layer in catalog.layers.values():
        for ind in layer.indicators:
            if layer.layer.kind == "polygon" and f"{ind}_moe" in layer.properties:
                url = f"{base}/maps/{layer.layer.id}/{ind}"
                title = "A choropleth map (any layer and indicator: /maps/{layer}/{indicator})"
                return [link(url, "related", "text/html", title)]
    return []


@router.get("/", summary="Landing page", tags=["OGC API - Features"])
def landing(request: Request, catalog: CatalogDep, cache: CacheDep, base: BaseUrlDep) -> Response:
    """Links to the API definition, the conformance declaration and the collections; a
    browser (``f=html`` or ``Accept: text/html``) gets the home page for people."""
    if negotiate(request, ("json", "html")) == "html":
        return home_page(request, catalog, cache, base)

    def doc() -> dict[str, Any]:
        return {
            "title": "geo-api: LA County equity indicators",
            "description": "ACS indicators with margins of error for LA County's tracts, "
            "cities, school districts, neighborhoods, SPAs and districts, served as "
            "OGC API - Features.",
            "links": [
                link(f"{base}/", "self", JSON, "This document"),
                link(f"{base}/?f=html", "alternate", "text/html", "The home page for people"),
                link(
                    f"{base}/openapi.json",
                    "service-desc",
                    "application/vnd.oai.openapi+json;version=3.0",
                    "The API definition",
                ),
                link(f"{base}/docs", "service-doc", "text/html", "The API documentation"),
                link(f"{base}/conformance", "conformance", JSON, "Conformance classes"),
                link(f"{base}/collections", "data", JSON, "The collections"),
                link(f"{base}/indicators", "describedby", JSON, "The indicator catalogue"),
                link(f"{base}/draw", "related", "text/html", "Figures for any drawn area"),
                link(
                    f"{base}/priorities/la-deal",
                    "related",
                    "application/json",
                    "Priority rankings (la-deal, community-schools, early-care)",
                ),
                *_example_map(catalog, base),
            ],
        }

    return cached_response(request, cache, catalog.checksum, JSON, lambda: orjson.dumps(doc()))


@router.get("/conformance", summary="Conformance declaration", tags=["OGC API - Features"])
def conformance(
    request: Request, catalog: CatalogDep, cache: CacheDep, base: BaseUrlDep
) -> Response:
    """The OGC API - Features conformance classes this server implements."""

    def doc() -> dict[str, Any]:
        return {
            "conformsTo": CONFORMANCE,
            "links": [
                link(f"{base}/conformance", "self", JSON),
                link(f"{base}/conformance?f=html", "alternate", "text/html"),
            ],
        }

    return doc_response(request, catalog, cache, base, doc, "conformance.html", "Conformance")


def collection_doc(layer: LayerData, base: str, catalog: Catalog) -> dict[str, Any]:
    """The OGC collection description of one layer, with indicators and vintage."""
    lid = layer.layer.id
    url = f"{base}/collections/{lid}"
    coverage = catalog.manifest.get("coverage", {}).get(lid, {})
    return {
        "id": lid,
        "title": layer.layer.title,
        "description": layer.layer.description,
        "itemType": "feature",
        "crs": crs_list(),
        "storageCrs": DEFAULT_CRS.uri,
        "extent": {
            "spatial": {
                "bbox": [layer.extent],
                "crs": "http://www.opengis.net/def/crs/OGC/1.3/CRS84",
            }
        },
        "numberOfFeatures": len(layer.records),
        "idScheme": layer.layer.id_scheme,
        "geometryType": "point" if layer.layer.kind == "point" else "polygon",
        "method": coverage.get("method", "whole tracts" if lid == "tracts" else None),
        "allocation": catalog.manifest.get("allocation") if coverage else None,
        "vintage": layer.vintages,
        "indicators": layer.status,
        "coverage": coverage or None,
        "links": [
            link(url, "self", JSON, "This collection"),
            link(f"{url}?f=html", "alternate", "text/html", "This collection as HTML"),
            link(f"{url}/items", "items", GEOJSON, "Features as GeoJSON"),
            link(f"{url}/items?f=html", "items", "text/html", "Features as HTML"),
            link(f"{url}/items?f=csv", "items", MEDIA["csv"], "Features as CSV"),
            link(f"{url}/items?f=gpkg&limit=10000", "enclosure", MEDIA["gpkg"], "GeoPackage"),
            link(
                f"{url}/queryables",
                "http://www.opengis.net/def/rel/ogc/1.0/queryables",
                SCHEMA_JSON,
                "Queryables",
            ),
            link(
                f"{url}/sortables",
                "http://www.opengis.net/def/rel/ogc/1.0/sortables",
                SCHEMA_JSON,
                "Sortables",
            ),
        ],
    }


@router.get("/collections", summary="Feature collections", tags=["OGC API - Features"])
def collections(
    request: Request, catalog: CatalogDep, cache: CacheDep, base: BaseUrlDep
) -> Response:
    """Every served layer with its feature count, extent and indicators."""

    def doc() -> dict[str, Any]:
        return {
            "collections": [collection_doc(lyr, base, catalog) for lyr in catalog.layers.values()],
            "links": [
                link(f"{base}/collections", "self", JSON),
                link(f"{base}/collections?f=html", "alternate", "text/html"),
            ],
        }

    return doc_response(
        request, catalog, cache, base, doc, "collections.html", "Collections", translated=True
    )


@router.get("/collections/{layer}", summary="One feature collection", tags=["OGC API - Features"])
def collection(
    request: Request, layer: LayerDep, catalog: CatalogDep, cache: CacheDep, base: BaseUrlDep
) -> Response:
    """Metadata of one layer: extent, vintage, method and indicator availability."""
    return doc_response(
        request,
        catalog,
        cache,
        base,
        lambda: collection_doc(layer, base, catalog),
        "collection.html",
        layer.layer.title,
        translated=True,
    )


def _page_links(
    request: Request, base: str, lid: str, offset: int, limit: int, matched: int, fmt: str
) -> list[dict[str, str]]:
    params = [(k, v) for k, v in request.query_params.multi_items() if k not in ("offset", "f")]
    kept = urlencode(params) + "&" if params else ""  # encoded once for every link
    url = f"{base}/collections/{lid}/items?{kept}"

    def href(off: int, f: str) -> str:
        return f"{url}offset={off}&f={f}" if off else f"{url}f={f}"

    links = [
        link(href(offset, "json"), "self" if fmt == "json" else "alternate", GEOJSON),
        link(href(offset, "html"), "self" if fmt == "html" else "alternate", "text/html"),
        link(href(offset, "csv"), "alternate", MEDIA["csv"]),
        link(href(offset, "gpkg"), "alternate", MEDIA["gpkg"]),
        link(f"{base}/collections/{lid}", "collection", JSON),
    ]
    if offset + limit < matched:
        links.append(link(href(offset + limit, fmt), "next", MEDIA[fmt], "Next page"))
    if offset > 0:
        links.append(link(href(max(offset - limit, 0), fmt), "prev", MEDIA[fmt], "Previous page"))
    return links


def crs_geometry(layer: LayerData, page: np.ndarray, zoom: int | None, crs: Crs) -> list[bytes]:
    """GeoJSON geometry bytes of the ``page`` features in ``crs`` (simplified for ``zoom``)."""
    shapes = layer.zoom_shapes(zoom) if zoom is not None else layer.frame.geometry.to_numpy()
    moved = to_crs(shapes[page], crs)
    return [s.encode() for s in shapely.to_geojson(moved)]


def _feature_collection(
    layer: LayerData,
    page: np.ndarray,
    matched: int,
    links: list[dict[str, str]],
    stamp: str,
    properties: list[str] | None,
    zoom: int | None = None,
    crs: Crs = DEFAULT_CRS,
) -> bytes:
    if properties is None and crs.is_default:
        whole = layer.zoom_features(zoom)
        features = [whole[i] for i in page]
    else:
        keep = list(dict.fromkeys(["id", "name", *(properties or layer.properties)]))
        tails = (
            layer.tails
            if properties is None
            else {i: feature_tail({k: layer.records[i].get(k) for k in keep}) for i in page}
        )
        if crs.is_default:
            geoms = layer.zoom_geometry(zoom)
            features = [feature(layer.heads[i], geoms[i], tails[i]) for i in page]
        else:
            features = [
                feature(layer.heads[i], g, tails[i])
                for i, g in zip(page, crs_geometry(layer, page, zoom, crs), strict=True)
            ]
    return feature_collection(
        features,
        numberMatched=matched,
        numberReturned=len(page),
        timeStamp=stamp,
        links=links,
    )


@router.get(
    "/collections/{layer}/items",
    summary="Features of a collection",
    tags=["OGC API - Features"],
    responses={200: {"content": {GEOJSON: {}, "text/html": {}, "text/csv": {}, MEDIA["gpkg"]: {}}}},
    openapi_extra=ITEMS,
)
def items(
    request: Request, layer: LayerDep, catalog: CatalogDep, cache: CacheDep, base: BaseUrlDep
) -> Response:
    """Features with paging (``limit``, ``offset``), ``bbox``, ``properties``, ``sortby``,
    equality filters (``?city=Los Angeles``) and range filters on numbers
    (``?no_subscription_pct>=20``, ``?population<1000``). Formats: ``f=json|html|csv|gpkg``.
    """
    fmt = negotiate(request, ("json", "html", "csv", "gpkg"))
    q = parse_query(list(request.query_params.multi_items()), layer)
    # the HTML table's language: lang= only (no Accept-Language), so that the page's URL,
    # which every cache keys on, says which language it holds
    lang = request.query_params.get("lang", "en")
    if lang not in LANGUAGES:
        raise InvalidParameter(f"lang={lang[:20]!r} is not offered", valid=list(LANGUAGES))
    lid = layer.layer.id
    stamp = str(catalog.manifest.get("built_at", ""))

    def page_and_links() -> tuple[np.ndarray, int, list[dict[str, str]]]:
        matched_idx = run_query(layer, q)
        page = matched_idx[q.offset : q.offset + q.limit]
        links = _page_links(request, base, lid, q.offset, q.limit, len(matched_idx), fmt)
        return page, len(matched_idx), links

    def body() -> bytes:
        page, matched, links = page_and_links()
        if fmt == "json":
            return _feature_collection(
                layer, page, matched, links, stamp, q.properties, q.zoom, q.crs
            )
        columns = list(dict.fromkeys(["id", "name", *(q.properties or layer.properties)]))
        records = [layer.records[i] for i in page]
        if fmt == "csv":
            points = list(layer.frame.geometry.iloc[page]) if layer.layer.kind == "point" else None
            return to_csv(records, columns, points)
        if fmt == "gpkg":
            frame = gpd.GeoDataFrame(
                layer.frame.iloc[page][[*columns, "geometry"]], crs=layer.frame.crs
            )
            if not q.crs.is_default:
                frame = frame.to_crs(q.crs.epsg)
            return to_gpkg(frame, lid.replace("-", "_"), _gpkg_description(layer, catalog))
        doc = {
            "numberMatched": matched,
            "numberReturned": len(page),
            "links": links,
            "features": [{"properties": r} for r in records],
        }
        # the figures people read (raw codes such as a neighbourhood's region slug stay in
        # the downloads)
        shown = [c for c in columns if c in ("id", "name") or c in INDICATORS][:12]
        t = translator(lang)
        return render(
            "items.html",
            doc=doc,
            base=base,
            title=t("{layer}: features").format(layer=t(layer.layer.title)),
            links=links,
            columns=shown,
            layer=lid,
            t=t,
            lang=lang,
        )

    headers = {}
    if fmt in ("json", "gpkg"):
        headers["Content-Crs"] = f"<{q.crs.uri}>"
    if fmt == "gpkg":
        headers["Content-Disposition"] = f'attachment; filename="{lid}.gpkg"'
    elif fmt == "csv":
        headers["Content-Disposition"] = f'attachment; filename="{lid}.csv"'
    one_off = q.bbox is not None or bool(q.equals) or bool(q.ranges) or q.cql is not None
    make_gzip = None
    if fmt == "json" and one_off and q.properties is None and q.crs.is_default:

        def make_gzip() -> bytes:
            page, matched, links = page_and_links()
            head, tail = collection_parts(
                numberMatched=matched, numberReturned=len(page), timeStamp=stamp, links=links
            )
            return gzip_join(head, tail, layer.gzip_fragments(q.zoom), page)

    return cached_response(
        request,
        cache,
        catalog.checksum,
        MEDIA[fmt],
        body,
        headers,
        one_off=one_off,
        make_gzip=make_gzip,
    )


SCHEMA_JSON = "application/schema+json"


def property_schema(layer: LayerData, base: str, kind: str) -> dict[str, Any]:
    """JSON Schema of the properties a client may filter on (``queryables``, with the
    geometry) or sort by (``sortables``)."""
    from geo_api.gpkgmeta import describe_column

    props: dict[str, Any] = {}
    for name in layer.properties:
        title, description = describe_column(name)
        entry: dict[str, Any] = {
            "title": title,
            "type": "number" if name in layer.numeric else "string",
        }
        if description:
            entry["description"] = description
        props[name] = entry
    if kind == "queryables":
        props["geometry"] = {"format": "geometry-any", "title": "Geometry (lon/lat)"}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"{base}/collections/{layer.layer.id}/{kind}",
        "type": "object",
        "title": f"{layer.layer.title}: {kind}",
        "properties": props,
        "additionalProperties": False,
    }


def _schema_answer(
    request: Request, layer: LayerData, catalog: Catalog, cache: BodyCache, base: str, kind: str
) -> Response:
    """``property_schema`` of ``kind`` as a cached ``application/schema+json`` answer."""

    def body() -> bytes:
        return orjson.dumps(property_schema(layer, base, kind))

    return cached_response(request, cache, catalog.checksum, SCHEMA_JSON, body)


@router.get(
    "/collections/{layer}/queryables",
    summary="Properties a filter may use (JSON Schema)",
    tags=["OGC API - Features"],
)
def queryables(
    request: Request, layer: LayerDep, catalog: CatalogDep, cache: CacheDep, base: BaseUrlDep
) -> Response:
    """Every property ``filter=`` (CQL2) and ``?name=value`` may use, with its type."""
    return _schema_answer(request, layer, catalog, cache, base, "queryables")


@router.get(
    "/collections/{layer}/sortables",
    summary="Properties sortby may use (JSON Schema)",
    tags=["OGC API - Features"],
)
def sortables(
    request: Request, layer: LayerDep, catalog: CatalogDep, cache: CacheDep, base: BaseUrlDep
) -> Response:
    """Every property ``sortby=`` accepts (``-name`` sorts descending, nulls last)."""
    return _schema_answer(request, layer, catalog, cache, base, "sortables")


def _gpkg_description(layer: LayerData, catalog: Catalog) -> str:
    """Title, ACS vintages, sources and build of a layer, for ``gpkg_contents``."""
    vintages = layer.vintages
    sources = sorted({str(s["dataset"]) for s in layer.status if s.get("dataset")})
    return (
        f"{layer.layer.title}: {layer.layer.description} ACS vintages "
        f"{', '.join(map(str, vintages)) or 'none'}; sources {', '.join(sources) or 'none'}; "
        f"geo-api store built {catalog.manifest.get('built_at', 'unknown')}, checksum "
        f"{catalog.checksum[:12]}. Estimates carry 90% margins of error (_moe), CVs (_cv) "
        "and reliability (_reliability)."
    )


@router.get(
    "/collections/{layer}/items/{feature_id}",
    summary="One feature",
    tags=["OGC API - Features"],
    openapi_extra=ITEM,
)
def item(
    request: Request,
    layer: LayerDep,
    feature_id: str,
    catalog: CatalogDep,
    cache: CacheDep,
    base: BaseUrlDep,
) -> Response:
    """One feature with every indicator, its MOE, CV, reliability (and the layer's vintage)."""
    fmt = negotiate(request, ("json", "html"))
    crs = parse_crs_param(request.query_params.get("crs"))
    index = layer.by_id.get(feature_id)
    lid = layer.layer.id
    if index is None:
        raise NotFound(f"no feature {feature_id!r} in {lid}; ids are: {LAYERS[lid].id_scheme}")
    url = f"{base}/collections/{lid}/items/{feature_id}"
    links = [
        link(url, "self" if fmt == "json" else "alternate", GEOJSON),
        link(f"{url}?f=html", "self" if fmt == "html" else "alternate", "text/html"),
        link(f"{base}/collections/{lid}", "collection", JSON),
    ]

    if fmt == "html":
        return _profile(request, catalog, cache, base, layer, index, links)

    def body() -> bytes:
        geometry = (
            layer.geometry_bytes[index]
            if crs.is_default
            else crs_geometry(layer, np.array([index]), None, crs)[0]
        )
        return feature(
            layer.heads[index], geometry, feature_tail(layer.records[index], links=links)
        )

    headers = {"Content-Crs": f"<{crs.uri}>"} if fmt == "json" else {}
    return cached_response(request, cache, catalog.checksum, MEDIA[fmt], body, headers)


def _profile(
    request: Request,
    catalog: Catalog,
    cache: BodyCache,
    base: str,
    layer: LayerData,
    index: int,
    links: list[dict[str, str]],
) -> Response:
    """The area profile page of feature ``index`` (:mod:`geo_api.pages.area`), in the
    page's language."""
    lang = page_language(request)
    t = translator(lang)
    switch = language_switch(request, lang, base)

    def page() -> bytes:
        county = request.app.state.county.get()
        ctx = profile_context(
            catalog, layer, index, county, request.app.state.rankings, base, t, lang
        )
        title = ctx["name"] + (f" · {ctx['where']}" if ctx["where"] else "")
        return render(
            "profile.html", base=base, title=title, links=links, t=t, lang=lang, **switch, **ctx
        )

    return language_page(request, cache, catalog, lang, page)
