"""HTTP hygiene: HEAD, Allow on 405, security headers, bounded echoes, trusted hosts, CORS."""

import re

import pytest
from fastapi.testclient import TestClient

from geo_api.app import create_app
from geo_api.http import content_security_policy, tile_origin
from tests.routes.conftest import make_settings

GETS = [
    "/",
    "/collections",
    "/collections/neighborhoods/items?limit=1",
    "/collections/tracts/items/06037000100",
    "/indicators",
    "/healthz",
    "/maps/neighborhoods/no_subscription_pct",
    "/priorities/la-deal?layer=tracts",
    "/openapi.json",
    "/docs",
]


@pytest.mark.parametrize("url", GETS)
def test_head_answers_like_get_without_a_body(client, url):
    get = client.get(url)
    head = client.head(url)
    assert get.status_code == head.status_code == 200
    assert head.content == b""
    assert head.headers["content-type"] == get.headers["content-type"]
    assert head.headers.get("etag") == get.headers.get("etag")
    assert head.headers["content-length"] == get.headers["content-length"]
    assert head.headers["x-content-type-options"] == "nosniff"


def test_405_says_what_is_allowed(client):
    r = client.post("/collections")
    assert r.status_code == 405
    assert r.headers["content-type"] == "application/problem+json"
    allowed = {m.strip() for m in r.headers["allow"].split(",")}
    assert {"GET", "HEAD"} <= allowed
    assert r.json()["code"] == "method-not-allowed"


def _example_path(template: str) -> str:
    """An OpenAPI path template with a value in each parameter (routes match any)."""
    values = {"{z}": "3", "{x}": "1", "{y}": "2", "{collectionId}": "tracts"}
    for name, value in values.items():
        template = template.replace(name, value)
    return re.sub(r"\{[^}]+\}", "example", template)


def test_every_path_lists_every_method_it_answers(client):
    # the OpenAPI document is the independent statement of what each path answers
    paths = client.get("/openapi.json").json()["paths"]
    assert len(paths) > 20
    for template, operations in paths.items():
        methods = {m.upper() for m in operations if m in ("get", "post", "put", "delete")}
        expected = methods | {"OPTIONS"} | ({"HEAD"} if "GET" in methods else set())
        path = _example_path(template)
        options = client.options(path)
        assert options.status_code == 204, (template, options.text)
        assert {m.strip() for m in options.headers["allow"].split(",")} == expected, template
        refused = client.delete(path)
        assert refused.status_code == 405, template
        assert refused.headers["allow"] == options.headers["allow"]
    # the two routes that take GET and POST (they used to say POST, and GET, HEAD)
    for path in ("/aggregate", "/compare"):
        assert client.options(path).headers["allow"] == "GET, HEAD, POST, OPTIONS"


def test_html_pages_carry_a_content_security_policy(client):
    page = client.get("/maps/neighborhoods/no_subscription_pct")
    csp = page.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unpkg" not in csp  # local assets by default
    assert page.headers["x-frame-options"] == "DENY"
    embed = client.get("/maps/neighborhoods/no_subscription_pct/embed")
    assert "frame-ancestors *" in embed.headers["content-security-policy"]
    assert "x-frame-options" not in embed.headers
    data = client.get("/collections")
    assert "content-security-policy" not in data.headers
    assert data.headers["x-content-type-options"] == "nosniff"
    error = client.get("/collections/nope")
    assert error.status_code == 404 and error.headers["x-content-type-options"] == "nosniff"


def test_csp_names_the_basemap_host_and_the_cdn_when_configured(tmp_path):
    settings = make_settings(tmp_path).model_copy(
        update={
            "map_tiles": "https://{s}.tile.example.org/{z}/{x}/{y}.png",
            "map_assets": "cdn",
        }
    )
    csp = content_security_policy(settings, embed=False)
    assert "img-src 'self' data: blob: https://*.tile.example.org https://unpkg.com" in csp
    assert "script-src 'self' 'unsafe-inline' https://unpkg.com" in csp
    assert tile_origin("not a url") is None


