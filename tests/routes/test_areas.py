"""POST/GET /aggregate, /compare and /draw on the fixture store (tests/fixture_mirror.py)."""

import sqlite3

import numpy as np
import orjson
import pyogrio
import pytest
import shapely
from pyproj import Transformer
from shapely.geometry import box, mapping

import geo_api.geoinput as geoinput
from tests.fixture_mirror import TRACTS
from tests.shapes import X0, Y0, D

A, B, C, _D = TRACTS


def strip(start: float, end: float):
    return box(X0 + start * D, Y0, X0 + end * D, Y0 + D)


def feature(geom, **props):
    return {"type": "Feature", "properties": props, "geometry": mapping(geom)}


def problem(response, status, code):
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == code
    return body


def test_a_feature_collection_is_aggregated_as_its_union(client):
    # two overlapping polygons: their union is tracts A and B, counted once
    body = {"type": "FeatureCollection", "features": [feature(strip(0, 1.5)), feature(strip(1, 2))]}
    posted = client.post("/aggregate", json=body)
    assert posted.status_code == 200
    assert posted.headers["content-type"] == "application/geo+json"
    assert posted.headers["cache-control"] == "no-store"
    doc = posted.json()
    assert doc["type"] == "Feature"
    by_ids = client.get("/aggregate", params={"layer": "tracts", "ids": f"{A},{B}"}).json()
    for key in ("population", "population_moe", "no_subscription_pct", "no_subscription_pct_moe"):
        assert doc["properties"][key] == pytest.approx(by_ids["properties"][key]), key
    assert {t["tract"] for t in doc["metadata"]["tracts"]} == {A, B}
    meta = doc["metadata"]
    assert meta["allocation_method"] == "whole tracts"
    assert meta["indicators"]["population"]["vintage"] == 2022
    assert meta["crs"].endswith("CRS84")
    for suffix in ("", "_moe", "_cv", "_reliability"):
        assert f"no_subscription_pct{suffix}" in doc["properties"]


def test_ids_naming_a_shared_tract_twice_count_it_once(client):
    one = client.get("/aggregate", params={"layer": "tracts", "ids": A}).json()
    twice = client.get("/aggregate", params={"layer": "tracts", "ids": f"{A}, {A}"}).json()
    assert one["properties"]["population"] == twice["properties"]["population"]
    # neighborhoods west (A, B) and the city Alpha (A and part of B) share tracts
    west = client.get("/aggregate", params={"layer": "neighborhoods", "ids": "west"}).json()
    both = client.get("/aggregate", params={"layer": "neighborhoods", "ids": "west,east"}).json()
    whole = client.get("/aggregate", params={"layer": "tracts", "ids": ",".join(TRACTS)}).json()
    assert west["properties"]["population"] < both["properties"]["population"]
    assert both["properties"]["population"] == pytest.approx(whole["properties"]["population"])


def test_a_projected_body_gives_the_same_figures(client):
    to_2229 = Transformer.from_crs(4326, 2229, always_xy=True).transform
    projected = shapely.transform(strip(0, 2), lambda xy: np.column_stack(to_2229(*xy.T)))
    plain = client.post("/aggregate", json=mapping(strip(0, 2))).json()
    feet = client.post("/aggregate", params={"crs": "EPSG:2229"}, json=mapping(projected))
    assert feet.status_code == 200
    assert feet.json()["properties"]["population"] == plain["properties"]["population"]
    problem(client.post("/aggregate", json=mapping(projected)), 400, "invalid-geometry")
    bad = problem(
        client.post("/aggregate", params={"crs": "EPSG:27700"}, json={}), 400, "invalid-parameter"
    )
    assert "http://www.opengis.net/def/crs/EPSG/0/2229" in bad["valid"]


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        (b"this is not json", "not JSON"),
        (b'{"type": "Point", "coordinates": [0, 0]}', "Point"),
        (b'{"type": "Polygon", "coordinates": [[[0, 0], [1, 1]]]}', "not a valid Polygon"),
        (b'{"type": "Polygon", "coordinates": "x"}', "not a valid Polygon"),
        (b'{"type": "FeatureCollection", "features": []}', "non-empty"),
        (b'{"type": "Feature", "geometry": null}', "not a JSON object"),
        (b"[1, 2]", "not a JSON object"),
    ],
)
def test_malformed_bodies_are_problems(client, body, fragment):
    out = problem(client.post("/aggregate", content=body), 400, "invalid-geometry")
    assert fragment in out["detail"]


