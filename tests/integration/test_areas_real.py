"""Custom areas and comparisons on the store built from the real-data mirror."""

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from geo_api.app import create_app
from geo_api.settings import Settings

pytestmark = pytest.mark.integration

SOUTH_LA = ("watts", "florence", "historic-south-central")


@pytest.fixture(scope="module")
def client(mirror_store_path: Path, tmp_path_factory):
    """An app reading the store from disk, as `geo-api serve` does (custom-area inputs are
    read from the file on first use)."""
    settings = Settings.model_construct(
        mirror=None,
        store=mirror_store_path,
        census_key=None,
        cache_dir=tmp_path_factory.mktemp("areas"),
        base_url=None,
    )
    with TestClient(create_app(settings)) as c:
        yield c


def test_a_posted_union_of_three_neighborhoods_adds_up(client):
    features = [client.get(f"/collections/neighborhoods/items/{n}").json() for n in SOUTH_LA]
    total = sum(f["properties"]["population"] for f in features)
    posted = client.post("/aggregate", json={"type": "FeatureCollection", "features": features})
    assert posted.status_code == 200, posted.text
    p = posted.json()["properties"]
    assert p["population"] == pytest.approx(total, rel=0.02)
    by_ids = client.get("/aggregate", params={"layer": "neighborhoods", "ids": ",".join(SOUTH_LA)})
    q = by_ids.json()["properties"]
    assert q["population"] == pytest.approx(p["population"], rel=0.005)
    for props in (p, q):
        assert props["no_subscription_pct"] > 0
        assert props["no_subscription_pct_moe"] > 0
        assert props["no_subscription_pct_reliability"] in ("high", "medium", "low")
    assert p["county_share"] > 0.99 and p["population_coverage"] > 0.99
    meta = posted.json()["metadata"]
    assert meta["allocation_method"].startswith("apportioned by 2020 block-group population")
    assert meta["indicators"]["no_subscription_pct"]["vintage"] >= 2020


def test_one_real_tract_drawn_returns_its_published_figures(client):
    tract = client.get("/collections/tracts/items", params={"limit": 1}).json()["features"][0]
    posted = client.post("/aggregate", json=tract).json()["properties"]
    for key in ("population", "poverty_pct", "poverty_pct_moe", "median_household_income"):
        assert posted[key] == pytest.approx(tract["properties"][key]), key


def test_an_area_off_the_coast_is_refused(client):
    ocean = {
        "type": "Polygon",
        "coordinates": [
            [[-119.2, 33.6], [-118.9, 33.6], [-118.9, 33.8], [-119.2, 33.8], [-119.2, 33.6]]
        ],
    }
    out = client.post("/aggregate", json=ocean)
    assert out.status_code == 422 and out.json()["code"] == "outside-county"


def test_watts_and_boyle_heights_are_compared_per_indicator(client):
    # by name, as a planner types them (ignoring case), and by id: the same answer
    out = client.get(
        "/compare", params={"a": "neighborhoods:Watts", "b": "neighborhoods:boyle heights"}
    )
    assert out.status_code == 200
    by_id = client.get(
        "/compare", params={"a": "neighborhoods:watts", "b": "neighborhoods:boyle-heights"}
    )
    assert by_id.json()["indicators"] == out.json()["indicators"]
    rows = {r["indicator"]: r for r in out.json()["indicators"]}
    assert rows["no_subscription_pct"]["significant"] in (True, False)
    # Boyle Heights has more than twice Watts' people: a count tells the areas' sizes,
    # not their needs, so it carries no verdict; the rates do
    assert rows["population"]["significant"] is None
    assert rows["poverty_pct"]["significant"] in (True, False)
    assert all("significant" in r for r in rows.values())
    tested = [r for r in rows.values() if r["significant"] is not None]
    # survey estimates differ within a margin; complete counts (distance to internet
    # access, 2020 Census) have none, so any difference is a real one
    survey = [r for r in tested if r["indicator"] != "far_from_internet_access_pct"]
    assert survey and all(r["difference_moe"] > 0 for r in survey)
    assert rows["far_from_internet_access_pct"]["difference_moe"] == 0
