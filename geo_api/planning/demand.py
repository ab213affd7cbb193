"""Where the need is: each 2020 block-group centre carries its share of its tract's need.

A program's need in a tract is a count times a rate, both ACS estimates with MOEs:

* ``la-deal``: households × the share without an internet subscription;
* ``community-schools``: children under 18 × the poverty rate of all people (the mirror
  has no tract table of poverty by age above 5, so the children's own rate is not
  known; the overall rate understates it);
* ``early-care``: children under 5 × the poverty rate of children under 5.

A block group gets the tract's need in proportion to its 2020 population
(households are not counted by block group in the store; population stands in). The
uncertainty is drawn as the rankings draw it (:func:`boundaries.priorities.draw_truncated`,
PCG64 seeded with ``seed``): each tract's count and rate are redrawn within their MOEs,
the count at 0 or more and the rate within 0-100, and the block groups follow.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from boundaries.priorities import Z90, draw_truncated
from geo_api.catalog import LayerData


@dataclass(frozen=True)
class Need:
    """A program's need: ``count`` × ``rate`` (percent) of each tract, in ``words``."""

    count: str
    rate: str
    words: str


NEEDS = {
    "la-deal": Need(
        "households", "no_subscription_pct", "households without an internet subscription"
    ),
    "community-schools": Need("children_under_18", "poverty_pct", "children under 18 in poverty"),
    "early-care": Need("children_under_5", "under_5_poverty_pct", "children under 5 in poverty"),
}


@dataclass(frozen=True)
class Demand:
    """Block-group demand points: ``xy`` (EPSG:3310 metres), ``lonlat``, ``tract``, ``need``
    (point estimate) and ``draws`` (draws × points); ``unknown_tracts`` lack an estimate
    (their need is 0 here, and the answer names them)."""

    xy: np.ndarray
    lonlat: np.ndarray
    tract: np.ndarray
    need: np.ndarray
    draws: np.ndarray
    unknown_tracts: list[str]


def _column(tracts: LayerData, name: str) -> np.ndarray:
    if name not in tracts.properties:
        return np.full(len(tracts.records), np.nan)
    return tracts.values(name).astype(float)


def tract_need(
    tracts: LayerData, need: Need, draws: int, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Each tract's need (point estimate), and ``draws`` × tracts redrawn from the MOEs."""
    count, count_moe = _column(tracts, need.count), _column(tracts, f"{need.count}_moe")
    rate, rate_moe = _column(tracts, need.rate), _column(tracts, f"{need.rate}_moe")
    point = count * rate / 100.0
    rng = np.random.Generator(np.random.PCG64(seed))
    mean = np.column_stack([count, rate])
    sd = np.column_stack([count_moe, rate_moe]) / Z90
    known = ~np.isnan(mean).any(axis=1)
    sims = np.zeros((draws, len(point)))
    if known.any() and draws:
        drawn = draw_truncated(
            rng,
            mean[known],
            sd[known],
            np.array([0.0, 0.0]),
            np.array([np.inf, 100.0]),
            draws,
        )
        sims[:, known] = drawn[..., 0] * drawn[..., 1] / 100.0
    return np.where(known, point, 0.0), sims


def block_group_demand(
    tracts: LayerData, centres: pd.DataFrame, need: Need, draws: int, seed: int
) -> Demand:
    """The demand points of ``need``: ``centres`` has ``tract``, ``population``, ``x``,
    ``y`` (EPSG:3310) and ``lon``, ``lat`` per 2020 block group."""
    point, sims = tract_need(tracts, need, draws, seed)
    index = pd.Series(np.arange(len(tracts.records)), index=[r["id"] for r in tracts.records])
    at = centres["tract"].map(index)
    on_tract = at.notna().to_numpy()
    frame = centres[on_tract]
    at_i = at[on_tract].astype(int).to_numpy()
    population = frame["population"].astype(float).to_numpy()
    tract_total = pd.Series(population).groupby(at_i).transform("sum").to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(tract_total > 0, population / tract_total, 0.0)
    unknown = [
        tracts.records[i]["id"]
        for i in sorted(set(at_i))
        if np.isnan(_column(tracts, need.count)[i] * _column(tracts, need.rate)[i])
    ]
    return Demand(
        xy=frame[["x", "y"]].to_numpy(dtype=float),
        lonlat=frame[["lon", "lat"]].to_numpy(dtype=float)
        if "lon" in frame.columns
        else np.full((len(frame), 2), np.nan),
        tract=frame["tract"].to_numpy(),
        need=point[at_i] * share,
        draws=sims[:, at_i] * share,
        unknown_tracts=unknown,
    )
