import io
import re

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from geo_api.app import create_app
from tests.routes.conftest import make_settings


def test_full_map_page(client):
    r = client.get("/maps/tracts/no_subscription_pct?scheme=equal_interval&k=3&palette=Blues")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    page = r.text
    assert page.count('"className": "geoapi-area"') == 1
    assert "Households without an internet subscription" in page
    assert "ACS vintage 2022" in page
    assert "Source: CDC Social Vulnerability Index 2022 (ACS 2018-2022)" in page
    assert "http://testserver/assets/leaflet/leaflet.js" in page
    assert "embed?scheme=equal_interval" in page  # the snippet keeps the chosen classes
    assert r.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
    again = client.get(
        "/maps/tracts/no_subscription_pct?scheme=equal_interval&k=3&palette=Blues",
        headers={"If-None-Match": r.headers["etag"]},
    )
    assert again.status_code == 304


def test_embed_page_may_be_framed(client):
    r = client.get("/maps/neighborhoods/no_subscription_pct/embed?overlay=schools")
    assert r.status_code == 200
    assert "x-frame-options" not in r.headers
    assert "geoapi-school" in r.text and 'id="geoapi-title"' not in r.text


def test_png(client):
    r = client.get("/maps/tracts/population?f=png&width=500&height=400")
    assert r.status_code == 200 and r.headers["content-type"] == "image/png"
    assert Image.open(io.BytesIO(r.content)).size == (500, 400)


def test_leaflet_is_served_by_geo_api(client):
    r = client.get("/assets/leaflet/leaflet.js")
    assert r.status_code == 200 and "Leaflet" in r.text[:400]
    assert client.get("/assets/leaflet/leaflet.css").status_code == 200


@pytest.mark.parametrize(
    ("url", "valid"),
    [
        ("/maps/tracts/no_subscription_pct?scheme=jenks", "fisher_jenks"),
        ("/maps/tracts/no_subscription_pct?k=10", "9"),
        ("/maps/tracts/no_subscription_pct?k=2", "3"),
        ("/maps/tracts/no_subscription_pct?palette=jet", "YlOrRd"),
        ("/maps/tracts/nope", "no_subscription_pct"),
        ("/maps/tracts/median_household_income_moe", "no_subscription_pct"),
        ("/maps/rivers/no_subscription_pct", "neighborhoods"),
        ("/maps/schools/no_subscription_pct", "tracts"),
        ("/maps/tracts/no_subscription_pct?overlay=parks", "schools"),
        ("/maps/tracts/no_subscription_pct?f=svg", "png"),
        ("/maps/tracts/no_subscription_pct?zoom=3", "scheme"),
        ("/maps/tracts/no_subscription_pct?scheme=user", None),
        ("/maps/tracts/no_subscription_pct?scheme=user&breaks=5,1", None),
        ("/maps/tracts/no_subscription_pct?f=png&width=10", None),
    ],
)
def test_bad_map_requests_list_valid_values(client, url, valid):
    r = client.get(url)
    assert r.status_code == 400, r.text
    body = r.json()
    assert body["code"] == "invalid-parameter" and body["detail"]
    if valid is not None:
        assert valid in body["valid"]


def test_missing_assets_is_a_clear_503(store, tmp_path):
    settings = make_settings(tmp_path)
    settings.assets_dir = tmp_path / "nowhere"
    with TestClient(create_app(settings, store=store)) as c:
        r = c.get("/maps/tracts/no_subscription_pct")
        assert r.status_code == 503 and r.json()["code"] == "assets-missing"
        assert c.get("/maps/tracts/no_subscription_pct?f=png").status_code == 200
    settings.map_assets = "cdn"
    with TestClient(create_app(settings, store=store)) as c:
        page = c.get("/maps/tracts/no_subscription_pct").text
        assert re.search(r"https://unpkg.com/leaflet@1.9.4/dist/leaflet.js", page)


