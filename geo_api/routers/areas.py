"""Custom areas: ``POST /aggregate`` (a drawn area), ``GET /aggregate`` (a union of
features), ``GET /compare`` (a significance test between two areas) and ``GET /draw``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode

import geopandas as gpd
import orjson
import shapely
from fastapi import APIRouter, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from boundaries.compare import compare_rows, overlap
from boundaries.custom import MAX_PIECES, AreaResult
from boundaries.indicators import INDICATORS, untranslated
from geo_api.areas import AreaService
from geo_api.catalog import Catalog, LayerData, geometry_json
from geo_api.crs import DEFAULT as DEFAULT_CRS
from geo_api.crs import parse_crs_param
from geo_api.deps import BaseUrlDep, CacheDep, CatalogDep, polygon_layer
from geo_api.errors import InvalidParameter
from geo_api.formats import MEDIA, negotiate, to_csv, to_gpkg
from geo_api.geoinput import (
    MAX_BODY_BYTES,
    MAX_RINGS,
    MAX_VERTICES,
    InvalidGeometry,
    TooLarge,
)
from geo_api.html import render
from geo_api.pages.search import resolve
from geo_api.precision import round_properties, rounded
from geo_api.responses import BodyCache, cached_response
from geo_api.routers.documents import (
    JSON,
    language_page,
    language_switch,
    link,
    page_language,
)
from maps.i18n import translator
from maps.mapdata import RELIABILITY_TEXT
from maps.notes import (
    notes_text,
)

router = APIRouter(tags=["Custom areas"])

AREA_FORMATS = ("json", "csv", "gpkg")
COMPARE_FORMATS = ("json", "csv", "html")
MAX_IDS = 500
MAX_NAMES = 4
#: reliability in words, as on the maps (None: no MOE published)
RELIABILITY_WORDS = {k: v for k, v in RELIABILITY_TEXT.items() if k is not None}
AREA_BODY = {
    "requestBody": {
        "required": True,
        "description": "A GeoJSON Polygon, MultiPolygon, Feature or FeatureCollection (its "
        f"union), at most {MAX_BODY_BYTES:,} bytes, {MAX_VERTICES:,} vertices and "
        f"{MAX_RINGS:,} rings (polygons and holes), meeting census tracts at most "
        f"{MAX_PIECES:,} times; "
        "coordinates in EPSG:4326 unless crs= says otherwise.",
        "content": {
            media: {"schema": {"type": "object"}}
            for media in ("application/geo+json", "application/json")
        },
    }
}
FormatParam = Annotated[str | None, Query(description="json (GeoJSON Feature), csv or gpkg")]


def _service(request: Request) -> AreaService:
    return request.app.state.areas


def _feature_doc(
    result: AreaResult, geometry_bytes: bytes, base: str, extra: dict[str, Any]
) -> dict[str, Any]:
    props = result.properties
    return {
        "type": "Feature",
        "id": props["id"],
        "geometry": orjson.loads(geometry_bytes),
        "properties": props,
        "metadata": {**result.metadata, **extra},
        "links": [
            link(f"{base}/indicators", "describedby", JSON, "What each indicator means"),
            link(f"{base}/draw", "alternate", MEDIA["html"], "Draw or pick an area"),
        ],
    }


def _area_response(
    request: Request,
    result: AreaResult,
    geometry: shapely.Geometry,
    fmt: str,
    base: str,
    extra: dict[str, Any],
) -> tuple[bytes, str, dict[str, str]]:
    """Body, media type and headers of an aggregated area in ``fmt``."""
    catalog: Catalog = request.app.state.catalog
    result = AreaResult(round_properties(result.properties), result.crosswalk, result.metadata)
    if fmt == "csv":
        sources = "; ".join(
            f"{k}: {v['dataset']} {v['vintage']} ({', '.join(v['tables'])})"
            for k, v in result.metadata["indicators"].items()
        )
        body = to_csv(
            [result.properties],
            extra={
                "allocation_method": result.metadata["allocation_method"],
                "acs_sources": sources,
                "store_checksum": catalog.checksum,
            },
        )
        disposition = 'attachment; filename="aggregate.csv"'
        return body, MEDIA["csv"], {"Content-Disposition": disposition}
    if fmt == "gpkg":
        frame = gpd.GeoDataFrame([result.properties], geometry=[geometry], crs="EPSG:4326")
        description = (
            f"{result.properties['name']}: ACS figures with 90% margins of error "
            f"aggregated by geo-api ({result.metadata['allocation_method']})"
        )
        body = to_gpkg(frame, "aggregate", description)
        return body, MEDIA["gpkg"], {"Content-Disposition": 'attachment; filename="aggregate.gpkg"'}
    geo = geometry_json(gpd.GeoSeries([geometry]))[0]
    return orjson.dumps(_feature_doc(result, geo, base, extra)), MEDIA["json"], {}


async def _read_body(request: Request) -> bytes:
    """The request body, refused with a 413 as soon as it passes the limit."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise TooLarge(f"the body is {int(declared):,} bytes; the limit is {MAX_BODY_BYTES:,}")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise TooLarge(f"the body is over the limit of {MAX_BODY_BYTES:,} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


