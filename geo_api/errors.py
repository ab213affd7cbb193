"""Domain errors and their one mapping to RFC 9457 problem responses.

Every error body is ``application/problem+json`` with ``type``, ``title``, ``status``,
``detail``, a machine-readable ``code`` and, where useful, ``valid`` (the accepted
values). Client mistakes are 4xx; nothing a client sends produces a traceback.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.routing import Match

log = logging.getLogger(__name__)
PROBLEM = "application/problem+json"
MAX_ECHO = 500

#: every problem ``code`` with its status and meaning, served at ``/errors`` (the problem
#: ``type`` URLs point there) and described at more length in docs/errors.md
ERROR_CODES: dict[str, tuple[int, str]] = {
    "invalid-parameter": (400, "a query parameter has a value the API cannot use"),
    "unknown-parameter": (400, "a parameter or property filter names nothing here"),
    "over-budget": (400, "a ranking asks for more area-draws than one request may cost"),
    "untrusted-host": (400, "the Host header is not one of GEO_API_TRUSTED_HOSTS"),
    "cors-refused": (400, "a CORS preflight asks for a method geo-api does not answer"),
    "bad-request": (400, "another malformed request"),
    "invalid-geometry": (400, "a posted area is not a usable GeoJSON polygon"),
    "not-found": (404, "no such collection, feature, indicator, program or page"),
    "method-not-allowed": (405, "the path does not answer this method (see the Allow header)"),
    "not-acceptable": (406, "none of the requested formats can be produced"),
    "too-large": (413, "a posted area's body exceeds the size limit"),
    "too-complex": (413, "a posted area has more vertices, rings or tract pieces than the limits"),
    "unprocessable": (422, "well-formed, but impossible with this store's data"),
    "outside-county": (422, "less than half of an area lies on LA County's land"),
    "busy": (503, "too many expensive computations at once; retry after Retry-After"),
    "assets-missing": (503, "the map's Leaflet files are not where the settings say"),
    "unavailable": (503, "the server lacks something this request needs"),
    "deadline": (503, "a drawn area ran past its deadline (deadline_seconds) and was stopped"),
    "http-error": (400, "an HTTP-level error without a more specific code"),
    "internal-error": (500, "a bug in geo-api (logged on the server, never shown)"),
}


class ApiError(Exception):
    """A problem to report to the client (status, machine code, human detail)."""

    status = 400
    code = "bad-request"
    title = "Bad request"

    def __init__(self, detail: str, *, valid: list[str] | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.valid = valid
        self.extra = extra


class InvalidParameter(ApiError):
    """A query parameter has a value the API cannot use."""

    code = "invalid-parameter"
    title = "Invalid query parameter"


class UnknownParameter(ApiError):
    """A query parameter (or property filter) names nothing the collection has."""

    code = "unknown-parameter"
    title = "Unknown query parameter"


class NotFound(ApiError):
    """A collection, feature or indicator does not exist."""

    status = 404
    code = "not-found"
    title = "Not found"


class NotAcceptable(ApiError):
    """The requested format cannot be produced."""

    status = 406
    code = "not-acceptable"
    title = "Not acceptable"


class Unprocessable(ApiError):
    """The request is well-formed but asks for something impossible with this data."""

    status = 422
    code = "unprocessable"
    title = "Unprocessable request"


class Unavailable(ApiError):
    """The server lacks something it needs for this request (e.g. its map assets)."""

    status = 503
    code = "unavailable"
    title = "Service unavailable"


class OverBudget(ApiError):
    """A request asks for more work than one request may cost."""

    code = "over-budget"
    title = "Request exceeds the work budget"


class Busy(Unavailable):
    """Too many expensive computations are running; the client should retry shortly."""

    code = "busy"
    title = "Server busy"


class AssetsMissing(Unavailable):
    """The map's JavaScript/CSS (Leaflet) is not where the settings say."""

    code = "assets-missing"
    title = "Map assets not installed"


