"""Maximal covering on hand-made points: the known optimum, the greedy trap, the swaps,
and the rule that a site reaching nothing new is never added."""

from __future__ import annotations

import numpy as np
from scipy import sparse

from geo_api.planning.cover import (
    coverage,
    covered_by,
    evaluate,
    exact,
    greedy,
    improve,
    naive,
)

#: demand P1..P5 with weights 2, 2, 2, 2, 1; site A reaches P1 P2, B reaches P3 P4, C
#: reaches P2 P3 P5. With k = 2 the optimum is A + B = 8; greedy takes C first (5) and
#: ends at 7.
NEED = np.array([2.0, 2.0, 2.0, 2.0, 1.0])
COVER = sparse.csr_matrix(
    np.array(
        [
            [1, 1, 0, 0, 0],  # A
            [0, 0, 1, 1, 0],  # B
            [0, 1, 1, 0, 1],  # C
        ],
        dtype=bool,
    )
)


def test_the_exact_solver_finds_the_known_optimum_greedy_misses():
    best = exact(COVER, NEED, 2)
    assert sorted(best.chosen) == [0, 1] and best.covered == 8.0 and best.optimal
    trap = greedy(COVER, NEED, 2)
    assert trap.chosen[0] == 2 and trap.covered == 7.0
    assert trap.marginal == [5.0, 2.0]


def test_a_single_swap_climbs_out_of_the_trap():
    better = improve(COVER, NEED, greedy(COVER, NEED, 2))
    assert sorted(better.chosen) == [0, 1] and better.covered == 8.0
    assert better.marginal == [4.0, 4.0] and better.method == "greedy+swaps"


def test_naive_takes_the_biggest_circles_however_they_overlap():
    plan = naive(COVER, NEED, 2)
    assert plan.chosen == [2, 0]  # C (5) then A (4): overlap at P2
    assert plan.covered == 7.0


def test_evaluate_counts_overlap_once_and_draws_row_by_row():
    plan = evaluate(COVER, NEED, [0, 2])
    assert plan.marginal == [4.0, 3.0] and plan.covered == 7.0
    draws = np.vstack([NEED, 2 * NEED])
    assert list(covered_by(COVER, draws, [0, 2])) == [7.0, 14.0]
    assert list(covered_by(COVER, draws, [])) == [0.0, 0.0]


def test_a_site_reaching_nothing_new_is_never_added():
    """Demand already met weighs nothing: with need only at P5, one site (C) is enough,
    and k = 3 returns one site, not three."""
    need = np.array([0.0, 0.0, 0.0, 0.0, 1.0])
    plan = improve(COVER, need, greedy(COVER, need, 3))
    assert plan.chosen == [2] and plan.covered == 1.0
    assert greedy(COVER, np.zeros(5), 2).chosen == []


def test_coverage_on_each_side_of_the_radius():
    demand = np.array([[0.0, 0.0], [100.0, 0.0], [100.001, 0.0]])
    near = coverage(np.array([[0.0, 0.0]]), demand, 100.0).toarray()
    assert near.tolist() == [[True, True, False]]
    assert coverage(np.empty((0, 2)), demand, 100.0).shape == (0, 3)


def test_greedy_with_swaps_on_random_points_stays_near_the_optimum():
    rng = np.random.default_rng(7)
    demand = rng.uniform(0, 5000, (400, 2))
    need = rng.gamma(2.0, 5.0, 400)
    cover = coverage(rng.uniform(0, 5000, (40, 2)), demand, 900.0)
    best = exact(cover, need, 5)
    local = improve(cover, need, greedy(cover, need, 5))
    assert best.optimal and local.covered <= best.covered + 1e-9
    assert local.covered >= 0.95 * best.covered
