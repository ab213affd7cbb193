"""``/healthz``: is a store loaded, which one, and how many features per layer."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from boundaries.store import file_identity
from geo_api.deps import BaseUrlDep, CacheDep, CatalogDep
from geo_api.routers.documents import doc_response, errors_doc

router = APIRouter(tags=["Service"])


@router.get("/healthz", summary="Health check")
async def healthz(request: Request, catalog: CatalogDep) -> dict[str, Any]:
    """Status, store checksum and build time, feature counts per layer, and whether the
    store file on disk is still the one loaded (``on_disk``: ``loaded``, ``replaced`` by a
    new build, which a restart serves, or ``missing``). Answered on the event loop (one
    ``stat``), not in the worker threads heavy requests occupy."""
    loaded = getattr(request.app.state, "store_identity", None)
    now = file_identity(request.app.state.settings.store)
    on_disk = "missing" if now is None else "loaded" if now == loaded else "replaced"
    return {
        "status": "ok",
        "store": {
            "checksum": catalog.checksum,
            "built_at": catalog.manifest.get("built_at"),
            "mode": catalog.manifest.get("mode"),
            "on_disk": on_disk,
            # required sources the build was told to do without (geo-api build
            # --allow-missing): its figures use a fallback method
            "built_without": catalog.manifest.get("allowed_missing", []),
        },
        "warm_up_seconds": getattr(request.app.state, "warmed_seconds", None),
        "layers": {lid: len(layer.records) for lid, layer in catalog.layers.items()},
    }


@router.get("/errors", summary="Problem codes")
def errors(request: Request, catalog: CatalogDep, cache: CacheDep, base: BaseUrlDep) -> Response:
    """The ``code`` of every problem response, with its status and meaning (the ``type``
    of each problem links here)."""
    return doc_response(
        request, catalog, cache, base, lambda: errors_doc(base), "errors.html", "Problem codes"
    )
