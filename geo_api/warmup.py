"""Warm-up at start-up: the costly first requests are made before the server accepts any.

The first map pays for importing mapclassify and compiling its numba code, the first
ranking for a simulation, the first ``zoom=`` page for the coverage simplification; a
visitor who arrives first should not wait 3-10 s for them. :func:`warm` sends the default
pages, maps and rankings through the app itself (a direct ASGI call: no socket, no
client library) while the lifespan runs, so ``/healthz`` answers only once they are done.
Bodies cached here are keyed by the warm-up host; what carries over to real requests are
the rankings, the simplified geometry, the imported and compiled classification code,
the custom-area inputs read from the store, and every feature's precompressed gzip
fragment (:mod:`geo_api.gzipjoin`).
"""

from __future__ import annotations

import logging
import time
from typing import Any

from starlette.concurrency import run_in_threadpool

from boundaries.programs import PROGRAMS
from geo_api.catalog import Catalog
from geo_api.errors import ApiError

log = logging.getLogger(__name__)
DEFAULT_MAP_LAYER = "neighborhoods"


def warm_paths(catalog: Catalog) -> list[str]:
    """The default pages, maps and rankings for ``catalog``'s layers."""
    paths = ["/", "/collections", "/indicators"]
    layer = catalog.layers.get(DEFAULT_MAP_LAYER)
    if layer is None:
        return paths
    paths.append(f"/collections/{DEFAULT_MAP_LAYER}/items")
    mapped = [i for i in layer.indicators if f"{i}_moe" in layer.properties]
    preferred = [i for i in ("poverty_pct", "no_subscription_pct") if i in mapped] or mapped[:1]
    paths += [f"/maps/{DEFAULT_MAP_LAYER}/{ind}" for ind in preferred]
    paths += [f"/priorities/{p}?layer={DEFAULT_MAP_LAYER}" for p in PROGRAMS]
    if layer.records:  # a profile: the county's own figures, summed once, and the home page
        paths += [f"/collections/{DEFAULT_MAP_LAYER}/items/{layer.records[0]['id']}?f=html"]
        paths += ["/?f=html"]
    tracts = catalog.layers.get("tracts")
    if tracts is not None:
        paths.append("/collections/tracts/items?zoom=10&limit=10000&properties=id")
        if tracts.records:  # a tract profile: the three tract rankings it shows (~6 s)
            paths.append(f"/collections/tracts/items/{tracts.records[0]['id']}?f=html")
    return paths


async def _get(app: Any, path: str) -> int:
    """GET ``path`` from ``app`` by a direct ASGI call; returns the status."""
    raw_path, _, query = path.partition("?")
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": raw_path,
        "raw_path": raw_path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [(b"host", b"warm-up"), (b"accept-encoding", b"gzip")],
        "client": ("127.0.0.1", 0),
        "server": ("warm-up", 80),
        "state": {},
    }
    status = 0

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(scope, receive, send)
    return status


async def warm(app: Any, catalog: Catalog) -> float:
    """Request every :func:`warm_paths` path once; returns the seconds it took."""
    start = time.perf_counter()
    for path in warm_paths(catalog):
        t0 = time.perf_counter()
        status = await _get(app, path)
        log.info("warm-up %s: %s in %.2f s", path, status, time.perf_counter() - t0)
    for layer in catalog.layers.values():  # one-off pages' gzip parts (tracts: ~0.7 s)
        await run_in_threadpool(layer.gzip_fragments, None)
    areas = getattr(app.state, "areas", None)
    if areas is not None:  # custom-area inputs (tract land, centres, ACS values): ~1 s
        try:
            await run_in_threadpool(areas.inputs)
        except ApiError as exc:
            log.warning("warm-up: custom areas unavailable: %s", exc.detail)
    return time.perf_counter() - start