def test_a_self_intersecting_polygon_is_repaired_and_noted(client):
    x1, y1 = X0 + D, Y0 + D
    bow_tie = {
        "type": "Polygon",
        "coordinates": [[[X0, Y0], [x1, y1], [x1, Y0], [X0, y1], [X0, Y0]]],
    }
    out = client.post("/aggregate", json=bow_tie)
    assert out.status_code == 200
    assert "was repaired" in out.json()["properties"]["data_notes"]


def test_limits_are_413_problems(client, monkeypatch):
    out = client.post(
        "/aggregate", content=b"{}", headers={"content-length": str(geoinput.MAX_BODY_BYTES + 1)}
    )
    problem(out, 413, "too-large")
    monkeypatch.setattr(geoinput, "MAX_VERTICES", 4)
    problem(client.post("/aggregate", json=mapping(strip(0, 1))), 413, "too-complex")


def test_an_area_mostly_outside_the_county_is_422(client):
    out = problem(client.post("/aggregate", json=mapping(strip(-3, 1))), 422, "outside-county")
    assert out["county_share"] == pytest.approx(0.25, abs=0.01)


def test_bad_ids_and_layers_are_400(client):
    problem(
        client.get("/aggregate", params={"layer": "tracts", "ids": "nope"}),
        400,
        "invalid-parameter",
    )
    problem(
        client.get("/aggregate", params={"layer": "tracts", "ids": " , "}), 400, "invalid-parameter"
    )
    out = problem(
        client.get("/aggregate", params={"layer": "schools", "ids": "x"}), 400, "invalid-parameter"
    )
    assert "neighborhoods" in out["valid"]
    problem(client.get("/aggregate", params={"layer": "tracts"}), 400, "invalid-parameter")


def test_csv_and_geopackage_downloads(client, tmp_path):
    csv = client.get("/aggregate", params={"layer": "tracts", "ids": f"{A},{B}", "f": "csv"})
    assert csv.headers["content-type"].startswith("text/csv")
    assert "attachment" in csv.headers["content-disposition"]
    header, row = csv.text.splitlines()
    assert "population_moe" in header.split(",") and "acs_sources" in header.split(",")
    assert row.startswith("custom-area,")
    gpkg = client.post("/aggregate", params={"f": "gpkg"}, json=mapping(strip(0, 2)))
    assert gpkg.headers["content-type"] == "application/geopackage+sqlite3"
    path = tmp_path / "a.gpkg"
    path.write_bytes(gpkg.content)
    frame = pyogrio.read_dataframe(path)
    assert len(frame) == 1 and frame["population"].iloc[0] > 0
    with sqlite3.connect(path) as db:
        (title,) = db.execute(
            "SELECT title FROM gpkg_data_columns WHERE column_name = 'population_moe'"
        ).fetchone()
    assert "margin of error" in title


def test_compare_tests_each_indicator(client):
    doc = client.get("/compare", params={"a": "neighborhoods:west", "b": "neighborhoods:east"})
    assert doc.status_code == 200
    body = doc.json()
    rows = {r["indicator"]: r for r in body["indicators"]}
    pop = rows["population"]
    assert pop["difference"] == pytest.approx(pop["a"]["estimate"] - pop["b"]["estimate"])
    # served at the estimate's precision (whole people); the test itself used full figures
    assert pop["difference_moe"] == round((pop["a"]["moe"] ** 2 + pop["b"]["moe"] ** 2) ** 0.5)
    # a count depends on the areas' sizes: shown with its difference, never tested
    assert pop["significant"] is None and pop["z"] is None and "rates" in pop["note"]
    rate_rows = [r for r in rows.values() if r["indicator"].endswith("_pct") and r["z"]]
    assert rate_rows and all(r["significant"] == (abs(r["z"]) > 1.645) for r in rate_rows)
    assert body["notes"] == []
    html = client.get(
        "/compare", params={"a": "neighborhoods:west", "b": "tracts:" + A, "f": "html"}
    )
    assert html.status_code == 200 and "90% margin of error" in html.text
    # rate differences read in percentage points, signed; counts signed too
    rate = next(r for r in body["indicators"] if r["indicator"].endswith("_pct") and r["z"])
    page = client.get(
        "/compare", params={"a": "neighborhoods:west", "b": "neighborhoods:east", "f": "html"}
    ).text
    sign = "+" if rate["difference"] > 0 else "−"
    moe = f"{rate['difference_moe']:.1f}"
    assert f"{sign}{abs(rate['difference']):.1f} points ± {moe}<" in page
    pop_sign = "+" if pop["difference"] > 0 else ("−" if pop["difference"] < 0 else "")
    assert f"{pop_sign}{abs(pop['difference']):,.0f} ± " in page
    overlapping = client.get("/compare", params={"a": "neighborhoods:west", "b": "tracts:" + A})
    assert "independent samples" in overlapping.json()["notes"][0]
    csv = client.get(
        "/compare", params={"a": "neighborhoods:west", "b": "neighborhoods:east", "f": "csv"}
    )
    assert csv.text.splitlines()[0].startswith("indicator,label,a_estimate")


