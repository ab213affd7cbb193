"""``/plans/{program}``: where to put the next k sites, with the uncertainty carried."""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import APIRouter, Request
from starlette.responses import Response

from boundaries.store import StoreError
from geo_api.deps import BaseUrlDep, CacheDep, CatalogDep
from geo_api.errors import InvalidParameter, Unavailable
from geo_api.formats import MEDIA, to_csv
from geo_api.openapi_params import PLANS
from geo_api.planning.document import csv_rows, plan_document
from geo_api.planning.page import plan_page
from geo_api.planning.plans import PlanQuery, PlanResult, solve
from geo_api.planning.query import PLAN_PARAMS, parse_plan_query
from geo_api.planning.sites import candidate_sites, existing_sites
from geo_api.query import unknown_params
from geo_api.responses import cached_response
from geo_api.routers.documents import language_headers, page_language

router = APIRouter(tags=["Plans"])
FORMATS = {
    "json": MEDIA["json"],
    "geojson": MEDIA["json"],
    "csv": MEDIA["csv"],
    "html": MEDIA["html"],
}
#: at most this many valid ids are listed when a given site is unknown
LISTED_IDS = 50


def compute(request: Request, catalog: Any, query: PlanQuery) -> PlanResult:
    """The (cached) plan of ``query`` on the served store."""
    candidates = candidate_sites(catalog, query.candidates, query.district)
    unknown = [s for s in query.sites if s not in candidates.index]
    if unknown:
        raise InvalidParameter(
            f"sites not among the candidates ({', '.join(query.candidates)}): {unknown[:5]}",
            valid=candidates.ids[:LISTED_IDS],
        )
    if not candidates.ids:
        raise InvalidParameter("no candidate site matches", valid=list(query.candidates))
    existing = existing_sites(catalog, query.existing)

    def run() -> PlanResult:
        try:
            centres = request.app.state.plan_centres.get()
        except (StoreError, OSError, KeyError, ValueError) as err:
            raise Unavailable(f"block-group centres cannot be read from the store: {err}") from None
        return solve(query, catalog, centres, candidates, existing)

    return request.app.state.plans.get((catalog.checksum, query), run)


@router.get(
    "/plans/{program}",
    summary="Where to put the next k sites (maximal covering)",
    openapi_extra=PLANS,
)
def plans(
    request: Request, program: str, catalog: CatalogDep, cache: CacheDep, base: BaseUrlDep
) -> Response:
    """The ``k`` candidate sites that reach the most of ``program``'s need within
    ``radius_m`` (existing sites' reach counts as met), how often each is chosen when the
    survey estimates are redrawn (``draws``, ``seed``), the need covered with its 90%
    interval, and the naive choice beside it. ``sites=`` evaluates a given set.
    ``f=json|geojson|csv|html``."""
    unknown_params(set(request.query_params), PLAN_PARAMS)
    fmt = request.query_params.get("f", "json")
    if fmt not in FORMATS:
        raise InvalidParameter(f"unknown format {fmt!r}", valid=list(FORMATS))
    query = parse_plan_query(request.query_params, catalog, program)
    result = compute(request, catalog, query)
    lang = page_language(request) if fmt == "html" else "en"
    url = str(request.url)

    def body() -> bytes:
        doc = plan_document(result, catalog, url)
        if fmt == "csv":
            return to_csv(csv_rows(doc), extra={"program": query.program, "seed": query.seed})
        if fmt == "html":
            return plan_page(doc, result, catalog, base, request, lang)
        return orjson.dumps(doc)

    headers: dict[str, str] = {}
    if fmt == "csv":
        headers["Content-Disposition"] = f'attachment; filename="plan-{query.program}.csv"'
    if fmt == "html":
        headers.update(language_headers(lang))
    return cached_response(
        request, cache, catalog.checksum, FORMATS[fmt], body, headers, variant=f"lang={lang}"
    )
