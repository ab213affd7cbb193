"""CQL2 filtering on the server, queryables and sortables (OGC API - Features Part 3)."""

import json

import numpy as np
import pytest
import shapely

WEST_TRACT = "POLYGON((-118.2999 34.001, -118.2901 34.001, -118.2901 34.009, -118.2999 34.009, -118.2999 34.001))"  # noqa: E501


def _all(client) -> list[dict]:
    return client.get("/collections/tracts/items?limit=10000").json()["features"]


def _ids(client, **params) -> list[str]:
    r = client.get("/collections/tracts/items", params=params)
    assert r.status_code == 200, r.text
    return [f["id"] for f in r.json()["features"]]


WEST = shapely.from_wkt(WEST_TRACT)
CASES = [
    ("no_subscription_pct > 12", lambda p, g: (p["no_subscription_pct"] or -1) > 12),
    ("casei(name) = casei('CENSUS TRACT 1')", lambda p, g: p["name"].lower() == "census tract 1"),
    ("name IN ('Census Tract 1', 'Census Tract 4')", lambda p, g: p["name"][-1] in "14"),
    ("population BETWEEN 1000 AND 4500", lambda p, g: 1000 <= p["population"] <= 4500),
    ("name LIKE 'Census Tract%'", lambda p, g: True),
    ("no_subscription_pct IS NULL", lambda p, g: p["no_subscription_pct"] is None),
    (
        "NOT (population > 3000) OR poverty_pct < 6",
        lambda p, g: p["population"] <= 3000 or p["poverty_pct"] < 6,
    ),
    (f"S_INTERSECTS(geometry, {WEST_TRACT})", lambda p, g: g.intersects(WEST)),
    ("casei(city) = casei('alpha')", lambda p, g: (p["city"] or "").lower() == "alpha"),
]


@pytest.mark.parametrize(("text", "keep"), CASES, ids=[c[0][:40] for c in CASES])
def test_cql2_text_equals_client_side_filtering(client, text, keep):
    everything = _all(client)
    expected = [
        f["id"] for f in everything if keep(f["properties"], shapely.geometry.shape(f["geometry"]))
    ]
    assert _ids(client, filter=text) == expected
    assert _ids(client, filter=text, **{"filter-lang": "cql-text"}) == expected  # GDAL's name


def test_bbox_literals_select_what_the_bbox_parameter_selects(client):
    """CQL2 bbox literals, in text (4 or 6 numbers) and JSON, equal ``bbox=``: the JSON
    form is read minx, miny, maxx, maxy (pygeofilter alone mixes the order up)."""
    bounds = WEST.buffer(0.004).bounds
    expected = _ids(client, bbox=",".join(map(str, bounds)))
    assert expected
    text = ",".join(map(str, bounds))
    assert _ids(client, filter=f"S_INTERSECTS(geometry, BBOX({text}))") == expected
    minx, miny, maxx, maxy = bounds
    three_d = f"BBOX({minx},{miny},0,{maxx},{maxy},100)"
    assert _ids(client, filter=f"S_INTERSECTS(geometry, {three_d})") == expected
    as_json = {"op": "s_intersects", "args": [{"property": "geometry"}, {"bbox": list(bounds)}]}
    assert _ids(client, filter=json.dumps(as_json), **{"filter-lang": "cql2-json"}) == expected
    bad = client.get(
        "/collections/tracts/items", params={"filter": "S_INTERSECTS(geometry, BBOX(1,2,3))"}
    )
    assert bad.status_code == 400 and bad.json()["code"] == "invalid-parameter"


def test_cql2_json_equals_cql2_text(client):
    as_json = {
        "op": "and",
        "args": [
            {"op": ">", "args": [{"property": "population"}, 2000]},
            {"op": "s_intersects", "args": [{"property": "geometry"}, json.loads(
                shapely.to_geojson(shapely.from_wkt(WEST_TRACT).buffer(0.02)))]},
        ],
    }  # fmt: skip
    area = WEST.buffer(0.02).wkt
    text = f"population > 2000 AND S_INTERSECTS(geometry, {area})"
    from_json = _ids(client, filter=json.dumps(as_json), **{"filter-lang": "cql2-json"})
    assert from_json == _ids(client, filter=text)
    assert from_json  # the buffer reaches tracts A and B


