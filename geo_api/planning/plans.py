"""A plan: the sites that reach the most need, how sure that is, and what a naive choice
would give (the query is parsed in :mod:`geo_api.planning.query`).

For every draw of the survey estimates the plan is solved again, starting from the plan
of the point estimates and swapping sites while a single swap covers more of that draw's
need; ``chosen_share`` is how often each site is still chosen. (Greedy from scratch in
each draw would mix the survey's noise with the greedy method's own 1-2% gap to the
optimum.) The need the point-estimate plan covers is evaluated on every draw, which gives
its 90% interval (the 5th-95th percentile of the draws, widened to hold the estimate, as
rank intervals are).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyogrio
from scipy import sparse

from geo_api.catalog import Catalog
from geo_api.limits import SingleFlight, WorkLimiter, check_plan_budget
from geo_api.lru import BoundedLRU
from geo_api.planning.cover import (
    Plan,
    best_plan,
    coverage,
    covered_by,
    evaluate,
    improve,
    naive,
)
from geo_api.planning.demand import NEEDS, block_group_demand
from geo_api.planning.sites import Sites
from loaders.geometry import AREA_CRS, SERVE_CRS


@dataclass(frozen=True)
class PlanQuery:
    """What a plan asks: ``k`` sites among ``candidates`` (layer ids), with ``existing``
    already in place, reaching ``radius`` metres; ``sites`` evaluates a given set."""

    program: str
    k: int
    candidates: tuple[str, ...]
    existing: str
    radius: float
    draws: int
    seed: int
    district: str | None = None
    sites: tuple[str, ...] = ()


@dataclass
class PlanResult:
    """A solved (or evaluated) plan with its uncertainty."""

    query: PlanQuery
    candidates: Sites
    existing: Sites
    plan: Plan
    naive: Plan
    chosen_share: np.ndarray
    covered_draws: np.ndarray
    naive_draws: np.ndarray
    total_need: float
    total_draws: np.ndarray
    met_need: float
    met_draws: np.ndarray
    unknown_tracts: list[str]
    pupils: float = 0.0
    #: block-group centres (lon, lat) and the need there no existing site reaches
    demand_lonlat: np.ndarray = field(default_factory=lambda: np.empty((0, 2)))
    demand_need: np.ndarray = field(default_factory=lambda: np.empty(0))


def interval(point: float, draws: np.ndarray, digits: int = 1) -> dict[str, Any]:
    """``estimate`` and ``interval_90`` (5th-95th percentile of ``draws``, widened to
    hold the estimate), rounded to ``digits``."""
    if len(draws) == 0:
        return {"estimate": round(point, digits), "interval_90": [round(point, digits)] * 2}
    low, high = np.quantile(draws, [0.05, 0.95])
    return {
        "estimate": round(point, digits),
        "interval_90": [
            round(float(min(low, point)), digits),
            round(float(max(high, point)), digits),
        ],
    }


def _school_pupils(candidates: Sites, program: str) -> tuple[np.ndarray, np.ndarray]:
    """For Community Schools among school candidates: each school's FRPM-eligible pupils,
    a demand point only that school reaches (indexes of the school candidates, counts)."""
    if program != "community-schools":
        return np.array([], dtype=int), np.array([])
    at = [i for i, layer in enumerate(candidates.layers) if layer == "schools"]
    counts = np.array([candidates.pupils[i] for i in at], dtype=float)
    keep = ~np.isnan(counts) & (counts > 0)
    return np.array(at, dtype=int)[keep], counts[keep]


def solve(
    query: PlanQuery, catalog: Catalog, centres: pd.DataFrame, candidates: Sites, existing: Sites
) -> PlanResult:
    """Solve (or evaluate, with ``query.sites``) the plan and its draws."""
    demand = block_group_demand(
        catalog.layers["tracts"], centres, NEEDS[query.program], query.draws, query.seed
    )
    cover = coverage(candidates.xy, demand.xy, query.radius)
    met = coverage(existing.xy, demand.xy, query.radius)
    at, pupils = _school_pupils(candidates, query.program)
    if len(at):  # a school's own pupils: reached by that school only, known exactly
        own = sparse.csr_matrix(
            (np.ones(len(at), dtype=bool), (at, np.arange(len(at)))),
            shape=(len(candidates.ids), len(at)),
        )
        cover = sparse.hstack([cover, own], format="csr")
        met = sparse.hstack(
            [met, sparse.csr_matrix((met.shape[0], len(at)), dtype=bool)], format="csr"
        )
    check_plan_budget(cover.nnz, len(query.sites) or query.k, query.draws)
    need = np.concatenate([demand.need, pupils])
    draws = np.hstack([demand.draws, np.tile(pupils, (query.draws, 1))])
    reached = np.asarray(met.sum(axis=0)).ravel() > 0
    open_need, open_draws = np.where(reached, 0.0, need), np.where(reached, 0.0, draws)
    if query.sites:
        plan = evaluate(cover, open_need, [candidates.index[s] for s in query.sites])
    else:
        plan = best_plan(cover, open_need, query.k)
    first = naive(cover, open_need, query.k if not query.sites else len(query.sites))
    chosen = np.zeros(len(candidates.ids))
    for d in range(query.draws):
        # solved again from the plan: swaps until no single swap covers more of this draw
        again = improve(cover, open_draws[d], evaluate(cover, open_draws[d], plan.chosen))
        chosen[again.chosen] += 1
    return PlanResult(
        query=query,
        candidates=candidates,
        existing=existing,
        plan=plan,
        naive=first,
        chosen_share=chosen / max(query.draws, 1),
        covered_draws=covered_by(cover, open_draws, plan.chosen),
        naive_draws=covered_by(cover, open_draws, first.chosen),
        total_need=float(need.sum()),
        total_draws=draws.sum(axis=1),
        met_need=float(need[reached].sum()),
        met_draws=draws[:, reached].sum(axis=1),
        unknown_tracts=demand.unknown_tracts,
        pupils=float(pupils.sum()),
        demand_lonlat=demand.lonlat,
        demand_need=open_need[: len(demand.need)],
    )


class PlanCache:
    """Solved plans by query and store; one solve per query however many ask at once,
    and few at a time (the rankings' limiter)."""

    def __init__(self, limiter: WorkLimiter, size: int = 16) -> None:
        self._lru: BoundedLRU[tuple, PlanResult] = BoundedLRU(size)
        self._flight = SingleFlight()
        self._limiter = limiter

    def get(self, key: tuple, compute: Callable[[], PlanResult]) -> PlanResult:
        """The cached plan of ``key``, or ``compute()`` once."""
        hit = self._lru.get(key)
        if hit is not None:
            return hit

        def run() -> PlanResult:
            result = self._limiter.run(compute)
            self._lru.put(key, result)
            return result

        return self._flight.do(key, run)


class Centres:
    """The store's 2020 block-group centres (``tract``, ``population``, ``x``, ``y`` in
    EPSG:3310, ``lon``, ``lat``), read once on first use: from the tables of a store given in memory
    (tests), else from the served store file's ``area_centres`` table."""

    def __init__(self, read: Callable[[], Any]) -> None:
        self._read = read
        self._frame: pd.DataFrame | None = None
        self._lock = threading.Lock()

    def get(self) -> pd.DataFrame:
        """The centres (a :class:`StoreError` propagates when the store lacks them)."""
        if self._frame is None:
            with self._lock:
                if self._frame is None:
                    lonlat = self._read().to_crs(SERVE_CRS)
                    frame = lonlat.to_crs(AREA_CRS)
                    self._frame = pd.DataFrame(
                        {
                            "tract": frame["tract"].astype(str).to_numpy(),
                            "population": frame["population"].astype(float).to_numpy(),
                            "x": frame.geometry.x.to_numpy(),
                            "y": frame.geometry.y.to_numpy(),
                            "lon": lonlat.geometry.x.to_numpy(),
                            "lat": lonlat.geometry.y.to_numpy(),
                        }
                    )
        return self._frame


def centres_reader(path: Path, given: dict[str, Any] | None) -> Callable[[], Any]:
    """How :class:`Centres` reads: ``given`` (a store's area tables) or the file."""
    if given is not None and "area_centres" in given:
        table = given["area_centres"]
        return lambda: table

    def read() -> Any:
        from boundaries.store import quiet_gdal

        with quiet_gdal():
            return pyogrio.read_dataframe(path, layer="area_centres")

    return read
