"""Crosswalk weights and aggregation on synthetic squares with known answers."""

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

from boundaries.aggregate import choose_recipes, identity_crosswalk, layer_values
from boundaries.crosswalk import compute_crosswalk, coverage, land_tracts
from tests import shapes


def _weights(cw):
    return {(r.tract, r.feature): round(r.weight, 6) for r in cw.itertuples()}


def test_whole_and_apportioned_weights():
    tl = land_tracts(shapes.tract_frame(), None)
    cw = compute_crosswalk(tl, shapes.neighborhood_frame())
    w = _weights(cw)
    assert w[("06037000100", "west")] == 1.0
    assert w[("06037000300", "east")] == 1.0
    assert w[("06037000200", "west")] == pytest.approx(0.5, abs=1e-3)
    assert w[("06037000200", "east")] == pytest.approx(0.5, abs=1e-3)
    assert set(cw[cw.weight == 1.0]["method"]) == {"whole"}
    assert set(cw[cw.weight < 1.0]["method"]) == {"area"}


def test_land_mask_keeps_water_out_of_weights():
    tracts = shapes.tract_frame()
    # land covers tract A fully, and only the west quarter of tract B
    land = box(shapes.X0, shapes.Y0, shapes.X0 + 1.25 * shapes.D, shapes.Y0 + shapes.D)
    land = land.union(
        box(shapes.X0 + 2 * shapes.D, shapes.Y0, shapes.X0 + 3 * shapes.D, shapes.Y0 + shapes.D)
    )
    cw = compute_crosswalk(land_tracts(tracts, land), shapes.neighborhood_frame())
    w = _weights(cw)
    # all of B's land is west of the neighbourhood line, so B goes whole to "west"
    assert w[("06037000200", "west")] == 1.0
    assert ("06037000200", "east") not in w


def test_overlapping_layer_assigns_a_tract_whole_to_two_features():
    tracts = shapes.tract_frame()
    whole_area = box(shapes.X0, shapes.Y0, shapes.X0 + 3 * shapes.D, shapes.Y0 + shapes.D)
    layer = gpd.GeoDataFrame(
        {"id": ["elementary", "secondary"]}, geometry=[whole_area, whole_area], crs="EPSG:4326"
    )
    cw = compute_crosswalk(land_tracts(tracts, None), layer)
    assert len(cw) == 6 and (cw.weight == 1.0).all()


def test_coverage_reports_features_without_tracts():
    tracts = shapes.tract_frame().iloc[:2]  # tract C missing
    layer = shapes.neighborhood_frame()
    far = gpd.GeoDataFrame(
        {"id": ["island"], "name": ["Island"], "type": ["x"], "region": ["x"]},
        geometry=[box(-118.0, 33.0, -117.99, 33.01)],
        crs="EPSG:4326",
    )
    layer = gpd.GeoDataFrame(
        np.concatenate([layer.values, far.values]),
        columns=layer.columns,
        geometry="geometry",
        crs="EPSG:4326",
    )
    tl = land_tracts(tracts, None)
    cw = compute_crosswalk(tl, layer)
    cov = coverage("neighborhoods", layer, tl, cw, None)
    assert cov.no_tracts == ["island"]
    assert cov.features["west"] == pytest.approx(1.0, abs=1e-4)
    assert cov.features["east"] == pytest.approx(1 / 3, abs=1e-3)
    assert set(cov.incomplete()) == {"east", "island"}


