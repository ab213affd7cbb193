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


def test_handbook_sum_example():
    # 1,626±254 + 1,244±209 + 796±187 = 3,666±378
    estimates = [1626, 1244, 796]
    assert sum(estimates) == 3666
    assert round(moe.moe_sum(estimates, [254, 209, 187])) == 378


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
    assert moe.moe_sum([100, 0, 0], [20, 13, 27]) == pytest.approx(math.sqrt(20**2 + 27**2))
    assert moe.moe_sum([0, 0], [13, 27]) == pytest.approx(27)


def test_sum_refuses_missing_moe():
    with pytest.raises(ValueError):
        moe.moe_sum([1, 2], [1, float("nan")])


def test_apportioned_sum_scales_moes():
    assert moe.moe_apportioned_sum([0.5, 1.0], [100, 200], [40, 30]) == pytest.approx(
        math.sqrt(20**2 + 30**2)
    )


def test_product():
    assert float(moe.moe_product(10, 20, 1, 2)) == pytest.approx(math.sqrt(100 * 4 + 400 * 1))


def test_confidence_conversion_and_se():
    assert float(moe.standard_error(164.5)) == pytest.approx(100)
    assert float(moe.convert_moe(1.645, 90, 95)) == pytest.approx(1.96)
    assert float(moe.convert_moe(1.96, 95, 99)) == pytest.approx(2.576)


@pytest.mark.parametrize(
    ("estimate", "moe_", "expected"),
    [
        (1000, 1.645 * 150, "high"),  # CV exactly 15%
        (1000, 1.645 * 151, "medium"),
        (1000, 1.645 * 300, "medium"),  # CV exactly 30%
        (1000, 1.645 * 301, "low"),
        (0, 12, "low"),  # zero estimate with an MOE
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
    total = moe.moe_sum(est, moes)
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
