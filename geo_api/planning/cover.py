"""Maximal covering: choose ``k`` sites that reach the most need within a radius.

Pure NumPy/SciPy, no store and no HTTP. Demand points carry a need (households without
a subscription, poor children …); a site covers the demand points within ``radius``
metres, straight-line in a projected CRS (EPSG:3310). Demand already within reach of an
existing site counts as met and weighs nothing.

* :func:`greedy` adds, k times, the site that covers the most need not yet covered (and
  stops early rather than add a site that reaches nothing new). It is within a factor
  1 - 1/e of the optimum in theory; :func:`improve` then swaps sites while one swap
  covers more. How far this falls from the optimum is measured in docs/methods.md.
* :func:`exact` solves the integer programme of Church and ReVelle (1974) with SciPy's
  HiGHS MILP solver: binary sites x, covered shares y in [0, 1], maximise the covered need
  subject to y_i ≤ Σ x_j over the sites j reaching i and Σ x = k. When HiGHS does not prove
  optimality within its time limit, the result says so and the greedy answer stands.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.spatial import cKDTree

#: seconds HiGHS may spend proving an exact answer before the greedy one is used
EXACT_TIME_LIMIT = 10.0
#: plans of more sites are left to greedy + swaps (on the real store k = 25 took HiGHS up
#: to 6 s, k = 10 under 1 s; the gap of greedy + swaps stayed under 2%: docs/methods.md)
EXACT_MAX_K = 25


def coverage(sites_xy: np.ndarray, demand_xy: np.ndarray, radius: float) -> sparse.csr_matrix:
    """Sites × demand points: True where the point lies within ``radius`` of the site."""
    sites_xy = np.asarray(sites_xy, dtype=float).reshape(-1, 2)
    rows: list[int] = []
    cols: list[int] = []
    if len(sites_xy) and len(demand_xy):
        tree = cKDTree(np.asarray(demand_xy, dtype=float))
        for j, near in enumerate(tree.query_ball_point(sites_xy, r=radius)):
            rows += [j] * len(near)
            cols += near
    data = np.ones(len(rows), dtype=bool)
    return sparse.csr_matrix((data, (rows, cols)), shape=(len(sites_xy), len(demand_xy)))


def already_met(existing: sparse.csr_matrix) -> np.ndarray:
    """Per demand point: whether an existing site reaches it."""
    return np.asarray(existing.sum(axis=0)).ravel() > 0


@dataclass(frozen=True)
class Plan:
    """Chosen sites (indexes, in the order chosen), the need each adds (``marginal``, in
    that order), the total covered, and how the plan was found."""

    chosen: list[int]
    marginal: list[float]
    covered: float
    method: str
    optimal: bool | None = None


def evaluate(cover: sparse.csr_matrix, need: np.ndarray, chosen: list[int]) -> Plan:
    """The need a given set of sites covers, each site's addition in the given order."""
    left = np.asarray(need, dtype=float).copy()
    marginal = []
    for j in chosen:
        reached = cover.indices[cover.indptr[j] : cover.indptr[j + 1]]
        marginal.append(float(left[reached].sum()))
        left[reached] = 0.0
    return Plan(list(chosen), marginal, float(sum(marginal)), "given")


def covered_by(cover: sparse.csr_matrix, need: np.ndarray, chosen: list[int]) -> np.ndarray:
    """The need covered by ``chosen`` for each row of ``need`` (draws × demand points)."""
    need = np.atleast_2d(need)
    if not chosen:
        return np.zeros(len(need))
    reached = np.asarray(cover[chosen].sum(axis=0)).ravel() > 0
    return need[:, reached].sum(axis=1)


def greedy(cover: sparse.csr_matrix, need: np.ndarray, k: int) -> Plan:
    """Add the site that covers the most uncovered need, ``k`` times (ties: lowest index)."""
    left = np.asarray(need, dtype=float).copy()
    chosen: list[int] = []
    marginal: list[float] = []
    for _ in range(min(k, cover.shape[0])):
        gains = cover @ left
        if chosen:
            gains[chosen] = -1.0
        j = int(np.argmax(gains))
        if gains[j] <= 0:  # nothing left to reach: fewer than k sites, never a wasted one
            break
        chosen.append(j)
        marginal.append(float(max(gains[j], 0.0)))
        left[cover.indices[cover.indptr[j] : cover.indptr[j + 1]]] = 0.0
    return Plan(chosen, marginal, float(sum(marginal)), "greedy")


