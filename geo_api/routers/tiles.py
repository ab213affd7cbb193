"""OGC API - Tiles for every collection: vector tiles (MVT), tileset metadata, TileJSON."""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from geo_api.catalog import LayerData
from geo_api.deps import BaseUrlDep, CacheDep, CatalogDep, LayerDep
from geo_api.errors import UnknownParameter
from geo_api.responses import cached_response
from geo_api.routers.documents import JSON, link
from geo_api.tiles import MVT, TMS_ID, check_tile, encode_tile, tms

router = APIRouter(tags=["OGC API - Tiles"])

MERCATOR = "http://www.opengis.net/def/crs/EPSG/0/3857"
TILING_SCHEME = "http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme"
TEMPLATE = "{tileMatrix}/{tileRow}/{tileCol}"


def _tileset_url(base: str, layer: LayerData) -> str:
    return f"{base}/collections/{layer.layer.id}/tiles/{TMS_ID}"


def tileset_doc(layer: LayerData, base: str) -> dict[str, Any]:
    """The OGC tileset metadata of a collection's vector tiles."""
    url = _tileset_url(base, layer)
    geometry = "points" if layer.layer.kind == "point" else "polygons"
    return {
        "title": f"{layer.layer.title}: vector tiles",
        "dataType": "vector",
        "crs": MERCATOR,
        "tileMatrixSetURI": tms().uri,
        "layers": [
            {
                "id": layer.layer.id,
                "dataType": "vector",
                "geometryType": geometry,
                "propertiesSchema": {
                    "type": "object",
                    "properties": {
                        p: {"type": "number" if p in layer.numeric else "string"}
                        for p in layer.properties
                    },
                },
            }
        ],
        "links": [
            link(url, "self", JSON),
            link(str(tms().uri), TILING_SCHEME, JSON, "WebMercatorQuad"),
            {**link(f"{url}/{TEMPLATE}", "item", MVT, "Vector tiles"), "templated": True},
            link(f"{url}/tilejson.json", "alternate", JSON, "TileJSON 3.0.0"),
            link(f"{base}/collections/{layer.layer.id}", "collection", JSON),
        ],
    }


#: the deepest zoom whose tiles still add detail: a pixel there is ~2.4 m at LA's latitude,
#: about the vertex spacing of the TIGER and County boundaries; clients overzoom beyond it
#: (the tiles themselves are served to zoom 22)
DETAIL_MAXZOOM = 16


def tilejson_doc(layer: LayerData, base: str) -> dict[str, Any]:
    """TileJSON 3.0.0 of a collection's tiles (MapLibre, Mapbox GL, QGIS read it)."""
    url = _tileset_url(base, layer)
    return {
        "tilejson": "3.0.0",
        "name": layer.layer.id,
        "description": layer.layer.description,
        "tiles": [f"{url}/{{z}}/{{y}}/{{x}}"],
        "minzoom": 0,
        "maxzoom": DETAIL_MAXZOOM,
        "bounds": layer.extent,
        "vector_layers": [
            {
                "id": layer.layer.id,
                "fields": {
                    p: "Number" if p in layer.numeric else "String" for p in layer.properties
                },
            }
        ],
    }


@router.get("/collections/{layer}/tiles", summary="Tilesets of a collection")
def tilesets(
    request: Request, layer: LayerDep, catalog: CatalogDep, cache: CacheDep, base: BaseUrlDep
) -> Response:
    """The collection's tilesets: vector tiles in WebMercatorQuad."""
    url = _tileset_url(base, layer)

    def body() -> bytes:
        doc = tileset_doc(layer, base)
        entry = {k: doc[k] for k in ("title", "dataType", "crs", "tileMatrixSetURI")}
        entry["links"] = [link(url, "self", JSON), doc["links"][1]]
        return orjson.dumps({"tilesets": [entry], "links": [link(f"{url}s", "self", JSON)]})

    return cached_response(request, cache, catalog.checksum, JSON, body)


@router.get("/collections/{layer}/tiles/{tileMatrixSetId}", summary="A tileset's metadata")
def tileset(
    request: Request,
    layer: LayerDep,
    tileMatrixSetId: str,
    catalog: CatalogDep,
    cache: CacheDep,
    base: BaseUrlDep,
) -> Response:
    """Tileset metadata: tile matrix set, layer schema and the tile URL template."""
    check_tile(tileMatrixSetId, 0, 0, 0)
    return cached_response(
        request, cache, catalog.checksum, JSON, lambda: orjson.dumps(tileset_doc(layer, base))
    )


@router.get(
    "/collections/{layer}/tiles/{tileMatrixSetId}/tilejson.json", summary="TileJSON of a tileset"
)
def tilejson(
    request: Request,
    layer: LayerDep,
    tileMatrixSetId: str,
    catalog: CatalogDep,
    cache: CacheDep,
    base: BaseUrlDep,
) -> Response:
    """TileJSON 3.0.0: the tile URL template, zoom range, bounds and fields."""
    check_tile(tileMatrixSetId, 0, 0, 0)
    return cached_response(
        request, cache, catalog.checksum, JSON, lambda: orjson.dumps(tilejson_doc(layer, base))
    )


@router.get(
    "/collections/{layer}/tiles/{tileMatrixSetId}/{tileMatrix}/{tileRow}/{tileCol}",
    summary="A vector tile (MVT)",
)
def tile(
    request: Request,
    layer: LayerDep,
    tileMatrixSetId: str,
    tileMatrix: int,
    tileRow: int,
    tileCol: int,
    catalog: CatalogDep,
    cache: CacheDep,
    properties: Annotated[
        str | None,
        Query(description="Comma-separated properties to carry (default all; id always)"),
    ] = None,
) -> Response:
    """One Mapbox Vector Tile with the properties of the features in it (cached, ETag)."""
    check_tile(tileMatrixSetId, tileMatrix, tileRow, tileCol)
    keep = None
    if properties is not None:
        keep = list(dict.fromkeys(["id", *(p.strip() for p in properties.split(",") if p.strip())]))
        unknown = [p for p in keep if p not in layer.properties]
        if unknown:
            raise UnknownParameter(f"unknown properties {unknown[:5]}", valid=layer.properties)
    limiter = request.app.state.tile_limiter

    def body() -> bytes:
        return limiter.run(lambda: encode_tile(layer, tileMatrix, tileRow, tileCol, keep))

    return cached_response(request, cache, catalog.checksum, MVT, body)
