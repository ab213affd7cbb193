"""Pages for people on the hand-made store: the home page, area profiles, search, the
compare form, honest program pages and HTML errors for browsers."""

import re
from html import unescape

import pytest
import shapely

from boundaries.compare import compare_rows
from geo_api.pages import profile as profile_mod
from geo_api.pages.locator import MARKER_BELOW_PX, locator_svg
from maps.i18n import translator
from maps.notes import plain_notes

BROWSER = {"accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
A = "06037000100"


def visible(html: str) -> str:
    """The page's text as a reader sees it: no scripts, styles, tags or attributes."""
    html = re.sub(r"<(script|style|svg|datalist|textarea)\b.*?</\1>", " ", html, flags=re.S)
    return unescape(re.sub(r"<[^>]+>", " ", html))


RAW_NAME = re.compile(r"\b[a-z0-9]+(?:_[a-z0-9]+)+\b")


def test_a_profile_reads_as_words_with_margins_and_the_county(client):
    page = client.get("/collections/neighborhoods/items/west?f=html")
    assert page.status_code == 200 and page.headers["content-language"] == "en"
    text = visible(page.text)
    assert RAW_NAME.findall(text) == []  # no field names such as population_moe
    assert text.count("±") >= 8
    assert "LA County" in text and "Compared with the county" in text
    assert '<svg class="locator"' in page.text
    assert "Standing in each program" in text and "LA DEAL" in text
    # the layer's unavailable indicators are named with the reason, in words
    assert "source table not loaded (B28001)" in text
    # the JSON of the same URL is the GeoJSON feature, unchanged
    doc = client.get("/collections/neighborhoods/items/west").json()
    assert doc["type"] == "Feature" and doc["properties"]["id"] == "west"


def test_a_tract_profile_names_its_neighbourhood_and_city(client):
    page = client.get(f"/collections/tracts/items/{A}", headers=BROWSER)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    rec = client.get(f"/collections/tracts/items/{A}").json()["properties"]
    title = re.search(r"<h1>(.*?)</h1>", page.text).group(1)
    assert title.startswith("Census Tract 1")
    for name in (rec.get("neighborhood_name"), rec.get("city")):
        if name:
            assert name in unescape(title)


def test_a_profile_in_spanish_translates_its_words(client):
    page = client.get("/collections/neighborhoods/items/west?f=html&lang=es")
    text = visible(page.text)
    assert "Cifras" in text and "Condado de Los Ángeles" in text
    for english in ("Figures", "Compared with the county", "Households without", "Lies in"):
        assert english not in text


def test_a_school_profile_shows_the_survey_figures_of_its_neighborhood(client):
    school = client.get("/collections/schools/items/19100001111111").json()["properties"]
    page = client.get("/collections/schools/items/19100001111111?f=html")
    assert page.status_code == 200
    assert "neighborhood this school stands in" in page.text
    assert f"/collections/neighborhoods/items/{school['neighborhood']}?f=html" in page.text
    assert school["tract"] == A  # the ranking reads its tract


def test_rates_are_tested_against_the_county_and_counts_are_not():
    t = translator("en")
    area = {"poverty_pct": 30.0, "poverty_pct_moe": 2.0, "population": 10.0}
    area["population_moe"] = 3.0
    county = {"poverty_pct": 20.0, "poverty_pct_moe": 0.1, "population": 1000.0}
    county["population_moe"] = 30.0
    rows = {r["indicator"]: r for r in compare_rows(area, county, ["poverty_pct", "population"])}
    assert profile_mod._verdict(rows["poverty_pct"], "proportion")[0] == "higher than the county"
    assert profile_mod._verdict(rows["population"], "count") == ("", "")
    # a difference within its margin is not called a difference (both sides of 1.645)
    area["poverty_pct"] = 20.0 + (2.0**2 + 0.1**2) ** 0.5 * 0.999
    row = compare_rows(area, county, ["poverty_pct"], t=t)[0]
    assert profile_mod._verdict(row, "proportion")[0] == "not significantly different"
    area["poverty_pct"] = 20.0 + (2.0**2 + 0.1**2) ** 0.5 * 1.001
    row = compare_rows(area, county, ["poverty_pct"], t=t)[0]
    assert profile_mod._verdict(row, "proportion")[0] == "higher than the county"


def test_parents_are_named_from_half_of_an_area(client):
    catalog = client.app.state.catalog
    spa = catalog.layers["spas"]
    layer = catalog.layers["neighborhoods"]
    whole = spa.frame.geometry.iloc[0]
    # a box straddling the SPA's edge: named when at least half of it lies inside
    minx, miny, _, maxy = whole.bounds
    for inside, named in ((0.51, True), (0.49, False)):
        width = 0.01
        left = minx - width * (1 - inside)
        box = shapely.box(left, (miny + maxy) / 2, left + width, (miny + maxy) / 2 + 0.002)
        found = [p for p in profile_mod.parents(catalog, layer, box) if p["layer"] == "spas"]
        assert bool(found) is named, inside
        if found:
            assert found[0]["wholly"] is False  # "mostly in"


def test_the_count_behind_a_rate_needs_the_same_source_and_year(client):
    t = translator("en")
    layer = client.app.state.catalog.layers["neighborhoods"]
    rec = dict(layer.records[0])
    text = profile_mod._count_behind(layer, rec, "no_subscription_pct", t)
    expected = rec["no_subscription_pct"] / 100 * rec["households"]
    assert text == f"≈ {expected:,.0f} of {rec['households']:,.0f} households"
    # a count from another source or year would mislead: none is shown
    status = layer.status_of("households")
    saved = status["vintage"]
    status["vintage"] = saved - 1
    try:
        assert profile_mod._count_behind(layer, rec, "no_subscription_pct", t) == ""
    finally:
        status["vintage"] = saved
    assert profile_mod._count_behind(layer, rec, "population", t) == ""


def test_the_locator_marks_an_area_too_small_to_see():
    county = [shapely.box(-118.9, 33.6, -117.6, 34.8)]
    big = shapely.box(-118.5, 34.0, -118.2, 34.3)
    assert "<circle" not in locator_svg(county, big, "big")
    # one pixel of this 260 px map is about 0.005°: below the threshold, a marker
    px = (1.3 / (260 - 8)) / 0.83
    tiny = shapely.box(-118.3, 34.0, -118.3 + px * (MARKER_BELOW_PX - 1), 34.0 + px)
    small = shapely.box(-118.3, 34.0, -118.3 + px * (MARKER_BELOW_PX + 2), 34.0 + px)
    assert "<circle" in locator_svg(county, tiny, "tiny")
    assert "<circle" not in locator_svg(county, small, "small")
    # the islands south of the mainland do not stretch the map unless the area is there
    with_islands = [*county, shapely.box(-118.6, 32.8, -118.3, 33.0)]
    svg = locator_svg(with_islands, big, "big")
    assert svg == locator_svg(county, big, "big")


def test_notes_in_plain_words_name_no_field():
    notes = (
        "ba_plus_pct: no margin of error published; allocated_share 63%: most of this "
        "area's figures come from census tracts its boundary splits, divided by 2020 "
        "population; reliability is at most medium"
    )
    for lang in ("en", "es"):
        items = plain_notes(notes, translator(lang))
        assert [s for s, _ in items] == ["ba_plus_pct", None]
        assert all(RAW_NAME.findall(text) == [] for _, text in items), items
    assert "63%" in plain_notes(notes, translator("en"))[1][1]


def test_the_home_page_is_for_people_and_the_landing_page_for_clients(client):
    page = client.get("/", headers=BROWSER)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    text = visible(page.text)
    for words in ("Find an area", "Programs", "Maps by topic", "Draw an area", "OGC API"):
        assert words in text
    assert 'action="http://testserver/search"' in page.text
    assert "/priorities/early-care?f=html" in page.text
    doc = client.get("/").json()  # no Accept: the OGC landing page, as before
    assert {link["rel"] for link in doc["links"]} >= {"service-desc", "conformance", "data"}
    spanish = client.get("/?f=html&lang=es")
    assert "Mapas por tema" in spanish.text and "Maps by topic" not in spanish.text


def test_search_finds_areas_by_name_and_tracts_by_their_neighbourhood(client):
    tract = client.get(f"/collections/tracts/items/{A}").json()["properties"]
    found = client.get("/search", params={"q": "west side"}).json()["results"]
    assert found[0]["layer"] == "neighborhoods" and found[0]["matches"][0]["id"] == "west"
    if tract.get("neighborhood_name"):
        hood = tract["neighborhood_name"].upper()  # case ignored
        groups = {
            g["layer"]: g for g in client.get("/search", params={"q": hood}).json()["results"]
        }
        assert A in [m["id"] for m in groups["tracts"]["matches"]]
    page = client.get("/search", params={"q": "west", "f": "html"})
    assert "/collections/neighborhoods/items/west?f=html" in page.text
    assert client.get("/search", params={"q": "zzzz-no-such"}).json()["results"] == []
    assert client.get("/search", params={"q": "x" * 101}).status_code == 400


def test_compare_takes_names_and_offers_a_form(client):
    by_id = client.get("/compare", params={"a": "neighborhoods:west", "b": "neighborhoods:east"})
    by_name = client.get(
        "/compare", params={"a": "neighborhoods:WEST SIDE", "b": "neighborhoods:east side"}
    )
    assert by_name.status_code == 200
    assert by_name.json()["indicators"] == by_id.json()["indicators"]
    bare = client.get("/compare", params={"layer": "neighborhoods", "a": "West Side", "b": "east"})
    assert bare.json()["indicators"] == by_id.json()["indicators"]
    unknown = client.get("/compare", params={"a": "neighborhoods:Side", "b": "neighborhoods:east"})
    assert unknown.status_code == 400
    assert set(unknown.json()["valid"]) == {"West Side", "East Side"}
    form = client.get("/compare", params={"f": "html"})
    assert form.status_code == 200 and '<form class="cmp"' in form.text
    assert '<option value="West Side">' in form.text
    assert client.get("/compare").status_code == 400  # JSON needs both sides


def test_a_compare_page_gives_counts_no_verdict(client):
    page = client.get(
        "/compare", params={"a": "neighborhoods:west", "b": "neighborhoods:east", "f": "html"}
    ).text
    row = re.search(r"Total population</a>.*?</tr>", page, flags=re.S).group(0)
    assert "not tested" in row and "Z =" not in row


def test_program_pages_say_what_the_store_lacks(client):
    doc = client.get("/priorities/la-deal").json()
    missing = doc["program"]["missing_inputs"]
    used = [i["label"].lower() for i in doc["inputs"] if i["status"] == "used"]
    assert all(label in doc["program"]["purpose"].lower() for label in used)
    assert all(m["label"].lower() not in doc["program"]["purpose"].lower() for m in missing)
    page = visible(client.get("/priorities/la-deal?f=html").text)
    assert "this store lacks them" in page
    for m in missing:
        assert m["label"] in page
    listing = client.get("/priorities", headers=BROWSER)
    assert listing.status_code == 200 and "/priorities/community-schools?f=html" in listing.text
    assert {p["id"] for p in client.get("/priorities").json()["programs"]} == {
        "la-deal",
        "community-schools",
        "early-care",
    }


@pytest.mark.parametrize(
    ("path", "link"),
    [
        ("/collections/nope", "/collections/tracts?f=html"),
        ("/collections/nope/items", "/collections/tracts?f=html"),
        ("/priorities/nope", "/priorities/la-deal?f=html"),
    ],
)
def test_browsers_get_an_error_page_and_clients_a_problem(client, path, link):
    page = client.get(path, headers=BROWSER)
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert link in page.text and "There is no such page." in page.text
    problem = client.get(path)
    assert problem.status_code == 404
    assert problem.headers["content-type"] == "application/problem+json"
    spanish = client.get(path, headers={**BROWSER, "accept-language": "es"})
    assert "Esa página no existe." in spanish.text


def test_an_unknown_route_is_a_page_for_a_browser(client):
    page = client.get("/no/such/page", headers=BROWSER)
    assert page.status_code == 404 and "text/html" in page.headers["content-type"]
    assert client.get("/no/such/page").headers["content-type"] == "application/problem+json"
