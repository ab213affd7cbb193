"""Expensive rankings cannot take the real server down (live `geo-api serve`)."""

import threading
import time
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.integration


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM")


def test_concurrent_heavy_rankings_are_bounded(live_process):
    url, proc = live_process
    results: list[tuple[int, float]] = []
    health: list[float] = []
    done = threading.Event()

    def rank(seed: int, draws: int) -> None:
        start = time.monotonic()
        r = httpx.get(
            f"{url}/priorities/la-deal?layer=tracts&draws={draws}&seed={seed}", timeout=60
        )
        results.append((r.status_code, time.monotonic() - start))
        if r.status_code == 503:
            assert r.headers["retry-after"]
            assert r.json()["code"] == "busy"
        if r.status_code == 400:
            assert r.json()["code"] == "over-budget" and r.json()["max_draws"] >= 1000

    def probe() -> None:
        while not done.is_set():
            start = time.monotonic()
            assert httpx.get(f"{url}/healthz", timeout=5).status_code == 200
            health.append(time.monotonic() - start)
            time.sleep(0.2)

    prober = threading.Thread(target=probe)
    prober.start()
    # four over the budget (answered at once) and four just within it, all new seeds
    workers = [threading.Thread(target=rank, args=(s, 10_000)) for s in range(4)]
    workers += [threading.Thread(target=rank, args=(100 + s, 2000)) for s in range(4)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    done.set()
    prober.join()
    assert len(results) == 8
    assert all(seconds < 20 for _, seconds in results), results
    assert [status for status, _ in results].count(400) == 4
    assert {status for status, _ in results} <= {200, 400, 503}
    assert 200 in {status for status, _ in results}
    assert max(health) < 1.0, max(health)
    assert _peak_rss_mb(proc.pid) < 3000