@pytest.mark.parametrize(
    "params",
    [
        {"a": "west", "b": "neighborhoods:east"},
        {"a": "neighborhoods:nowhere", "b": "neighborhoods:east"},
        {"a": "schools:19100001111111", "b": "neighborhoods:east"},
    ],
)
def test_compare_refuses_bad_references(client, params):
    problem(client.get("/compare", params=params), 400, "invalid-parameter")


def test_the_draw_page_and_its_assets(client):
    page = client.get("/draw")
    assert page.status_code == 200
    assert "/assets/geoman/leaflet-geoman.min.js" in page.text
    assert client.get("/assets/geoman/leaflet-geoman.min.js").status_code == 200
    labels = page.text.split("var LABELS = ", 1)[1].split(";\n", 1)[0]
    assert orjson.loads(labels)["population"]["label"] == "Total population"
    spanish = client.get("/draw", headers={"accept-language": "es-MX,es;q=0.9"})
    assert spanish.headers["content-language"] == "es"
    assert '<html lang="es">' in spanish.text and "Elegir áreas de" in spanish.text
    labels = spanish.text.split("var LABELS = ", 1)[1].split(";\n", 1)[0]
    assert orjson.loads(labels)["population"]["label"] == "Población total"
    text = orjson.loads(spanish.text.split("var TEXT = ", 1)[1].split(";\n", 1)[0])
    assert text["Download CSV"] == "Descargar CSV"
    assert all(value.strip() for value in text.values())


def test_compare_page_in_spanish(client):
    """lang=es words the page, the test's notes, sources and data notes in Spanish;
    JSON stays English whatever the header."""
    params = {"a": "neighborhoods:west", "b": "tracts:" + A, "f": "html", "lang": "es"}
    page = client.get("/compare", params=params)
    assert page.status_code == 200
    assert page.headers["content-language"] == "es"
    text = page.text
    assert '<html lang="es">' in text and "¿Significativa al 90%?" in text
    assert "las áreas se superponen" in text  # the overlap note
    assert "ACS de 5 años" in text or "Índice de Vulnerabilidad Social" in text  # sources
    for english in ("Significant at 90%?", "Difference (a − b)", "the areas overlap"):
        assert english not in text
    english_page = client.get("/compare", params={**params, "lang": "en"})
    assert english_page.headers["etag"] != page.headers["etag"]
    as_json = client.get(
        "/compare",
        params={"a": "neighborhoods:west", "b": "tracts:" + A},
        headers={"accept-language": "es"},
    ).json()
    assert "independent samples" in as_json["notes"][0]


