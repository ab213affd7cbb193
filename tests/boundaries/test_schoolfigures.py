"""Schools' own counts on the schools layer: the join, the series, the accounting of every
pupil, and the year-against-year checks on each side of their thresholds."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point

from boundaries.schoolfigures import (
    COMPLETE_COUNT,
    MAX_SHARE_CHANGE_PP,
    NOT_IN_DIRECTORY,
    YEAR_RATIO_BOUNDS,
    attach_school_figures,
    check_school_years,
)
from loaders.errors import SourceError

A, B, GONE = "19100011111111", "19100012222222", "19100014444444"
OFFICE = "19100010000000"


def frpm(year: str, rows: dict[str, tuple[int, int]]) -> pd.DataFrame:
    """An FRPM frame as :func:`loaders.cde_frpm.load_frpm` returns it."""
    return pd.DataFrame(
        [
            {
                "cds_code": cds,
                "year": year,
                "record": "district office" if cds == OFFICE else "school",
                "name": f"School {cds[-1]}",
                "low_grade": "K",
                "high_grade": "5",
                "enrollment": float(n),
                "frpm_count": float(f),
                "frpm_pct": 100.0 * f / n,
            }
            for cds, (n, f) in rows.items()
        ]
    )


def upc(rows: dict[str, tuple[int, int, int]]) -> pd.DataFrame:
    """A UPC frame as :func:`loaders.cde_upc.load_upc` returns it."""
    return pd.DataFrame(
        [
            {
                "cds_code": cds,
                "year": "2021-22",
                "record": "school",
                "enrollment": float(n),
                "unduplicated_frpm": float(f),
                "english_learners": float(el),
                "unduplicated_count": float(f),
                "english_learners_pct": 100.0 * el / n,
                "unduplicated_pct": 100.0 * f / n,
            }
            for cds, (n, f, el) in rows.items()
        ]
    )


def schools() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"id": [A, B, "19100019999999"], "name": ["a", "b", "new"]},
        geometry=[Point(0, 0), Point(1, 0), Point(2, 0)],
        crs="EPSG:4326",
    )


LATEST = {A: (500, 400), B: (300, 120), GONE: (100, 90), OFFICE: (30, 10)}


def test_every_pupil_of_the_latest_year_is_accounted_for() -> None:
    files = {"frpm-1819": frpm("2018-19", {A: (520, 410), B: (310, 130)}),
             "frpm-2223": frpm("2022-23", LATEST)}  # fmt: skip
    out, report = attach_school_figures(schools(), files, None, None)
    places = report["by_place"]
    assert report["file_totals"] == {"enrollment": 930, "frpm_count": 620}
    assert places["served"] == {"rows": 2, "enrollment": 800, "frpm_count": 520}
    assert places["district office"]["enrollment"] == 30
    assert places[NOT_IN_DIRECTORY]["schools"] == [
        {"cds_code": GONE, "name": "School 4", "enrollment": 100}
    ]
    assert sum(p["enrollment"] for p in places.values()) == 930
    by_id = out.set_index("id")
    assert by_id.loc[A, "frpm_pct"] == 80.0 and by_id.loc[A, "frpm_year"] == "2022-23"
    assert by_id.loc[A, "frpm_pct_2018_19"] == pytest.approx(78.85, abs=0.01)
    assert by_id.loc[A, "counts_reliability"] == COMPLETE_COUNT
    # a school opened since: no counts, and no reliability claimed for them
    assert pd.isna(by_id.loc["19100019999999", "enrollment"])
    assert pd.isna(by_id.loc["19100019999999", "counts_reliability"])
    assert report["served_without_counts"] == 1


def test_unplaced_directory_schools_are_named_apart_from_closed_ones() -> None:
    files = {"frpm-2223": frpm("2022-23", LATEST)}
    why = "directory coordinates outside LA County"
    _, report = attach_school_figures(schools(), files, None, None, {GONE: why})
    assert NOT_IN_DIRECTORY not in report["by_place"]
    assert report["by_place"][why]["schools"][0]["cds_code"] == GONE


def test_english_learners_and_cohorts_join_by_code() -> None:
    cohorts = pd.DataFrame(
        {"cds_code": [B, GONE], "cohort": [6, 5], "match_confidence": ["high"] * 2}
    )
    out, report = attach_school_figures(
        schools(), {"frpm-2223": frpm("2022-23", LATEST)}, upc({A: (510, 400, 102)}), cohorts
    )
    by_id = out.set_index("id")
    assert by_id.loc[A, "english_learners"] == 102
    assert by_id.loc[A, "english_learners_pct"] == 20.0 and by_id.loc[A, "upc_year"] == "2021-22"
    assert pd.isna(by_id.loc[B, "english_learners"])
    assert by_id.loc[B, "community_school_cohort"] == 6 and pd.isna(
        by_id.loc[A, "community_school_cohort"]
    )
    assert report["community_schools"] == {"listed": 2, "served": 1, "not_served": [GONE]}


def _years(ratio: float, share_pp: float = 0.0) -> dict[str, pd.DataFrame]:
    """Two years: the later one's enrolment ``ratio`` × the first's, its FRPM share moved
    by ``share_pp`` points (both schools keep their place)."""
    before = frpm("2019-20", {A: (1000, 500), B: (1000, 500)})
    n = round(1000 * ratio)
    f = round(n * (0.5 + share_pp / 100))
    return {"frpm-1920": before, "frpm-2021": frpm("2020-21", {A: (n, f), B: (n, f)})}


def test_enrolment_within_the_bounds_passes_and_beyond_fails() -> None:
    low, high = YEAR_RATIO_BOUNDS
    assert check_school_years(_years(low + 0.005), None)[0]["enrollment_ratio"] == pytest.approx(
        low + 0.005
    )
    check_school_years(_years(high - 0.005), None)
    with pytest.raises(SourceError, match=r"frpm-2021: LA County enrollment 2020-21 is 0\.84×"):
        check_school_years(_years(low - 0.01), None)
    with pytest.raises(SourceError, match="enrollment"):
        check_school_years(_years(high + 0.01), None)


def test_the_frpm_share_may_move_a_few_points_not_more() -> None:
    check_school_years(_years(1.0, MAX_SHARE_CHANGE_PP - 0.2), None)
    with pytest.raises(SourceError, match=r"FRPM share moves from 50\.0% to 55\.4%"):
        check_school_years(_years(1.0, MAX_SHARE_CHANGE_PP + 0.4), None)


def test_a_lost_school_count_fails() -> None:
    before = frpm("2019-20", {f"1910001{i:07d}": (100, 50) for i in range(2, 22)})
    after = frpm("2020-21", {f"1910001{i:07d}": (120, 60) for i in range(2, 18)})  # 16 of 20
    with pytest.raises(SourceError, match=r"schools 2020-21 is 0\.80×"):
        check_school_years({"frpm-1920": before, "frpm-2021": after}, None)


def test_the_upc_file_is_compared_with_the_nearest_frpm_year() -> None:
    files = {"frpm-2223": frpm("2022-23", {A: (1000, 600), B: (1000, 600)})}
    fine = upc({A: (1020, 610, 1), B: (1020, 610, 1)})
    assert check_school_years(files, ("upc-2122", fine))[-1]["years"] == "2022-23 → 2021-22"
    tenfold = upc({A: (10200, 6100, 1), B: (10200, 6100, 1)})
    with pytest.raises(SourceError, match="upc-2122: LA County enrollment"):
        check_school_years(files, ("upc-2122", tenfold))
