"""MOE maths against the Census Bureau handbook's worked examples, plus invariants.

Handbook: U.S. Census Bureau, "Understanding and Using American Community Survey Data:
What All Data Users Need to Know" (2020), ch. 8.
"""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from boundaries import moe


def summed(estimates, moes, weights=None):
    """(sum, MOE) of one group through the production function, apportioned_sums."""
    n = len(estimates)
    _, total, margin = moe.apportioned_sums(
        np.zeros(n), np.ones(n) if weights is None else weights, estimates, moes
    )
    return float(total[0]), float(margin[0])


def test_handbook_sum_example():
    # 1,626±254 + 1,244±209 + 796±187 = 3,666±378
    total, margin = summed([1626, 1244, 796], [254, 209, 187])
    assert total == 3666 and round(margin) == 378


def test_handbook_proportion_example():
    # never-married females 203,119 ±5,070 of 630,498 ±831 females: p = 0.322 ±0.008
    x, y, mx, my = 203_119, 630_498, 5_070, 831
    assert round(x / y, 3) == 0.322
    assert round(float(moe.moe_proportion(x, y, mx, my)), 3) == 0.008
    expected = math.sqrt(mx**2 - (x / y) ** 2 * my**2) / y
    assert float(moe.moe_proportion(x, y, mx, my)) == pytest.approx(expected, rel=1e-12)


def test_proportion_falls_back_to_ratio_when_root_negative():
    # small numerator MOE, large denominator MOE: the proportion term goes negative
    x, y, mx, my = 90, 100, 5, 60
    assert mx**2 - (x / y) ** 2 * my**2 < 0
    assert float(moe.moe_proportion(x, y, mx, my)) == pytest.approx(
        float(moe.moe_ratio(x, y, mx, my))
    )


def test_ratio_formula():
    x, y, mx, my = 500, 250, 40, 30
    r = x / y
    assert float(moe.moe_ratio(x, y, mx, my)) == pytest.approx(math.sqrt(mx**2 + r**2 * my**2) / y)


def test_zero_estimates_count_only_largest_moe():
    # two zero estimates with MOEs 13 and 27: only 27 enters
    assert summed([100, 0, 0], [20, 13, 27])[1] == pytest.approx(math.sqrt(20**2 + 27**2))
    assert summed([0, 0], [13, 27])[1] == pytest.approx(27)


def test_a_missing_moe_makes_the_sum_moe_missing_and_a_missing_estimate_is_skipped():
    assert math.isnan(summed([1, 2], [1, float("nan")])[1])
    total, margin = summed([5, float("nan")], [3, 4])
    assert total == 5 and margin == 3
    assert all(math.isnan(v) for v in summed([float("nan")], [1]))


def test_apportioned_sum_scales_moes_and_groups_are_separate():
    assert summed([100, 200], [40, 30], [0.5, 1.0]) == pytest.approx(
        (250, math.sqrt(20**2 + 30**2))
    )
    keys, totals, margins = moe.apportioned_sums(
        ["b", "a", "b"], [1, 1, 1], [10, 20, 30], [3, 4, 0]
    )
    assert list(keys) == ["a", "b"]
    assert list(totals) == [20, 40] and list(margins) == [4, 3]


def test_standard_error():
    assert float(moe.standard_error(164.5)) == pytest.approx(100)
    assert float(moe.standard_error(1.96, level=95)) == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("estimate", "moe_", "expected"),
    [
        (1000, 1.645 * 150, "high"),  # CV exactly 15%
        (1000, 1.645 * 151, "medium"),
        (1000, 1.645 * 300, "medium"),  # CV exactly 30%
        (1000, 1.645 * 301, "low"),
        (0, 12, "low"),  # zero estimate with an MOE
        (0, 0, "high"),  # a complete count of zero (distance to internet access)
        (250, 0, "high"),  # a complete count
        (1000, float("nan"), None),  # no MOE: nothing to judge
    ],
)
def test_reliability_classes(estimate, moe_, expected):
    cv = float(moe.coefficient_of_variation(estimate, moe_))
    assert moe.reliability(cv, moe_, estimate) == expected


positive = st.floats(min_value=0, max_value=1e7, allow_nan=False)


@given(st.lists(st.tuples(positive, positive), min_size=1, max_size=30))
def test_sum_moe_at_least_largest_nonzero_component(pairs):
    est, moes = zip(*pairs, strict=True)
    total = summed(est, moes)[1]
    nonzero = [m for e, m in pairs if e != 0]
    zero = [m for e, m in pairs if e == 0]
    assert total >= max([*nonzero, max(zero, default=0)]) - 1e-6
    assert total <= math.sqrt(sum(m * m for m in moes)) + 1e-6


@given(
    st.floats(min_value=1, max_value=1e6),
    st.floats(min_value=0, max_value=1),
    st.floats(min_value=0, max_value=1e4),
    st.floats(min_value=0, max_value=1e4),
)
def test_proportion_moe_never_exceeds_ratio_moe(y, share, mx, my):
    x = y * share
    p = float(moe.moe_proportion(x, y, mx, my))
    r = float(moe.moe_ratio(x, y, mx, my))
    assert np.isfinite(p)
    assert p <= r + 1e-9
