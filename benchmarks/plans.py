"""The site planner on the real store: seconds per plan (k = 10 with 0, 100 and 200
draws), and how far greedy + swaps falls from the exact optimum (HiGHS), side by side,
for each program and a few k. Usage (``make bench`` runs it):

    .venv/bin/python benchmarks/plans.py --store var/geo-api.gpkg

Figures are wall seconds on this machine, one plan at a time, no cache.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from boundaries.store import SERVING_SKIPS, read_store  # noqa: E402
from geo_api.catalog import Catalog  # noqa: E402
from geo_api.planning.cover import coverage, exact, greedy, improve  # noqa: E402
from geo_api.planning.demand import NEEDS, block_group_demand  # noqa: E402
from geo_api.planning.plans import Centres, PlanQuery, centres_reader, solve  # noqa: E402
from geo_api.planning.query import DEFAULTS  # noqa: E402
from geo_api.planning.sites import candidate_sites, existing_sites  # noqa: E402

RADIUS = 1609.0


def timings(catalog: Catalog, centres: object) -> None:
    print("\nLA DEAL, k = 10 among access points and schools, access points in place, 1,609 m")
    print(f"{'draws':>6} {'seconds':>8} {'covered':>10} {'90% interval':>22}")
    candidates = candidate_sites(catalog, ("access-points", "schools"), None)
    existing = existing_sites(catalog, "access-points")
    for draws in (0, 100, 200):
        query = PlanQuery("la-deal", 10, ("access-points", "schools"), "access-points", RADIUS,
                          draws, 20261123)  # fmt: skip
        start = time.perf_counter()
        result = solve(query, catalog, centres, candidates, existing)  # type: ignore[arg-type]
        seconds = time.perf_counter() - start
        low, high = np.quantile(result.covered_draws, [0.05, 0.95]) if draws else (0, 0)
        print(f"{draws:>6} {seconds:>8.2f} {result.plan.covered:>10,.0f} "
              f"{f'{low:,.0f}-{high:,.0f}':>22}")  # fmt: skip


def gaps(catalog: Catalog, centres: object) -> None:
    print("\nGreedy + swaps against the exact optimum (HiGHS MILP), point estimates")
    print(f"{'program':<18} {'k':>3} {'greedy':>10} {'+swaps':>10} {'exact':>10} "
          f"{'gap %':>6} {'greedy s':>8} {'exact s':>8}")  # fmt: skip
    for program, (layers, existing_id) in DEFAULTS.items():
        demand = block_group_demand(catalog.layers["tracts"], centres, NEEDS[program], 0, 1)  # type: ignore[arg-type]
        candidates = candidate_sites(catalog, layers, None)
        met = coverage(existing_sites(catalog, existing_id).xy, demand.xy, RADIUS)
        need = np.where(np.asarray(met.sum(axis=0)).ravel() > 0, 0.0, demand.need)
        cover = coverage(candidates.xy, demand.xy, RADIUS)
        for k in (5, 10, 25):
            start = time.perf_counter()
            first = greedy(cover, need, k)
            local = improve(cover, need, first)
            fast = time.perf_counter() - start
            start = time.perf_counter()
            best = exact(cover, need, k)
            slow = time.perf_counter() - start
            gap = 100 * (best.covered - local.covered) / best.covered if best.covered else 0.0
            flag = "" if best.optimal else " (not proven)"
            print(
                f"{program:<18} {k:>3} {first.covered:>10,.0f} {local.covered:>10,.0f} "
                f"{best.covered:>10,.0f} {gap:>6.2f} {fast:>8.2f} {slow:>8.1f}{flag}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--store", type=Path, default=ROOT / "var" / "geo-api.gpkg")
    args = parser.parse_args()
    store = read_store(args.store, SERVING_SKIPS)
    catalog = Catalog.from_store(store)
    centres = Centres(centres_reader(args.store, None)).get()
    timings(catalog, centres)
    gaps(catalog, centres)


if __name__ == "__main__":
    main()