def test_proportion_is_sum_over_sum_with_apportioned_moe():
    tidy = shapes.tidy_values()
    choices = choose_recipes(tidy)
    tl = land_tracts(shapes.tract_frame(), None)
    cw = compute_crosswalk(tl, shapes.neighborhood_frame())
    values = layer_values(tidy, cw, shapes.neighborhood_frame()["id"], choices).set_index("id")
    wb = cw.set_index(["tract", "feature"]).weight[("06037000200", "west")]
    num = 100 + wb * 1200
    den = 1000 + wb * 4000
    assert values.loc["west", "no_subscription_pct"] == pytest.approx(100 * num / den, rel=1e-12)
    # not the average of the tract percentages (10% and 30%)
    assert values.loc["west", "no_subscription_pct"] != pytest.approx(20.0, abs=0.5)
    m_num = math.sqrt(40**2 + (wb * 120) ** 2)
    m_den = math.sqrt(100**2 + (wb * 150) ** 2)
    p = num / den
    expected = 100 * math.sqrt(m_num**2 - p**2 * m_den**2) / den
    assert values.loc["west", "no_subscription_pct_moe"] == pytest.approx(expected, rel=1e-12)
    assert values.loc["west", "no_subscription_pct_reliability"] in {"high", "medium", "low"}


def test_median_is_not_aggregated_but_kept_on_tracts():
    tidy = shapes.tidy_values()
    choices = choose_recipes(tidy)
    tracts = shapes.tract_frame()
    on_tracts = layer_values(
        tidy, identity_crosswalk(tracts["id"]), tracts["id"], choices, whole_tracts=True
    ).set_index("id")
    assert on_tracts.loc["06037000100", "median_household_income"] == 50000
    assert np.isnan(on_tracts.loc["06037000300", "median_household_income"])
    cw = compute_crosswalk(land_tracts(tracts, None), shapes.neighborhood_frame())
    hoods = layer_values(tidy, cw, shapes.neighborhood_frame()["id"], choices).set_index("id")
    assert hoods["median_household_income"].isna().all()
    assert "not aggregable" in hoods.loc["west", "data_notes"]


def test_empty_universe_and_unavailable_indicators():
    tidy = shapes.tidy_values()
    choices = choose_recipes(tidy)
    assert not choices["no_computer_pct"].available
    assert "B28001" in choices["no_computer_pct"].reason
    tracts = shapes.tract_frame()
    vals = layer_values(
        tidy, identity_crosswalk(tracts["id"]), tracts["id"], choices, whole_tracts=True
    ).set_index("id")
    assert "no_computer_pct" not in vals.columns  # never filled with zeros
    assert np.isnan(vals.loc["06037000300", "no_subscription_pct"])
    assert "nobody in the universe" in vals.loc["06037000300", "data_notes"]
    # a zero count with an MOE is shown as 0 and flagged low reliability
    assert vals.loc["06037000300", "population"] == 0
    assert vals.loc["06037000300", "population_reliability"] == "low"


def _s1701_rows() -> pd.DataFrame:
    rows = []
    # tract A publishes its rate; tract B's published rate is "-" (null); C has none at all
    data = {
        "S1701_C01_001": [(2000, 150), (3000, 200), (1000, 90)],
        "S1701_C02_001": [(300, 80), (600, 120), (100, 40)],
        "S1701_C03_001": [(15.0, 3.9), (None, None)],
    }
    ids = list(shapes.tract_frame()["id"])
    for var, pairs in data.items():
        for gid, (e, m) in zip(ids, pairs, strict=False):
            rows.append((gid, var, e, m, "S1701", "acs5/subject", 2022, None))
    return pd.DataFrame(
        rows,
        columns=["GEOID", "variable", "estimate", "moe", "table", "dataset", "vintage", "note"],
    ).astype({"estimate": "float64", "moe": "float64"})


def test_tracts_serve_published_rates_and_aggregates_derive_them():
    tidy = pd.concat([shapes.tidy_values(), _s1701_rows()], ignore_index=True)
    choices = choose_recipes(tidy)
    assert choices["poverty_pct"].recipe.published == "S1701_C03_001"
    tracts = shapes.tract_frame()
    on_tracts = layer_values(
        tidy, identity_crosswalk(tracts["id"]), tracts["id"], choices, whole_tracts=True
    ).set_index("id")
    # A: the published 15.0 ± 3.9, not the derived 300/2000 with the proportion MOE
    assert on_tracts.loc["06037000100", "poverty_pct"] == 15.0
    assert on_tracts.loc["06037000100", "poverty_pct_moe"] == 3.9
    derived_moe = 100 * math.sqrt(80**2 - 0.15**2 * 150**2) / 2000
    assert derived_moe != pytest.approx(3.9, abs=0.05)
    # B and C publish no rate: derived from the counts
    assert on_tracts.loc["06037000200", "poverty_pct"] == pytest.approx(20.0)
    assert on_tracts.loc["06037000300", "poverty_pct"] == pytest.approx(10.0)
    cw = compute_crosswalk(land_tracts(tracts, None), shapes.neighborhood_frame())
    hoods = layer_values(tidy, cw, shapes.neighborhood_frame()["id"], choices).set_index("id")
    wb = cw.set_index(["tract", "feature"]).weight[("06037000200", "west")]
    expected = 100 * (300 + wb * 600) / (2000 + wb * 3000)
    assert hoods.loc["west", "poverty_pct"] == pytest.approx(expected, rel=1e-12)


