"""OGC API - Features routes on a tiny store built with the real pipeline."""

import csv
import io

import pyogrio
import pytest


def test_landing_links(client):
    body = client.get("/").json()
    rels = {link["rel"] for link in body["links"]}
    assert {"self", "service-desc", "service-doc", "conformance", "data"} <= rels


def test_conformance(client):
    classes = client.get("/conformance").json()["conformsTo"]
    assert any(c.endswith("/conf/core") for c in classes)
    assert any(c.endswith("/conf/geojson") for c in classes)
    assert any(c.endswith("/conf/html") for c in classes)
    assert any(c.endswith("/conf/oas30") for c in classes)


def test_collections_list_counts_and_indicators(client):
    body = client.get("/collections").json()
    by_id = {c["id"]: c for c in body["collections"]}
    assert by_id["tracts"]["numberOfFeatures"] == 4  # three in the TIGER file, one supplement
    assert by_id["neighborhoods"]["numberOfFeatures"] == 2
    hood = client.get("/collections/neighborhoods").json()
    status = {s["indicator"]: s for s in hood["indicators"]}
    assert status["no_subscription_pct"]["status"] == "available"
    assert status["no_computer_pct"]["status"] == "unavailable"
    assert status["median_household_income"]["status"] == "not aggregable"
    assert hood["vintage"] == [2021, 2022]  # Social Explorer 2021, the ACS tables 2022
    assert len(hood["extent"]["spatial"]["bbox"][0]) == 4


def test_items_geojson_shape(client):
    r = client.get("/collections/neighborhoods/items")
    assert r.headers["content-type"].startswith("application/geo+json")
    body = r.json()
    assert body["type"] == "FeatureCollection"
    assert body["numberMatched"] == 2 and body["numberReturned"] == 2
    assert "timeStamp" in body
    feat = body["features"][0]
    assert feat["id"] == feat["properties"]["id"]
    for key in (
        "no_subscription_pct",
        "no_subscription_pct_moe",
        "no_subscription_pct_cv",
        "no_subscription_pct_reliability",
        "name",
    ):
        assert key in feat["properties"]


def test_one_item_and_unknown_item(client):
    r = client.get("/collections/tracts/items/06037000100")
    assert r.status_code == 200
    assert r.json()["properties"]["population"] == 3000
    missing = client.get("/collections/tracts/items/6037000100")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"


def test_paging_follows_next_to_the_end_exactly_once(client):
    seen = []
    url = "/collections/tracts/items?limit=2"
    while url:
        body = client.get(url).json()
        seen += [f["id"] for f in body["features"]]
        nxt = [link["href"] for link in body["links"] if link["rel"] == "next"]
        url = nxt[0].replace("http://testserver", "") if nxt else None
    assert seen == ["06037000100", "06037000200", "06037000300", "06037000400"]


def test_offset_past_the_end_and_prev_link(client):
    body = client.get("/collections/tracts/items?offset=10").json()
    assert body["numberReturned"] == 0 and body["numberMatched"] == 4
    assert not [link for link in body["links"] if link["rel"] == "next"]
    assert [link for link in body["links"] if link["rel"] == "prev"]


def test_limit_above_maximum_is_clamped(client, monkeypatch):
    # with the maximum lowered below the layer's size, a clamp that is dropped shows
    monkeypatch.setattr("geo_api.query.MAX_LIMIT", 2)
    body = client.get("/collections/tracts/items?limit=100000").json()
    assert body["numberReturned"] == 2
    assert body["numberMatched"] == 4
    assert any(link["rel"] == "next" for link in body["links"])


