"""Errors as a browser shows them: an HTML page that says what went wrong and links the
valid values, in the page's language. Clients (``Accept`` without ``text/html``, or
``f=`` another format) keep ``application/problem+json``."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from geo_api.deps import resolve_base_url
from geo_api.headers import preferred_language, quality_list
from geo_api.html import render
from maps.i18n import LANGUAGES, translator

#: a first path segment → the page each valid value of a 404 there links to
VALUE_PAGES = {
    "collections": "/collections/{v}?f=html",
    "priorities": "/priorities/{v}?f=html",
    "indicators": "/indicators/{v}?f=html",
}
#: what each status means, in words a person reads first
STATUS_WORDS = {
    400: "The address asks for something this site cannot give.",
    404: "There is no such page.",
    405: "This address does not answer that kind of request.",
    406: "This page is not offered in the format asked for.",
    413: "What was sent is too large or too complex.",
    422: "The request is understood, but the data cannot answer it.",
    503: "The server is busy or lacks something it needs. Try again in a moment.",
}


def wants_html(request: Request) -> bool:
    """A browser asking for a page: ``f=html``, or no ``f=`` and an ``Accept`` header
    that ranks ``text/html`` above JSON (as every browser's does)."""
    f = request.query_params.get("f")
    if f is not None:
        return f == "html"
    ranked = {media: q for media, q in quality_list(request.headers.get("accept", ""))}
    html = ranked.get("text/html", 0.0)
    json = max(ranked.get(m, 0.0) for m in ("application/json", "application/geo+json", "*/*"))
    return html > 0 and html >= json


def _language(request: Request) -> str:
    lang = request.query_params.get("lang") or preferred_language(
        request.headers.get("accept-language", "")
    )
    return lang if lang in LANGUAGES else "en"


def error_page(
    request: Request, status: int, code: str, title: str, detail: str, valid: list[Any] | None
) -> Response:
    """The HTML page of a problem (same status; never cached)."""
    lang = _language(request)
    t = translator(lang)
    base = resolve_base_url(request)  # GEO_API_BASE_URL behind a proxy, as every link
    first = request.url.path.strip("/").split("/", 1)[0]
    pattern = VALUE_PAGES.get(first) if status == 404 else None
    values = [
        {"text": str(v), "href": f"{base}{pattern.format(v=v)}" if pattern else None}
        for v in (valid or [])[:60]
    ]
    body = render(
        "error.html",
        base=base,
        title=t(title),
        links=[],
        status=status,
        code=code,
        words=t(STATUS_WORDS.get(status, "Something went wrong.")),
        detail=detail,
        values=values,
        t=t,
        lang=lang,
    )
    return Response(
        body,
        status_code=status,
        media_type="text/html; charset=utf-8",
        headers={"Cache-Control": "no-store", "Content-Language": lang, "Vary": "Accept"},
    )
