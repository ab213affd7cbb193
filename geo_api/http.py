"""HTTP hygiene around every route: HEAD, security headers, trusted hosts, CORS errors.

* **HEAD**: every GET route answers HEAD with the GET's status and headers (including
  ``Content-Length`` and ``ETag``) and no body, so ``curl -I``, link checkers and health
  probes work.
* **Security headers** on every response: ``X-Content-Type-Options: nosniff`` and a
  ``Referrer-Policy``; HTML pages also get a ``Content-Security-Policy`` allowing only
  geo-api's own assets (plus the configured basemap tile host, and unpkg when
  ``GEO_API_MAP_ASSETS=cdn``). Framing is allowed on ``…/embed`` pages only.
* **Trusted hosts**: with ``GEO_API_TRUSTED_HOSTS`` set, a request whose ``Host`` is not
  listed is a 400 problem (absolute links are built from ``Host`` unless
  ``GEO_API_BASE_URL`` is set, so a forged ``Host`` would otherwise set them).
* **CORS preflight errors** are problem+json like every other error.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from geo_api.errors import problem
from geo_api.settings import Settings

UNPKG = "https://unpkg.com"
NOBODY = "'none'"


def tile_origin(template: str | None) -> str | None:
    """``https://{s}.tile.example.org/{z}/{x}/{y}.png`` → ``https://*.tile.example.org``."""
    if not template:
        return None
    parts = urlsplit(template.replace("{s}", "*"))
    if not parts.scheme or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}"


def content_security_policy(settings: Settings, embed: bool) -> str:
    """The CSP of HTML pages: own assets only, the tile host, unpkg in CDN mode."""
    extra = [o for o in (tile_origin(settings.map_tiles),) if o]
    code = ["'self'", "'unsafe-inline'"]  # folium and Swagger UI write inline scripts
    if settings.map_assets == "cdn":
        code.append(UNPKG)
        extra.append(UNPKG)
    images = ["'self'", "data:", "blob:", *extra]
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src {' '.join(code)}",
            f"style-src {' '.join(code)}",
            f"img-src {' '.join(images)}",
            "font-src 'self' data:",
            "connect-src 'self'",
            "worker-src 'self' blob:",  # MapLibre decodes tiles in a blob worker
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            f"frame-ancestors {'*' if embed else NOBODY}",
        ]
    )


class HttpHygieneMiddleware:
    """The outermost layer: HEAD as GET without a body, headers, trusted hosts."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        hosts = (settings.trusted_hosts or "").split(",")
        self.trusted = {h.strip().lower() for h in hosts if h.strip()}
        self.csp = content_security_policy(settings, embed=False).encode()
        self.csp_embed = content_security_policy(settings, embed=True).encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one request (HTTP only; lifespan and websockets pass through)."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        head = scope["method"] == "HEAD"
        if head:
            scope = {**scope, "method": "GET"}
        embed = scope.get("path", "").endswith("/embed")

        async def send_wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (k, v)
                    for k, v in message.get("headers", [])
                    if k.lower() not in (b"x-frame-options",)
                ]
                headers += [
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"strict-origin-when-cross-origin"),
                ]
                ctype = next((v for k, v in headers if k.lower() == b"content-type"), b"")
                if ctype.startswith(b"text/html"):
                    headers.append(
                        (b"content-security-policy", self.csp_embed if embed else self.csp)
                    )
                    if not embed:
                        headers.append((b"x-frame-options", b"DENY"))
                message = {**message, "headers": headers}
            elif message["type"] == "http.response.body" and head:
                if message.get("more_body", False):
                    return  # drop the body, keep only the final empty message
                message = {**message, "body": b""}
            await send(message)

        if self.trusted:
            host = Headers(scope=scope).get("host", "").split(":")[0].lower()
            if host not in self.trusted:
                refused = problem(
                    400,
                    "untrusted-host",
                    "Untrusted Host header",
                    f"Host {host[:100]!r} is not one of GEO_API_TRUSTED_HOSTS",
                    scope.get("path", ""),
                )
                await refused(scope, receive, send_wrapped)
                return
        await self.app(scope, receive, send_wrapped)


class ProblemCORSMiddleware(CORSMiddleware):
    """Starlette's CORS handling, with a refused preflight answered as problem+json."""

    def preflight_response(self, request_headers: Headers) -> Response:
        """The preflight answer; a 400 keeps its CORS headers but gets a problem body."""
        response = super().preflight_response(request_headers)
        if response.status_code < 400:
            return response
        detail = bytes(response.body).decode(errors="replace")[:200]
        out = problem(400, "cors-refused", "CORS preflight refused", detail, "")
        for key, value in response.headers.items():
            if key.lower().startswith("access-control-") or key.lower() == "vary":
                out.headers[key] = value
        return out
