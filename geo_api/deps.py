"""FastAPI dependencies: the loaded catalogue, the body cache, base URLs, output format.

They are ``async`` because they only look things up: FastAPI runs a plain ``def``
dependency in the thread pool, and four such hops per request cost more than the work of
an uncached 100-feature page.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from geo_api.catalog import Catalog, LayerData
from geo_api.errors import InvalidParameter, NotFound
from geo_api.responses import BodyCache


async def get_catalog(request: Request) -> Catalog:
    """The catalogue loaded at start-up."""
    return request.app.state.catalog


async def get_cache(request: Request) -> BodyCache:
    """The response body cache."""
    return request.app.state.body_cache


async def get_layer(layer: str, catalog: Annotated[Catalog, Depends(get_catalog)]) -> LayerData:
    """The layer named in the path, or a 404 listing the valid ids."""
    if layer not in catalog.layers:
        raise NotFound(f"no collection {layer!r}", valid=list(catalog.layers))
    return catalog.layers[layer]


def polygon_layer(catalog: Catalog, layer_id: str, purpose: str) -> LayerData:
    """A polygon layer by id, or a 400 listing the polygon layers (for maps, rankings)."""
    polygons = [lid for lid, lyr in catalog.layers.items() if lyr.layer.kind == "polygon"]
    if layer_id not in polygons:
        raise InvalidParameter(f"cannot {purpose} layer {layer_id!r}", valid=polygons)
    return catalog.layers[layer_id]


def resolve_base_url(request: Request) -> str:
    """Absolute root URL (``GEO_API_BASE_URL`` when set behind a proxy), no trailing slash."""
    configured = request.app.state.settings.base_url
    return (configured or str(request.base_url)).rstrip("/")


async def base_url(request: Request) -> str:
    """The dependency form of :func:`resolve_base_url`."""
    return resolve_base_url(request)


CatalogDep = Annotated[Catalog, Depends(get_catalog)]
CacheDep = Annotated[BodyCache, Depends(get_cache)]
LayerDep = Annotated[LayerData, Depends(get_layer)]
BaseUrlDep = Annotated[str, Depends(base_url)]
