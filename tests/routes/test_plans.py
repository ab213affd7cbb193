"""``/plans/{program}`` on the fixture store: four tracts in a row (eight block-group
centres), three schools, one active public internet access point in tract A."""

from __future__ import annotations

import csv
import io

import pytest

URL = "/plans/la-deal"


def _plan(client, **params):
    response = client.get(URL, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_the_answer_keeps_its_contract(client):
    doc = _plan(client, k=2, candidates="schools", existing="none", radius_m=500)
    assert doc["type"] == "FeatureCollection"
    for member in ("covered", "naive"):
        assert set(doc[member]) >= {"estimate", "interval_90"}
        low, high = doc[member]["interval_90"]
        assert low <= doc[member]["estimate"] <= high  # the interval holds the estimate
    for feature in doc["features"]:
        assert feature["id"].startswith("schools:")
        props = feature["properties"]
        assert 0 <= props["chosen_share"] <= 1 and props["marginal"] >= 0
    marginals = sum(f["properties"]["marginal"] for f in doc["features"])
    assert marginals == pytest.approx(doc["covered"]["estimate"], abs=0.2)
    assert doc["method"]["distance"].startswith("straight-line metres")
    assert doc["inputs"]["candidates"] == 3


def test_the_same_seed_gives_the_same_answer_and_another_seed_may_not(client):
    params = {"k": 2, "candidates": "schools,tracts", "existing": "none", "draws": 50}
    first = client.get(URL, params={**params, "seed": 7}).content
    assert client.get(URL, params={**params, "seed": 7}).content == first
    other = client.get(URL, params={**params, "seed": 8}).json()
    assert other["covered"]["estimate"] == _plan(client, **params, seed=7)["covered"]["estimate"]


def test_existing_sites_count_as_met_and_their_circles_are_never_chosen(client):
    """The access point in tract A reaches tract A's block groups: a candidate whose whole
    circle lies inside that reach (the access point itself) is never picked, however large
    k is."""
    doc = _plan(
        client, k=10, candidates="access-points,schools", existing="access-points", radius_m=600
    )
    chosen = [f["id"] for f in doc["features"]]
    assert "access-points:9000" not in chosen
    assert doc["already_met"]["estimate"] > 0
    assert doc["fewer_sites_than_k"] is True  # nobody is left to reach after a few sites
    none = _plan(client, k=10, candidates="access-points,schools", existing="none", radius_m=600)
    assert none["already_met"]["estimate"] == 0
    assert none["covered"]["estimate"] > doc["covered"]["estimate"]


def test_given_sites_are_evaluated_in_the_same_shape(client):
    doc = _plan(client, sites="schools:19100002222222,schools:19100001111111", existing="none")
    assert [f["id"] for f in doc["features"]] == [
        "schools:19100002222222",
        "schools:19100001111111",
    ]
    assert doc["query"]["sites"] == ["schools:19100002222222", "schools:19100001111111"]
    assert "covered" in doc and "naive" in doc
    bad = client.get(URL, params={"sites": "schools:nope"})
    assert bad.status_code == 400 and "schools:19100001111111" in bad.json()["valid"]


@pytest.mark.parametrize(
    ("params", "ok"),
    [({"k": 1}, True), ({"k": 50}, True), ({"k": 0}, False), ({"k": 51}, False),
     ({"radius_m": 200}, True), ({"radius_m": 199}, False),
     ({"radius_m": 10000}, True), ({"radius_m": 10001}, False),
     ({"draws": 200}, True), ({"draws": 201}, False),
     ({"candidates": "libraries"}, False), ({"existing": "hospitals"}, False),
     ({"candidates": "tracts", "district": "Example Unified"}, False),
     ({"candidates": "schools", "district": "Nowhere"}, False),
     ({"candidates": "schools", "district": "example unified"}, True),
     ({"f": "xml"}, False), ({"colour": "red"}, False)],
)  # fmt: skip
def test_limits_on_each_side(client, params, ok):
    response = client.get(URL, params=params)
    assert response.status_code == (200 if ok else 400), (params, response.text)
    if not ok:
        assert response.headers["content-type"].startswith("application/problem+json")


def test_unknown_program_is_a_404(client):
    response = client.get("/plans/nope")
    assert response.status_code == 404
    assert response.json()["valid"] == ["la-deal", "community-schools", "early-care"]


def test_community_schools_count_the_schools_own_pupils(client):
    doc = client.get(
        "/plans/community-schools", params={"k": 1, "existing": "none", "radius_m": 200}
    ).json()
    assert doc["inputs"]["school_pupils"] == pytest.approx(1120.0)  # 400 + 120 + 600
    # the school with the most FRPM-eligible pupils (600) wins a one-site plan
    assert doc["features"][0]["id"] == "schools:19100003333333"


def test_csv_and_page_in_both_languages(client):
    text = client.get(URL, params={"f": "csv", "k": 2, "existing": "none"}).text
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows and {"id", "order", "marginal", "chosen_share", "lon", "lat"} <= set(rows[0])
    page = client.get(URL, params={"f": "html", "k": 2})
    assert page.status_code == 200 and "where to put the next 2 sites" in page.text
    assert "2019 inventory" in page.text or "2019" in page.text
    spanish = client.get(URL, params={"f": "html", "k": 2, "lang": "es"})
    assert 'lang="es"' in spanish.text and "dónde" in spanish.text.lower()


def test_the_work_budget_on_each_side():
    from geo_api.errors import OverBudget
    from geo_api.limits import PLAN_WORK_BUDGET, check_plan_budget

    pairs, k = 1_000, 10
    draws = PLAN_WORK_BUDGET // (pairs * k) - 1  # exactly at the budget
    check_plan_budget(pairs, k, draws)
    with pytest.raises(OverBudget, match=f"use draws={draws} or fewer"):
        check_plan_budget(pairs, k, draws + 1)


def test_a_plan_over_budget_is_a_400_that_says_what_to_lower(client, monkeypatch):
    monkeypatch.setattr("geo_api.limits.PLAN_WORK_BUDGET", 50)
    response = client.get(URL, params={"k": 2, "existing": "none", "seed": 99})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "over-budget" and "radius_m" in body["detail"]
    assert body["limit"] == 50 and body["max_draws"] >= 0