def test_legend_modes_embed_title_bbox_and_highlight(client):
    base = "/maps/tracts/no_subscription_pct"
    full = client.get(base).text
    assert '<details id="geoapi-legend"' in full and 'data-mode="auto" open' in full
    collapsed = client.get(base, params={"legend": "collapsed"}).text
    assert 'data-mode="collapsed">' in collapsed  # closed: no open attribute
    assert 'id="geoapi-legend"' not in client.get(base, params={"legend": "hidden"}).text
    bad = client.get(base, params={"legend": "sideways"})
    assert bad.status_code == 400 and "collapsed" in bad.json()["valid"]
    embed = client.get(f"{base}/embed", params={"highlight": "06037000200", "legend": "auto"})
    page = embed.text
    assert 'id="geoapi-embed-title"' in page
    assert 'href="http://testserver/maps/tracts/no_subscription_pct?highlight=06037000200"' in page
    assert "geoapi-highlight" in page and "window.innerWidth < 600" in page
    # the view opens on the highlighted tract: its bounds are the ones fitted
    assert "[[33.9975, -118.2925], [34.0125, -118.2775]]" in page  # with a 25% margin
    listed = client.get(f"{base}/embed", params={"highlight": "nope"})
    assert listed.status_code == 400 and "06037000100" in listed.json()["valid"]
    boxed = client.get(base, params={"bbox": "-118.295,34.001,-118.285,34.009"}).text
    assert "[[34.001, -118.295], [34.009, -118.285]]" in boxed
    far = client.get(base, params={"bbox": "-120,30,-119.5,30.5"})
    assert far.status_code == 400


def test_tract_tooltips_say_where_the_tract_is_and_what_the_margin_means(client):
    page = client.get("/maps/tracts/no_subscription_pct").text
    assert "West Side, Alpha" in page  # tract A: neighborhood and city
    assert "90% margin of error (percentage points)" in page  # folium escapes the ±


def test_school_district_maps_never_draw_overlapping_types_together(client):
    base = "/maps/school-districts/population"
    page = client.get(base).text
    assert "School districts (unified and elementary)" in page
    assert "Example Unified" in page
    assert "(unified and secondary)" in client.get(base, params={"sd_type": "secondary"}).text
    bad = client.get(base, params={"sd_type": "all"})
    assert bad.status_code == 400 and bad.json()["valid"] == ["elementary", "secondary", "unified"]
    assert (
        client.get("/maps/neighborhoods/population", params={"sd_type": "unified"}).status_code
        == 400
    )


def test_maps_carry_a_search_box_and_area_labels(client):
    page = client.get("/maps/neighborhoods/population").text
    assert 'type="search"' in page and '<option value="West Side">' in page
    assert '["West Side", ' in page  # a label: name, lat, lon, first zoom
    tracts = client.get("/maps/tracts/population").text
    # tracts are labelled with their neighborhoods, and searchable by them
    assert '["West Side", ' in tracts and '<option value="Alpha">' in tracts
    assert '["Census Tract 1", ' not in tracts


def test_label_points_lie_inside_their_polygons():
    import numpy as np
    from shapely.geometry import Point, Polygon

    from maps.labels import label_points

    # a U shape: its centroid lies outside it, its label must not
    u = Polygon([(0, 0), (0.1, 0), (0.1, 0.1), (0.07, 0.1), (0.07, 0.03), (0.03, 0.03),
                 (0.03, 0.1), (0, 0.1)])  # fmt: skip
    assert not u.contains(u.centroid)
    (label,) = label_points(["Horseshoe"], np.array([u]))
    assert u.contains(Point(label.lon, label.lat))
    tiny = Polygon([(0, 0), (1e-5, 0), (1e-5, 1e-5), (0, 1e-5)])
    assert label_points(["Nowhere Large Enough"], np.array([tiny])) == []


