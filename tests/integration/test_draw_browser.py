"""The draw-your-area page in headless Chromium, offline: draw a rectangle, get figures."""

from pathlib import Path

import pytest

from tests.browser import chromium_browser, open_offline
from tests.integration.test_map_browser import ARTIFACTS

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def browser():
    with chromium_browser() as b:
        yield b


def test_drawing_a_rectangle_shows_population_with_its_moe(browser, live_server):
    page, outside, errors = open_offline(browser, f"{live_server}/draw", 1200, 850)
    try:
        page.wait_for_selector("#map path.leaflet-interactive", timeout=60_000)
        page.click(".leaflet-pm-icon-rectangle")
        box = page.locator("#map").bounding_box()
        cx, cy = box["x"] + box["width"] * 0.6, box["y"] + box["height"] * 0.65
        page.mouse.click(cx - 40, cy - 30)
        page.mouse.move(cx + 40, cy + 30, steps=5)
        page.mouse.click(cx + 40, cy + 30)
        cell = page.wait_for_selector('td[data-indicator="population"]', timeout=60_000)
        assert "±" in cell.inner_text()
        table = page.inner_text("#result")
        assert "Estimate ± 90% MOE" in table and "Download CSV" in table
        # compare the drawn area with a neighborhood: the Census Bureau's test per indicator
        chooser = page.locator("#cmp")
        assert chooser.locator("option").count() > 100  # the neighborhoods
        chooser.select_option("neighborhoods:watts")
        page.wait_for_selector('#cmpresult td[data-compare="population"]', timeout=60_000)
        compared = page.inner_text("#cmpresult")
        assert "Difference (this area − Watts)" in compared
        assert "points ±" in compared and ("Yes" in compared or "No" in compared)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "draw-rectangle.png"))
        page.locator("#cmp").scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "draw-compare.png"))
        assert outside == [] and errors == []
    finally:
        page.close()


def test_clicking_two_neighborhoods_combines_them(browser, live_server):
    page, outside, errors = open_offline(browser, f"{live_server}/draw", 420, 860)
    try:
        page.wait_for_selector("#map path.leaflet-interactive", timeout=60_000)
        shapes = page.locator("#map path.leaflet-interactive")
        shapes.nth(0).click(force=True)
        page.wait_for_selector('td[data-indicator="population"]', timeout=60_000)
        shapes.nth(1).click(force=True)
        # (a locator, not wait_for_function: the page's CSP forbids eval)
        page.locator("#status", has_text="2 area(s) combined").wait_for(timeout=60_000)
        href = page.get_attribute("#csv", "href")
        assert href and "f=csv" in href and "layer=neighborhoods" in href
        page.screenshot(path=str(Path(ARTIFACTS) / "draw-phone-picked.png"), full_page=True)
        assert outside == [] and errors == []
    finally:
        page.close()


def test_the_draw_page_in_spanish(browser, live_server):
    """lang=es: the page, the drawing tools (Geoman's own Spanish) and the figures table."""
    page, outside, errors = open_offline(browser, f"{live_server}/draw?lang=es", 1200, 850)
    try:
        page.wait_for_selector("#map path.leaflet-interactive", timeout=60_000)
        assert page.get_attribute("html", "lang") == "es"
        toolbar = page.inner_html(".leaflet-pm-toolbar")
        assert "Dibujar" in toolbar and "Draw Rectangle" not in toolbar
        page.locator("#map path.leaflet-interactive").nth(0).click(force=True)
        page.locator("#status", has_text="1 área(s) combinada(s)").wait_for(timeout=60_000)
        table = page.inner_text("#result")
        assert "Estimación ± margen de error del 90%" in table and "Descargar CSV" in table
        assert "Comparar con" in table and "(elija un área)" in table
        assert "Estimate ± 90% MOE" not in table
        assert "repartido según" in table or "secciones censales enteras" in table
        for english in ("no margin of error published", "not aggregable", "apportioned by"):
            assert english not in table  # data notes and the method are reworded too
        page.screenshot(path=str(Path(ARTIFACTS) / "draw-spanish.png"))
        assert outside == [] and errors == []
    finally:
        page.close()


def test_the_draw_page_names_places_and_finds_them(browser, live_server):
    page, outside, errors = open_offline(browser, f"{live_server}/draw", 1200, 850)
    try:
        page.wait_for_selector("#map path.leaflet-interactive", timeout=60_000)
        page.wait_for_timeout(800)
        assert page.locator(".geoapi-label").count() > 10  # names at the opening zoom
        page.fill("#place", "boyle heights")  # case ignored, as on the maps
        page.press("#place", "Enter")
        page.wait_for_timeout(1500)
        assert page.inner_text("#place-status") == "Boyle Heights"
        centre = page.evaluate("() => window.geoapiDrawMap.getCenter()")
        assert 34.0 < centre["lat"] < 34.07 and -118.24 < centre["lng"] < -118.17
        names = page.eval_on_selector_all(".geoapi-label", "ls => ls.map(l => l.textContent)")
        assert "Boyle Heights" in names
        page.fill("#place", "no such place")
        page.press("#place", "Enter")
        assert "No area matches" in page.inner_text("#place-status")
        page.screenshot(path=str(ARTIFACTS / "draw-find-boyle-heights.png"))
        assert outside == [] and errors == []
    finally:
        page.close()
