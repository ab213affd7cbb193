"""Margin-of-error maths for ACS estimates: pure functions, no IO.

Formulas follow the Census Bureau, *Understanding and Using American Community Survey
Data: What All Data Users Need to Know* (2020), chapter 8 "Calculating Measures of Error
for Derived Estimates". Published ACS MOEs are at 90% confidence (Z = 1.645).

All functions accept scalars or NumPy arrays of estimates and MOEs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

Z = {90: 1.645, 95: 1.960, 99: 2.576}
HIGH_CV = 0.15
MEDIUM_CV = 0.30


def apportioned_sums(
    groups: ArrayLike, weights: ArrayLike, estimates: ArrayLike, moes: ArrayLike
) -> tuple[NDArray[Any], NDArray[np.float64], NDArray[np.float64]]:
    """Per group: Σ wᵢxᵢ and its MOE, the one implementation of the sum rule.

    MOE = √(Σ over non-zero estimates of (wᵢ·MOEᵢ)² + (largest wᵢ·MOEᵢ among the zero
    estimates)²): the handbook's rule that among several zero estimates only the largest
    MOE counts. Weights are treated as constants (apportioned sums). A null estimate is
    left out; a group with no estimate gets NaN for both; a group where a non-null
    estimate has a null MOE gets a NaN MOE (it cannot be summed). Returns ``(group keys in
    sorted order, sums, MOEs)``; aggregation calls this with one group per feature.
    """
    keys, index = np.unique(np.asarray(groups, dtype=object), return_inverse=True)
    w = np.asarray(weights, dtype=float)
    est = np.asarray(estimates, dtype=float)
    moe = np.asarray(moes, dtype=float)
    if not (w.shape == est.shape == moe.shape == index.shape):
        raise ValueError("groups, weights, estimates and moes differ in length")
    n = len(keys)
    present = ~np.isnan(est)
    wx = np.where(present, w * est, 0.0)
    wm = w * moe
    zero = present & (est == 0)
    sums = np.bincount(index, weights=wx, minlength=n).astype(np.float64)
    squares = np.bincount(index, weights=np.where(present & ~zero, wm**2, 0.0), minlength=n)
    largest_zero = np.zeros(n)
    np.maximum.at(largest_zero, index[zero], np.nan_to_num(wm[zero], nan=0.0))
    out_moe = np.sqrt(squares + largest_zero**2)
    missing_moe = np.bincount(index, weights=(present & np.isnan(moe)).astype(float), minlength=n)
    out_moe[missing_moe > 0] = np.nan
    counted = np.bincount(index, weights=present.astype(float), minlength=n)
    sums[counted == 0] = np.nan
    out_moe[counted == 0] = np.nan
    return keys, sums, out_moe


def moe_proportion(
    num: ArrayLike, den: ArrayLike, moe_num: ArrayLike, moe_den: ArrayLike
) -> NDArray[np.float64]:
    """MOE of p = X/Y where X is a subset of Y: √(MOE_X² − p²·MOE_Y²) / Y.

    When the term under the root is negative, the handbook says to use the ratio formula
    instead, which this function does element by element. Result is a proportion (0-1).
    """
    x, y = np.asarray(num, dtype=float), np.asarray(den, dtype=float)
    mx, my = np.asarray(moe_num, dtype=float), np.asarray(moe_den, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = x / y
        under = mx**2 - p**2 * my**2
        ratio_under = mx**2 + p**2 * my**2
        return np.sqrt(np.where(under < 0, ratio_under, under)) / y


def moe_ratio(
    num: ArrayLike, den: ArrayLike, moe_num: ArrayLike, moe_den: ArrayLike
) -> NDArray[np.float64]:
    """MOE of R = X/Y where X is not a subset of Y: √(MOE_X² + R²·MOE_Y²) / Y."""
    x, y = np.asarray(num, dtype=float), np.asarray(den, dtype=float)
    mx, my = np.asarray(moe_num, dtype=float), np.asarray(moe_den, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = x / y
        return np.sqrt(mx**2 + r**2 * my**2) / y


def standard_error(moe: ArrayLike, level: int = 90) -> NDArray[np.float64]:
    """SE = MOE / Z, where Z is 1.645, 1.960 or 2.576 for 90, 95 or 99% confidence."""
    return np.asarray(moe, dtype=float) / Z[level]


def coefficient_of_variation(estimate: ArrayLike, moe: ArrayLike) -> NDArray[np.float64]:
    """CV = SE / estimate (a fraction; 0.15 = 15%). Null when the estimate is 0 or null."""
    est = np.asarray(estimate, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        cv = standard_error(moe) / np.abs(est)
    return np.where(est == 0, np.nan, cv)


def reliability(cv: float | None, moe: float | None, estimate: float | None) -> str | None:
    """Reliability class: ``high`` (CV ≤ 15%), ``medium`` (≤ 30%), ``low`` (above).

    ``None`` when there is no MOE (nothing to judge). A zero estimate with a positive MOE
    has no finite CV and is ``low``: the survey cannot tell zero from a small number. A
    zero MOE is a complete count (no sampling error): ``high``, zero estimate or not.
    """
    if moe is None or estimate is None or np.isnan(moe) or np.isnan(estimate):
        return None
    if estimate == 0:
        return "low" if moe > 0 else "high"
    if cv is None or np.isnan(cv):
        return None
    if cv <= HIGH_CV:
        return "high"
    if cv <= MEDIUM_CV:
        return "medium"
    return "low"


def reliability_classes(
    estimates: Sequence[float] | NDArray[np.float64], moes: Sequence[float] | NDArray[np.float64]
) -> list[str | None]:
    """Vectorised :func:`reliability` over aligned estimates and MOEs."""
    est = np.asarray(estimates, dtype=float)
    moe = np.asarray(moes, dtype=float)
    cvs = coefficient_of_variation(est, moe)
    return [reliability(c, m, e) for c, m, e in zip(cvs, moe, est, strict=True)]


def difference_test(
    est_a: ArrayLike, moe_a: ArrayLike, est_b: ArrayLike, moe_b: ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """The Census Bureau's test of a difference between two estimates.

    Returns ``(difference a − b, its MOE at 90%, Z)`` from 90% MOEs: MOE = √(MOE_a² +
    MOE_b²) and Z = (a − b) / √(SE_a² + SE_b²). The difference is significant at a
    confidence level when |Z| exceeds its critical value (:data:`Z`: 1.645 at 90%). The
    samples are taken as independent: the handbook's formula ignores any covariance.
    """
    a, b = np.asarray(est_a, dtype=float), np.asarray(est_b, dtype=float)
    ma, mb = np.asarray(moe_a, dtype=float), np.asarray(moe_b, dtype=float)
    diff = a - b
    moe = np.sqrt(ma**2 + mb**2)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = diff / standard_error(moe)
    z = np.where((moe == 0) & (diff == 0), 0.0, z)
    return diff, moe, z