def test_posted_compare_of_a_drawn_area_equals_the_layer_compare(client):
    """A drawn area that is exactly tract A is compared as tract A itself; either side may
    be drawn, figures come from the same aggregation as POST /aggregate."""
    tract_a = client.get(f"/collections/tracts/items/{A}").json()["geometry"]
    by_ref = client.get("/compare", params={"a": "tracts:" + A, "b": "neighborhoods:east"})
    drawn = {"type": "Feature", "properties": {"name": "My block"}, "geometry": tract_a}
    posted = client.post("/compare", json={"a": drawn, "b": "neighborhoods:east"})
    assert posted.status_code == 200, posted.text
    assert posted.headers["cache-control"] == "no-store"
    doc, ref = posted.json(), by_ref.json()
    assert doc["a"]["layer"] == "drawn" and doc["a"]["name"] == "My block"
    assert doc["b"] == ref["b"]
    rows, ref_rows = {r["indicator"]: r for r in doc["indicators"]}, ref["indicators"]
    assert set(rows) == {r["indicator"] for r in ref_rows}
    for r in ref_rows:
        mine = rows[r["indicator"]]
        assert mine["a"]["estimate"] == pytest.approx(r["a"]["estimate"]), r["indicator"]
        assert mine["significant"] == r["significant"], r["indicator"]
    # two drawn areas; CSV too
    both = client.post(
        "/compare", params={"f": "csv"}, json={"a": mapping(strip(0, 1)), "b": mapping(strip(2, 3))}
    )
    assert both.status_code == 200 and both.text.startswith("indicator,label,a_estimate")
    assert "drawn:custom" in both.text


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (b"not json", 400, "invalid-geometry"),
        (b'{"a": "tracts:' + A.encode() + b'"}', 400, "invalid-parameter"),
        (b'{"a": 5, "b": "neighborhoods:east"}', 400, "invalid-parameter"),
        (b'{"a": {"type": "Point", "coordinates": [0, 0]}, "b": "x"}', 400, "invalid-geometry"),
        (b'{"a": "nowhere:1", "b": "neighborhoods:east"}', 400, "invalid-parameter"),
    ],
)  # fmt: skip
def test_posted_compare_refuses_bad_bodies(client, body, status, code):
    response = client.post("/compare", content=body, headers={"content-type": "application/json"})
    problem(response, status, code)


def test_posted_areas_are_parsed_and_written_off_the_event_loop(client, monkeypatch):
    import asyncio

    import geo_api.areas as service
    import geo_api.routers.areas as routes

    on_loop: list[str] = []
    called: list[str] = []

    def watched(name, real):
        def call(*args, **kwargs):
            if name == "parse_area":
                called.append(name)
            try:
                asyncio.get_running_loop()
                on_loop.append(name)
            except RuntimeError:
                pass  # a worker thread: the loop goes on serving others meanwhile
            return real(*args, **kwargs)

        return call

    monkeypatch.setattr(service, "parse_area", watched("parse_area", service.parse_area))
    monkeypatch.setattr(routes, "_area_response", watched("_area_response", routes._area_response))
    square = {
        "type": "Polygon",
        "coordinates": [
            [
                [-118.2935, 33.999],
                [-118.2765, 33.999],
                [-118.2765, 34.011],
                [-118.2935, 34.011],
                [-118.2935, 33.999],
            ]
        ],
    }
    for fmt in ("json", "gpkg"):
        r = client.post(f"/aggregate?f={fmt}", json=square)
        assert r.status_code == 200, r.text
    r = client.post("/compare", json={"a": square, "b": "neighborhoods:east"})
    assert r.status_code == 200, r.text
    assert on_loop == []
    assert called == ["parse_area"] * 3


@pytest.mark.parametrize("x", ["-1.18e35", "-180.0001", "1e999"])
def test_a_wild_vertex_is_refused_before_any_repair_could_drop_it(client, x):
    # a square with a zero-width spike out to a vertex off the globe: the ring is invalid,
    # and its repair keeps the square and drops the spike, vertex and all (1e999 is JSON
    # for a number no float holds: infinity)
    ring = (
        f"[-118.3,34.0],[-118.2,34.0],[-118.2,34.05],[{x},34.05],[-118.2,34.05],"
        "[-118.2,34.1],[-118.3,34.1],[-118.3,34.0]"
    )
    body = ('{"type":"Polygon","coordinates":[[' + ring + "]]}").encode()
    r = client.post("/aggregate", content=body, headers={"content-type": "application/geo+json"})
    assert r.status_code == 400 and r.json()["code"] == "invalid-geometry", r.text


def test_the_edge_of_the_globe_is_on_it(client):
    from geo_api.geoinput import _bounds_in_world

    assert _bounds_in_world(np.array([-180.0, -90.0, 180.0, 90.0]))
    assert not _bounds_in_world(np.array([-180.0001, 0.0, 0.0, 0.0]))
    assert not _bounds_in_world(np.array([np.nan, 0.0, 0.0, 0.0]))
