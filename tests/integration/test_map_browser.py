"""Maps opened in headless Chromium (Debian's package) with every outside request blocked.

Screenshots are kept in ``test-artifacts/`` at the project root.
"""

import re
from pathlib import Path

import httpx
import pytest

from boundaries.layers import is_water_tract
from maps.mapux import MAINLAND_SOUTH
from tests.browser import chromium_browser, open_offline

pytestmark = pytest.mark.integration

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(scope="module")
def browser():
    with chromium_browser() as b:
        yield b


def _north(geometry: dict) -> float:
    """The northernmost latitude of a GeoJSON (multi)polygon."""
    rings = geometry["coordinates"]
    if geometry["type"] == "MultiPolygon":
        rings = [ring for polygon in rings for ring in polygon]
    return max(lat for ring in rings for _, lat in ring)


def open_map(browser, url: str):
    """Open ``url``; return the page, the outside requests it tried, and console errors."""
    page, outside, errors = open_offline(browser, url)
    page.wait_for_selector("path.geoapi-area", state="attached", timeout=60_000)
    return page, outside, errors


@pytest.mark.parametrize(
    ("layer", "indicator"),
    [("neighborhoods", "poverty_pct"), ("tracts", "no_subscription_pct")],
)
def test_map_draws_every_feature_offline(browser, live_server, layer, indicator):
    features = httpx.get(
        f"{live_server}/collections/{layer}/items",
        params={"limit": 10000, "properties": f"{indicator}_reliability,{indicator}"},
        timeout=60,
    ).json()["features"]
    # water-only census tracts without a value are not drawn: the sea is not "No data"
    water = [f for f in features if is_water_tract(f["id"]) and f["properties"][indicator] is None]
    assert (len(water) > 0) == (layer == "tracts")
    features = [f for f in features if f not in water]
    low = sum(
        1
        for f in features
        if f["properties"][f"{indicator}_reliability"] == "low"
        and f["properties"][indicator] is not None
    )
    page, outside, errors = open_map(browser, f"{live_server}/maps/{layer}/{indicator}")
    try:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"map-{layer}-{indicator}.png"))
        assert outside == [], "the map asked for outside resources"
        assert errors == []
        shapes = page.eval_on_selector_all(
            "path.geoapi-area", "ps => ps.map(p => p.getAttribute('d') || '')"
        )
        assert len(shapes) == len(features)
        # the map opens on the mainland: every area is drawn but those wholly on the
        # islands offshore, which Leaflet leaves empty until the islands are in view
        islands = sum(1 for f in features if _north(f["geometry"]) < MAINLAND_SOUTH)
        empty = [d for d in shapes if not d.startswith("M") or d == "M0 0"]
        assert len(empty) <= islands
        legend = page.inner_text("#geoapi-legend")
        assert "ACS vintage" in legend and "No data" in legend
        hatches = page.eval_on_selector_all(
            "path.geoapi-hatch", "ps => ps.map(p => p.getAttribute('fill'))"
        )
        assert low > 0  # both maps have unreliable areas on the real data
        with_data = sum(1 for f in features if f["properties"][indicator] is not None)
        if low <= with_data / 3:  # a minority is hatched
            assert len(hatches) == low
            assert set(hatches) == {"url(#geoapi-hatch)"}
            assert "hatched: low reliability" in legend.lower()
        else:  # most tracts are unreliable: no hatching, the legend says so
            assert hatches == []
            assert f"Low reliability (CV > 30%) for {low} of {with_data} areas" in legend
            assert "A coarser layer" in legend
        # hovering an area shows its estimate with the margin of error
        box = page.locator("path.geoapi-area").nth(0).bounding_box()
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        tooltip = page.wait_for_selector(".leaflet-tooltip", timeout=5_000)
        assert "Reliability" in tooltip.inner_text()
    finally:
        page.close()


def test_embed_page_is_compact_and_offline(browser, live_server):
    page, outside, errors = open_map(browser, f"{live_server}/maps/spas/poverty_pct/embed")
    try:
        assert outside == [] and errors == []
        assert page.locator("#geoapi-title").count() == 0
        assert page.locator("#geoapi-legend").is_visible()
        assert page.locator("path.geoapi-area").count() == 8
    finally:
        page.close()