def test_a_huge_accept_header_is_not_echoed(client):
    accept = "application/x-nothing-" + "x" * 25_000
    r = client.get("/collections/neighborhoods/items", headers={"Accept": accept})
    assert r.status_code == 406
    assert len(r.content) < 2_000


def test_refused_cors_preflight_is_a_problem(client):
    r = client.options(
        "/collections",
        headers={"Origin": "https://example.org", "Access-Control-Request-Method": "DELETE"},
    )
    assert r.status_code == 400
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["code"] == "cors-refused"
    ok = client.options(
        "/collections",
        headers={"Origin": "https://example.org", "Access-Control-Request-Method": "GET"},
    )
    assert ok.status_code == 200 and ok.headers["access-control-allow-origin"] == "*"


def test_trusted_hosts_refuse_a_forged_host(store, tmp_path):
    settings = make_settings(tmp_path).model_copy(update={"trusted_hosts": "geo.example.org"})
    with TestClient(create_app(settings, store=store), base_url="http://geo.example.org") as c:
        assert c.get("/collections").status_code == 200
        r = c.get("/collections", headers={"Host": "evil.example.com"})
        assert r.status_code == 400 and r.json()["code"] == "untrusted-host"
        assert "evil.example.com" not in c.get("/collections").text


def test_missing_assets_do_not_reveal_server_paths(store, tmp_path):
    settings = make_settings(tmp_path).model_copy(update={"assets_dir": tmp_path / "nowhere"})
    with TestClient(create_app(settings, store=store)) as c:
        r = c.get("/maps/neighborhoods/no_subscription_pct")
    assert r.status_code == 503 and r.json()["code"] == "assets-missing"
    assert str(tmp_path) not in r.text and "/" not in r.json()["detail"].split("GEO_API")[0]


def test_docs_are_served_offline(client):
    page = client.get("/docs")
    assert page.status_code == 200
    assert "/static-offline-docs/swagger-ui-bundle.js" in page.text
    assert "cdn.jsdelivr" not in page.text
    assert client.get("/static-offline-docs/swagger-ui-bundle.js").status_code == 200


def test_problem_types_resolve_to_the_errors_page_listing_every_code(client):
    import re
    from pathlib import Path

    from geo_api.errors import ERROR_CODES

    problem = client.get("/collections/nope").json()
    assert problem["type"] == "/errors#not-found"
    listed = client.get(problem["type"].split("#")[0]).json()["errors"]
    assert {e["code"] for e in listed} == set(ERROR_CODES)
    page = client.get("/errors?f=html").text
    assert 'id="not-found"' in page
    # every code the source can answer with is listed (and documented in docs/errors.md)
    root = Path(__file__).resolve().parents[2]
    used = set()
    for path in (root / "geo_api").rglob("*.py"):
        text = path.read_text()
        used |= set(re.findall(r'code = "([a-z-]+)"', text))
        used |= set(re.findall(r'problem\(\s*\d+,\s*"([a-z-]+)"', text))
    assert used <= set(ERROR_CODES), used - set(ERROR_CODES)
    docs = (root / "docs" / "errors.md").read_text()
    assert all(f"`{code}`" in docs for code in ERROR_CODES)


def test_language_switches_use_the_configured_base_url(store, tmp_path):
    """Behind a proxy every link, the other-language link included, starts with
    GEO_API_BASE_URL, not with the host the proxy forwarded to."""
    public = "https://maps.example.org/geo-api"
    settings = make_settings(tmp_path).model_copy(update={"base_url": public})
    with TestClient(create_app(settings, store=store)) as c:
        for path in (
            "/compare?a=neighborhoods:west&b=neighborhoods:east&f=html",
            "/draw",
            "/priorities/la-deal?f=html",
            "/indicators/population?f=html",
            "/maps/neighborhoods/population",
        ):
            page = c.get(path).text
            switch = re.findall(r'href="([^"]*lang=es)"', page)
            assert switch, path
            assert all(url.startswith(f"{public}{path.split('?')[0]}?") for url in switch), path
