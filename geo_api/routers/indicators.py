"""The indicator catalogue: ``/indicators`` and ``/indicators/{id}``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from boundaries.indicators import INDICATORS, Indicator, Recipe, source_words
from geo_api.deps import BaseUrlDep, CacheDep, CatalogDep
from geo_api.errors import NotFound
from geo_api.routers.documents import JSON, doc_response, link

router = APIRouter(tags=["Indicators"])


def formula(ind: Indicator, recipe: Recipe) -> str:
    """Human-readable formula of a recipe, e.g. ``(S1701_C02_001) / (S1701_C01_001) × 100``."""
    num = " + ".join(recipe.numerator)
    if ind.kind in ("count", "median"):
        return num if ind.kind == "count" else f"{num} (published median)"
    scale = " × 100" if ind.is_percent else ""
    return f"({num}) / ({' + '.join(recipe.denominator)}){scale}"


def indicator_doc(ind: Indicator, catalog: Any, base: str) -> dict[str, Any]:
    """Description of one indicator and the recipe this store uses for it."""
    info = catalog.manifest.get("indicators", {}).get(ind.id, {})
    recipe = next((r for r in ind.recipes if r.dataset == info.get("dataset")), None)
    return {
        "id": ind.id,
        "label": ind.label,
        "description": ind.description or ind.label,
        "kind": ind.kind,
        "unit": ind.unit,
        "universe": ind.universe,
        "programs": list(ind.programs),
        "higher_is_worse": ind.higher_is_worse,
        "available": bool(info.get("available")),
        "reason": info.get("reason"),
        "dataset": info.get("dataset"),
        "vintage": info.get("vintage"),
        "tables": list(recipe.tables) if recipe else [],
        "variables": list(recipe.variables) if recipe else [],
        "formula": formula(ind, recipe) if recipe else None,
        "source_note": recipe.note if recipe else None,
        "source": source_words(info.get("dataset"), info.get("vintage"), list(recipe.tables))
        if recipe
        else None,
        "alternatives": [
            {"dataset": r.dataset, "tables": list(r.tables), "formula": formula(ind, r)}
            for r in ind.recipes
        ],
        "links": [
            link(f"{base}/indicators/{ind.id}", "self", JSON),
            link(f"{base}/indicators/{ind.id}?f=html", "alternate", "text/html"),
        ],
    }


@router.get("/indicators", summary="The indicator catalogue")
def indicators(
    request: Request, catalog: CatalogDep, cache: CacheDep, base: BaseUrlDep
) -> Response:
    """Every indicator: meaning, universe, formula, source tables, vintage, availability."""

    def doc() -> dict[str, Any]:
        return {
            "indicators": [indicator_doc(i, catalog, base) for i in INDICATORS.values()],
            "links": [
                link(f"{base}/indicators", "self", JSON),
                link(f"{base}/indicators?f=html", "alternate", "text/html"),
            ],
        }

    return doc_response(request, catalog, cache, base, doc, "indicators.html", "Indicators")


@router.get("/indicators/{indicator_id}", summary="One indicator")
def indicator(
    indicator_id: str, request: Request, catalog: CatalogDep, cache: CacheDep, base: BaseUrlDep
) -> Response:
    """One indicator with its formula, tables, universe and programs."""
    ind = INDICATORS.get(indicator_id)
    if ind is None:
        raise NotFound(f"no indicator {indicator_id!r}", valid=list(INDICATORS))
    return doc_response(
        request,
        catalog,
        cache,
        base,
        lambda: indicator_doc(ind, catalog, base),
        "indicator.html",
        ind.label,
        translated=True,
    )