def test_search_finds_a_neighborhood_on_the_tract_map(browser, live_server):
    page, outside, errors = open_map(browser, f"{live_server}/maps/tracts/no_subscription_pct")
    try:
        page.fill("#geoapi-search-input", "Watts")
        page.press("#geoapi-search-input", "Enter")
        status = page.locator("#geoapi-search-status")
        status.filter(has_text="Found").wait_for(timeout=10_000)
        found = int(status.inner_text().split()[1])
        assert found >= 5  # Watts' tracts, found through their neighborhood
        # zoomed in on them, the neighborhoods' names are drawn (once the zoom has settled:
        # polled, since a loaded machine takes longer than a quiet one)
        labels: list[str] = []
        for _ in range(20):
            page.wait_for_timeout(500)
            labels = page.eval_on_selector_all(".geoapi-label", "ls => ls.map(l => l.textContent)")
            if "Watts" in labels:
                break
        assert "Watts" in labels
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "map-tracts-search-watts.png"))
        assert outside == [] and errors == []
    finally:
        page.close()


def test_schools_are_clustered_at_county_zoom(browser, live_server):
    url = f"{live_server}/maps/neighborhoods/poverty_pct/embed?overlay=schools"
    page, outside, errors = open_map(browser, url)
    try:
        page.locator(".marker-cluster").first.wait_for(timeout=20_000)
        clusters = page.eval_on_selector_all(
            ".marker-cluster", "cs => cs.map(c => parseInt(c.textContent, 10))"
        )
        # a few dozen groups stand for the county's ~2,300 schools, not 2,300 dots
        assert 3 <= len(clusters) <= 200 and sum(clusters) > 1000
        assert "Public schools" in page.inner_text("#geoapi-legend")
        page.screenshot(path=str(ARTIFACTS / "map-schools-clustered.png"))
        assert outside == [] and errors == []
    finally:
        page.close()


def test_schools_coloured_by_their_meal_share(browser, live_server):
    """Coloured by their own pupils' FRPM share, the schools are drawn one by one (never
    hidden in a cluster's count), in the legend's four classes and white for no count; a
    pointer on one names its share, count and year."""
    url = (
        f"{live_server}/maps/neighborhoods/poverty_pct?overlay=schools&overlay_color=frpm_pct"
        "&overlay_district=Los%20Angeles%20Unified"
    )
    page, outside, errors = open_map(browser, url)
    try:
        page.locator("path.geoapi-school").first.wait_for(timeout=20_000)
        assert page.locator(".marker-cluster").count() == 0
        fills = page.eval_on_selector_all(
            "path.geoapi-school", "ps => ps.map(p => p.getAttribute('fill'))"
        )
        assert len(fills) > 900
        assert set(fills) == {"#cbc9e2", "#9e9ac8", "#756bb1", "#54278f", "#ffffff"}
        legend = page.inner_text("#geoapi-legend")
        assert "free or reduced-price meals" in legend and "90% or more" in legend
        dot = page.locator("path.geoapi-school[fill='#54278f']").first.bounding_box()
        page.mouse.move(dot["x"] + dot["width"] / 2, dot["y"] + dot["height"] / 2)
        tip = page.locator(".leaflet-tooltip").first
        tip.wait_for(timeout=5_000)
        assert re.search(r"\d+\.\d% \([\d,]+ of [\d,]+ pupils, 2022-23\)", tip.inner_text())
        page.screenshot(path=str(ARTIFACTS / "map-schools-frpm.png"))
        assert outside == [] and errors == []
    finally:
        page.close()


def test_the_plan_page_draws_its_sites_and_their_reach(browser, live_server):
    """LA DEAL's ten sites: ten numbered markers over the need, each named on hover, with
    the 2019 access points already in place drawn in grey."""
    page, outside, errors = open_offline(browser, f"{live_server}/plans/la-deal?k=10&f=html")
    try:
        page.locator(".site-no").first.wait_for(timeout=60_000)
        numbers = page.eval_on_selector_all(".site-no", "ns => ns.map(n => n.textContent)")
        assert numbers == [str(n) for n in range(1, 11)]
        # reach circles: ten chosen and one per existing access point, all drawn
        circles = page.locator("path.leaflet-interactive, path[fill-opacity]").count()
        assert circles > 200
        marker = page.locator(".site-no").first.bounding_box()
        page.mouse.move(marker["x"] + 11, marker["y"] + 11)
        tip = page.locator(".leaflet-tooltip").first
        tip.wait_for(timeout=5_000)
        assert re.search(r"adds [\d,]+", tip.inner_text())  # the need the site adds
        page.screenshot(path=str(ARTIFACTS / "plan-la-deal.png"))
        assert outside == [] and errors == []
    finally:
        page.close()
