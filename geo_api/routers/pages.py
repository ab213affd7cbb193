"""Pages for people: the home page (``/`` in HTML) and ``/search`` over every area's name."""

from __future__ import annotations

from typing import Annotated

import orjson
from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from geo_api.catalog import Catalog
from geo_api.deps import BaseUrlDep, CacheDep, CatalogDep
from geo_api.formats import negotiate
from geo_api.html import render
from geo_api.pages.area import display_name
from geo_api.pages.home import home_context
from geo_api.pages.search import search
from geo_api.responses import BodyCache, cached_response
from geo_api.routers.documents import JSON, language_page, language_switch, page_language
from maps.i18n import lang_query, translator

router = APIRouter(tags=["Pages"])


def _lang_params(lang: str) -> dict[str, str]:
    """``lang_q`` (``&lang=es``) and ``lang_qs`` (``?lang=es``) for links in ``lang``."""
    return {"lang_q": lang_query(lang), "lang_qs": lang_query(lang, first=True)}


def home_page(request: Request, catalog: Catalog, cache: BodyCache, base: str) -> Response:
    """The home page in the page's language (the landing route answers it to browsers)."""
    lang = page_language(request)
    t = translator(lang)

    def page() -> bytes:
        ctx = home_context(catalog, request.app.state.rankings, t)
        links = [{"href": f"{base}/?f=json", "rel": "alternate", "type": JSON}]
        return render(
            "home.html",
            base=base,
            title=t("LA County equity maps"),
            links=links,
            t=t,
            lang=lang,
            **_lang_params(lang),
            **language_switch(request, lang, base),
            **ctx,
        )

    return language_page(request, cache, catalog, lang, page)


@router.get("/search", summary="Find areas by name")
def search_areas(
    request: Request,
    catalog: CatalogDep,
    cache: CacheDep,
    base: BaseUrlDep,
    q: Annotated[str, Query(max_length=100, description="a name or part of one")] = "",
    f: Annotated[str | None, Query(description="json or html")] = None,
) -> Response:
    """Areas of every layer whose name contains ``q`` (ignoring case), best first; census
    tracts also by their neighbourhood or city. Each match links to its profile."""
    fmt = negotiate(request, ("json", "html"))
    results = search(catalog, q)
    for group in results:
        for match in group["matches"]:
            match["href"] = f"{base}/collections/{group['layer']}/items/{match['id']}"
    if fmt == "json":
        body = orjson.dumps({"q": q, "results": results})
        return cached_response(request, cache, catalog.checksum, JSON, lambda: body)
    lang = page_language(request)
    t = translator(lang)

    def page() -> bytes:
        return render(
            "search.html",
            base=base,
            title=t("Search") + (f": {q}" if q else ""),
            links=[],
            q=q,
            results=results,
            tract_name=lambda lid, name: display_name(lid, {"id": "", "name": name}, t),
            t=t,
            lang=lang,
            **_lang_params(lang),
            **language_switch(request, lang, base),
        )

    return language_page(request, cache, catalog, lang, page)
