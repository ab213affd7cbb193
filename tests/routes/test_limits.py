"""Single flight, bounded concurrency and the ranking work budget."""

import threading
import time

import pytest

from geo_api import limits
from geo_api.errors import Busy
from geo_api.limits import SingleFlight, WorkLimiter


def _callers(flight, compute, n, results):
    """n threads calling flight.do("k", compute); returns them once all have started."""
    started = [threading.Event() for _ in range(n)]

    def call(i):
        started[i].set()
        try:
            results.append(flight.do("k", compute))
        except ValueError as exc:
            results.append(str(exc))

    threads = [threading.Thread(target=call, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for event in started:
        event.wait(10)
    time.sleep(1.0)  # every caller is now inside do(), waiting on the leader
    return threads


def test_single_flight_computes_once_for_concurrent_callers():
    flight = SingleFlight()
    calls = []
    gate = threading.Event()

    def compute():
        calls.append(1)
        gate.wait(10)
        return "answer"

    results = []
    threads = _callers(flight, compute, 8, results)
    gate.set()
    for t in threads:
        t.join()
    assert results == ["answer"] * 8
    assert len(calls) == 1
    # once finished the key is free again: a later call computes anew
    assert flight.do("k", lambda: "again") == "again"


def test_single_flight_gives_the_leaders_error_to_everyone():
    flight = SingleFlight()
    gate = threading.Event()

    def fail():
        gate.wait(10)
        raise ValueError("boom")

    results = []
    threads = _callers(flight, fail, 3, results)
    gate.set()
    for t in threads:
        t.join()
    assert results == ["boom"] * 3


def test_limiter_refuses_work_beyond_its_slots():
    limiter = WorkLimiter(slots=1, wait=0.05)
    inside = threading.Event()
    release = threading.Event()

    def hold():
        inside.set()
        release.wait(5)
        return 1

    worker = threading.Thread(target=lambda: limiter.run(hold))
    worker.start()
    inside.wait(5)
    with pytest.raises(Busy) as busy:
        limiter.run(lambda: 2)
    assert busy.value.status == 503 and busy.value.extra["retry_after"] > 0
    release.set()
    worker.join()
    assert limiter.run(lambda: 3) == 3  # the slot is free again


def test_over_budget_ranking_is_a_400_naming_the_limit(client, monkeypatch):
    monkeypatch.setattr(limits, "RANKING_WORK_BUDGET", 1000)
    r = client.get("/priorities/la-deal?layer=tracts&draws=500&seed=9")
    assert r.status_code == 400
    body = r.json()
    assert body["code"] == "over-budget" and body["limit"] == 1000
    assert body["max_draws"] == 250  # 4 tracts
    assert "1,000" in body["detail"]


def test_busy_server_answers_503_with_retry_after(client):
    client.app.state.rankings._limiter = WorkLimiter(slots=1, wait=0.01)
    held = client.app.state.rankings._limiter
    assert held._slots.acquire()  # another ranking holds the only slot
    try:
        r = client.get("/priorities/la-deal?layer=tracts&seed=777")
    finally:
        held._slots.release()
    assert r.status_code == 503
    assert r.headers["retry-after"] == "5"
    assert r.headers["content-type"] == "application/problem+json"
    assert client.get("/priorities/la-deal?layer=tracts&seed=777").status_code == 200


def test_bounded_lru_keeps_the_most_recent_within_both_bounds():
    from geo_api.lru import BoundedLRU

    lru: BoundedLRU[str, bytes] = BoundedLRU(max_items=3, max_bytes=10, size=len)
    for key in "abc":
        lru.put(key, b"xx")
    assert lru.get("a") == b"xx"  # a is now the most recently used
    lru.put("d", b"xx")  # four entries: b, the least recently used, goes
    assert lru.get("b") is None and len(lru) == 3
    lru.put("e", b"x" * 9)  # 15 bytes > 10: evict from the oldest until within bounds
    assert lru.nbytes <= 10 and lru.get("e") == b"x" * 9
    lru.put("e", b"y")  # replacing a key updates the byte count
    assert lru.nbytes == 1
    lru.clear()
    assert len(lru) == 0 and lru.nbytes == 0