@pytest.mark.parametrize("limit", ["0", "-1", "abc", "1.5"])
def test_bad_limits(client, limit):
    r = client.get(f"/collections/tracts/items?limit={limit}")
    assert r.status_code == 400
    assert r.json()["code"] == "invalid-parameter"


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("bbox=1,2,3", "invalid-parameter"),
        ("bbox=abc", "invalid-parameter"),
        ("bbox=10,10,0,0", "invalid-parameter"),
        ("offset=-5", "invalid-parameter"),
        ("properties=nope", "unknown-parameter"),
        ("sortby=nope", "unknown-parameter"),
        ("nope=1", "unknown-parameter"),
        ("nope>=1", "unknown-parameter"),
        ("name>=1", "invalid-parameter"),
        ("population>=lots", "invalid-parameter"),
        ("zoom=23", "invalid-parameter"),
        ("zoom=-1", "invalid-parameter"),
        ("zoom=near", "invalid-parameter"),
    ],
)
def test_bad_queries_are_problem_responses(client, query, code):
    r = client.get(f"/collections/tracts/items?{query}")
    assert r.status_code == 400
    assert r.headers["content-type"] == "application/problem+json"
    body = r.json()
    assert body["code"] == code and body["status"] == 400 and body["detail"]


def test_zoom_rounds_geometry_and_keeps_properties(client):
    full = client.get("/collections/tracts/items").json()
    zoomed = client.get("/collections/tracts/items?zoom=8").json()
    assert [f["id"] for f in zoomed["features"]] == [f["id"] for f in full["features"]]
    assert [f["properties"] for f in zoomed["features"]] == [
        f["properties"] for f in full["features"]
    ]
    for feature in zoomed["features"]:
        ring = feature["geometry"]["coordinates"][0]
        assert all(round(x, 4) == x and round(y, 4) == y for x, y in ring)
    one = client.get("/collections/tracts/items?zoom=8&properties=population").json()
    assert one["features"][0]["geometry"] == zoomed["features"][0]["geometry"]


def test_unknown_collection_and_format(client):
    r = client.get("/collections/nowhere/items")
    assert r.status_code == 404 and "tracts" in r.json()["valid"]
    r = client.get("/collections/tracts/items?f=xml")
    assert r.status_code == 406 and "gpkg" in r.json()["valid"]
    r = client.get("/collections/tracts/items", headers={"Accept": "image/png"})
    assert r.status_code == 406


def test_bbox_filter(client):
    west_tract_box = "-118.2999,34.001,-118.2901,34.009"
    body = client.get(f"/collections/tracts/items?bbox={west_tract_box}").json()
    assert [f["id"] for f in body["features"]] == ["06037000100"]


def test_sort_and_range_and_equality_filters(client):
    body = client.get("/collections/tracts/items?sortby=-no_subscription_pct").json()
    ids = [f["id"] for f in body["features"]]
    # published SVI rates: B 22.2, D 15.0, A 10.0; C has no households (-999): null, last
    assert ids == ["06037000200", "06037000400", "06037000100", "06037000300"]
    body = client.get("/collections/tracts/items?no_subscription_pct>=20").json()
    assert [f["id"] for f in body["features"]] == ["06037000200"]
    body = client.get("/collections/tracts/items?no_subscription_pct<20").json()
    assert [f["id"] for f in body["features"]] == ["06037000100", "06037000400"]
    body = client.get("/collections/neighborhoods/items?name=East Side").json()
    assert [f["id"] for f in body["features"]] == ["east"]


def test_properties_selection(client):
    body = client.get("/collections/tracts/items?properties=population").json()
    assert set(body["features"][0]["properties"]) == {"id", "name", "population"}


def test_csv_and_gpkg_and_html(client, tmp_path):
    r = client.get("/collections/neighborhoods/items?f=csv")
    assert r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert {row["id"] for row in rows} == {"west", "east"}
    assert "no_subscription_pct_moe" in rows[0]
    r = client.get("/collections/neighborhoods/items?f=gpkg")
    assert "attachment" in r.headers["content-disposition"]
    path = tmp_path / "dl.gpkg"
    path.write_bytes(r.content)
    frame = pyogrio.read_dataframe(path)
    assert sorted(frame["id"]) == ["east", "west"]
    r = client.get("/collections/neighborhoods/items", headers={"Accept": "text/html"})
    assert r.headers["content-type"].startswith("text/html") and "West Side" in r.text
    assert client.get("/?f=html").text.count("<a ") > 3
    assert "East Side" in client.get("/collections/neighborhoods/items/east?f=html").text
    schools_csv = client.get("/collections/schools/items?f=csv").text
    assert "lon" in schools_csv.splitlines()[0]


