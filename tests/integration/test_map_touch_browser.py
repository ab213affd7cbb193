"""Maps as they are read on a laptop (a pointer hovers, then clicks) and on a phone (a
finger taps), on the real store in headless Chromium: what opens lies wholly on screen,
the tract map opens on the mainland, and the snippets follow a search (screenshots in
test-artifacts/: look at them)."""

import io

import httpx
import pytest
from PIL import Image

from tests.browser import CHROMIUM_ARGS, chromium_path
from tests.conftest import skip_unless_required
from tests.integration.test_map_browser import ARTIFACTS

pytestmark = pytest.mark.integration

MAPS = {
    "neighborhoods": "/maps/neighborhoods/no_subscription_pct",
    "tracts": "/maps/tracts/no_subscription_pct",
    "embed": "/maps/neighborhoods/poverty_pct/embed",
}
LANGS = {"en": "", "es": "?lang=es"}
BOX = """(sel) => { const e = document.querySelector(sel); if (!e) return null;
  const r = e.getBoundingClientRect();
  return {left: r.left, top: r.top, right: r.right, bottom: r.bottom, width: r.width}; }"""


@pytest.fixture(scope="module")
def playwright_chromium():
    path = chromium_path()
    if path is None:
        skip_unless_required("Chromium not installed: run `make browser-deps`")
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _open(browser, url: str, phone: bool):
    size = {"width": 390, "height": 844} if phone else {"width": 1280, "height": 800}
    context = browser.new_context(viewport=size, has_touch=phone, is_mobile=phone)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.route(
        "**/*",
        lambda r: r.continue_() if r.request.url.startswith("http://127.0.0.1") else r.abort(),
    )
    page.goto(url, wait_until="load", timeout=90_000)
    page.wait_for_selector("path.geoapi-area", state="attached", timeout=90_000)
    page.wait_for_timeout(1200)  # the first fit's animation
    return context, page, errors


def _within(box, page) -> bool:
    size = page.viewport_size
    return (
        box is not None
        and box["left"] >= 0
        and box["top"] >= 0
        and box["right"] <= size["width"]
        and box["bottom"] <= size["height"]
    )


@pytest.mark.parametrize("lang", list(LANGS))
@pytest.mark.parametrize("name", list(MAPS))
def test_a_hover_then_a_click_on_a_laptop_stay_on_screen(
    playwright_chromium, live_server, name, lang
):
    context, page, errors = _open(
        playwright_chromium, live_server + MAPS[name] + LANGS[lang], False
    )
    try:
        for x, y in ((640, 420), (1000, 300), (300, 600)):
            page.mouse.move(x, y)
            page.wait_for_timeout(300)
            tip = page.evaluate(BOX, ".leaflet-tooltip")
            if tip is not None:
                assert _within(tip, page), (x, y, tip)
                assert tip["width"] <= 330
        page.mouse.click(640, 420)
        page.wait_for_timeout(900)
        popup = page.evaluate(BOX, ".leaflet-popup-content-wrapper")
        assert _within(popup, page), popup
        link = page.locator(".geoapi-profile a")
        assert "/items/" in link.get_attribute("href")
        page.screenshot(path=str(ARTIFACTS / f"touch-{name}-laptop-{lang}.png"))
        assert errors == []
    finally:
        context.close()


@pytest.mark.parametrize("lang", list(LANGS))
@pytest.mark.parametrize("name", list(MAPS))
def test_a_tap_on_a_phone_opens_a_popup_on_screen(playwright_chromium, live_server, name, lang):
    context, page, errors = _open(playwright_chromium, live_server + MAPS[name] + LANGS[lang], True)
    try:
        page.touchscreen.tap(195, 470)
        page.wait_for_timeout(1200)
        popup = page.evaluate(BOX, ".leaflet-popup-content-wrapper")
        assert _within(popup, page), popup
        tip = page.evaluate(BOX, ".leaflet-tooltip")
        assert tip is None or tip["width"] == 0  # no tooltip left half-shown
        words = "Open this area's profile" if lang == "en" else "Abrir la ficha de esta área"
        assert page.locator(".geoapi-profile a").inner_text() == words
        page.screenshot(path=str(ARTIFACTS / f"touch-{name}-phone-{lang}.png"))
        assert errors == []
    finally:
        context.close()


@pytest.mark.parametrize("phone", [False, True])
def test_the_tract_map_opens_on_the_mainland(playwright_chromium, live_server, phone):
    context, page, _ = _open(playwright_chromium, live_server + MAPS["tracts"], phone)
    try:
        south = page.evaluate(
            "() => window[Object.keys(window).find(k => k.startsWith('map_'))]"
            ".getBounds().getSouth()"
        )
        assert south > 33.55
        # the islands stay reachable
        page.locator(".geoapi-islands a").first.click()
        page.wait_for_timeout(1200)
        south = page.evaluate(
            "() => window[Object.keys(window).find(k => k.startsWith('map_'))]"
            ".getBounds().getSouth()"
        )
        assert south < 33.0
    finally:
        context.close()


def test_snippets_follow_a_search(playwright_chromium, live_server):
    context, page, _ = _open(playwright_chromium, live_server + MAPS["neighborhoods"], False)
    try:
        page.locator("#geoapi-title summary").click()
        before = page.input_value("#geoapi-embed-snippet")
        page.fill("#geoapi-search-input", "Pomona")
        page.press("#geoapi-search-input", "Enter")
        page.locator("#geoapi-search-status").filter(has_text="Found").wait_for(timeout=10_000)
        page.wait_for_timeout(1200)
        embed = page.input_value("#geoapi-embed-snippet")
        image = page.input_value("#geoapi-image-snippet")
        assert embed != before and "bbox=" in embed and "highlight=pomona" in embed
        assert "bbox=" in image and "highlight=pomona" in image and "f=png" in image
        page.screenshot(path=str(ARTIFACTS / "touch-snippets-after-search.png"))
    finally:
        context.close()


def test_the_png_of_pomona_is_pomona(live_server):
    url = live_server + MAPS["tracts"]
    county = httpx.get(url, params={"f": "png"}, timeout=120).content
    bbox = "-117.83,34.00,-117.70,34.11"
    pomona = httpx.get(url, params={"f": "png", "bbox": bbox}, timeout=120).content
    lit = httpx.get(
        url, params={"f": "png", "bbox": bbox, "highlight": "06037402101"}, timeout=120
    ).content
    assert len({county, pomona, lit}) == 3
    for name, png in (("county", county), ("pomona", pomona), ("pomona-highlight", lit)):
        Image.open(io.BytesIO(png)).save(ARTIFACTS / f"png-tracts-{name}.png")
    spanish = httpx.get(
        live_server + "/maps/neighborhoods/no_subscription_pct",
        params={"f": "png", "lang": "es", "width": 800, "height": 600},
        timeout=120,
    ).content
    Image.open(io.BytesIO(spanish)).save(ARTIFACTS / "png-neighborhoods-es-800.png")
