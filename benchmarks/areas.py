"""CPU seconds of adversarial drawn areas (benchmarks/adversarial.py) on the real store,
before and after the cost bounds of issue #26, side by side; then the latency of
``/healthz`` and a cached items page while four of the worst admissible areas run at once
on a live ``geo-api serve``. Usage (``make bench`` runs it):

    .venv/bin/python benchmarks/areas.py --store var/geo-api.gpkg

"Before" repeats what the server did before: ``make_valid`` by linework, a full
``union_all`` of the parts, the 1 m simplification and one overlay of the whole area with
every tract (in a child
process, stopped after ``--budget`` seconds). "After" is ``parse_area`` and
``aggregate_area`` as served. Figures are CPU seconds of one core.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import random
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import geopandas as gpd
import httpx
import orjson
import pyogrio
import shapely
from shapely.geometry import shape

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.adversarial import CASES  # noqa: E402
from boundaries.crosswalk import compute_crosswalk  # noqa: E402
from boundaries.custom import (  # noqa: E402
    AreaInputs,
    AreaTooComplex,
    aggregate_area,
    simplify_drawn,
)
from boundaries.store import area_variables, read_area_tables  # noqa: E402
from geo_api.geoinput import TooComplex, TooLarge, parse_area  # noqa: E402
from loaders.geometry import AREA_CRS, polygonal  # noqa: E402


def load_inputs(store: Path) -> AreaInputs:
    """The custom-area inputs of ``store``, as the server loads them."""
    areas, tidy = read_area_tables(store, area_variables())
    return AreaInputs.from_tables(areas, tidy, pyogrio.read_dataframe(store, layer="tracts"))


def after(inputs: AreaInputs, body: bytes) -> tuple[float, str]:
    """CPU seconds and outcome of the served path."""
    start = time.process_time()
    try:
        geom, notes = parse_area(body)
        aggregate_area(inputs, geom, "bench", tuple(notes))
        outcome = "200"
    except (TooComplex, TooLarge, AreaTooComplex) as exc:
        outcome = f"413 {str(exc)[:48]}"
    return time.process_time() - start, outcome


def _before(store: Path, body: bytes, out: Any) -> None:
    inputs = load_inputs(store)
    start = time.process_time()
    doc = orjson.loads(body)
    geom = shape(doc)
    if not geom.is_valid:
        geom = shapely.make_valid(geom)
    geom = shapely.union_all([polygonal(geom)])
    area, _ = simplify_drawn(gpd.GeoSeries([geom], crs=4326).to_crs(AREA_CRS).iloc[0])
    frame = gpd.GeoDataFrame({"id": ["custom"]}, geometry=[area], crs=AREA_CRS)
    compute_crosswalk(inputs.tracts_land, frame, inputs.centres)
    out.put(time.process_time() - start)


def before(store: Path, body: bytes, budget: float) -> str:
    """CPU seconds of the old path, or ``> budget`` when it did not finish."""
    queue: Any = multiprocessing.Queue()
    child = multiprocessing.Process(target=_before, args=(store, body, queue))
    child.start()
    child.join(budget + 15)  # + the time to load the inputs
    if child.is_alive():
        child.kill()
        return f"> {budget:.0f}"
    return f"{queue.get():.2f}"


def _mixed_paths(rng: random.Random) -> str:
    """One request of ordinary traffic: a new bbox page, a cached page, a tile or a map."""
    roll = rng.random()
    if roll < 0.4:
        x, y = -118.60 + rng.random() * 0.45, 33.80 + rng.random() * 0.35
        return (
            f"/collections/tracts/items?limit=100&bbox={x:.5f},{y:.5f},{x + 0.15:.5f},{y + 0.1:.5f}"
        )
    if roll < 0.7:
        return "/collections/neighborhoods/items?limit=100"
    if roll < 0.9:
        tx, ty = 1400 + rng.randrange(30), 3260 + rng.randrange(25)
        return f"/collections/tracts/tiles/WebMercatorQuad/13/{ty}/{tx}?properties=poverty_pct"
    return "/maps/neighborhoods/no_subscription_pct"


def probe_mixed_load(url: str, connections: int = 32, seconds: float = 10.0) -> None:
    """p50/p99 of /healthz (one kept-alive probe) under ``connections`` of ordinary traffic."""

    async def run() -> tuple[list[float], int]:
        limits = httpx.Limits(max_connections=connections + 1)
        stop = time.monotonic() + seconds
        done = 0

        async def user(n: int, client: httpx.AsyncClient) -> None:
            nonlocal done
            rng = random.Random(n)
            while time.monotonic() < stop:
                await client.get(url + _mixed_paths(rng), headers={"accept-encoding": "gzip"})
                done += 1

        async def probe(client: httpx.AsyncClient) -> list[float]:
            ms = []
            while time.monotonic() < stop:
                start = time.perf_counter()
                await client.get(f"{url}/healthz")
                ms.append((time.perf_counter() - start) * 1000)
                await asyncio.sleep(0.05)
            return ms

        async with (
            httpx.AsyncClient(limits=limits, timeout=60) as client,
            httpx.AsyncClient(timeout=60) as health,
        ):
            users = [asyncio.create_task(user(n, client)) for n in range(connections)]
            ms = await probe(health)
            await asyncio.gather(*users)
        return ms, done

    ms, done = asyncio.run(run())
    q = statistics.quantiles(ms, n=100, method="inclusive")
    print(
        f"\nmixed load, {connections} connections for {seconds:g} s ({done / seconds:.0f} req/s):"
    )
    print(f"  /healthz           n={len(ms):4d}  p50 {q[49]:6.1f} ms  p99 {q[98]:6.1f} ms  "
          f"max {max(ms):6.1f} ms")  # fmt: skip


def probe_under_load(store: Path, bodies: list[bytes], port: int = 8791) -> None:
    """p50/p99/max of /healthz and a cached items page while ``bodies`` are posted at once,
    then under :func:`probe_mixed_load`."""
    server = subprocess.Popen(
        [sys.executable, "-m", "geo_api.cli", "serve", "--store", str(store), "--port",
         str(port), "--no-warm"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        page = f"{url}/collections/neighborhoods/items?limit=10"
        httpx.get(page)  # cached from now on
        timings: dict[str, list[float]] = {"/healthz": [], "cached items page": []}

        def post(body: bytes, codes: list[int]) -> None:
            codes.append(httpx.post(f"{url}/aggregate", content=body, timeout=300).status_code)

        codes: list[int] = []
        posts = [threading.Thread(target=post, args=(b, codes)) for b in bodies]
        for t in posts:
            t.start()
        # one kept-alive connection, as a load balancer's probe: creating an httpx client
        # per request costs the client ~20 ms, which is not the server's latency
        with httpx.Client(timeout=30) as probe:
            while any(t.is_alive() for t in posts):
                for name, target in (("/healthz", f"{url}/healthz"), ("cached items page", page)):
                    start = time.perf_counter()
                    probe.get(target)
                    timings[name].append((time.perf_counter() - start) * 1000)
                time.sleep(0.05)
        print(f"\nwhile 4 drawn areas ran at once (answers {sorted(codes)}):")
        for name, ms in timings.items():
            q = statistics.quantiles(ms, n=100, method="inclusive") if len(ms) > 1 else ms * 99
            print(f"  {name:18s} n={len(ms):4d}  p50 {q[49]:6.1f} ms  p99 {q[98]:6.1f} ms  "
                  f"max {max(ms):6.1f} ms")  # fmt: skip
        probe_mixed_load(url)
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> int:
    """Print the table and the latency under load."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--store", type=Path, default=ROOT / "var" / "geo-api.gpkg")
    parser.add_argument("--budget", type=float, default=60.0, help="seconds per 'before' case")
    parser.add_argument("--load-only", action="store_true", help="only the latency under load")
    args = parser.parse_args()
    heavy = sorted(CASES, key=lambda n: n.startswith(("39,000 small", "polygon with 9,999",
                                                        "10,000 small", "2,500")))[-4:]  # fmt: skip
    if args.load_only:
        probe_under_load(args.store, [orjson.dumps(CASES[n]()) for n in heavy])
        return 0
    inputs = load_inputs(args.store)
    print(f"{'area':28s} {'MB':>5s} {'before s':>9s} {'after s':>8s} {'ratio':>6s}  answer")
    worst = ("", 0.0)
    for name, make in CASES.items():
        body = orjson.dumps(make())
        cpu, outcome = after(inputs, body)
        old = before(args.store, body, args.budget)
        ratio = float(old.lstrip("> ")) / cpu if cpu > 0 else float("inf")
        mark = ">" if old.startswith(">") else " "
        print(f"{name:28s} {len(body) / 1e6:5.2f} {old:>9s} {cpu:8.2f} {mark}{ratio:5.0f}×  "
              f"{outcome}")  # fmt: skip
        if outcome == "200" and cpu > worst[1]:
            worst = (name, cpu)
    print(f"\nworst admissible drawn area: {worst[0]}, {worst[1]:.2f} CPU s")
    probe_under_load(args.store, [orjson.dumps(CASES[n]()) for n in heavy])
    return 0


if __name__ == "__main__":
    sys.exit(main())
