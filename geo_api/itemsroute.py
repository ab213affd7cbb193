"""A direct ASGI route for ``/collections/{layer}/items``, the page web maps ask for most.

Every map pan asks for a new bbox, which no cache can answer. For such a page the work of
the route itself is about a millisecond, while FastAPI's routing and dependency solving
add as much again on the event loop, the one part that does not run in parallel. This
layer sends those requests straight to the same route function
(:func:`geo_api.routers.features.items`, in the thread pool, exactly as FastAPI would) and
maps its errors with the same problem responses; anything else (another path, an
unknown collection) goes on to FastAPI unchanged.
"""

from __future__ import annotations

import re
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from geo_api.errors import ApiError, api_error_response

ITEMS_PATH = re.compile(r"^/collections/([^/]+)/items$")


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
        try:
            response = await run_in_threadpool(
                items, request, layer, catalog, state.body_cache, base
            )
        except ApiError as exc:
            response = api_error_response(exc, str(request.url))
        await response(scope, receive, send)
