"""The build's plausibility checks, each on both sides of its threshold."""

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point, box

from boundaries.sourcecheck import (
    MAX_CENTRE_OFFSET_M,
    MAX_COUNTY_DIFF_PCT,
    MAX_REBUILT_SHARE,
    MAX_YEAR_JUMP_SHARE,
    MEDIAN_INCOME_RANGE,
    YEAR_RATIO_BOUNDS,
    check_centres_in_tracts,
    check_county_totals,
    check_layer_values,
    check_rebuilt_share,
    check_values,
    check_year_to_year,
)
from loaders.errors import SourceFormatError


class _Recipe:
    dataset = "cdc-svi"


class _Choice:
    available = True
    recipe = _Recipe()


CHOICES = {"no_subscription_pct": _Choice(), "median_household_income": _Choice()}


def _layer(rate: float, income: float) -> pd.DataFrame:
    return pd.DataFrame(
        {"id": ["a", "b"], "no_subscription_pct": [10.0, rate],
         "median_household_income": [60000.0, income]}
    )  # fmt: skip


def test_rates_over_100_and_medians_beyond_the_codes_are_refused():
    check_layer_values("tracts", _layer(100.0, MEDIAN_INCOME_RANGE[1]), CHOICES)
    with pytest.raises(SourceFormatError, match=r"no_subscription_pct of 1 tracts.*b = 100.1"):
        check_layer_values("tracts", _layer(100.1, 60000.0), CHOICES)
    with pytest.raises(SourceFormatError, match="median_household_income"):
        check_layer_values("tracts", _layer(50.0, MEDIAN_INCOME_RANGE[1] + 1), CHOICES)
    with pytest.raises(SourceFormatError, match="median_household_income"):
        check_layer_values("tracts", _layer(50.0, MEDIAN_INCOME_RANGE[0] - 1), CHOICES)


def test_negative_estimates_and_moes_are_refused():
    tidy = pd.DataFrame(
        {"GEOID": ["06037000100"], "variable": ["SVI_HH"], "estimate": [0.0], "moe": [0.0],
         "dataset": ["cdc-svi"]}
    )  # fmt: skip
    check_values(tidy)
    with pytest.raises(SourceFormatError, match=r"negative moes, e\.g\. SVI_HH = -1"):
        check_values(tidy.assign(moe=-1.0))


def test_a_handful_of_tracts_may_be_rebuilt_but_not_a_lost_tract_file():
    check_rebuilt_share(int(2498 * MAX_REBUILT_SHARE), 2498)
    with pytest.raises(SourceFormatError, match="lost polygons"):
        check_rebuilt_share(int(2498 * MAX_REBUILT_SHARE) + 1, 2498)


def test_layer_totals_must_agree_with_the_tract_total():
    ok = {"population": {"tracts": 1e7, "spas": 1e7, "spas_diff_pct": MAX_COUNTY_DIFF_PCT}}
    check_county_totals(ok)
    bad = {"population": {"tracts": 1e7, "spas": 9e6, "spas_diff_pct": -10.0}}
    with pytest.raises(SourceFormatError, match="population summed over spas"):
        check_county_totals(bad)


def _incomes(values: list[float]) -> pd.DataFrame:
    return pd.DataFrame(
        {"GEOID": [f"06037{i:06d}" for i in range(len(values))], "variable": "B19013_001",
         "estimate": values}
    )  # fmt: skip


def test_a_year_scaled_as_a_whole_is_refused_on_either_side_of_its_bounds():
    before = _incomes([50000.0] * 100)
    low, high = YEAR_RATIO_BOUNDS
    for inside in (low + 0.001, high - 0.001):
        report = check_year_to_year(_incomes([50000.0 * inside] * 100), before, "b")
        assert report["B19013_001"]["tracts"] == 100
    for outside in (low - 0.001, high + 0.001):
        with pytest.raises(SourceFormatError, match=r"B19013_001 moved .* tract 06037000000"):
            check_year_to_year(_incomes([50000.0 * outside] * 100), before, "b")


def test_a_few_tracts_may_halve_or_double_but_not_many():
    before = _incomes([50000.0] * 1000)
    allowed = int(1000 * MAX_YEAR_JUMP_SHARE)
    now = [50000.0] * 1000
    now[:allowed] = [100001.0] * allowed  # just over double
    report = check_year_to_year(_incomes(now), before, "b")
    assert report["B19013_001"]["jump_share"] == MAX_YEAR_JUMP_SHARE
    now[allowed] = 24999.0  # just under half: one tract too many
    with pytest.raises(SourceFormatError, match=r"2\.1% of tracts halved or doubled"):
        check_year_to_year(_incomes(now), before, "b")


def test_a_block_group_centre_must_lie_in_or_near_its_tract():
    tracts = gpd.GeoDataFrame(
        {"id": ["06037000100"]}, geometry=[box(0, 0, 10_000, 10_000)], crs=3310
    ).to_crs(4326)

    def centres(x: float) -> gpd.GeoDataFrame:
        return gpd.GeoDataFrame(
            {"id": ["060370001001"], "tract": ["06037000100"]},
            geometry=[Point(x, 5_000)],
            crs=3310,
        ).to_crs(4326)

    assert check_centres_in_tracts(centres(5_000), tracts) == 0
    near = check_centres_in_tracts(centres(10_000 + MAX_CENTRE_OFFSET_M - 1), tracts)
    assert MAX_CENTRE_OFFSET_M - 2 < near < MAX_CENTRE_OFFSET_M
    with pytest.raises(SourceFormatError, match="1 block-group centres lie more than"):
        check_centres_in_tracts(centres(10_000 + MAX_CENTRE_OFFSET_M + 1), tracts)
