"""The Community Schools ranking of schools (``layer=schools``), the school's page and the
schools coloured on maps, on the fixture store (three schools of "Example Unified":
500, 300 and 800 pupils in 2022-23; the third a known Community School, cohort 5)."""

from __future__ import annotations

import csv
import io

import pytest

URL = "/priorities/community-schools"
SMALL, LISTED = "19100002222222", "19100003333333"


def _rank(client, **params):
    response = client.get(URL, params={"layer": "schools", **params})
    assert response.status_code == 200, response.text
    return response.json()


def test_schools_are_ranked_with_their_own_counts_beside_their_tract(client):
    doc = _rank(client)
    rows = {r["id"]: r for r in doc["areas"]}
    assert set(rows) == {"19100001111111", SMALL, LISTED}
    inputs = {i["indicator"]: i for i in doc["inputs"]}
    assert inputs["frpm_pct"]["status"] == "used"
    assert inputs["frpm_pct"]["note"].startswith("administrative count of every pupil")
    assert inputs["frpm_pct"]["tables"] == "CDE FRPM 2022-23"
    assert inputs["poverty_pct"]["moe_published"] is True
    school = rows[LISTED]
    assert school["inputs"]["frpm_pct"] == {
        "estimate": 75.0,
        "moe": None,
        "reliability": "complete count",
        "moe_exceeds_range": False,
        "percentile": school["inputs"]["frpm_pct"]["percentile"],
    }
    # the survey figure is its tract's, with the tract's MOE
    tract = client.get(f"/collections/tracts/items/{school['context']['id']}").json()
    assert school["inputs"]["poverty_pct"]["estimate"] == tract["properties"]["poverty_pct"]
    assert school["inputs"]["poverty_pct"]["moe"] == tract["properties"]["poverty_pct_moe"]
    assert school["context"]["layer"] == "tracts"
    assert school["known_community_school"] == {"cohort": 5}
    assert rows["19100001111111"]["known_community_school"] is None
    assert doc["method"]["known_community_schools"].startswith("known Community Schools are")
    assert doc["reproducibility"]["selection"]["schools_compared"] == 3
    assert all(r["rank"] is not None and r["rank_90"] for r in rows.values())


def test_the_uncertainty_comes_from_the_survey_alone(client):
    """With only the schools' own counts weighted, nothing is redrawn: every interval is
    the rank itself. With a survey input, some interval widens."""
    own = _rank(client, weights="frpm_pct:1,english_learners_pct:1,poverty_pct:0,"
                "no_hs_diploma_pct:0,limited_english_pct:0")  # fmt: skip
    assert [i["indicator"] for i in own["inputs"] if i["status"] == "used"] == [
        "frpm_pct",
        "english_learners_pct",
    ]
    assert all(r["rank_90"] == [r["rank"], r["rank"]] for r in own["areas"])
    assert all(r["score_moe"] == 0 for r in own["areas"])
    blended = _rank(client)
    assert any(r["score_moe"] > 0 for r in blended["areas"])


def test_the_enrolment_floor_on_each_side(client):
    at = {r["id"]: r for r in _rank(client, min_enrollment=300)["areas"]}
    assert at[SMALL]["rank"] is not None
    above = {r["id"]: r for r in _rank(client, min_enrollment=301)["areas"]}
    assert above[SMALL]["rank"] is None
    assert above[SMALL]["unranked_reason"] == "300 pupils, below min_enrollment=301"


def test_district_type_and_grade_choose_the_schools(client):
    assert _rank(client, district="EXAMPLE UNIFIED")["summary"]["areas"] == 3
    assert _rank(client, grade="k")["summary"]["areas"] == 3
    for params, says in [
        ({"district": "Nowhere Unified"}, "unknown district"),
        ({"district": "LAUSD"}, "unknown district"),  # an alias, but not in this store
        ({"grade": "13"}, "unknown grade"),
        ({"grade": "9"}, "no school matches"),  # the fixture schools teach K-5
        ({"school_type": "Preschool"}, "unknown school_type"),
        ({"context": "city"}, "unknown context"),
        ({"min_population": "0"}, "min_population is a floor for areas"),
        ({"min_enrollment": "-1"}, "min_enrollment"),
    ]:
        response = client.get(URL, params={"layer": "schools", **params})
        assert response.status_code == 400, params
        assert says in response.json()["detail"], (params, response.json())
    bad = client.get(URL, params={"layer": "schools", "district": "Nowhere"}).json()
    assert bad["valid"] == ["Example Unified"]


def test_school_parameters_need_the_schools_layer(client):
    response = client.get(URL, params={"layer": "neighborhoods", "district": "Example Unified"})
    assert response.status_code == 400
    assert response.json()["detail"] == "district: only with layer=schools"
    other = client.get("/priorities/la-deal", params={"layer": "schools"})
    assert other.status_code == 400 and other.json()["valid"] == ["community-schools"]


def test_area_rankings_keep_working(client):
    doc = client.get(URL, params={"layer": "tracts", "min_population": 0}).json()
    assert doc["layer"]["id"] == "tracts" and "selection" not in doc["reproducibility"]
    assert "schools" in doc  # schools by the area they stand in, as before