def _three_tract_tidy(rows: list[tuple[str, float, float]]) -> pd.DataFrame:
    ids = list(shapes.tract_frame()["id"])
    return pd.DataFrame(
        [
            (gid, "SVI_TOTPOP", e, m, "SVI2022", "cdc-svi", 2022, None)
            for gid, (_, e, m) in zip(ids, rows, strict=True)
        ],
        columns=["GEOID", "variable", "estimate", "moe", "table", "dataset", "vintage", "note"],
    )


def _one_feature_of_everything() -> tuple[pd.DataFrame, pd.Series]:
    tracts = shapes.tract_frame()
    everything = gpd.GeoDataFrame(
        {"id": ["all"]},
        geometry=[box(shapes.X0, shapes.Y0, shapes.X0 + 3 * shapes.D, shapes.Y0 + shapes.D)],
        crs="EPSG:4326",
    )
    return compute_crosswalk(land_tracts(tracts, None), everything), everything["id"]


def test_production_sum_reproduces_the_handbook_example():
    """1,626 ± 254 + 1,244 ± 209 + 796 ± 187 = 3,666 ± 378, through layer_values."""
    tidy = _three_tract_tidy([("a", 1626, 254), ("b", 1244, 209), ("c", 796, 187)])
    cw, ids = _one_feature_of_everything()
    out = layer_values(tidy, cw, ids, choose_recipes(tidy)).set_index("id")
    assert out.loc["all", "population"] == 3666
    assert round(out.loc["all", "population_moe"]) == 378


def test_production_sum_counts_only_the_largest_zero_estimate_moe():
    # two zero-estimate tracts with different MOEs: only the larger (27) counts
    tidy = _three_tract_tidy([("a", 100, 20), ("b", 0, 13), ("c", 0, 27)])
    cw, ids = _one_feature_of_everything()
    out = layer_values(tidy, cw, ids, choose_recipes(tidy)).set_index("id")
    assert out.loc["all", "population"] == 100
    assert out.loc["all", "population_moe"] == pytest.approx(math.sqrt(20**2 + 27**2))
    assert out.loc["all", "population_moe"] != pytest.approx(math.sqrt(20**2 + 13**2 + 27**2))


@pytest.mark.parametrize("with_centres", [False, True])
def test_weights_of_every_tract_sum_to_one_over_a_tiling_layer(with_centres):
    centres = None
    if with_centres:
        centres = gpd.GeoDataFrame(
            {"tract": ["06037000200"] * 3, "population": [300.0, 100.0, 50.0]},
            geometry=[
                Point(shapes.X0 + 1.2 * shapes.D, shapes.Y0 + 0.5 * shapes.D),
                Point(shapes.X0 + 1.7 * shapes.D, shapes.Y0 + 0.5 * shapes.D),
                Point(shapes.X0 + 1.9 * shapes.D, shapes.Y0 + 0.2 * shapes.D),
            ],
            crs="EPSG:4326",
        )
    cw = compute_crosswalk(
        land_tracts(shapes.tract_frame(), None), shapes.neighborhood_frame(), centres
    )
    sums = cw.groupby("tract")["weight"].sum()
    assert sums.to_numpy() == pytest.approx(np.ones(3), abs=1e-4)