@router.post("/aggregate", summary="Figures for a drawn area", openapi_extra=AREA_BODY)
async def aggregate_posted(
    request: Request,
    base: BaseUrlDep,
    f: FormatParam = None,
    crs: Annotated[
        str | None, Query(description="CRS of the body: EPSG:4326 (default), 3857, 3310, 2229")
    ] = None,
    name: Annotated[str | None, Query(max_length=200, description="A name for the area")] = None,
) -> Response:
    """Every indicator for the union of the posted polygons, with 90% MOE, CV, reliability,
    ``allocated_share``, ``county_share``, coverage and ``data_notes`` (docs/methods.md,
    "Custom areas"). Less than half of the area on the county's land is a 422."""
    fmt = negotiate(request, AREA_FORMATS)
    body_crs = parse_crs_param(crs)
    # parsing, repair and union are CPU work: off the event loop, as is the answer's file
    body = await _read_body(request)
    geometry, notes = await run_in_threadpool(_service(request).parse, body, body_crs.epsg)
    result = await run_in_threadpool(
        _service(request).aggregate, geometry, name or "Custom area", tuple(notes)
    )
    extra = {"crs": body_crs.uri, "source": "posted geometry"}
    body, media, headers = await run_in_threadpool(
        _area_response, request, result, geometry, fmt, base, extra
    )
    return Response(body, media_type=media, headers={"Cache-Control": "no-store", **headers})


def _parse_ids(raw: str, layer: LayerData) -> list[str]:
    ids = list(dict.fromkeys(i.strip() for i in raw.split(",") if i.strip()))
    if not ids:
        raise InvalidParameter("ids= lists no feature ids (comma-separated)")
    if len(ids) > MAX_IDS:
        raise InvalidParameter(f"ids= lists {len(ids):,} features; the limit is {MAX_IDS}")
    unknown = [i for i in ids if i not in layer.by_id]
    if unknown:
        shown = ", ".join(repr(i[:40]) for i in unknown[:5])
        raise InvalidParameter(
            f"no feature {shown} in layer {layer.layer.id!r}: ids are the layer's "
            f"{layer.layer.id_scheme}"
        )
    return ids


@router.get("/aggregate", summary="Figures for a union of features")
def aggregate_features(
    request: Request,
    catalog: CatalogDep,
    cache: CacheDep,
    base: BaseUrlDep,
    layer: Annotated[str, Query(description="A polygon layer, e.g. neighborhoods")],
    ids: Annotated[str, Query(description="Comma-separated feature ids of that layer")],
    f: FormatParam = None,
) -> Response:
    """The same figures as ``POST /aggregate`` for the union of features of one layer: a
    census tract that several of them share is counted once."""
    fmt = negotiate(request, AREA_FORMATS)
    lyr = polygon_layer(catalog, layer, "aggregate")
    chosen = _parse_ids(ids, lyr)
    rows = [lyr.by_id[i] for i in chosen]
    geometry = shapely.union_all(lyr.frame.geometry.iloc[rows].to_numpy())
    names = [str(lyr.records[r].get("name") or lyr.records[r]["id"]) for r in rows]
    name = " + ".join(names[:MAX_NAMES]) + (
        f" + {len(names) - MAX_NAMES} more" if len(names) > MAX_NAMES else ""
    )
    service = _service(request)
    extra = {"crs": DEFAULT_CRS.uri, "source": {"layer": layer, "ids": chosen}}

    def body() -> bytes:
        result = service.aggregate(geometry, name)
        return _area_response(request, result, geometry, fmt, base, extra)[0]

    headers = {}
    if fmt in ("csv", "gpkg"):
        headers["Content-Disposition"] = f'attachment; filename="aggregate.{fmt}"'
    return cached_response(request, cache, catalog.checksum, MEDIA[fmt], body, headers=headers)


