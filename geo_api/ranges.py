"""HTTP range requests (RFC 9110 §14): one byte range of an answer, as 206 Partial Content.

GDAL reads a remote file through ``/vsicurl/``, which asks for byte ranges and refuses a
server that answers them with the whole body ("Range downloading not supported by this
server!"): the README's ``ogrinfo MVT:…/{z}/{y}/{x}`` failed on it. Answers are computed
whole anyway (and cached), so this middleware cuts the asked range out of a finished
``200``: only for ``GET`` with one ``bytes=`` range, on an answer without a content coding
(a range of gzip bytes means nothing to a client that did not ask for gzip), and only if
``If-Range``, when sent, names the answer's current ETag. Anything else passes unchanged.
"""

from __future__ import annotations

import re
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def byte_range(header: str, size: int) -> tuple[int, int] | str | None:
    """``(first, last)`` of a single ``bytes=`` range within ``size`` bytes; ``None`` when
    the header is not one such range (answer whole); ``"unsatisfiable"`` past the end."""
    match = RANGE.match(header.strip())
    if match is None or match.group(1) == match.group(2) == "":
        return None
    first_text, last_text = match.groups()
    if first_text == "":  # bytes=-N: the last N bytes
        length = int(last_text)
        if length == 0:
            return "unsatisfiable"
        return max(0, size - length), size - 1
    first = int(first_text)
    last = min(int(last_text), size - 1) if last_text else size - 1
    if first >= size or last < first:
        return "unsatisfiable"
    return first, last


class RangeMiddleware:
    """Answers a single-range ``GET`` with ``206`` (or ``416``) cut from the whole answer."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass everything through; buffer and cut a ranged ``GET``'s answer."""
        headers = dict(scope.get("headers", [])) if scope["type"] == "http" else {}
        wanted = headers.get(b"range")
        if scope["type"] != "http" or scope.get("method") != "GET" or wanted is None:
            await self.app(scope, receive, send)
            return
        if_range = headers.get(b"if-range")
        start: Message | None = None
        chunks: list[bytes] = []

        async def buffered(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body"):
                return
            await _answer(send, start, b"".join(chunks), wanted.decode("latin-1"), if_range)

        await self.app(scope, receive, buffered)


async def _answer(
    send: Send, start: Message | None, body: bytes, wanted: str, if_range: bytes | None
) -> None:
    assert start is not None
    head = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
    names = {k.lower(): v for k, v in head}
    whole = start["status"] != 200 or b"content-encoding" in names
    if if_range is not None and names.get(b"etag") != if_range:
        whole = True
    found: Any = None if whole else byte_range(wanted, len(body))
    if found is None:
        await _send(send, start["status"], head, body)
    elif found == "unsatisfiable":
        extra = [(b"content-range", f"bytes */{len(body)}".encode())]
        await _send(send, 416, head + extra, b"")
    else:
        first, last = found
        extra = [
            (b"content-range", f"bytes {first}-{last}/{len(body)}".encode()),
            (b"accept-ranges", b"bytes"),
        ]
        await _send(send, 206, head + extra, body[first : last + 1])


async def _send(send: Send, status: int, headers: list, body: bytes) -> None:
    headers = [*headers, (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