def test_the_schools_overlay_is_clustered_in_the_legend_and_filterable(client):
    page = client.get("/maps/neighborhoods/population", params={"overlay": "schools"}).text
    assert "http://testserver/assets/markercluster/leaflet.markercluster-src.js" in page
    assert "cdnjs" not in page  # folium's default CDN copy is replaced by geo-api's own
    assert "Public schools (3; grouped with a count when zoomed out)" in page
    one = client.get(
        "/maps/neighborhoods/population",
        params={"overlay": "schools", "overlay_district": "example unified"},
    ).text
    assert "Public schools of Example Unified (3;" in one
    bad = client.get(
        "/maps/neighborhoods/population", params={"overlay": "schools", "overlay_district": "X"}
    )
    assert bad.status_code == 400 and bad.json()["valid"] == ["Example Unified"]
    alone = client.get("/maps/neighborhoods/population", params={"overlay_district": "X"})
    assert alone.status_code == 400
    asset = client.get("/assets/markercluster/leaflet.markercluster-src.js")
    assert asset.status_code == 200


def test_maps_in_spanish(client):
    page = client.get("/maps/tracts/no_subscription_pct", params={"lang": "es"}).text
    assert '<html lang="es">' in page
    assert "Hogares sin suscripción a internet: Secciones censales (2020)" in page
    assert "Sin datos (" in page and 'placeholder="Buscar un área"' in page
    assert "margen de error del 90%" in page and "Confiabilidad" in page
    assert "Insertar este mapa" in page
    # a link back to English keeps the other parameters
    assert "/maps/tracts/no_subscription_pct?lang=en" in page and ">English</a>" in page
    english = client.get("/maps/tracts/no_subscription_pct").text
    assert '<html lang="en">' in english and ">Español</a>" in english
    bad = client.get("/maps/tracts/no_subscription_pct", params={"lang": "fr"})
    assert bad.status_code == 400 and bad.json()["valid"] == ["en", "es"]


def test_every_spanish_message_is_translated_and_keeps_its_placeholders():
    import re

    from maps.i18n import catalogue

    table = catalogue("es")
    assert len(table) > 60
    for source, text in table.items():
        assert text.strip(), source
        assert sorted(re.findall(r"\{\w+\}", source)) == sorted(re.findall(r"\{\w+\}", text)), (
            source
        )


def test_the_png_snippet_has_alt_text(client):
    page = client.get("/maps/neighborhoods/population").text
    snippet = page.split('id="geoapi-image-snippet"', 1)[1].split(">", 1)[1]
    snippet = snippet.split("</textarea>", 1)[0]
    assert "&lt;img src=&quot;http://testserver/maps/neighborhoods/population?f=png" in snippet
    assert "alt=&quot;Map: Total population: Neighborhoods (Mapping L.A.). ACS 2022" in snippet


def test_tooltips_name_the_source_in_plain_words(client):
    page = client.get("/maps/neighborhoods/no_subscription_pct").text
    assert '"source": "CDC Social Vulnerability Index 2022 (ACS 2018-2022); ACS 2022' in page
    assert '"Source"' in page  # the tooltip row's label


def test_tract_maps_draw_city_limits_unless_asked_not_to(client):
    """City limits are a thin, non-interactive reference layer on tract maps (in the legend
    and the layer control), optional elsewhere, never on the cities map itself."""
    tracts = client.get("/maps/tracts/no_subscription_pct").text
    assert "geoapi-outline" in tracts and 'data-legend="outlines"' in tracts
    assert "City boundaries" in tracts
    plain = client.get("/maps/tracts/no_subscription_pct", params={"outline": "none"}).text
    assert "geoapi-outline" not in plain and 'data-legend="outlines"' not in plain
    hoods = client.get("/maps/neighborhoods/no_subscription_pct").text
    assert "geoapi-outline" not in hoods
    asked = client.get("/maps/neighborhoods/no_subscription_pct", params={"outline": "cities"})
    assert "geoapi-outline" in asked.text
    itself = client.get("/maps/cities/no_subscription_pct", params={"outline": "cities"})
    assert itself.status_code == 200 and "geoapi-outline" not in itself.text
    spanish = client.get("/maps/tracts/no_subscription_pct", params={"lang": "es"}).text
    assert "Límites de ciudades" in spanish
    bad = client.get("/maps/tracts/no_subscription_pct", params={"outline": "rivers"})
    assert bad.status_code == 400 and bad.json()["valid"] == ["cities", "none"]
    png = client.get("/maps/tracts/no_subscription_pct", params={"f": "png"})
    assert png.status_code == 200 and png.content[:4] == b"\x89PNG"