def _reference(
    value: str, catalog: Catalog, which: str, layer_hint: str | None = None
) -> tuple[LayerData, dict[str, Any]]:
    """``layer:id`` or ``layer:name`` (or a bare id or name with ``layer=``) → (layer,
    feature record), with 400 problems naming what is wrong; names ignore case."""
    layer_id, sep, feature_id = value.partition(":")
    if layer_hint and (not sep or layer_id not in catalog.layers):
        layer_id, sep, feature_id = layer_hint, ":", value
    if not sep or not feature_id.strip():
        raise InvalidParameter(
            f"{which}={value[:80]!r} is not <layer>:<id or name>, e.g. neighborhoods:Watts",
            valid=[lid for lid, lyr in catalog.layers.items() if lyr.layer.kind == "polygon"],
        )
    lyr = polygon_layer(catalog, layer_id, "compare")
    found = resolve(lyr, feature_id)
    if found is None:
        near = [
            str(r["name"])
            for r in lyr.records
            if r.get("name") and feature_id.strip().casefold() in str(r["name"]).casefold()
        ]
        raise InvalidParameter(
            f"no area named {feature_id[:80]!r} in layer {layer_id!r} ({which}=)",
            valid=sorted(near)[:20] or None,
        )
    return lyr, lyr.records[lyr.by_id[found]]


@dataclass(frozen=True)
class Side:
    """One side of a comparison: a feature of a layer, or a drawn area aggregated."""

    record: dict[str, Any]
    geometry: shapely.Geometry
    layer: LayerData | None  # None: a drawn area
    href: str | None

    @property
    def layer_id(self) -> str:
        """The side's layer id (``drawn`` for a drawn area)."""
        return self.layer.layer.id if self.layer is not None else "drawn"

    @property
    def indicators(self) -> set[str]:
        """The indicators this side carries with a margin of error."""
        names = self.layer.properties if self.layer is not None else self.record
        return {i for i in INDICATORS if f"{i}_moe" in names}


def _feature_side(
    catalog: Catalog, value: str, which: str, base: str, layer_hint: str | None = None
) -> Side:
    """``layer:id`` (or a name) as a comparison side (400s name what is wrong)."""
    lyr, rec = _reference(value, catalog, which, layer_hint)
    href = f"{base}/collections/{lyr.layer.id}/items/{rec['id']}"
    return Side(rec, lyr.frame.geometry.iloc[lyr.by_id[rec["id"]]], lyr, href)


def compare_doc(
    catalog: Catalog,
    a: str,
    b: str,
    base: str,
    t: Callable[[str], str] = untranslated,
    layer: str | None = None,
) -> dict[str, Any]:
    """The comparison of two features: per indicator both figures and the test (its
    notes, sources and data notes in the language of ``t``; English for JSON and CSV)."""
    sa = _feature_side(catalog, a, "a", base, layer)
    sb = _feature_side(catalog, b, "b", base, layer)
    query = urlencode(
        {"a": f"{sa.layer_id}:{sa.record['id']}", "b": f"{sb.layer_id}:{sb.record['id']}"}
    )
    links = [
        link(f"{base}/compare?{query}", "self", JSON),
        link(f"{base}/compare?{query}&f=html", "alternate", MEDIA["html"]),
        link(f"{base}/compare?{query}&f=csv", "alternate", MEDIA["csv"]),
    ]
    return _compare(catalog, sa, sb, links, t)


def _compare(
    catalog: Catalog,
    sa: Side,
    sb: Side,
    links: list[dict[str, str]],
    t: Callable[[str], str] = untranslated,
) -> dict[str, Any]:
    """Both sides' figures per indicator they share, the test, and what the test assumes."""
    common = [i for i in INDICATORS if i in sa.indicators & sb.indicators]
    rows = compare_rows(sa.record, sb.record, common, t=t)
    for row in rows:  # served precision (geo_api/precision.py); the test used full figures
        ind = row["indicator"]
        row["difference"] = rounded(ind, row["difference"])
        row["difference_moe"] = rounded(f"{ind}_moe", row["difference_moe"])
        row["z"] = round(row["z"], 2) if row["z"] is not None else None
    tracts = catalog.layers["tracts"]
    shared = overlap(tracts.frame, sa.geometry, sb.geometry)
    notes = []
    if shared["area_share"] > 0.001 or shared["shared_tracts"]:
        text = (
            "the areas overlap ({share}% of the smaller one) or share {count} census "
            "tract(s): the test assumes independent samples, and these figures partly rest "
            "on the same responses, so treat its results as approximate"
        )
        share = f"{100 * shared['area_share']:.1f}"
        notes.append(t(text).format(share=share, count=len(shared["shared_tracts"])))
    side = {
        key: {
            "layer": s.layer.layer.id if s.layer is not None else "drawn",
            "id": s.record["id"],
            "name": s.record.get("name"),
            "href": s.href,
            "data_notes": s.record.get("data_notes")
            if t is untranslated
            else notes_text(s.record.get("data_notes"), t),
        }
        for key, s in (("a", sa), ("b", sb))
    }
    # sources as the first layer-backed side states them (drawn areas: the tract layer's)
    source_layer = next((s.layer for s in (sa, sb) if s.layer is not None), tracts)
    return {
        **side,
        "confidence": 90,
        "test": "Census Bureau: Z = (a - b) / sqrt(SE_a² + SE_b²), SE = MOE / 1.645; "
        "significant when |Z| > 1.645",
        "overlap": shared,
        "notes": notes,
        "indicators": rows,
        "sources": {
            i: {"vintage": source_layer.vintage_of(i), **status_source(source_layer, i, t)}
            for i in common
        },
        "links": links,
    }