def problem(
    status: int,
    code: str,
    title: str,
    detail: str,
    instance: str,
    valid: list[str] | None = None,
    **extra: Any,
) -> Response:
    """Build a problem+json response."""
    body: dict[str, Any] = {
        # a relative reference (RFC 9457 3.1.1): resolved against the request, it is the
        # /errors page of the server that answered
        "type": f"/errors#{code}",
        "title": title,
        "status": status,
        "code": code,
        # nothing a client sent is echoed without a bound
        "detail": detail if len(detail) <= MAX_ECHO else detail[:MAX_ECHO] + "…",
        "instance": instance if len(instance) <= MAX_ECHO else instance[:MAX_ECHO] + "…",
    }
    if valid is not None:
        body["valid"] = valid
    body.update(extra)
    headers = {"Cache-Control": "no-store"}
    if "retry_after" in extra:
        headers["Retry-After"] = str(extra["retry_after"])
    return Response(orjson.dumps(body), status_code=status, media_type=PROBLEM, headers=headers)


def api_error_response(exc: ApiError, instance: str) -> Response:
    """The problem response for one of our exceptions."""
    return problem(exc.status, exc.code, exc.title, exc.detail, instance, exc.valid, **exc.extra)


def answer_error(request: Request, exc: ApiError) -> Response:
    """One of our exceptions as a browser's HTML page or a client's problem+json (FastAPI's
    handler and the direct items route both use it)."""
    from geo_api.pages.errorpage import error_page, wants_html

    if wants_html(request) and exc.status != 503:
        return error_page(request, exc.status, exc.code, exc.title, exc.detail, exc.valid)
    return api_error_response(exc, str(request.url))


METHOD_ORDER = ("GET", "HEAD", "POST", "OPTIONS")


def _endpoints(routes: Iterable[Any]) -> Iterator[Any]:
    """The routes that answer requests, through included routers (every router is
    included without a prefix, so their routes match paths as they are)."""
    for route in routes:
        if hasattr(route, "methods"):
            yield route
            continue
        inner = getattr(getattr(route, "original_router", None), "routes", None)
        if inner is not None:
            yield from _endpoints(inner)


def allowed_methods(request: Request) -> list[str]:
    """Every method some route answers at the request's path (Starlette's 405 names only
    the first route matching the path: ``/aggregate`` said POST, though GET answers too),
    with HEAD wherever GET answers (:mod:`geo_api.http`) and OPTIONS everywhere."""
    methods = {"OPTIONS"}
    for route in _endpoints(request.app.router.routes):
        match, _ = route.matches(request.scope)
        if match != Match.NONE:
            methods |= set(getattr(route, "methods", None) or ())
    if "GET" in methods:
        methods.add("HEAD")
    return sorted(methods, key=lambda m: METHOD_ORDER.index(m) if m in METHOD_ORDER else 9)


def install_error_handlers(app: FastAPI) -> None:
    """Map our exceptions, FastAPI validation errors and HTTP errors to problems."""

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> Response:
        return answer_error(request, exc)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        errors = [{"loc": list(e.get("loc", ())), "msg": e.get("msg", "")} for e in exc.errors()]
        detail = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in errors)
        return problem(
            400, "invalid-parameter", "Invalid request", detail, str(request.url), errors=errors
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        code = {404: "not-found", 405: "method-not-allowed"}.get(exc.status_code, "http-error")
        if exc.status_code == 404 and request.method in ("GET", "HEAD"):
            from geo_api.pages.errorpage import error_page, wants_html

            if wants_html(request):
                return error_page(request, 404, code, "Not found", str(exc.detail), None)
        if exc.status_code == 405:
            allow = ", ".join(allowed_methods(request))
            if request.method == "OPTIONS":  # not a CORS preflight: the path's methods
                return Response(status_code=204, headers={"allow": allow})
        response = problem(
            exc.status_code, code, str(exc.detail), str(exc.detail), str(request.url)
        )
        for key, value in (exc.headers or {}).items():
            response.headers[key] = value
        if exc.status_code == 405:
            response.headers["allow"] = allow
        return response

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s", request.url.path)
        return problem(
            500,
            "internal-error",
            "Internal error",
            "the server failed; this is our bug",
            str(request.url),
        )
