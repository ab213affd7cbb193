"""``/healthz``: is a store loaded, which one, and how many features per layer."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from geo_api.deps import CatalogDep

router = APIRouter(tags=["Service"])


@router.get("/healthz", summary="Health check")
def healthz(catalog: CatalogDep) -> dict[str, Any]:
    """Status, store checksum and build time, and feature counts per layer."""
    return {
        "status": "ok",
        "store": {
            "checksum": catalog.checksum,
            "built_at": catalog.manifest.get("built_at"),
            "mode": catalog.manifest.get("mode"),
        },
        "layers": {lid: len(layer.records) for lid, layer in catalog.layers.items()},
    }
