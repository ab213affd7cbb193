"""The build's plausibility checks, each on both sides of its threshold."""

import pandas as pd
import pytest

from boundaries.sourcecheck import (
    MAX_COUNTY_DIFF_PCT,
    MAX_REBUILT_SHARE,
    MEDIAN_INCOME_RANGE,
    check_county_totals,
    check_layer_values,
    check_rebuilt_share,
    check_values,
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
