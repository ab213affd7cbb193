"""A response cache in front of the routes: repeated requests get the finished bytes.

The data change only when a new store is loaded, and every cacheable response is built
by :func:`geo_api.responses.cached_response` (strong ETag, ``Cache-Control: public``). The
first request for a representation goes through FastAPI as usual; its status, headers and
body are kept, keyed by everything that can change them: path, query string, ``Host`` and
scheme (absolute links), ``Accept`` (format) and the chosen content coding. Later
identical requests are answered from the cache without routing, dependency injection or
a thread hop. Conditional requests (``If-None-Match``, ``If-Modified-Since``), non-GET
methods and responses that are not 200 with a strong ETag and public caching always take
the normal path. CORS headers are added outside this layer, per request.
"""

from __future__ import annotations

from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from geo_api.headers import preferred_language
from geo_api.lru import BoundedLRU
from geo_api.responses import choose_encoding

MAX_ENTRIES = 1024
MAX_BYTES = 256 * 2**20
BYPASS = (b"if-none-match", b"if-modified-since", b"range", b"authorization", b"cookie")


Finished = tuple[int, list[tuple[bytes, bytes]], bytes]


class FastCache(BoundedLRU[tuple, Finished]):
    """Least-recently-used finished responses: key -> (status, headers, body), bounded by
    entry count and total body bytes (:class:`geo_api.lru.BoundedLRU`)."""

    def __init__(self, max_entries: int = MAX_ENTRIES, max_bytes: int = MAX_BYTES) -> None:
        super().__init__(max_entries, max_bytes, lambda value: len(value[2]))


class FastPathMiddleware:
    """ASGI middleware answering repeated cacheable GETs from a :class:`FastCache`."""

    def __init__(self, app: ASGIApp, cache: FastCache) -> None:
        self.app = app
        self.cache = cache

    def _key(self, scope: Scope) -> tuple | None:
        if scope["type"] != "http" or scope["method"] != "GET":
            return None
        headers: dict[bytes, bytes] = {}
        for name, value in scope["headers"]:
            if name in BYPASS:
                return None
            headers[name] = value
        return (
            scope["path"],
            scope["query_string"],
            scope.get("scheme", "http"),
            headers.get(b"host", b""),
            headers.get(b"accept", b""),
            choose_encoding(headers.get(b"accept-encoding", b"").decode("latin-1")),
            # map pages speak the language the header prefers (maps/i18n.py)
            preferred_language(headers.get(b"accept-language", b"").decode("latin-1")),
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve from the cache, or pass through and remember a cacheable answer."""
        key = self._key(scope)
        if key is None:
            await self.app(scope, receive, send)
            return
        hit = self.cache.get(key)
        if hit is not None:
            status, headers, body = hit
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return
        captured: dict[str, Any] = {"chunks": []}

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                captured["status"] = message["status"]
                captured["headers"] = list(message.get("headers", []))
            elif message["type"] == "http.response.body":
                captured["chunks"].append(message.get("body", b""))
                if not message.get("more_body", False):
                    self._remember(key, captured)
            await send(message)

        await self.app(scope, receive, capture)

    def _remember(self, key: tuple, captured: dict[str, Any]) -> None:
        if captured.get("status") != 200:
            return
        headers = dict(captured["headers"])
        if b"etag" not in headers or not headers.get(b"cache-control", b"").startswith(b"public"):
            return
        body = b"".join(captured["chunks"])
        self.cache.put(key, (200, captured["headers"], body))