def status_source(
    layer: LayerData, indicator: str, t: Callable[[str], str] = untranslated
) -> dict[str, Any]:
    """Where ``indicator`` comes from on ``layer``: dataset, tables and plain words."""
    status = layer.status_of(indicator)
    words = layer.source_of(indicator, t)
    return {"dataset": status.get("dataset"), "tables": status.get("tables"), "source": words}


def _compare_csv(doc: dict[str, Any]) -> bytes:
    records = []
    for row in doc["indicators"]:
        records.append(
            {
                "indicator": row["indicator"],
                "label": row["label"],
                "a_estimate": row["a"]["estimate"],
                "a_moe": row["a"]["moe"],
                "a_reliability": row["a"]["reliability"],
                "b_estimate": row["b"]["estimate"],
                "b_moe": row["b"]["moe"],
                "b_reliability": row["b"]["reliability"],
                "difference": row["difference"],
                "difference_moe": row["difference_moe"],
                "z": row["z"],
                "significant_90": row["significant"],
                "note": row["note"],
            }
        )
    extra = {
        "a": f"{doc['a']['layer']}:{doc['a']['id']}",
        "b": f"{doc['b']['layer']}:{doc['b']['id']}",
    }
    return to_csv(records, extra=extra)


@router.get("/compare", summary="Is one area different from another?")
def compare(
    request: Request,
    catalog: CatalogDep,
    cache: CacheDep,
    base: BaseUrlDep,
    a: Annotated[
        str | None,
        Query(description="<layer>:<id or name>, e.g. neighborhoods:watts or neighborhoods:Watts"),
    ] = None,
    b: Annotated[
        str | None, Query(description="<layer>:<id or name>, e.g. neighborhoods:boyle-heights")
    ] = None,
    layer: Annotated[
        str | None, Query(description="the layer of a and b when they are bare ids or names")
    ] = None,
    f: Annotated[str | None, Query(description="json, csv or html")] = None,
) -> Response:
    """For each indicator both areas carry: both estimates with their 90% MOE, the
    difference and its MOE, and whether it is significant at 90% (Census Bureau test, for
    rates, medians and ratios; counts are not tested). Areas are named by id or by name
    (ignoring case). ``f=html`` without ``a`` and ``b`` is a form to choose them."""
    fmt = negotiate(request, COMPARE_FORMATS)
    lang = page_language(request) if fmt == "html" else "en"
    t = translator(lang)
    if layer is not None:
        polygon_layer(catalog, layer, "compare")
    if not a or not b:
        if fmt != "html":
            raise InvalidParameter("compare needs a= and b= (<layer>:<id or name>)")
        return _compare_form(request, catalog, cache, base, lang, layer, a or "", b or "")
    doc = compare_doc(catalog, a, b, base, t if lang != "en" else untranslated, layer)
    if fmt == "csv":
        headers = {"Content-Disposition": 'attachment; filename="compare.csv"'}
        return cached_response(
            request, cache, catalog.checksum, MEDIA["csv"], lambda: _compare_csv(doc), headers
        )
    if fmt == "html":
        title = t("{a} compared with {b}").format(a=doc["a"]["name"], b=doc["b"]["name"])

        def page() -> bytes:
            return render(
                "compare.html",
                doc=doc,
                base=base,
                title=title,
                links=doc["links"],
                words=RELIABILITY_WORDS,
                indicators=INDICATORS,
                layer_titles={lid: t(lyr.layer.title) for lid, lyr in catalog.layers.items()},
                t=t,
                lang=lang,
                **language_switch(request, lang, base),
            )

        return language_page(request, cache, catalog, lang, page)
    return cached_response(request, cache, catalog.checksum, JSON, lambda: orjson.dumps(doc))


