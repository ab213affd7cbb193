"""Cacheable responses: strong ETags from the store checksum, 304s, gzip and brotli.

Bodies are produced once per (store, URL, format) and their compressed forms are kept in
a bounded in-memory cache, so repeated requests send stored bytes.
"""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Callable

import brotli
from isal import igzip
from starlette.requests import Request
from starlette.responses import Response

from geo_api.headers import quality_list
from geo_api.limits import SingleFlight
from geo_api.lru import BoundedLRU

CACHE_CONTROL = "public, max-age=3600"
MAX_CACHED = 512
MAX_CACHED_BYTES = 256 * 2**20
# Compression levels: bodies likely to be asked again (whole collections, maps, documents)
# get the strong setting once; one-off query pages (a new bbox per map pan) the fast one.
STRONG = {"gzip": 6, "br": 5}
FAST = {"gzip": 1, "br": 1}


class BodyCache:
    """Response bodies and their compressed variants, keyed by ETag and coding, in a
    :class:`geo_api.lru.BoundedLRU` bounded by entry count and by total bytes."""

    def __init__(self, max_items: int = MAX_CACHED, max_bytes: int = MAX_CACHED_BYTES) -> None:
        self._lru: BoundedLRU[tuple[str, str], bytes] = BoundedLRU(max_items, max_bytes, len)
        self._flight = SingleFlight()  # identical cold requests compute one body

    def get(self, key: tuple[str, str], make: Callable[[], bytes]) -> bytes:
        """Return the cached bytes for ``key``, computing them with ``make`` on a miss."""
        hit = self._lru.get(key)
        if hit is not None:
            return hit

        def compute() -> bytes:
            value = make()  # outside any lock: other requests go on meanwhile
            self._lru.put(key, value)
            return value

        return self._flight.do(key, compute)

    def clear(self) -> None:
        """Forget everything (a new store was loaded)."""
        self._lru.clear()


def representation_etag(checksum: str, request: Request, media_type: str, variant: str = "") -> str:
    """Strong ETag of one representation: store checksum + base URL (bodies hold absolute
    links) + path + query + media type + any ``variant`` negotiated from other headers
    (the language of a map page)."""
    key = (
        f"{checksum}|{request.base_url}|{request.url.path}|{request.url.query}|{media_type}"
        f"|{variant}"
    )
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def accepted_codings(accept_encoding: str) -> set[str]:
    """The content codings an ``Accept-Encoding`` value accepts (``q=0`` refuses one)."""
    return {name for name, q in quality_list(accept_encoding) if q > 0}


def choose_encoding(accept_encoding: str) -> str:
    """The content coding to send for an ``Accept-Encoding`` value: br, gzip or identity."""
    accepted = accepted_codings(accept_encoding)
    if "br" in accepted:
        return "br"
    if "gzip" in accepted:
        return "gzip"
    return "identity"


def accepts_gzip(accept_encoding: str) -> bool:
    """Whether an ``Accept-Encoding`` value accepts gzip (and does not refuse it, q=0)."""
    return "gzip" in accepted_codings(accept_encoding)


def _compress(body: bytes, encoding: str, fast: bool) -> bytes:
    level = (FAST if fast else STRONG)[encoding]
    if encoding == "br":
        return brotli.compress(body, quality=level)
    if fast:  # ISA-L's gzip: ~0.7 ms for a 450 KB page where zlib level 1 takes ~2.7 ms
        return igzip.compress(body, compresslevel=level, mtime=0)
    return gzip.compress(body, compresslevel=level, mtime=0)


def cached_response(
    request: Request,
    cache: BodyCache,
    checksum: str,
    media_type: str,
    make_body: Callable[[], bytes],
    headers: dict[str, str] | None = None,
    one_off: bool = False,
    make_gzip: Callable[[], bytes] | None = None,
    variant: str = "",
) -> Response:
    """Send ``make_body()`` (computed at most once per ETag) with ETag, 304 and compression.

    ``one_off`` marks bodies unlikely to be asked again (bbox and filter queries): they are
    compressed with the fast setting and not kept (the fast path still keeps a repeated
    one's finished response).
    """
    tag = representation_etag(checksum, request, media_type, variant)
    accept = request.headers.get("accept-encoding", "")
    encoding = choose_encoding(accept)
    if one_off and make_gzip is not None and accepts_gzip(accept):
        encoding = "gzip"  # assembled from precompressed parts: far cheaper than brotli
    etag = f'"{tag}"' if encoding == "identity" else f'"{tag}-{encoding}"'
    base = {
        "ETag": etag,
        "Cache-Control": CACHE_CONTROL,
        "Vary": "Accept, Accept-Encoding",
        **(headers or {}),
    }
    inm = request.headers.get("if-none-match")
    if inm and (inm.strip() == "*" or tag in inm):
        return Response(status_code=304, headers=base)
    if encoding == "gzip" and one_off and make_gzip is not None:
        base["Content-Encoding"] = "gzip"
        return Response(make_gzip(), media_type=media_type, headers=base)
    # a new bbox or filter is not kept: it would only push useful pages out of the cache
    body = make_body() if one_off else cache.get((tag, "identity"), make_body)
    if encoding != "identity" and len(body) > 1024:

        def compress() -> bytes:
            return _compress(body, encoding, fast=one_off)

        body = compress() if one_off else cache.get((tag, encoding), compress)
        base["Content-Encoding"] = encoding
    else:
        base["ETag"] = f'"{tag}"'
    return Response(body, media_type=media_type, headers=base)
