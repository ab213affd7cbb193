"""Need scores and ranks with their uncertainty (pure NumPy; no store, no HTTP).

**Score.** Each input is turned into a percentile rank among the ranked areas (0-100; for
inputs where a higher value means *less* need, the order is reversed), and the score is
the weighted mean of those percentiles, as CalEnviroScreen does. Percentiles were chosen
over z-scores (the Child Opportunity Index's choice) because counts and rates here are
heavily skewed: with z-scores one extreme tract (a jail, a campus) would dominate its
input, while a percentile moves each area by its position only. They are also bounded and
easy to explain: "in the top 10% for poverty".

**Missing inputs.** An area missing any input is *unranked*, with the inputs it lacks
named; it is never put first or last by accident.

**Uncertainty.** Each estimate is redrawn ``draws`` times from a normal distribution with
its standard error (MOE / 1.645), truncated to the input's valid range by redrawing the
values that fall outside (then clipping the few left after 20 rounds). Inputs without a
published MOE are held fixed, and the output says so because the interval then
understates the uncertainty. For every draw the percentiles, scores and ranks are
recomputed; the 5th and 95th percentiles of an area's ranks give its 90% rank interval.
The generator is NumPy's PCG64 seeded with ``seed``: the same seed gives the same output.

The reported rank is the rank of the point estimates; ``rank_median`` beside it is the
median of the simulated ranks. At the very top of a list the simulated ranks can lie
wholly below the point rank (rank 1, simulated 2-7): with noise in every input, some
other area overtakes it in most draws, because an extreme can only move one way. The
reported interval is therefore the 5th-95th percentile range of the simulated ranks
*extended to include the reported rank* (``extended`` marks where that happened): it
still covers at least 90% of the draws, and a planner never reads a rank that lies
outside its own interval.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import rankdata

Z90 = 1.645
TOP = 10
BLOCK = 100
#: decimals of a served score; scores equal to this precision share a rank
SCORE_DECIMALS = 2


@dataclass(frozen=True)
class Scores:
    """Scores for ``n`` areas. Unranked areas have NaN score and ranks.

    ``rank`` is 1 for the most need; ``rank_low``/``rank_high`` bound the 90% interval;
    ``p_top`` is the share of draws in which the area is in the top ``TOP``;
    ``rank_median`` is the median simulated rank and ``extended`` says where the 5th-95th
    percentile range was widened to contain ``rank``;
    ``percentiles`` (n × inputs) are the point-estimate percentiles; ``score_moe`` is the
    90% half-width of the simulated score.
    """

    score: np.ndarray
    rank: np.ndarray
    rank_low: np.ndarray
    rank_high: np.ndarray
    p_top: np.ndarray
    score_moe: np.ndarray
    percentiles: np.ndarray
    ranked: np.ndarray
    rank_median: np.ndarray
    extended: np.ndarray

    def top_ids(self, ids: list[str], top: int = TOP) -> list[str]:
        """Ids of the areas whose point rank is within ``top``, best first."""
        within = np.flatnonzero(self.rank <= top)
        return [ids[i] for i in within[np.argsort(self.rank[within], kind="stable")]]

    def indistinguishable(self, ids: list[str], top: int = TOP) -> list[str]:
        """Areas ranked below ``top`` whose 90% rank interval reaches into the top."""
        reach = (self.rank > top) & (self.rank_low <= top)
        order = np.argsort(self.rank[reach], kind="stable")
        return [ids[i] for i in np.flatnonzero(reach)[order]]


def percentile_ranks(values: np.ndarray, higher_is_worse: np.ndarray) -> np.ndarray:
    """Percentile rank (0-100] of each column along axis -2 (areas); NaN stays NaN."""
    signed = np.where(higher_is_worse, values, -values)
    n = signed.shape[-2]
    return rankdata(signed, method="average", axis=-2) / n * 100.0


def draw_truncated(
    rng: np.random.Generator,
    mean: np.ndarray,
    sd: np.ndarray,
    low: np.ndarray,
    high: np.ndarray,
    draws: int,
) -> np.ndarray:
    """``draws`` × n × m truncated-normal draws (sd 0 or NaN: the estimate itself)."""
    sd = np.nan_to_num(sd, nan=0.0)
    out = mean + sd * rng.standard_normal((draws, *mean.shape))
    for _ in range(20):
        bad = (out < low) | (out > high)
        if not bad.any():
            break
        redraw = mean + sd * rng.standard_normal((draws, *mean.shape))
        out = np.where(bad, redraw, out)
    return np.clip(out, low, high)


def score_areas(
    estimates: np.ndarray,
    moes: np.ndarray,
    weights: np.ndarray,
    higher_is_worse: np.ndarray,
    bounds: np.ndarray,
    draws: int = 1000,
    seed: int = 0,
    moe_scale: float = 1.0,
    eligible: np.ndarray | None = None,
) -> Scores:
    """Score, rank and simulate ``n`` areas on ``m`` inputs.

    ``estimates``/``moes`` are n × m (90% MOEs; NaN MOE = none published), ``weights``
    and ``higher_is_worse`` have length m, ``bounds`` is m × 2 (valid low/high of each
    input). ``moe_scale`` multiplies every MOE (for sensitivity checks). Areas where
    ``eligible`` is False are left unranked (e.g. below a minimum population).
    """
    estimates = np.asarray(estimates, dtype=float)
    n, m = estimates.shape
    weights = np.asarray(weights, dtype=float) / np.sum(weights)
    worse = np.asarray(higher_is_worse, dtype=bool)
    ranked = ~np.isnan(estimates).any(axis=1)
    if eligible is not None:
        ranked &= np.asarray(eligible, dtype=bool)
    idx = np.flatnonzero(ranked)
    empty = np.full(n, np.nan)
    pct_all = np.full((n, m), np.nan)
    if idx.size == 0:
        return Scores(
            empty, empty, empty, empty, empty, empty, pct_all, ranked, empty, np.zeros(n, bool)
        )
    est = estimates[idx]
    sd = np.asarray(moes, dtype=float)[idx] * moe_scale / Z90
    pct = percentile_ranks(est, worse)
    # scores are compared as served (two decimals): float noise in the weighted sum must
    # not order areas whose scores are equal (91.28 and 91.28 share a rank)
    score = np.round(pct @ weights, SCORE_DECIMALS)
    rank = rankdata(-score, method="min")
    rng = np.random.Generator(np.random.PCG64(seed))
    blocks = []
    for start in range(0, draws, BLOCK):  # blocks keep memory flat for big layers
        size = min(BLOCK, draws - start)
        sims = draw_truncated(rng, est, sd, bounds[:, 0], bounds[:, 1], size)  # size × k × m
        blocks.append(np.round(percentile_ranks(sims, worse) @ weights, SCORE_DECIMALS))
    sim_scores = np.concatenate(blocks)
    sim_ranks = rankdata(-sim_scores, method="min", axis=1)
    low, median, high = np.quantile(sim_ranks, [0.05, 0.5, 0.95], axis=0, method="inverted_cdf")
    extended = (rank < low) | (rank > high)
    low, high = np.minimum(low, rank), np.maximum(high, rank)
    s_low, s_high = np.quantile(sim_scores, [0.05, 0.95], axis=0)

    def spread(values: np.ndarray) -> np.ndarray:
        out = np.full(n, np.nan)
        out[idx] = values
        return out

    pct_all[idx] = pct
    return Scores(
        score=spread(score),
        rank=spread(rank),
        rank_low=spread(low),
        rank_high=spread(high),
        p_top=spread((sim_ranks <= TOP).mean(axis=0)),
        score_moe=spread((s_high - s_low) / 2),
        percentiles=pct_all,
        ranked=ranked,
        rank_median=spread(median),
        extended=spread(extended.astype(float)) == 1.0,
    )