def test_csv_and_geojson_of_a_school_ranking(client):
    text = client.get(URL, params={"layer": "schools", "f": "csv"}).text
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(text))}
    assert rows[LISTED]["community_school_cohort"] == "5"
    assert rows[LISTED]["context_layer"] == "tracts"
    assert rows[LISTED]["frpm_pct_reliability"] == "complete count"
    assert "{" not in text  # no dict written as text
    geo = client.get(URL, params={"layer": "schools", "f": "geojson"}).json()
    assert {f["geometry"]["type"] for f in geo["features"]} == {"Point"}


@pytest.mark.parametrize(
    ("lang", "words"),
    [("en", ("schools ranked by need", "Community School", "Show ranking")),
     ("es", ("escuelas ordenadas por necesidad", "Escuela Comunitaria", "Sección censal"))],
)  # fmt: skip
def test_the_ranking_page_in_both_languages(client, lang, words):
    page = client.get(URL, params={"layer": "schools", "f": "html", "lang": lang})
    assert page.status_code == 200
    for word in words:
        assert word in page.text, word
    assert page.text.count('<span class="cs">') >= 2  # the key and the listed school
    if lang == "es":
        assert "Census Tract" not in page.text


def test_the_school_page_shows_its_pupils_its_series_and_its_standing(client):
    page = client.get(f"/collections/schools/items/{LISTED}", params={"f": "html"}).text
    assert "This school&#39;s pupils" in page or "This school's pupils" in page
    assert "75.0% (600 of 800)" in page  # FRPM, 2022-23
    assert "40.4% (320 of 792)" in page  # English learners of the 2021-22 UPC
    assert "cohort 5" in page
    for year in ("2018-19", "2019-20", "2020-21", "2022-23"):
        assert f">{year}</text>" in page
    assert "Ranking of schools" in page and "of 3" in page
    assert "Population of " in page  # the neighborhood's, named as such
    spanish = client.get(f"/collections/schools/items/{LISTED}", params={"f": "html", "lang": "es"})
    assert "Los alumnos de esta escuela" in spanish.text and "75.0% (600 de 800)" in spanish.text


def test_each_served_percent_is_its_count_over_its_enrolment(client):
    for feature in client.get("/collections/schools/items").json()["features"]:
        p = feature["properties"]
        assert p["frpm_pct"] == pytest.approx(100 * p["frpm_count"] / p["enrollment"], abs=0.005)
        assert p["english_learners_pct"] == pytest.approx(
            100 * p["english_learners"] / p["upc_enrollment"], abs=0.005
        )
        assert p["counts_reliability"] == "complete count"


def test_schools_coloured_by_their_meal_share_on_a_map(client):
    page = client.get(
        "/maps/neighborhoods/poverty_pct",
        params={"overlay": "schools", "overlay_color": "frpm_pct"},
    ).text
    assert "Pupils eligible for free or reduced-price meals" in page
    assert "75%–90% (2)" in page and "under 50% (1)" in page  # 80%, 75% and 40%
    assert '"disableClusteringAtZoom": 1' in page
    assert "(600 of 800 pupils, 2022-23)" in page
    for params, says in [
        ({"overlay_color": "frpm_pct"}, "overlay_color needs overlay=schools"),
        ({"overlay": "schools", "overlay_color": "population"}, "cannot colour schools"),
    ]:
        response = client.get("/maps/neighborhoods/poverty_pct", params=params)
        assert response.status_code == 400 and says in response.json()["detail"]


def test_the_home_and_programs_pages_link_the_school_ranking(client):
    # the fixture store has no LAUSD school: the link ranks every school
    home = client.get("/", params={"f": "html"}).text
    assert "/priorities/community-schools?layer=schools&amp;f=html" in home
    programs = client.get("/priorities").json()["programs"]
    urls = {p["id"]: p["school_ranking"] for p in programs}
    assert urls == {
        "la-deal": None,
        "community-schools": "http://testserver/priorities/community-schools?layer=schools",
        "early-care": None,
    }


@pytest.mark.parametrize(
    ("low", "high", "teaches", "not_taught"),
    [("K", "5", ["K", "1", "5"], ["P", "6", "12"]),
     ("9", "12", ["9", "12"], ["8", "K", "Adult"]),
     ("P", "K", ["P", "K"], ["1"]),
     (None, "5", [], ["K", "5"])],
)  # fmt: skip
def test_grade_spans_on_each_side(low, high, teaches, not_taught):
    from geo_api.schoolselect import SchoolSelection
    from geo_api.schoolselect import teaches as spans

    record = {"low_grade": low, "high_grade": high, "district": "A", "school_type": "T"}
    for grade in teaches:
        assert spans(record, grade), grade
        assert SchoolSelection(district="A", grade=grade).holds(record)
    for grade in not_taught:
        assert not spans(record, grade), grade
    if teaches:
        assert not SchoolSelection(district="B", grade=teaches[0]).holds(record)
        assert not SchoolSelection(school_type="U").holds(record)
