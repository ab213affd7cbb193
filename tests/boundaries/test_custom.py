"""Custom-area aggregation on the store build_store makes from the hand-made mirror.

Tracts A|B|C|D are squares of side D along a row (tests/fixture_mirror.py); the county's
land is exactly that row.
"""

import math

import pytest
from shapely.geometry import box

from boundaries.compare import compare_rows, overlap
from boundaries.custom import AreaInputs, OutsideCounty, aggregate_area
from boundaries.moe import difference_test, moe_proportion
from boundaries.sourcecheck import catalogue_variables
from boundaries.store import read_area_tables, read_store
from tests.fixture_mirror import NUMBERS, TRACTS
from tests.shapes import X0, Y0, D

A, B, C, _D = TRACTS


@pytest.fixture(scope="module")
def store(fixture_build):
    return read_store(fixture_build[1])


@pytest.fixture(scope="module")
def inputs(fixture_build, store):
    areas, tidy = read_area_tables(fixture_build[1], catalogue_variables())
    return AreaInputs.from_tables(areas, tidy, store.layers["tracts"])


def tract_row(store, tract):
    frame = store.layers["tracts"]
    return frame[frame["id"] == tract].iloc[0]


def strip(start: float, end: float):
    """The area between tract positions ``start`` and ``end`` (in tract widths)."""
    return box(X0 + start * D, Y0, X0 + end * D, Y0 + D)


def test_an_area_equal_to_one_tract_returns_its_published_figures(inputs, store):
    result = aggregate_area(inputs, strip(1, 2))
    row = tract_row(store, B)
    p = result.properties
    for col in ("population", "population_moe", "poverty_pct", "poverty_pct_moe"):
        assert p[col] == pytest.approx(row[col]), col
    # the tract's own published median stays (it is not summed)
    assert p["median_household_income"] == pytest.approx(row["median_household_income"])
    assert p["allocated_share"] == 0.0
    assert f"census tract {B}" in p["data_notes"]
    assert result.metadata["tracts"] == [{"tract": B, "weight": 1.0, "method": "whole"}]


def test_two_adjacent_tracts_give_the_handbook_sum_and_proportion(inputs, store):
    p = aggregate_area(inputs, strip(0, 2)).properties
    a, b = tract_row(store, A), tract_row(store, B)
    assert p["population"] == NUMBERS[A][0] + NUMBERS[B][0]
    assert p["population_moe"] == pytest.approx(
        math.sqrt(a["population_moe"] ** 2 + b["population_moe"] ** 2)
    )
    assert p["households"] == a["households"] + b["households"]
    hh_moe = math.sqrt(a["households_moe"] ** 2 + b["households_moe"] ** 2)
    assert p["households_moe"] == pytest.approx(hh_moe)
    # no subscription: Σ numerators / Σ households, MOE by the proportion formula
    recipe = inputs.choices["no_subscription_pct"].recipe
    tidy = inputs.tidy[inputs.tidy["dataset"] == recipe.dataset].set_index(["GEOID", "variable"])

    def summed(variables):
        rows = tidy.loc[[(t, v) for t in (A, B) for v in variables]]
        return rows["estimate"].sum(), math.sqrt((rows["moe"] ** 2).sum())

    (num, num_moe), (den, den_moe) = summed(recipe.numerator), summed(recipe.denominator)
    assert p["no_subscription_pct"] == pytest.approx(100 * num / den)
    assert p["no_subscription_pct_moe"] == pytest.approx(
        100 * moe_proportion(num, den, num_moe, den_moe)
    )
    assert p["median_household_income"] is None
    assert "not aggregable" in p["data_notes"]
    assert p["allocated_share"] == 0.0


def test_a_split_tract_is_apportioned_and_its_share_reported(inputs):
    p = aggregate_area(inputs, strip(0, 1.5)).properties
    assert NUMBERS[A][0] < p["population"] < NUMBERS[A][0] + NUMBERS[B][0]
    assert 0 < p["allocated_share"] < 100


def test_an_area_half_outside_the_county_states_its_coverage(inputs):
    # 0.6 of a tract width west of the county's land, then tract A
    p = aggregate_area(inputs, strip(-0.6, 1)).properties
    assert p["county_share"] == pytest.approx(1 / 1.6, abs=0.01)
    assert "county_share 62.5%" in p["data_notes"]
    assert p["population"] == NUMBERS[A][0]
    assert p["tract_coverage"] == pytest.approx(1.0, abs=0.001)


