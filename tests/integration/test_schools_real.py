"""Schools' own pupils on the real mirror: every pupil of the 2022-23 FRPM file accounted
for, percents that are their counts, and the LAUSD ranking of schools in both languages."""

from __future__ import annotations

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from geo_api.app import create_app
from tests.routes.conftest import make_settings

pytestmark = pytest.mark.integration

FRPM_2223 = "schools/cde_frpm2223_la_county.csv"


@pytest.fixture(scope="module")
def real(mirror_store, tmp_path_factory):
    app = create_app(make_settings(tmp_path_factory.mktemp("schools")), store=mirror_store)
    with TestClient(app) as c:
        yield c


def test_the_county_totals_are_the_served_schools_plus_the_named_rest(mirror, mirror_store):
    # the file's own totals, read without the loader
    raw = pd.read_csv(mirror / FRPM_2223, dtype=str)
    raw.columns = [" ".join(c.split()) for c in raw.columns]
    enrolled = pd.to_numeric(raw["Enrollment (K-12)"]).sum()
    eligible = pd.to_numeric(raw["FRPM Count (K-12)"]).sum()
    assert (enrolled, eligible) == (1_313_935, 886_692)  # PROVENANCE section 10
    schools = mirror_store.layers["schools"]
    counts = mirror_store.manifest["layers"]["schools"]["pupil_counts"]
    served = counts["by_place"]["served"]
    assert served["enrollment"] == int(schools["enrollment"].sum())
    assert served["frpm_count"] == int(schools["frpm_count"].sum())
    places = counts["by_place"].values()
    assert sum(p["enrollment"] for p in places) == enrolled
    assert sum(p["frpm_count"] for p in places) == eligible
    assert set(counts["by_place"]) >= {
        "served",
        "district office",
        "nonpublic, nonsectarian school placements",
    }
    # served schools hold all but under 1% of the county's pupils
    assert served["enrollment"] / enrolled > 0.99


def test_each_school_percent_is_its_count_over_its_enrolment(mirror_store):
    s = mirror_store.layers["schools"].dropna(subset=["enrollment"])
    assert len(s) > 2000
    computed = 100 * s["frpm_count"].astype(float) / s["enrollment"].astype(float)
    assert (computed - s["frpm_pct"]).abs().max() < 0.006  # served with two decimals
    el = s.dropna(subset=["english_learners"])
    el_computed = 100 * el["english_learners"].astype(float) / el["upc_enrollment"].astype(float)
    assert (el_computed - el["english_learners_pct"]).abs().max() < 0.006
    assert set(s["counts_reliability"]) == {"complete count"}
    assert int(mirror_store.layers["schools"]["community_school_cohort"].notna().sum()) == 15


@pytest.mark.parametrize("lang", ["en", "es"])
def test_lausd_schools_ranked_in_both_languages(real, lang):
    query = {"layer": "schools", "district": "LAUSD"}
    doc = real.get("/priorities/community-schools", params=query).json()
    assert doc["reproducibility"]["selection"]["district"] == "Los Angeles Unified"
    ranked = [r for r in doc["areas"] if r["rank"] is not None]
    assert len(ranked) > 900
    assert {r["district"] for r in doc["areas"]} == {"Los Angeles Unified"}
    top = ranked[0]
    assert top["rank_90"][0] <= top["rank"] <= top["rank_90"][1]
    assert top["inputs"]["frpm_pct"]["reliability"] == "complete count"
    assert top["inputs"]["poverty_pct"]["moe"] is not None
    known = [r for r in doc["areas"] if r["known_community_school"]]
    assert len(known) == 15
    page = real.get("/priorities/community-schools", params={**query, "f": "html", "lang": lang})
    assert page.status_code == 200
    marker = "Escuela Comunitaria" if lang == "es" else "Community School"
    assert page.text.count(f'<span class="cs">{marker}</span>') == 16  # the key + 15 schools
