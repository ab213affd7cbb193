"""Priority rankings on the real LA County mirror."""

import numpy as np
import pytest
from fastapi.testclient import TestClient

from geo_api.app import create_app
from tests.routes.conftest import make_settings

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def real(mirror_store, tmp_path_factory):
    app = create_app(make_settings(tmp_path_factory.mktemp("prio")), store=mirror_store)
    with TestClient(app) as c:
        yield c


def test_la_deal_on_neighborhoods(real, mirror_store):
    body = real.get("/priorities/la-deal?layer=neighborhoods").json()
    frame = mirror_store.layers["neighborhoods"]
    used = [i["indicator"] for i in body["inputs"] if i["status"] == "used"]
    assert used == ["no_subscription_pct", "poverty_pct"]  # the mirror lacks B28001, C16002
    complete = frame[used].notna().all(axis=1)
    floors = (frame["population"] >= 1000) & (frame["households"] >= 300)
    assert body["summary"]["ranked"] == int((complete & floors).sum())
    ranks = [a["rank"] for a in body["areas"] if a["rank"] is not None]
    assert ranks == sorted(ranks) and ranks[0] == 1
    assert len(body["summary"]["top_10"]) == 10
    close = body["summary"]["indistinguishable_from_top_10"]
    assert close["count"] == len(close["ids"]) and close["count"] > 0
    for area in body["areas"][:10]:
        assert area["p_top_10"] > 0.2


def test_a_dominant_weight_follows_that_indicator(real, mirror_store):
    body = real.get(
        "/priorities/la-deal?layer=neighborhoods&weights=poverty_pct:1000,no_subscription_pct:0.001"
    ).json()
    frame = mirror_store.layers["neighborhoods"].set_index("id")
    ranked = [a["id"] for a in body["areas"] if a["rank"] is not None]
    # the ranking reads the served values, rounded to 0.01 points (geo_api/precision.py)
    poverty = frame.loc[ranked, "poverty_pct"].round(2).to_numpy()
    assert np.all(np.diff(poverty) <= 1e-9)  # order of the ranking = descending poverty


def test_tract_intervals_are_wider_than_neighborhood_intervals(real):
    """Tracts have larger relative MOEs than neighborhoods: their ranks are less certain."""

    def relative_width(layer):
        areas = real.get(f"/priorities/la-deal?layer={layer}&draws=200").json()["areas"]
        ranked = [a for a in areas if a["rank"] is not None]
        widths = [(a["rank_90"][1] - a["rank_90"][0]) / len(ranked) for a in ranked]
        return float(np.median(widths))

    assert relative_width("tracts") > relative_width("neighborhoods")


def test_community_school_list_covers_every_school(real, mirror_store):
    body = real.get("/priorities/community-schools/schools?layer=neighborhoods").json()
    assert len(body["schools"]) == len(mirror_store.layers["schools"])
    top = body["schools"][0]
    assert top["area_rank"] == 1 and top["cds_code"].isdigit() and len(top["cds_code"]) == 14


@pytest.mark.parametrize("program", ["la-deal", "community-schools", "early-care"])
@pytest.mark.parametrize("layer", ["neighborhoods", "school-districts"])
def test_default_rankings_are_safe(real, program, layer):
    body = real.get(f"/priorities/{program}?layer={layer}").json()
    areas = {a["id"]: a for a in body["areas"]}
    listed = body["summary"]["top_10"] + body["summary"]["indistinguishable_from_top_10"]["ids"]
    assert len(body["summary"]["top_10"]) == 10
    for area_id in listed:
        assert areas[area_id]["population"] >= 1000, areas[area_id]
        assert areas[area_id]["rank"] is not None
    for area in body["areas"]:
        if area["rank"] is None:
            assert area["p_top_10"] is None and area["unranked_reason"]
            continue
        low, high = area["rank_90"]
        assert low <= area["rank"] <= high, area
    # the floors are stated and min_population=0 brings the small areas back
    assert body["reproducibility"]["min_population"] == 1000
    everything = real.get(f"/priorities/{program}?layer={layer}&min_population=0").json()
    assert everything["summary"]["ranked"] >= body["summary"]["ranked"]


def test_near_empty_neighborhoods_are_unranked_by_default(real):
    body = real.get("/priorities/la-deal?layer=neighborhoods").json()
    areas = {a["id"]: a for a in body["areas"]}
    for slug in ("hansen-dam", "griffith-park", "chatsworth-reservoir"):
        assert areas[slug]["rank"] is None, areas[slug]
    assert "min_population=1000" in areas["hansen-dam"]["unranked_reason"]
