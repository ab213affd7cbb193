"""Every page people read, in headless Chromium with outside hosts blocked, at desktop and
phone widths; screenshots land in test-artifacts/ (look at them)."""

import httpx
import pytest

from tests.browser import chromium_browser, open_offline
from tests.integration.test_map_browser import ARTIFACTS

pytestmark = pytest.mark.integration

WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}
PAGES = {
    "map-neighborhoods": "/maps/neighborhoods/no_subscription_pct",
    "map-tracts-es": "/maps/tracts/no_subscription_pct?lang=es",
    "embed-watts": "/maps/neighborhoods/no_subscription_pct/embed"
    "?legend=collapsed&highlight=watts&bbox=-118.30,33.90,-118.20,34.00",
    "map-school-districts": "/maps/school-districts/poverty_pct?overlay=schools",
    "map-priority": "/maps/neighborhoods/priority-la-deal",
    "vector-map": "/maps/tracts/no_subscription_pct/vector",
    "ranking": "/priorities/la-deal?f=html",
    "ranking-es": "/priorities/la-deal?f=html&lang=es",
    "indicator": "/indicators/no_subscription_pct?f=html",
    "compare": "/compare?a=neighborhoods:watts&b=neighborhoods:boyle-heights&f=html",
    "draw": "/draw",
    "docs": "/docs",
}


@pytest.fixture(scope="module")
def browser():
    with chromium_browser() as b:
        yield b


@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize("name", list(PAGES))
def test_page_loads_offline_and_is_screenshotted(browser, live_server, name, width):
    w, h = WIDTHS[width]
    page, outside, errors = open_offline(browser, live_server + PAGES[name], w, h)
    try:
        page.wait_for_load_state("networkidle", timeout=60_000)
        page.wait_for_timeout(500)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"page-{name}-{width}.png"))
        assert outside == [], outside
        assert errors == [], errors
        assert page.title()
    finally:
        page.close()


def test_neighborhood_labels_and_search(browser, live_server):
    page, outside, errors = open_offline(
        browser, f"{live_server}/maps/neighborhoods/no_subscription_pct", 1280, 900
    )
    try:
        page.wait_for_selector("path.geoapi-area", state="attached", timeout=60_000)
        page.wait_for_timeout(1500)  # the opening fit animates; Leaflet ignores zooms meanwhile
        # zooming in on central LA, step by step (the map opens on the whole mainland,
        # centred on the mountains: first centre it on central LA at the opening zoom, as
        # a drag would): at some zoom its names fill the view
        page.evaluate(
            "() => { const m = window[Object.keys(window).find(k => k.startsWith('map_'))];"
            " m.setView([33.95, -118.25], Math.floor(m.getZoom()), {animate: false}); }"
        )
        most: list[str] = []
        for _ in range(4):
            page.click(".leaflet-control-zoom-in")
            page.wait_for_timeout(1000)
            # names drawn inside the visible map, not merely present off screen
            visible = page.eval_on_selector_all(
                ".geoapi-label span",
                "ls => ls.filter(l => { const r = l.getBoundingClientRect();"
                " return r.right > 0 && r.left < innerWidth && r.bottom > 0"
                " && r.top < innerHeight; }).map(l => l.textContent)",
            )
            most = max(most, visible, key=len)
        assert len(most) >= 50, most
        page.fill("#geoapi-search-input", "Watts")
        page.press("#geoapi-search-input", "Enter")
        page.locator("#geoapi-search-status", has_text="Found 1 area").wait_for(timeout=10_000)
        page.wait_for_timeout(800)
        # the view now sits on Watts: its outline is in the middle of the map
        lit = page.locator("path.geoapi-area[stroke='#000000']").first.bounding_box()
        assert lit is not None and 300 < lit["x"] + lit["width"] / 2 < 980
        assert outside == [] and errors == []
    finally:
        page.close()


def test_the_focused_embed_and_a_bad_legend(browser, live_server):
    url = PAGES["embed-watts"]
    page, outside, errors = open_offline(browser, live_server + url, 760, 480)
    try:
        page.wait_for_selector("path.geoapi-highlight", state="attached", timeout=60_000)
        assert page.get_attribute("#geoapi-legend", "open") is None  # collapsed
        assert "Households without an internet subscription" in page.inner_text(
            "#geoapi-embed-title"
        )
        assert outside == [] and errors == []
    finally:
        page.close()
    bad = httpx.get(f"{live_server}/maps/neighborhoods/no_subscription_pct/embed?legend=bogus")
    assert bad.status_code == 400 and "collapsed" in bad.json()["valid"]


ENGLISH_CHROME = (
    "No data", "Legend", "Find an area", "Reliability", "Zoom in", "Zoom out",
    "Embed this map", "Hatched", "Low reliability", "About this indicator", "margin of error",
)  # fmt: skip


def test_spanish_maps_show_no_english_chrome(browser, live_server):
    page, outside, errors = open_offline(
        browser, f"{live_server}/maps/neighborhoods/no_subscription_pct?lang=es", 1280, 900
    )
    try:
        page.wait_for_selector("path.geoapi-area", state="attached", timeout=60_000)
        text = page.inner_text("body")
        titles = page.eval_on_selector_all(
            "[title], [placeholder], [aria-label]",
            "es => es.map(e => [e.title, e.placeholder, e.getAttribute('aria-label')].join(' '))",
        )
        chrome = text + " " + " ".join(titles)
        assert "Sin datos" in chrome
        leftovers = [w for w in ENGLISH_CHROME if w in chrome]
        assert leftovers == []
        box = page.locator("path.geoapi-area").nth(60).bounding_box()
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        tip = page.wait_for_selector(".leaflet-tooltip", timeout=5_000).inner_text()
        assert "Confiabilidad" in tip and "margen de error del 90%" in tip
        assert outside == [] and errors == []
    finally:
        page.close()


def test_the_ranking_page_is_a_table_of_every_area(browser, live_server):
    page, outside, errors = open_offline(browser, f"{live_server}/priorities/la-deal?f=html")
    try:
        rows = page.locator("#ranking tbody tr").count()
        assert rows >= 200
        first = page.inner_text("#ranking tbody tr:first-child td:first-child")
        page.click("#ranking thead th:first-child")  # sort by rank, descending after one click
        page.click("#ranking thead th:first-child")
        assert page.inner_text("#ranking tbody tr:first-child td:first-child") != first
        assert outside == [] and errors == []
    finally:
        page.close()


def test_api_docs_render_their_operations_offline(browser, live_server):
    page, outside, errors = open_offline(browser, f"{live_server}/docs")
    try:
        page.locator(".opblock").first.wait_for(timeout=60_000)
        assert page.locator(".opblock").count() > 20
        assert outside == [] and errors == []
    finally:
        page.close()
