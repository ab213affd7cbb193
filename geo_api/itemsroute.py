"""A direct ASGI route for ``/collections/{layer}/items``, the page web maps ask for most.

Every map pan asks for a new bbox, which no cache can answer. For such a page the work of
the route itself is under a millisecond, while FastAPI's routing and dependency solving
add as much again on the event loop. This layer sends those requests straight to the same
route function (:func:`geo_api.routers.features.items`) and maps its errors with the same
problem responses; anything else (another path, an unknown collection) goes on to FastAPI
unchanged.

Small GeoJSON pages in the stored CRS (:func:`runs_inline`) are built on the event loop
itself. Handing them to the thread pool cost more than building them: the hop, and then
the two threads taking turns at the interpreter lock, which Python hands over only every
5 ms (``sys.getswitchinterval``). Measured with 32 connections asking for a new 100-tract
bbox each time, one server process, the thread-pool version and this one in alternation:
the server's CPU per page fell from 1.39 to 0.70 ms and throughput rose from 850 to 1,420
req/s (benchmarks/run.py measures the same case). A page is bounded by
``INLINE_MAX_LIMIT`` features (~12 ms at the bound, all of the county's tracts in one
bbox); other formats, reprojection and CQL2 filters, whose cost has no such bound, still
go to the thread pool.
"""

from __future__ import annotations

import re
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from geo_api.crs import CRS84
from geo_api.errors import ApiError, answer_error
from geo_api.formats import negotiate

ITEMS_PATH = re.compile(r"^/collections/([^/]+)/items$")
#: the largest page built on the event loop (larger ones go to the thread pool)
INLINE_MAX_LIMIT = 1000


def runs_inline(request: Request) -> bool:
    """Whether an items request is cheap enough to build on the event loop: a GeoJSON
    page of at most ``INLINE_MAX_LIMIT`` features in CRS84 without a CQL2 filter."""
    params = request.query_params
    if "filter" in params or params.get("crs", CRS84) != CRS84:
        return False
    limit = params.get("limit", "100")
    if not limit.isdigit() or int(limit) > INLINE_MAX_LIMIT:
        return False
    try:
        return negotiate(request, ("json", "html", "csv", "gpkg")) == "json"
    except ApiError:
        return False  # the route answers it (with the same error)


class ItemsRoute:
    """ASGI middleware answering GET ``/collections/{layer}/items`` for loaded layers."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve the items page directly, or pass the request on."""
        if scope["type"] != "http" or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        match = ITEMS_PATH.match(scope["path"])
        app = scope.get("app")  # Starlette sets it before the middleware stack runs
        state: Any = getattr(app, "state", None)
        catalog = getattr(state, "catalog", None)
        if match is None or catalog is None or match.group(1) not in catalog.layers:
            await self.app(scope, receive, send)
            return
        from geo_api.deps import resolve_base_url
        from geo_api.routers.features import items

        request = Request(scope, receive)
        layer = catalog.layers[match.group(1)]
        base = resolve_base_url(request)
        args = (request, layer, catalog, state.body_cache, base)
        try:
            if runs_inline(request):
                response = items(*args)
            else:
                response = await run_in_threadpool(items, *args)
        except ApiError as exc:
            response = answer_error(request, exc)
        await response(scope, receive, send)