def test_points_carry_area_values(client):
    body = client.get("/collections/schools/items").json()
    props = {f["id"]: f["properties"] for f in body["features"]}
    first = props["19100001111111"]
    assert first["tract"] == "06037000100" and first["neighborhood"] == "west"
    assert first["tract_no_subscription_pct"] == pytest.approx(10.0)
    assert first["neighborhood_no_subscription_pct_moe"] is not None


def test_etag_304_gzip_and_cors(client):
    r = client.get("/collections/tracts/items", headers={"Accept-Encoding": "identity"})
    etag = r.headers["etag"]
    assert etag.startswith('"') and "public" in r.headers["cache-control"]
    again = client.get("/collections/tracts/items", headers={"If-None-Match": etag})
    assert again.status_code == 304
    other = client.get("/collections/tracts/items?limit=1", headers={"If-None-Match": etag})
    assert other.status_code == 200
    gz = client.get("/collections/tracts/items", headers={"Accept-Encoding": "gzip"})
    assert gz.headers.get("content-encoding") == "gzip"
    assert gz.json() == r.json()
    cors = client.get("/collections", headers={"Origin": "https://example.org"})
    assert cors.headers["access-control-allow-origin"] == "*"


def test_indicators(client):
    body = client.get("/indicators").json()
    ids = {i["id"]: i for i in body["indicators"]}
    assert ids["no_subscription_pct"]["available"] is True
    assert ids["no_subscription_pct"]["tables"] == ["SVI"]
    one = client.get("/indicators/poverty_pct").json()
    assert one["kind"] == "proportion" and "community-schools" in one["programs"]
    assert client.get("/indicators/nope").status_code == 404


def test_healthz(client):
    body = client.get("/healthz").json()
    assert body["status"] == "ok" and body["layers"]["tracts"] == 4


def test_openapi_validates_and_docs_render(client):
    from openapi_spec_validator import validate

    spec = client.get("/openapi.json").json()
    validate(spec)
    assert "/collections/{layer}/items" in spec["paths"]
    assert "swagger-ui" in client.get("/docs").text


def test_one_off_query_pages_are_gzipped_too(client):
    url = "/collections/tracts/items?bbox=-118.31,33.99,-118.27,34.02&no_subscription_pct>=0"
    plain = client.get(url, headers={"Accept-Encoding": "identity"})
    for coding in ("gzip", "br"):
        packed = client.get(url, headers={"Accept-Encoding": coding})
        assert packed.headers["content-encoding"] == coding
        assert packed.json() == plain.json()


def test_openapi_describes_hand_parsed_query_parameters(client):
    paths = client.get("/openapi.json").json()["paths"]

    def names(path):
        return {p["name"] for p in paths[path]["get"]["parameters"]}

    assert {"limit", "bbox", "zoom", "sortby", "f"} <= names("/collections/{layer}/items")
    assert {"scheme", "k", "palette", "breaks", "overlay"} <= names("/maps/{layer}/{indicator}")
    assert {"weights", "seed", "draws", "min_population"} <= names("/priorities/{program}")