@pytest.mark.parametrize("code", [4326, 3857, 2229])
def test_filter_crs_reads_geometry_literals_in_that_crs(client, code):
    """The same area written in another CRS (its own axis order) selects the same tracts,
    as a polygon and as a BBOX envelope."""
    from pyproj import Transformer

    area = WEST.buffer(0.004)
    move = Transformer.from_crs("OGC:CRS84", f"EPSG:{code}").transform
    moved = shapely.transform(area, lambda xy: np.column_stack(move(xy[:, 0], xy[:, 1])))
    expected = _ids(client, filter=f"S_INTERSECTS(geometry, {area.wkt})")
    assert expected
    crs = {"filter-crs": f"http://www.opengis.net/def/crs/EPSG/0/{code}"}
    assert _ids(client, filter=f"S_INTERSECTS(geometry, {moved.wkt})", **crs) == expected
    box = ",".join(str(v) for v in moved.bounds)
    lonlat_box = ",".join(str(v) for v in area.bounds)
    boxed = _ids(client, filter=f"S_INTERSECTS(geometry, BBOX({lonlat_box}))")
    assert boxed == _ids(client, filter=f"S_INTERSECTS(geometry, {shapely.box(*area.bounds).wkt})")
    assert _ids(client, filter=f"S_INTERSECTS(geometry, BBOX({box}))", **crs) == boxed


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"filter": "nope > 1"}, "unknown-parameter"),
        ({"filter": "population >>"}, "invalid-parameter"),
        ({"filter": "population > 1", "filter-lang": "sql"}, "invalid-parameter"),
        ({"filter": "{not json", "filter-lang": "cql2-json"}, "invalid-parameter"),
        ({"filter": "population > 1", "filter-crs": "EPSG:9999"}, "invalid-parameter"),
        # lon/lat read as latitude first: outside EPSG:4326's range
        (
            {"filter": f"S_INTERSECTS(geometry, {WEST_TRACT})", "filter-crs": "EPSG:4326"},
            "invalid-parameter",
        ),
    ],
)
def test_bad_filters_are_400_problems(client, params, code):
    r = client.get("/collections/tracts/items", params=params)
    assert r.status_code == 400 and r.json()["code"] == code


def test_queryables_and_sortables_describe_the_properties(client):
    q = client.get("/collections/tracts/queryables")
    assert q.headers["content-type"].startswith("application/schema+json")
    schema = q.json()
    assert schema["$schema"].endswith("2020-12/schema") and schema["type"] == "object"
    assert schema["properties"]["population"]["type"] == "number"
    assert schema["properties"]["name"]["type"] == "string"
    assert "geometry" in schema["properties"]
    assert "margin of error" in schema["properties"]["poverty_pct_moe"]["title"]
    sortables = client.get("/collections/tracts/sortables").json()["properties"]
    assert "geometry" not in sortables and "population" in sortables
    for name in sortables:  # sortby accepts exactly the sortables
        assert client.get(f"/collections/tracts/items?sortby=-{name}").status_code == 200
    assert client.get("/collections/tracts/items?sortby=geometry").status_code == 400
    links = {link["rel"] for link in client.get("/collections/tracts").json()["links"]}
    assert "http://www.opengis.net/def/rel/ogc/1.0/queryables" in links
    classes = client.get("/conformance").json()["conformsTo"]
    assert any(c.endswith("/conf/filter") for c in classes)
    assert any(c.endswith("/conf/cql2-text") for c in classes)


def _matched(client, text, lang=None):
    params = {"filter": text, "limit": 1}
    if lang:
        params["filter-lang"] = lang
    r = client.get("/collections/tracts/items", params=params)
    assert r.status_code == 200, r.text
    return r.json()["numberMatched"]