def _png(client, **params):
    r = client.get("/maps/tracts/no_subscription_pct", params={"f": "png", **params})
    assert r.status_code == 200 and r.headers["content-type"] == "image/png"
    return r.content


def _blank_share(png: bytes) -> float:
    """Share of the map's part of the image (left two thirds) left as white background."""
    img = Image.open(io.BytesIO(png)).convert("RGB")
    w, h = img.size
    part = img.crop((int(0.02 * w), int(0.1 * h), int(0.64 * w), int(0.9 * h)))
    colours = part.getcolors(maxcolors=w * h) or []
    white = sum(n for n, colour in colours if colour == (255, 255, 255))
    return white / (part.width * part.height)


def test_the_png_shows_the_view_asked_for(client):
    county = _png(client)
    # a box inside one tract: the map is filled by it, where the county view leaves margins
    inside = "-118.288,34.002,-118.282,34.008"
    boxed = _png(client, bbox=inside)
    assert _blank_share(county) > 0.2 and _blank_share(boxed) < 0.02
    around = "-118.30,33.99,-118.27,34.02"  # tract 2 and its neighbours
    lit = _png(client, bbox=around, highlight="06037000200")
    assert len({county, boxed, _png(client, bbox=around), lit}) == 4
    # a highlight alone frames its area, as the interactive map does
    assert _png(client, highlight="06037000200") not in (county, lit)
    assert _png(client, legend="hidden") != county
    assert _png(client, lang="es") != county


def test_maps_open_on_the_mainland_not_the_islands():
    import numpy as np
    import shapely

    from maps.mapux import MAINLAND_SOUTH, mainland_bounds, reaches_islands

    mainland = shapely.box(-118.5, 33.70, -118.0, 34.8)
    catalina = shapely.box(-118.6, 33.30, -118.3, 33.48)
    both = np.array([mainland, catalina])
    assert mainland_bounds(both)[1] >= MAINLAND_SOUTH and reaches_islands(both)
    only = np.array([mainland])
    assert mainland_bounds(only) == tuple(shapely.total_bounds(only)) and not reaches_islands(only)
    # an area on the islands alone is shown where it is
    assert mainland_bounds(np.array([catalina]))[1] < MAINLAND_SOUTH


def test_map_pages_link_profiles_follow_the_view_and_speak_to_touch(client):
    page = client.get("/maps/tracts/no_subscription_pct").text
    assert '"profile": "http://testserver/collections/tracts/items/{id}?f=html"' in page
    assert 'id="geoapi-embed-snippet" data-url="http://testserver/maps/tracts/' in page
    assert "{src}" in page and "geoapi:found" in page
    assert "(hover: none)" in page  # a tap opens a popup; no tooltip left behind
    es = client.get("/maps/tracts/no_subscription_pct?lang=es").text
    assert "Abrir la ficha de esta área" in es


def test_water_only_tracts_are_not_drawn_as_no_data():
    from boundaries.layers import is_water_tract

    assert is_water_tract("06037990100") and is_water_tract("06037990300")
    # 9800s are special land uses (parks, airports) and stay; so does every other tract
    assert not is_water_tract("06037980003") and not is_water_tract("06037206300")
    assert not is_water_tract("0603799")  # not a tract GEOID