def naive(cover: sparse.csr_matrix, need: np.ndarray, k: int) -> Plan:
    """The ``k`` sites that each reach the most need on their own, overlap ignored (what a
    ranked list of sites gives), evaluated with overlap counted once."""
    alone = cover @ np.asarray(need, dtype=float)
    order = np.lexsort((np.arange(len(alone)), -alone))[:k]
    plan = evaluate(cover, need, [int(j) for j in order])
    return Plan(plan.chosen, plan.marginal, plan.covered, "naive")


def exact(cover: sparse.csr_matrix, need: np.ndarray, k: int) -> Plan:
    """The optimal ``k`` sites (HiGHS MILP), or the greedy plan when no optimum is proven
    within :data:`EXACT_TIME_LIMIT` (``optimal`` says which)."""
    need = np.asarray(need, dtype=float)
    first = greedy(cover, need, k)
    m = cover.shape[0]
    if k >= m:
        return Plan(first.chosen, first.marginal, first.covered, "exact", True)
    reachable = (np.asarray(cover.sum(axis=0)).ravel() > 0) & (need > 0)
    a = cover[:, reachable].T.tocsr().astype(float)  # points × sites
    w = need[reachable]
    n = len(w)
    # variables: x (m sites, binary), then y (n points, continuous in [0, 1])
    objective = np.concatenate([np.zeros(m), -w])
    link = sparse.hstack([-a, sparse.identity(n, format="csr")], format="csr")  # y - Ax ≤ 0
    count = sparse.csr_matrix(np.concatenate([np.ones(m), np.zeros(n)]))
    result = milp(
        objective,
        constraints=[
            LinearConstraint(link, -np.inf, 0.0),
            LinearConstraint(count, k, k),
        ],
        integrality=np.concatenate([np.ones(m), np.zeros(n)]),
        bounds=Bounds(0.0, 1.0),
        options={"time_limit": EXACT_TIME_LIMIT, "disp": False},
    )
    if result.x is None or result.status != 0:
        return Plan(first.chosen, first.marginal, first.covered, "greedy", False)
    picked = [int(j) for j in np.flatnonzero(result.x[:m] > 0.5)]
    # order the optimal set as greedy would add it, so marginals read as additions
    ordered = greedy(cover[picked], need, len(picked))
    plan = evaluate(cover, need, [picked[j] for j in ordered.chosen])
    if plan.covered < first.covered:  # numerical slack: never worse than greedy
        return Plan(first.chosen, first.marginal, first.covered, "greedy", False)
    return Plan(plan.chosen, plan.marginal, plan.covered, "exact", True)


def improve(cover: sparse.csr_matrix, need: np.ndarray, plan: Plan) -> Plan:
    """Swap chosen sites for unchosen ones while a single swap covers more (a local
    search after :func:`greedy`); at the end no single swap improves the plan."""
    need = np.asarray(need, dtype=float)
    chosen = list(plan.chosen)
    if not chosen:
        return plan
    for _ in range(10 * len(chosen)):  # each swap gains; the bound only guards the loop
        counts = np.asarray(cover[chosen].sum(axis=0)).ravel()
        best, where, to = 1e-9, -1, -1
        for pos, j in enumerate(chosen):
            reached = cover.indices[cover.indptr[j] : cover.indptr[j + 1]]
            lost = float(need[reached][counts[reached] == 1].sum())
            after = counts.copy()
            after[reached] -= 1
            gains = cover @ np.where(after == 0, need, 0.0)
            gains[chosen] = -np.inf
            c = int(np.argmax(gains))
            if gains[c] - lost > best:
                best, where, to = float(gains[c] - lost), pos, c
        if where < 0:
            break
        chosen[where] = to
    ordered = greedy(cover[chosen], need, len(chosen))
    result = evaluate(cover, need, [chosen[j] for j in ordered.chosen])
    return Plan(result.chosen, result.marginal, result.covered, plan.method + "+swaps")


def best_plan(cover: sparse.csr_matrix, need: np.ndarray, k: int) -> Plan:
    """The plan a request gets: the exact optimum for up to :data:`EXACT_MAX_K` sites when
    HiGHS proves it in time, else greedy + swaps (``method`` and ``optimal`` say which)."""
    local = improve(cover, need, greedy(cover, need, k))
    if k > EXACT_MAX_K or len(local.chosen) < k:  # fewer sites than k: nothing to gain
        return local
    found = exact(cover, need, k)
    return found if found.optimal and found.covered >= local.covered else local