def test_comparisons_with_nulls_are_unknown_and_not_of_unknown_is_unknown(client):
    # on the hand-made store three of four tracts have no city, one no no_subscription_pct
    assert _matched(client, "city = 'Alpha'") == 1
    assert _matched(client, "city <> 'Alpha'") == 0  # not the three nulls
    assert _matched(client, "NOT (city = 'Alpha')") == 0
    assert _matched(client, "city IS NULL") == 3
    assert _matched(client, "city IN ('Alpha', 'Beta')") == 1
    assert _matched(client, "NOT (city IN ('Beta'))") == 1
    assert _matched(client, "no_subscription_pct <= 100") == 3
    assert _matched(client, "NOT (no_subscription_pct <= 100)") == 0  # not the null
    assert _matched(client, "NOT (no_subscription_pct BETWEEN 0 AND 100)") == 0
    # unknown OR true is true; unknown AND false is false
    assert _matched(client, "city = 'Alpha' OR population > 0") == 4
    assert _matched(client, "NOT (city = 'Alpha' AND population < 0)") == 4


def test_cql2_json_between_as_the_standard_writes_it(client):
    nested = '{"op": "between", "args": [{"property": "population"}, [1, 100000]]}'
    flat = '{"op": "between", "args": [{"property": "population"}, 1, 100000]}'
    assert _matched(client, flat, "cql2-json") == _matched(client, nested, "cql2-json") == 4


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("S_INTERSECTS(geometry, LINESTRING(0 0))", None),
        (" AND ".join(["population > 1"] * 500), None),
        ("[]", "cql2-json"),
        ('{"property": "population"}', "cql2-json"),
        ("population", None),
    ],
)
def test_degenerate_filters_are_400s(client, text, lang):
    params = {"filter": text}
    if lang:
        params["filter-lang"] = lang
    r = client.get("/collections/tracts/items", params=params)
    assert r.status_code == 400 and r.json()["code"] == "invalid-parameter", r.text


def test_filter_size_limits_on_both_sides(client):
    from geo_api.cql2 import MAX_FILTER_DEPTH

    # a chain of n ANDs nests n levels deep: the deepest allowed answers, one more is a 400
    fits = " AND ".join(["population > 1"] * (MAX_FILTER_DEPTH - 4))
    assert _matched(client, fits) == 4
    over = " AND ".join(["population > 1"] * (MAX_FILTER_DEPTH + 1))
    r = client.get("/collections/tracts/items", params={"filter": over})
    assert r.status_code == 400 and "too large" in r.json()["detail"]


def test_not_takes_any_condition_as_cql2_says(client):
    # pygeofilter's grammar refused these ("Unexpected token OR")
    assert _matched(client, "NOT (population > 0 OR households > 0)") == 0
    assert _matched(client, "NOT ((population > 0))") == 0
    assert _matched(client, "NOT (population < 0 OR households < 0)") == 4
    assert _matched(client, "NOT NOT population > 0") == 4
    assert _matched(client, "NOT (city = 'Alpha' OR city = 'Beta')") == 0  # nulls: unknown


def _rectangle_beside(x: float, y: float, side: int, end: int, gap: float, size: float):
    """A size × size rectangle whose edge runs ``gap`` from (x, y), on its west (``side``
    -1) or east (1), with (x, y) level with its top (``end`` 1) or bottom (-1) corner,
    ``gap`` inside it: where a rotated rectangle's lon/lat envelope bulges."""
    edge = x - side * gap
    far = edge - side * size
    top_or_bottom = y + end * gap
    other = top_or_bottom - end * size
    return (min(edge, far), min(top_or_bottom, other), max(edge, far), max(top_or_bottom, other))


PLACES = [(code, side, end) for code in (3310, 2229) for side in (-1, 1) for end in (-1, 1)]


