"""The OpenAPI document as the routes really answer: media types and error responses.

FastAPI infers ``200: application/json`` and ``422`` for every route. geo-api never answers
422 (bad input is a 400 problem), answers 304 to conditional requests, and serves
GeoJSON, HTML, CSV, GeoPackage and PNG. :func:`install_openapi` rewrites each operation's
responses from :data:`SUCCESS` (media types per path) and the error statuses each kind of
route can give, as ``application/problem+json`` with the :data:`PROBLEM_SCHEMA` (and, for
a GET's 4xx, the HTML page a browser is shown instead), so
generated clients and fuzzers (schemathesis runs in the tests) see the truth.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from boundaries.layers import LAYERS, POLYGON_LAYERS
from boundaries.programs import PROGRAMS
from geo_api.errors import PROBLEM

JSON, GEOJSON, HTML, CSV = "application/json", "application/geo+json", "text/html", "text/csv"
GPKG, PNG = "application/geopackage+sqlite3", "image/png"

#: media types of the 200 answer, per path template
SUCCESS: dict[str, list[str]] = {
    "/": [JSON, HTML],
    "/conformance": [JSON, HTML],
    "/collections": [JSON, HTML],
    "/collections/{layer}": [JSON, HTML],
    "/collections/{layer}/items": [GEOJSON, HTML, CSV, GPKG],
    "/collections/{layer}/items/{feature_id}": [GEOJSON, HTML],
    "/collections/{layer}/queryables": ["application/schema+json"],
    "/collections/{layer}/sortables": ["application/schema+json"],
    "/indicators": [JSON, HTML],
    "/indicators/{indicator_id}": [JSON, HTML],
    "/maps/{layer}/{indicator}": [HTML, PNG],
    "/maps/{layer}/{indicator}/embed": [HTML, PNG],
    "/maps/{layer}/{indicator}/vector": [HTML],
    "/priorities": [JSON, HTML],
    "/priorities/{program}": [JSON, GEOJSON, CSV, HTML],
    "/search": [JSON, HTML],
    "/priorities/{program}/schools": [JSON, CSV],
    "/plans/{program}": [GEOJSON, CSV, HTML],
    "/healthz": [JSON],
    "/errors": [JSON, HTML],
    "/aggregate": [GEOJSON, CSV, GPKG],
    "/compare": [JSON, CSV, HTML],
    "/draw": [HTML],
    "/collections/{layer}/tiles": [JSON],
    "/collections/{layer}/tiles/{tileMatrixSetId}": [JSON],
    "/collections/{layer}/tiles/{tileMatrixSetId}/tilejson.json": [JSON],
    "/collections/{layer}/tiles/{tileMatrixSetId}/{tileMatrix}/{tileRow}/{tileCol}": [
        "application/vnd.mapbox-vector-tile"
    ],
}
#: operations other than GET, (method, path) → their 200 media types; both aggregate
#: posted areas, so both may be busy (503)
WRITES: dict[tuple[str, str], list[str]] = {
    ("post", "/aggregate"): [GEOJSON, CSV, GPKG],
    ("post", "/compare"): [JSON, CSV],
}
#: paths whose answers come from the computed-once cache (ETag, 304)
UNCACHED = {"/healthz"}
#: paths that run bounded expensive work (503 busy, or assets missing for maps)
EXPENSIVE = (
    "/maps/",
    "/priorities/",
    "/aggregate",
    "/collections/{layer}/tiles/{tileMatrixSetId}/{",
)

PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["type", "title", "status", "code", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "code": {"type": "string", "description": "machine-readable; see docs/errors.md"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "valid": {"type": "array", "items": {}},
    },
}
ERRORS = {
    "400": "Invalid or unknown parameter (or an untrusted Host)",
    "404": "No such collection, feature, indicator or program",
    "405": "Method not allowed (the Allow header lists the methods the path answers)",
    "406": "None of the accepted media types can be produced",
    "413": "The posted area is over the body-size or vertex limit",
    "422": "The posted area lies mostly outside LA County",
    "503": "Busy (retry after Retry-After seconds) or map assets missing",
}


def _responses(path: str, has_path_params: bool, method: str = "get") -> dict[str, Any]:
    problem = {"content": {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}}}
    out: dict[str, Any] = {
        "200": {
            "description": "OK",
            "content": {
                media: {"schema": {}}
                for media in WRITES.get((method, path)) or SUCCESS.get(path, [JSON])
            },
        }
    }
    post = method == "post"
    if path not in UNCACHED and not post:
        out["304"] = {"description": "Not modified (If-None-Match matched the ETag)"}
    codes = ["400", "405", *(["413", "422"] if post else [])]
    if has_path_params:
        codes.append("404")
    if path != "/healthz":
        codes.append("406")
    if path.startswith(EXPENSIVE) or post:
        codes.append("503")
    # a browser (f=html, or an Accept ranking text/html first) reads a GET's 4xx as a page
    page = {"content": {**problem["content"], HTML: {"schema": {"type": "string"}}}}
    for code in sorted(codes):
        shown = page if not post and code.startswith("4") else problem
        out[code] = {"description": ERRORS[code], **shown}
    return out


def _enumerate(path: str, params: list[dict[str, Any]]) -> None:
    """List the valid values of layer and program parameters, so that clients and fuzzers
    reach past the first 404."""
    for p in params:
        schema = p.setdefault("schema", {})
        if p["name"] == "program" and p["in"] == "path":
            schools = path.endswith("/schools")
            schema["enum"] = ["community-schools"] if schools else list(PROGRAMS)
        elif p["name"] == "layer" and p["in"] == "path":
            schema["enum"] = list(LAYERS)
        elif p["name"] == "layer" and p["in"] == "query":
            ranks_schools = path == "/priorities/{program}"
            schema["enum"] = [*POLYGON_LAYERS, "schools"] if ranks_schools else POLYGON_LAYERS
        elif p["name"] == "tileMatrixSetId":
            schema["enum"] = ["WebMercatorQuad"]
        elif p["name"] == "tileMatrix":
            schema.update(minimum=0, maximum=22)


def _per_collection_items(doc: dict[str, Any], catalog: Any) -> None:
    """Add ``/collections/<id>/items`` for each loaded layer, declaring every property as a
    query parameter (``?name=value`` filters) beside ``filter``/``filter-lang``: GDAL's
    OAPIF driver (what QGIS uses) sends a filter to the server only for properties the
    collection's own items operation declares."""
    template = doc["paths"].get("/collections/{layer}/items", {}).get("get")
    if template is None:
        return
    for layer_id, layer in catalog.layers.items():
        op = dict(template)
        op["operationId"] = f"items_{layer_id.replace('-', '_')}"
        op["summary"] = f"Features of {layer.layer.title}"
        params = [p for p in template.get("parameters", []) if p.get("in") != "path"]
        taken = {p["name"] for p in params}
        for name in layer.properties:
            if name in taken:
                continue
            kind = "number" if name in layer.numeric else "string"
            params.append(
                {
                    "name": name,
                    "in": "query",
                    "required": False,
                    "description": f"Only features whose {name} equals this value"
                    + (" (text ignores case)" if kind == "string" else ""),
                    "schema": {"type": kind},
                }
            )
        op["parameters"] = params
        op["responses"] = _responses("/collections/{layer}/items", False)
        doc["paths"][f"/collections/{layer_id}/items"] = {"get": op}


def install_openapi(app: FastAPI) -> None:
    """Make ``app.openapi()`` return the corrected document (built once, then kept)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        doc = get_openapi(
            title=app.title,
            version=app.version,
            description=app.description,
            routes=app.routes,
        )
        for path, operations in doc.get("paths", {}).items():
            for method, op in operations.items():
                params = op.get("parameters", [])
                _enumerate(path, params)
                has_path = any(p.get("in") == "path" for p in params)
                op["responses"] = _responses(path, has_path, method)
        catalog = getattr(app.state, "catalog", None)
        if catalog is not None:
            _per_collection_items(doc, catalog)
        schemas = doc.setdefault("components", {}).setdefault("schemas", {})
        for unused in ("HTTPValidationError", "ValidationError"):
            schemas.pop(unused, None)
        schemas["Problem"] = PROBLEM_SCHEMA
        if not schemas:
            doc["components"].pop("schemas")
        app.openapi_schema = doc
        return doc

    app.openapi = openapi  # type: ignore[method-assign]
