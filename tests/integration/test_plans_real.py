"""The site planner on the real mirror: LA DEAL's ten sites among access points and
schools, with the 2019 access points in place, reach 1,609 m."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient

from geo_api.app import create_app
from geo_api.catalog import Catalog
from geo_api.planning.cover import coverage
from geo_api.planning.demand import NEEDS, block_group_demand
from geo_api.planning.plans import Centres, centres_reader
from geo_api.planning.sites import candidate_sites, existing_sites
from tests.routes.conftest import make_settings

pytestmark = pytest.mark.integration

QUERY = {
    "k": 10,
    "candidates": "access-points,schools",
    "existing": "access-points",
    "radius_m": 1609,
}


@pytest.fixture(scope="module")
def real(mirror_store, tmp_path_factory):
    app = create_app(make_settings(tmp_path_factory.mktemp("plans")), store=mirror_store)
    with TestClient(app) as c:
        yield c


def test_no_single_swap_covers_more(real, mirror_store):
    """Checked by brute force on dense arrays, apart from the solver's own sparse code:
    for each chosen site and every unchosen candidate, the swapped plan covers no more."""
    doc = real.get("/plans/la-deal", params={**QUERY, "draws": 0}).json()
    catalog = Catalog.from_store(mirror_store)
    centres = Centres(centres_reader(Path("not-read"), mirror_store.areas)).get()
    demand = block_group_demand(catalog.layers["tracts"], centres, NEEDS["la-deal"], 0, 1)
    candidates = candidate_sites(catalog, ("access-points", "schools"), None)
    existing = existing_sites(catalog, "access-points")
    reach = coverage(candidates.xy, demand.xy, 1609).toarray()
    met = coverage(existing.xy, demand.xy, 1609).toarray().any(axis=0)
    need = np.where(met, 0.0, demand.need)
    chosen = [candidates.index[f["id"]] for f in doc["features"]]
    assert len(chosen) == 10
    covered = need[reach[chosen].any(axis=0)].sum()
    assert covered == pytest.approx(doc["covered"]["estimate"], abs=0.1)
    for j in chosen:
        others = reach[[c for c in chosen if c != j]].any(axis=0)
        # every candidate in j's place at once: covered = others | that candidate's reach
        swapped = (reach | others) @ need
        swapped[chosen] = -1
        assert swapped.max() <= covered + 1e-6, (candidates.ids[j], swapped.max(), covered)


def test_the_la_deal_plan_with_its_interval_and_the_naive_choice(real):
    doc = real.get("/plans/la-deal", params=QUERY).json()
    covered, naive = doc["covered"], doc["naive"]
    assert covered["interval_90"][0] <= covered["estimate"] <= covered["interval_90"][1]
    assert naive["estimate"] < covered["estimate"]  # overlap costs the naive list
    assert 0 < doc["share_of_county_need"]["estimate"] < 1
    assert doc["already_met"]["estimate"] > 0
    # no chosen site is an access point: their circles are all already met
    assert all(f["id"].startswith("schools:") for f in doc["features"])
    again = real.get("/plans/la-deal", params=QUERY).content
    assert real.get("/plans/la-deal", params=QUERY).content == again