@pytest.mark.parametrize(("code", "side", "end"), PLACES)
def test_a_projected_bbox_is_that_rectangle_not_its_lon_lat_envelope(client, code, side, end):
    """A BBOX in filter-crs 3310 or 2229 is the rectangle drawn in that CRS: a school just
    beyond one of its edges is not selected, though the rectangle's lon/lat envelope (what
    the filter used to test) may hold it; the rectangle grown to reach it selects it."""
    from pyproj import Transformer

    school = client.get("/collections/schools/items?limit=1").json()["features"][0]
    lon, lat = school["geometry"]["coordinates"]
    to_crs = Transformer.from_crs("OGC:CRS84", f"EPSG:{code}", always_xy=True)
    x, y = to_crs.transform(lon, lat)
    gap, size = (15.0, 2000.0) if code == 3310 else (8.0, 6500.0)  # metres / US feet
    rect = _rectangle_beside(x, y, side, end, gap, size)
    crs = {"filter-crs": f"http://www.opengis.net/def/crs/EPSG/0/{code}"}

    def selected(box: tuple[float, ...], lang: str = "cql2-text") -> bool:
        if lang == "cql2-text":
            text = f"S_INTERSECTS(geometry, BBOX({','.join(f'{v:.3f}' for v in box)}))"
        else:
            text = json.dumps(
                {"op": "s_intersects", "args": [{"property": "geometry"}, {"bbox": list(box)}]}
            )
        r = client.get(
            "/collections/schools/items", params={"filter": text, "filter-lang": lang, **crs}
        )
        assert r.status_code == 200, r.text
        return school["id"] in {f["id"] for f in r.json()["features"]}

    assert not shapely.box(*rect).intersects(shapely.Point(x, y))
    assert not selected(rect) and not selected(rect, "cql2-json")
    grown = (rect[0] - 2 * gap, rect[1] - 2 * gap, rect[2] + 2 * gap, rect[3] + 2 * gap)
    assert selected(grown) and selected(grown, "cql2-json")


def test_the_envelope_of_a_projected_bbox_holds_ground_outside_it():
    """The case above is not vacuous: for some of its placements the lon/lat envelope of
    the rectangle holds the point beside it (the filter used to select it there)."""
    from pyproj import Transformer

    for code, gap, size in ((3310, 15.0, 2000.0), (2229, 8.0, 6500.0)):
        to_lonlat = Transformer.from_crs(f"EPSG:{code}", "OGC:CRS84", always_xy=True)
        x, y = Transformer.from_crs("OGC:CRS84", f"EPSG:{code}", always_xy=True).transform(
            -118.29, 34.005
        )
        held = []
        for _, side, end in PLACES[:4]:
            minlon, minlat, maxlon, maxlat = to_lonlat.transform_bounds(
                *_rectangle_beside(x, y, side, end, gap, size)
            )
            held.append(minlon <= -118.29 <= maxlon and minlat <= 34.005 <= maxlat)
        assert 1 <= sum(held) <= 3, (code, held)


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("accenti(name) = accenti('Cénsus Tráct 1')", 1),
        ("name = 'Cénsus Tract 1'", 0),  # without accenti() an accent differs
        ("accenti('Cénsus Tráct 1') = accenti(name)", 1),
        ("casei(accenti(name)) = casei(accenti('CÉNSUS TRACT 1'))", 1),
        ("accenti(casei(name)) = accenti(casei('CÉNSUS TRACT 1'))", 1),
        ("accenti(name) = 'Census Tract 1'", 1),
        ("accenti(name) LIKE accenti('Cénsus Tráct _')", 4),
        ("accenti(name) LIKE accenti('cénsus%')", 0),  # still case-sensitive
        ("accenti(name) LIKE casei(accenti('CÉNSUS%'))", 4),
        ("accenti(name) IN (accenti('Cénsus Tract 2'), accenti('Census Tráct 3'))", 2),
    ],
)
def test_accent_insensitive_comparisons(client, text, count):
    assert len(_ids(client, filter=text)) == count


def test_accent_insensitive_comparison_is_declared(client):
    conformance = client.get("/conformance").json()["conformsTo"]
    assert "http://www.opengis.net/spec/cql2/1.0/conf/accent-insensitive-comparison" in conformance