def test_downloads_are_attachments_and_the_geopackage_describes_itself(client, tmp_path):
    import sqlite3

    csv_answer = client.get("/collections/neighborhoods/items?f=csv")
    assert csv_answer.headers["content-disposition"].startswith("attachment")
    ranking = client.get("/priorities/la-deal?layer=tracts&f=csv")
    assert ranking.headers["content-disposition"].startswith("attachment")
    path = tmp_path / "hoods.gpkg"
    path.write_bytes(client.get("/collections/neighborhoods/items?f=gpkg").content)
    with sqlite3.connect(path) as db:
        (description,) = db.execute(
            "SELECT description FROM gpkg_contents WHERE table_name = 'neighborhoods'"
        ).fetchone()
        columns = {
            row[0]: (row[1], row[2])
            for row in db.execute(
                "SELECT column_name, title, description FROM gpkg_data_columns "
                "WHERE table_name = 'neighborhoods'"
            )
        }
        extensions = {row[0] for row in db.execute("SELECT extension_name FROM gpkg_extensions")}
    assert (
        "Neighborhoods" in description
        and "2022" in description
        and "margins of error" in description
    )
    assert columns["poverty_pct"][0] == "People below the poverty line"
    assert "percent" in columns["poverty_pct"][1]
    assert columns["poverty_pct_moe"][0].endswith("margin of error")
    assert "90%" in columns["poverty_pct_moe"][1]
    assert "high" in columns["poverty_pct_reliability"][1]
    assert columns["allocated_share"][0].startswith("Allocated share")
    assert "gpkg_schema" in extensions
    # GDAL still reads the file
    assert len(pyogrio.read_dataframe(path)) == 2


def test_tracts_and_schools_name_their_city_and_text_filters_ignore_case(client):
    tracts = client.get("/collections/tracts/items?city=alpha").json()["features"]
    assert [f["id"] for f in tracts] == ["06037000100"]  # B is only half in Alpha
    first = tracts[0]["properties"]
    assert first["city_id"] == "0600001" and first["neighborhood"] == "west"
    assert first["neighborhood_name"] == "West Side"
    assert first["community_name"] == "City of Alpha"
    hoods = client.get("/collections/neighborhoods/items?name=EAST side").json()["features"]
    assert [f["id"] for f in hoods] == ["east"]
    schools = client.get("/collections/schools/items?city=Alpha").json()["features"]
    assert [f["id"] for f in schools] == ["19100001111111"]


def test_csv_rounds_numbers_as_people_read_them(client):
    import csv
    import io

    text = client.get("/collections/neighborhoods/items", params={"f": "csv"}).text
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows
    for row in rows:
        for column, value in row.items():
            if not value or not value.replace(".", "", 1).replace("-", "", 1).isdigit():
                continue
            decimals = len(value.split(".")[1]) if "." in value else 0
            if column in ("population", "population_moe", "households", "households_moe"):
                assert decimals == 0, (column, value)
            elif column.endswith("_pct") or column.endswith("_pct_moe"):
                assert decimals <= 2, (column, value)
            elif column.endswith("_cv"):
                assert decimals <= 1, (column, value)
    # the JSON has the same precision (geo_api/precision.py)
    west = client.get("/collections/neighborhoods/items/west").json()["properties"]
    assert west["no_subscription_pct"] == round(west["no_subscription_pct"], 2)
    assert west["population"] == round(west["population"])
    by_id = {r["id"]: r for r in rows}
    assert float(by_id["west"]["no_subscription_pct"]) == west["no_subscription_pct"]


def test_html_pages_link_their_other_formats_by_name(client):
    """Every format of a page but HTML itself, named for people (GeoJSON, CSV,
    GeoPackage), the self link of a JSON document included."""
    items = client.get("/collections/tracts/items", params={"f": "html", "limit": 2}).text
    formats = items.split("Formats:", 1)[1]
    for name in (">GeoJSON<", ">CSV<", ">GeoPackage<"):
        assert name in formats
    assert "text/html" not in formats.split("</p>", 1)[0].replace('type="text/html"', "")
    gpkg = client.get("/collections/tracts/items", params={"f": "gpkg", "limit": 2})
    assert gpkg.status_code == 200
    landing = client.get("/", params={"f": "html"}).text.split("Formats:", 1)[1]
    assert ">JSON<" in landing