def test_an_area_mostly_outside_the_county_is_refused(inputs):
    with pytest.raises(OutsideCounty) as caught:
        aggregate_area(inputs, strip(-3, 1))
    assert caught.value.county_share == pytest.approx(0.25, abs=0.01)


def test_population_coverage_counts_the_people_in_the_area(inputs):
    p = aggregate_area(inputs, strip(0, 4)).properties
    assert p["population_2020"] == pytest.approx(sum(n[0] for n in NUMBERS.values()), rel=0.2)
    assert p["population_coverage"] == pytest.approx(1.0)


def test_difference_test_matches_the_handbook_formula():
    diff, moe, z = difference_test(50.0, 5.0, 40.0, 6.0)
    assert diff == 10.0
    assert moe == pytest.approx(math.sqrt(61))
    assert z == pytest.approx(10 / (math.sqrt(61) / 1.645))


def test_compare_rows_flag_significance_and_untestable_rows():
    a = {"x_pct": 30.0, "x_pct_moe": 2.0, "population": 1000.0, "population_moe": None}
    b = {"x_pct": 20.0, "x_pct_moe": 3.0, "population": 990.0, "population_moe": 50.0}
    a["no_subscription_pct"], a["no_subscription_pct_moe"] = 30.0, 2.0
    b["no_subscription_pct"], b["no_subscription_pct_moe"] = 29.0, 3.0
    rows = {r["indicator"]: r for r in compare_rows(a, b, ["no_subscription_pct", "population"])}
    assert rows["no_subscription_pct"]["significant"] is False
    assert "within its margin of error" in rows["no_subscription_pct"]["note"]
    assert rows["population"]["significant"] is None
    assert rows["population"]["difference"] == 10.0
    a["no_subscription_pct"] = 40.0
    rows = {r["indicator"]: r for r in compare_rows(a, b, ["no_subscription_pct"])}
    assert rows["no_subscription_pct"]["significant"] is True


def test_overlap_names_the_tracts_two_areas_share(store):
    tracts = store.layers["tracts"]
    out = overlap(tracts, strip(0, 1.5), strip(1.2, 3))
    assert out["shared_tracts"] == [B]
    assert out["area_share"] == pytest.approx(0.3 / 1.5, abs=0.01)
    assert overlap(tracts, strip(0, 1), strip(2, 3)) == {"area_share": 0.0, "shared_tracts": []}


def _dense_ellipse(n: int):
    """An ellipse over tracts B and C drawn with ``n`` vertices (a hand-drawn circle)."""
    from shapely.geometry import Polygon

    cx, cy = X0 + 2 * D, Y0 + D / 2
    return Polygon(
        [
            (
                cx + 0.9 * D * math.cos(2 * math.pi * k / n),
                cy + 0.4 * D * math.sin(2 * math.pi * k / n),
            )
            for k in range(n)
        ]
    )


def test_a_dense_outline_is_simplified_and_said_so_without_changing_the_figures(
    inputs, monkeypatch
):
    import boundaries.custom as custom

    dense = _dense_ellipse(20_000)
    simple = aggregate_area(inputs, dense, "ellipse")
    notes = simple.properties["data_notes"] or ""
    assert "simplified to 1 m (20,001 to" in notes
    monkeypatch.setattr(custom, "SIMPLIFY_M", 0.0)  # the exact outline, as drawn
    exact = aggregate_area(inputs, dense, "ellipse")
    assert "simplified" not in (exact.properties["data_notes"] or "")
    for key, value in exact.properties.items():
        if isinstance(value, float) and key not in ("county_share", "tract_coverage"):
            assert simple.properties[key] == pytest.approx(value, rel=1e-4, abs=1e-6), key
    assert list(simple.crosswalk["tract"]) == list(exact.crosswalk["tract"])


def test_an_outline_with_nothing_to_simplify_carries_no_note(inputs):
    from boundaries.custom import simplify_drawn

    rectangle = box(0, 0, 1000, 500)
    assert simplify_drawn(rectangle) == (rectangle, None)
    # 1 m is the threshold: a bump of 0.5 m goes, one of 2 m stays
    from shapely.geometry import Polygon

    small = Polygon([(0, 0), (500, 0.5), (1000, 0), (1000, 500), (0, 500)])
    large = Polygon([(0, 0), (500, 2.0), (1000, 0), (1000, 500), (0, 500)])
    assert simplify_drawn(small)[1] == (6, 5)
    assert simplify_drawn(large)[1] is None
