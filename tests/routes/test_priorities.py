import csv
import io

import pytest
from fastapi.testclient import TestClient

from geo_api.app import create_app
from tests.routes.conftest import make_settings


def test_ranking_json_states_what_reproduces_it(client):
    body = client.get("/priorities/la-deal?layer=tracts&seed=5&draws=200").json()
    rep = body["reproducibility"]
    assert rep["seed"] == 5 and rep["draws"] == 200
    # LA DEAL's 0.35 and 0.25 renormalised over the two inputs the store has
    assert rep["weights"] == {
        "no_subscription_pct": pytest.approx(0.35 / 0.6),
        "poverty_pct": pytest.approx(0.25 / 0.6),
    }
    assert rep["store_checksum"] and rep["acs_vintages"] == ["2022"]
    status = {i["indicator"]: i["status"] for i in body["inputs"]}
    assert status == {
        "no_subscription_pct": "used",
        "no_computer_pct": "unavailable",
        "poverty_pct": "used",
        "limited_english_pct": "unavailable",
    }
    areas = {a["id"]: a for a in body["areas"]}
    # without a subscription: B 22.2, D 15.0, A 10.0; in poverty: B 20.4, A 10.2, D 5.1
    # percentiles of 3: B (100, 100) first; D (66.7, 33.3) = 52.8 beats A (33.3, 66.7) = 47.2
    assert [areas[t]["rank"] for t in ("06037000200", "06037000400", "06037000100")] == [1, 2, 3]
    assert areas["06037000400"]["score"] == pytest.approx(
        (0.35 * 200 / 3 + 0.25 * 100 / 3) / 0.6, abs=0.01
    )
    unranked = areas["06037000300"]  # no households: no internet rate
    assert unranked["rank"] is None and unranked["score"] is None
    assert "no_subscription_pct" in unranked["unranked_reason"]
    assert body["areas"][-1]["id"] == "06037000300"  # unranked areas come last
    assert body["summary"]["ranked"] == 3 and body["summary"]["unranked"] == 1
    lo, hi = areas["06037000200"]["rank_90"]
    assert 1 <= lo <= hi <= 3


def test_same_seed_same_bytes_across_servers(store, tmp_path):
    url = "/priorities/la-deal?layer=neighborhoods&seed=11&f=csv"
    bodies = []
    for _ in range(2):
        with TestClient(create_app(make_settings(tmp_path), store=store)) as c:
            bodies.append(c.get(url).content)
    assert bodies[0] == bodies[1]


def test_weights_change_the_order(client):
    # population is "higher is not worse": weighting it alone puts the smallest tract first
    body = client.get(
        "/priorities/la-deal?layer=tracts&weights=no_subscription_pct:0,poverty_pct:0,"
        "population:1&min_population=0"
    )
    ranks = {a["id"]: a["rank"] for a in body.json()["areas"]}
    assert ranks["06037000300"] == 1  # population 600
    assert ranks["06037000200"] == 4  # population 5,000


def test_geojson_and_csv(client):
    geo = client.get("/priorities/la-deal?layer=neighborhoods&f=geojson").json()
    assert geo["type"] == "FeatureCollection" and len(geo["features"]) == 2
    props = geo["features"][0]["properties"]
    assert {"rank", "rank_low", "rank_high", "score", "no_subscription_pct_moe"} <= set(props)
    assert geo["priority"]["reproducibility"]["seed"]
    text = client.get("/priorities/la-deal?layer=neighborhoods&f=csv").text
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 2 and rows[0]["seed"] and rows[0]["weights"].startswith("no_sub")


def test_schools_ranked_by_their_area(client):
    weights = "weights=no_subscription_pct:1,poverty_pct:0,no_hs_diploma_pct:0,children_under_18:0"
    body = client.get(f"/priorities/community-schools/schools?layer=tracts&{weights}")
    schools = body.json()["schools"]
    by_code = {s["cds_code"]: s for s in schools}
    assert by_code["19100001111111"]["area_id"] == "06037000100"
    assert by_code["19100001111111"]["area_rank"] == 3  # A: 10.0% without a subscription
    assert by_code["19100002222222"]["area_rank"] is None  # its tract (C) is unranked
    assert by_code["19100003333333"]["area_rank"] == 1  # B: 22.2%
    assert schools[0]["cds_code"] == "19100003333333"
    text = client.get(f"/priorities/community-schools/schools?layer=tracts&{weights}&f=csv").text
    assert text.splitlines()[0].startswith("cds_code,name,district")


