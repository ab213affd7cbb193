"""Shared helpers for JSON documents that also have an HTML page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

from geo_api.catalog import Catalog
from geo_api.formats import MEDIA, negotiate
from geo_api.html import render
from geo_api.responses import BodyCache, cached_response

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
) -> Response:
    """Send ``doc_fn()`` as JSON, or rendered with ``template`` when HTML is asked for."""
    fmt = negotiate(request, ("json", "html"))
    if fmt == "html":

        def body() -> bytes:
            doc = doc_fn()
            return render(template, doc=doc, base=base, title=title, links=doc.get("links", []))

        return cached_response(request, cache, catalog.checksum, MEDIA["html"], body)
    return cached_response(request, cache, catalog.checksum, JSON, lambda: orjson.dumps(doc_fn()))


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