def _compare_form(
    request: Request,
    catalog: Catalog,
    cache: BodyCache,
    base: str,
    lang: str,
    layer: str | None,
    a: str,
    b: str,
) -> Response:
    """The page that chooses two areas of a layer by name (names offered per layer)."""
    t = translator(lang)
    chosen = layer or "neighborhoods"
    layers = [
        {
            "id": lid,
            "title": t(lyr.layer.title),
            "names": sorted({str(r["name"]) for r in lyr.records if r.get("name")})
            if lid != "tracts"
            else [],
        }
        for lid, lyr in catalog.layers.items()
        if lyr.layer.kind == "polygon"
    ]

    def page() -> bytes:
        return render(
            "compare_form.html",
            base=base,
            title=t("Compare two areas"),
            links=[],
            layers=layers,
            chosen=chosen,
            a=a,
            b=b,
            t=t,
            lang=lang,
            **language_switch(request, lang, base),
        )

    return language_page(request, cache, catalog, lang, page)


COMPARE_BODY = {
    "requestBody": {
        "required": True,
        "description": 'A JSON object {"a": …, "b": …}: each side is "<layer>:<id>" (e.g. '
        '"neighborhoods:watts") or a drawn area as a GeoJSON Polygon, MultiPolygon, Feature '
        "or FeatureCollection (its union; a Feature's properties.name names it), in "
        "EPSG:4326 unless crs= says otherwise; at most "
        f"{MAX_BODY_BYTES:,} bytes, {MAX_VERTICES:,} vertices and {MAX_RINGS:,} rings per "
        "area.",
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["a", "b"],
                    "properties": {
                        "a": {"oneOf": [{"type": "string"}, {"type": "object"}]},
                        "b": {"oneOf": [{"type": "string"}, {"type": "object"}]},
                    },
                }
            }
        },
    }
}


async def _drawn_side(
    request: Request, value: dict[str, Any], which: str, epsg: int | None
) -> Side:
    """A posted GeoJSON area as a comparison side: aggregated as ``POST /aggregate`` does."""
    geometry, notes = await run_in_threadpool(_service(request).parse, orjson.dumps(value), epsg)
    props = value.get("properties") if value.get("type") == "Feature" else None
    name = props.get("name") if isinstance(props, dict) else None
    label = str(name)[:200] if name else f"Drawn area {which}"
    result = await run_in_threadpool(_service(request).aggregate, geometry, label, tuple(notes))
    return Side(round_properties(result.properties), geometry, None, None)


@router.post(
    "/compare", summary="Is a drawn area different from another area?", openapi_extra=COMPARE_BODY
)
async def compare_posted(
    request: Request,
    catalog: CatalogDep,
    base: BaseUrlDep,
    f: Annotated[str | None, Query(description="json or csv")] = None,
    crs: Annotated[
        str | None, Query(description="CRS of drawn areas: EPSG:4326 (default), 3857, 3310, 2229")
    ] = None,
) -> Response:
    """The test of ``GET /compare`` where either side, or both, may be a drawn area: each
    drawn area is aggregated as ``POST /aggregate`` aggregates it (same crosswalk, MOEs
    and reliability), then compared indicator by indicator."""
    fmt = negotiate(request, ("json", "csv"))
    body_crs = parse_crs_param(crs)
    raw = await _read_body(request)
    try:
        doc = await run_in_threadpool(orjson.loads, raw)
    except orjson.JSONDecodeError as exc:
        raise InvalidGeometry(f"the body is not JSON ({exc})") from None
    if not isinstance(doc, dict) or "a" not in doc or "b" not in doc:
        raise InvalidParameter('the body must be a JSON object {"a": …, "b": …}')
    sides = []
    for which in ("a", "b"):
        value = doc[which]
        if isinstance(value, str):
            sides.append(_feature_side(catalog, value, which, base))
        elif isinstance(value, dict):
            sides.append(await _drawn_side(request, value, which, body_crs.epsg))
        else:
            raise InvalidParameter(
                f'"{which}" must be "<layer>:<id>" or a GeoJSON area, not {type(value).__name__}'
            )
    result = await run_in_threadpool(_compare, catalog, sides[0], sides[1], [])
    headers = {"Cache-Control": "no-store"}
    if fmt == "csv":
        headers["Content-Disposition"] = 'attachment; filename="compare.csv"'
        return Response(_compare_csv(result), media_type=MEDIA["csv"], headers=headers)
    return Response(orjson.dumps(result), media_type=JSON, headers=headers)
