"""Bounds on expensive work: one computation per key, a few at a time, within a budget.

Rankings (a simulation over every area), PNG maps and map pages cost seconds of CPU and
hundreds of MB. Without bounds one request (``draws=10000`` on 2,493 tracts: 37 s, 1.7 GB)
or a burst of identical cold requests could take the server down. Three rules:

* **Work budget**: a ranking may simulate at most :data:`RANKING_WORK_BUDGET` area-draws
  (areas × draws); above it the request is a 400 naming the limit. Memory follows from
  it: the simulated scores and ranks are two arrays of that many float64 values.
* **Single flight** (:class:`SingleFlight`): concurrent requests for the same key share
  one computation; followers wait for the leader's result (or its error).
* **Bounded concurrency** (:class:`WorkLimiter`): at most ``slots`` computations run at
  once; a leader that finds no free slot within ``wait`` seconds gets a 503 with
  ``Retry-After``. Cached answers never take a slot.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import TypeVar

from geo_api.errors import Busy, OverBudget

T = TypeVar("T")

RANKING_WORK_BUDGET = 5_000_000  # e.g. 2,493 tracts × 2,000 draws, 270 neighborhoods × 10,000
EXPENSIVE_SLOTS = 2  # one per core of the reference machine
SLOT_WAIT_SECONDS = 2.0
#: vector tiles have their own slots and wait longer for one: they are cheap and many
TILE_SLOT_WAIT_SECONDS = 30.0
RETRY_AFTER_SECONDS = 5


def check_ranking_budget(areas: int, draws: int) -> None:
    """Raise :class:`OverBudget` when ``areas × draws`` exceeds the ranking budget."""
    work = areas * draws
    if work > RANKING_WORK_BUDGET:
        most = max(1, RANKING_WORK_BUDGET // max(areas, 1))
        raise OverBudget(
            f"{areas:,} areas × {draws:,} draws = {work:,} area-draws exceeds the limit of "
            f"{RANKING_WORK_BUDGET:,} per ranking; use draws={most} or fewer on this layer",
            limit=RANKING_WORK_BUDGET,
            max_draws=most,
        )


#: a plan's work: pairs of site and demand point within reach × sites × (draws + 1); on the
#: 2-core machine about 4e7 per second (benchmarks/plans.py), so the budget is ~10 s.
#: LA DEAL's default plan (k = 10, 100 draws, 1,609 m) costs 5.5e7.
PLAN_WORK_BUDGET = 400_000_000


def check_plan_budget(pairs: int, k: int, draws: int) -> None:
    """Raise :class:`OverBudget` when a plan of ``k`` sites with ``draws`` over a
    coverage of ``pairs`` (site, point) pairs exceeds :data:`PLAN_WORK_BUDGET`."""
    work = pairs * k * (draws + 1)
    if work > PLAN_WORK_BUDGET:
        most = max(0, PLAN_WORK_BUDGET // max(pairs * k, 1) - 1)
        raise OverBudget(
            f"{pairs:,} site-home pairs within reach × {k} sites × {draws + 1} solves = "
            f"{work:,} exceeds the limit of {PLAN_WORK_BUDGET:,} per plan; use draws={most} "
            "or fewer, a smaller radius_m, fewer candidates or a smaller k",
            limit=PLAN_WORK_BUDGET,
            max_draws=most,
        )


class WorkLimiter:
    """At most ``slots`` expensive computations at once (threads of the route pool)."""

    def __init__(self, slots: int = EXPENSIVE_SLOTS, wait: float = SLOT_WAIT_SECONDS) -> None:
        self._slots = threading.BoundedSemaphore(slots)
        self._wait = wait

    def run(self, compute: Callable[[], T]) -> T:
        """Run ``compute`` in a free slot, or raise :class:`Busy` after ``wait`` seconds."""
        if not self._slots.acquire(timeout=self._wait):
            raise Busy(
                "too many expensive requests are being computed; retry in a few seconds",
                retry_after=RETRY_AFTER_SECONDS,
            )
        try:
            return compute()
        finally:
            self._slots.release()


class SingleFlight:
    """Concurrent calls with one key share a single computation."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running: dict[object, Future] = {}

    def do(self, key: object, compute: Callable[[], T]) -> T:
        """``compute()`` once for all concurrent callers of ``key``; each gets its result."""
        with self._lock:
            future = self._running.get(key)
            leader = future is None
            if leader:
                future = Future()
                self._running[key] = future
        assert future is not None
        if not leader:
            return future.result()
        try:
            result = compute()
        except BaseException as exc:
            future.set_exception(exc)
            raise
        else:
            future.set_result(result)
            return result
        finally:
            with self._lock:
                self._running.pop(key, None)