def test_priority_score_can_be_mapped(client):
    r = client.get("/maps/tracts/priority-la-deal")
    assert r.status_code == 200 and "need score" in r.text


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/priorities/nope", 404),
        ("/priorities/la-deal?layer=schools", 400),
        ("/priorities/la-deal?layer=rivers", 400),
        ("/priorities/la-deal?weights=nope:1", 400),
        ("/priorities/la-deal?weights=poverty_pct:-2", 400),
        ("/priorities/la-deal?weights=no_subscription_pct:0,poverty_pct:0", 400),
        ("/priorities/la-deal?weights=no_computer_pct:1", 400),  # not in this store
        ("/priorities/la-deal?weights=poverty_pct", 400),
        ("/priorities/la-deal?draws=5", 400),
        ("/priorities/la-deal?seed=-1", 400),
        ("/priorities/la-deal?f=xlsx", 400),
        ("/priorities/la-deal?min_households=x", 400),
        ("/priorities/la-deal?weights=no_subscription_pct:1e308,population:1e308", 400),
        ("/priorities/la-deal?weights=no_subscription_pct:1,no_subscription_pct:2", 400),
        ("/priorities/la-deal?min_population=1.5", 400),
        ("/priorities/la-deal?weight=poverty_pct:1", 400),
        ("/priorities/la-deal/schools", 404),
        ("/priorities/community-schools/schools?f=geojson", 400),
    ],
)
def test_bad_requests_are_problems(client, url, status):
    r = client.get(url)
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/problem+json" and r.json()["detail"]


def test_min_population_leaves_small_areas_unranked_with_the_reason(client):
    body = client.get("/priorities/la-deal?layer=tracts&min_population=4000").json()
    areas = {a["id"]: a for a in body["areas"]}
    assert areas["06037000200"]["rank"] == 1  # 5,000 people
    assert areas["06037000100"]["rank"] is None  # 3,000 people
    assert "min_population=4000" in areas["06037000100"]["unranked_reason"]
    assert "no estimate" in areas["06037000300"]["unranked_reason"]
    assert body["reproducibility"]["min_population"] == 4000
    assert client.get("/priorities/la-deal?min_population=-5").status_code == 400


def test_default_floors_leave_near_empty_areas_unranked(client):
    # population alone: tract 3 (0 people) has an estimate but is below the default floor
    body = client.get("/priorities/la-deal?layer=tracts&weights=no_subscription_pct:0,population:1")
    areas = {a["id"]: a for a in body.json()["areas"]}
    assert areas["06037000300"]["rank"] is None
    assert areas["06037000300"]["unranked_reason"] == "600 people, below min_population=1000"
    assert areas["06037000300"]["p_top_10"] is None
    rep = body.json()["reproducibility"]
    assert rep["min_population"] == 1000 and rep["min_households"] is None  # no household input
    # the household floor applies to household inputs: tract A has 1,000 households
    body = client.get("/priorities/la-deal?layer=tracts&min_households=1200").json()
    areas = {a["id"]: a for a in body["areas"]}
    assert areas["06037000100"]["unranked_reason"] == "1,000 households, below min_households=1200"
    assert areas["06037000200"]["rank"] == 1
    assert body["reproducibility"]["min_households"] == 1200
    assert body["summary"]["top_10"] == ["06037000200", "06037000400"]


def test_min_population_zero_ranks_every_area(client):
    body = client.get(
        "/priorities/la-deal?layer=tracts&weights=no_subscription_pct:0,population:1"
        "&min_population=0"
    ).json()
    assert body["summary"]["unranked"] == 0
    assert body["reproducibility"]["min_population"] == 0
    for area in body["areas"]:
        low, high = area["rank_90"]
        assert low <= area["rank"] <= high
        assert low <= area["rank_median"] <= high


def test_the_ranking_page_lists_every_area_with_intervals_and_reasons(client):
    page = client.get("/priorities/la-deal", params={"f": "html", "seed": 7})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    doc = client.get("/priorities/la-deal", params={"seed": 7}).json()
    ranked = [a for a in doc["areas"] if a["rank"] is not None]
    unranked = [a for a in doc["areas"] if a["rank"] is None]
    body = page.text
    assert body.count('<td class="n" data-v="') >= len(ranked)
    for a in ranked:
        assert f"{a['rank_90'][0]}-{a['rank_90'][1]}" in body
    for a in unranked:
        assert a["unranked_reason"] in body
    # the map link carries the same ranking parameters
    assert "/maps/neighborhoods/priority-la-deal?seed=7" in body
    assert "Households without an internet subscription" in body  # inputs by label
    assert 'id="ranking"' in body and "aria-sort" in body


def test_priority_maps_take_the_ranking_parameters(client):
    out = client.get(
        "/maps/neighborhoods/priority-la-deal",
        params={"min_population": 0, "weights": "poverty_pct:1"},
    )
    assert out.status_code == 200
    assert "rank 1 of" in out.text and "90% interval" in out.text
    assert "f=html" in out.text and "weights=poverty_pct" in out.text  # the Ranking link
    bad = client.get("/maps/neighborhoods/priority-la-deal", params={"weights": "nope:1"})
    assert bad.status_code == 400
    # an indicator map has no ranking to parametrize
    assert client.get("/maps/neighborhoods/poverty_pct", params={"seed": 1}).status_code == 400
