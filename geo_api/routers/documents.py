"""Shared helpers for JSON documents that also have an HTML page."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlencode

import orjson
from starlette.requests import Request
from starlette.responses import Response

from geo_api.catalog import Catalog
from geo_api.errors import InvalidParameter
from geo_api.formats import MEDIA, negotiate
from geo_api.headers import preferred_language
from geo_api.html import render
from geo_api.responses import BodyCache, cached_response
from maps.i18n import LANGUAGES, NATIVE, translator

JSON = "application/json"


def link(href: str, rel: str, type_: str, title: str | None = None) -> dict[str, str]:
    """One OGC link object."""
    out = {"href": href, "rel": rel, "type": type_}
    if title:
        out["title"] = title
    return out


def doc_response(
    request: Request,
    catalog: Catalog,
    cache: BodyCache,
    base: str,
    doc_fn: Callable[[], dict[str, Any]],
    template: str,
    title: str,
    translated: bool = False,
) -> Response:
    """Send ``doc_fn()`` as JSON, or rendered with ``template`` when HTML is asked for
    (in the page language, ``lang=`` or ``Accept-Language``, when ``translated``)."""
    fmt = negotiate(request, ("json", "html"))
    if fmt == "html":
        lang = page_language(request) if translated else "en"
        t = translator(lang)
        extra = language_switch(request, lang, base) if translated else {}

        def body() -> bytes:
            doc = doc_fn()
            return render(
                template,
                doc=doc,
                base=base,
                title=t(title),
                links=doc.get("links", []),
                t=t,
                lang=lang,
                **extra,
            )

        if translated:
            return language_page(request, cache, catalog, lang, body)
        headers = {"Content-Language": lang}
        return cached_response(request, cache, catalog.checksum, MEDIA["html"], body, headers)
    return cached_response(request, cache, catalog.checksum, JSON, lambda: orjson.dumps(doc_fn()))


def language_page(
    request: Request, cache: BodyCache, catalog: Catalog, lang: str, page: Callable[[], bytes]
) -> Response:
    """An HTML page in ``lang``: cached per language, with ``Content-Language`` and
    ``Vary: Accept-Language``."""
    return cached_response(
        request,
        cache,
        catalog.checksum,
        MEDIA["html"],
        page,
        language_headers(lang),
        variant=f"lang={lang}",
    )


def page_language(request: Request) -> str:
    """``lang=`` (a 400 listing the offered) or else the ``Accept-Language`` preference."""
    lang = request.query_params.get("lang") or preferred_language(
        request.headers.get("accept-language", "")
    )
    if lang not in LANGUAGES:
        raise InvalidParameter(f"lang={lang[:20]!r} is not offered", valid=list(LANGUAGES))
    return lang


def language_headers(lang: str) -> dict[str, str]:
    """Headers of an answer negotiated on the language: which it is, and on what it varies."""
    return {"Content-Language": lang, "Vary": "Accept, Accept-Encoding, Accept-Language"}


def switch_link(url: str, params: Iterable[tuple[str, str]], lang: str) -> tuple[str, str]:
    """(name, URL) of the same page in the other language: ``url`` (no query) with
    ``params`` and the other ``lang``."""
    other = "es" if lang == "en" else "en"
    query = [(k, v) for k, v in params if k != "lang"]
    return NATIVE[other], f"{url}?{urlencode([*query, ('lang', other)])}"


def language_switch(request: Request, lang: str, base: str) -> dict[str, str]:
    """``other_url`` and ``other_name``: the same page in the other language, under
    ``base`` (``GEO_API_BASE_URL`` behind a proxy), as every other link is."""
    root, path = request.scope.get("root_path", ""), request.url.path
    if root and path.startswith(root):
        path = path[len(root) :]
    name, url = switch_link(f"{base}{path}", request.query_params.multi_items(), lang)
    return {"other_url": url, "other_name": name}


def errors_doc(base: str) -> dict[str, Any]:
    """Every problem ``code`` this API answers with, its status and meaning."""
    from geo_api.errors import ERROR_CODES

    return {
        "errors": [
            {"code": code, "status": status, "meaning": meaning}
            for code, (status, meaning) in ERROR_CODES.items()
        ],
        "links": [
            link(f"{base}/errors", "self", JSON),
            link(f"{base}/errors?f=html", "alternate", "text/html"),
            link(f"{base}/errors?f=json", "alternate", JSON),
        ],
    }
