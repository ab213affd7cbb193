"""The pages planners read, on the real store, in headless Chromium at laptop and phone
sizes and in English and Spanish: the home page, neighbourhood, tract and city profiles
and a comparison (screenshots in test-artifacts/: look at them)."""

import re

import httpx
import pytest

from tests.browser import chromium_browser, open_offline
from tests.integration.test_map_browser import ARTIFACTS

pytestmark = pytest.mark.integration

SIZES = {"laptop": (1280, 800), "phone": (390, 844)}
PAGES = {
    "home": "/?f=html",
    "profile-watts": "/collections/neighborhoods/items/watts?f=html",
    "profile-tract": "/collections/tracts/items/06037231220?f=html",
    "profile-pomona": "/collections/cities/items/0658072?f=html",
    "compare": "/compare?a=neighborhoods:Watts&b=neighborhoods:Boyle%20Heights&f=html",
    "profile-school": "/collections/schools/items/19647336015887?f=html",
    "school-ranking": "/priorities/community-schools?layer=schools&district=LAUSD&f=html",
    "plan-la-deal": "/plans/la-deal?k=10&f=html",
}
#: the page's text without the proper names marked translate="no" (school and district
#: names); it takes them out of the page, so it runs after every other look at it
READ_TEXT = """(() => {
  document.querySelectorAll('[translate="no"]').forEach((e) => e.remove());
  return document.body.innerText;
})()"""
PROFILES = [name for name in PAGES if name.startswith("profile")]
RAW_NAME = re.compile(r"\b[a-z0-9]+(?:_[a-z0-9]+)+\b")
#: English words that never stand in Spanish text (names and source titles aside)
ENGLISH = re.compile(
    r"\b(the|of|and|with|households|figures?|this area|county|people|children|from|"
    r"without|below|compared|margin|rank|download|search)\b"
)
#: visible text that may stay as written: area names and source titles
KEPT = re.compile(
    r"Supervisorial District \d+|Council District \d+|Mapping L\.A\.|LA DEAL|"
    r"City of [A-Z][a-z]+(?: [A-Z][a-z]+)*"
)


@pytest.fixture(scope="module")
def browser():
    with chromium_browser() as b:
        yield b


@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("name", list(PAGES))
def test_page_fits_the_screen_and_reads_in_its_language(browser, live_server, name, size, lang):
    w, h = SIZES[size]
    url = live_server + PAGES[name] + ("&lang=es" if lang == "es" else "")
    page, outside, errors = open_offline(browser, url, w, h)
    try:
        page.wait_for_load_state("networkidle", timeout=60_000)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"people-{name}-{size}-{lang}.png"))
        assert outside == [] and errors == [], (outside, errors)
        # nothing runs off the side of the screen (wide tables scroll inside their box)
        assert page.evaluate("document.documentElement.scrollWidth") <= w
        text = page.inner_text("body")
        assert page.evaluate("document.documentElement.lang") == lang
        if name in PROFILES:
            assert RAW_NAME.findall(text) == []
            assert text.count("±") >= 8
            assert ("LA County" if lang == "en" else "Condado de Los Ángeles") in text
            locator = page.locator("svg.locator")
            assert locator.count() == 1 and locator.bounding_box()["width"] > 100
        if lang == "es":
            left = ENGLISH.findall(KEPT.sub("", page.evaluate(READ_TEXT)))
            assert left == [], left
    finally:
        page.close()


def test_a_tract_profile_says_where_it_is(live_server):
    page = httpx.get(live_server + PAGES["profile-tract"], timeout=120).text
    title = re.search(r"<h1>(.*?)</h1>", page).group(1)
    assert title == "Census Tract 2312.20 · Exposition Park, Los Angeles"


def test_watts_and_boyle_heights_by_name_test_rates_not_population(live_server):
    page = httpx.get(live_server + PAGES["compare"], timeout=120)
    assert page.status_code == 200
    population = re.search(r"Total population</a>.*?</tr>", page.text, flags=re.S).group(0)
    assert "not tested" in population and "Z =" not in population
    poverty = re.search(r"People below the poverty line</a>.*?</tr>", page.text, re.S).group(0)
    assert "Z =" in poverty


def test_early_care_says_child_care_is_not_loaded(live_server):
    page = httpx.get(live_server + "/priorities/early-care?f=html", timeout=120).text
    assert "child-care supply is not loaded in this store" in page
    doc = httpx.get(live_server + "/priorities/early-care", timeout=120).json()
    assert "child-care" not in doc["program"]["purpose"]  # not weighed
    assert [m["indicator"] for m in doc["program"]["missing_inputs"]] == [
        "child_care_capacity_per_child"
    ]


def test_a_browser_gets_an_html_404(live_server):
    html = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    page = httpx.get(live_server + "/collections/nope", headers={"accept": html}, timeout=60)
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "/collections/neighborhoods?f=html" in page.text


SPANISH_PAGES = {
    "collections": "/collections?f=html&lang=es",
    "collection": "/collections/neighborhoods?f=html&lang=es",
    "items": "/collections/neighborhoods/items?f=html&lang=es",
    "programs": "/priorities?f=html&lang=es",
    "ranking": "/priorities/early-care?f=html&lang=es",
    "search": "/search?q=pomona&f=html&lang=es",
    "compare-form": "/compare?f=html&lang=es",
    "error": "/collections/nope?f=html&lang=es",
    "map-neighborhoods": "/maps/neighborhoods/no_subscription_pct?lang=es",
    "map-tracts": "/maps/tracts/poverty_pct?lang=es",
    "draw": "/draw?lang=es",
}


@pytest.mark.parametrize("name", list(SPANISH_PAGES))
def test_spanish_pages_leave_no_english_visible(browser, live_server, name):
    page, _, _ = open_offline(browser, live_server + SPANISH_PAGES[name], 1280, 800)
    try:
        page.wait_for_load_state("networkidle", timeout=90_000)
        page.wait_for_timeout(500)
        # what a reader sees: the page's text, the map legend's and the tooltips' included
        text = page.inner_text("body")
        left = ENGLISH.findall(KEPT.sub("", text))
        page.screenshot(path=str(ARTIFACTS / f"spanish-{name}.png"))
        assert left == [], (left, [line for line in text.splitlines() if ENGLISH.search(line)])
    finally:
        page.close()
