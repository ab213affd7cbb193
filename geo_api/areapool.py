"""Drawn areas parsed and computed in worker processes, so the server's process stays free.

Parsing a 4 MB GeoJSON body and aggregating a drawn area (GEOS overlays, pandas sums) hold
Python's GIL for stretches of 0.1-0.5 s; in the server's threads they delayed ``/healthz``
and cached pages. :class:`AreaPool` runs :func:`geo_api.geoinput.parse_area` and
:func:`boundaries.custom.aggregate_area` in ``slots`` processes (``spawn``: no threads are
forked), at a lower CPU priority than the server, each reading the custom-area inputs from
the store file once after checking it is still the store being served. Each task has
:data:`AREA_DEADLINE_SECONDS`: past it the pool's processes are killed (the work is
released, not left running), a new pool starts on next use, and the client gets a 503
``deadline`` naming the limit.
"""

from __future__ import annotations

import multiprocessing
import os
from multiprocessing.pool import Pool
from pathlib import Path
from typing import Any

import pandas as pd
import shapely

from boundaries.custom import AreaInputs, AreaResult, AreaTooComplex, OutsideCounty
from boundaries.store import StoreError

#: wall-clock seconds one drawn area may take in a worker (the worst admissible area of
#: benchmarks/areas.py costs about 2 s of CPU)
AREA_DEADLINE_SECONDS = 30.0

#: how much lower the workers' CPU priority is than the server's (Unix ``nice``)
WORKER_NICENESS = 10

_INPUTS: AreaInputs | None = None
_FAILED = ""  # why a worker could not read its inputs (a failing initializer respawns)


def read_inputs(store: Path, checksum: str, tracts: pd.DataFrame) -> AreaInputs:
    """The custom-area inputs of the store file at ``store``, which must still be the one
    served (``checksum``), with ``tracts`` the served tract layer (rounded as served).
    Raises :class:`StoreError` otherwise. Used by the server's process and its workers."""
    from boundaries.sourcecheck import catalogue_variables
    from boundaries.store import read_area_tables, read_manifest

    if (read_manifest(store) or {}).get("content_sha256") != checksum:
        raise StoreError("the store file changed since the server started: restart it")
    areas, tidy = read_area_tables(store, catalogue_variables())
    return AreaInputs.from_tables(areas, tidy, tracts)


def _start_worker(store: str, checksum: str) -> None:
    """Pool initializer: read the inputs of ``store`` (which must have ``checksum``)."""
    import pyogrio

    from boundaries.store import table_name
    from geo_api.precision import round_indicators

    global _INPUTS, _FAILED
    # below the server's priority: on a busy machine its event loop gets the cores first
    os.nice(WORKER_NICENESS)
    path = Path(store)
    try:
        tracts = round_indicators(pyogrio.read_dataframe(path, layer=table_name("tracts")))
        _INPUTS = read_inputs(path, checksum, tracts)
    except StoreError as exc:
        _FAILED = str(exc)
    except Exception as exc:  # never raise: a failing initializer is respawned, forever
        _FAILED = f"the store's custom-area inputs are unreadable ({type(exc).__name__})"


def _aggregate(wkb: bytes, name: str, notes: tuple[str, ...]) -> tuple[str, Any]:
    """Run in a worker: ``("ok", AreaResult)`` or the refusal, as plain values (exceptions
    with keyword fields do not cross processes intact)."""
    from boundaries.custom import aggregate_area

    if _INPUTS is None:
        return "unavailable", _FAILED or "the worker's inputs were not loaded"
    try:
        return "ok", aggregate_area(_INPUTS, shapely.from_wkb(wkb), name, notes)
    except OutsideCounty as exc:
        return "outside", (str(exc), exc.county_share)
    except AreaTooComplex as exc:
        return "complex", exc.pieces
    except ValueError as exc:
        return "invalid", str(exc)


def _parse(body: bytes, epsg: int | None) -> tuple[str, Any]:
    """Run in a worker: ``("ok", (wkb, notes))`` for a posted area, or ``("error", (class
    name, detail, valid, extra))`` for the problem :func:`geo_api.geoinput.parse_area`
    raised (parsing a 4 MB body holds the GIL ~0.1-0.5 s: not in the server's process)."""
    from geo_api.errors import ApiError
    from geo_api.geoinput import parse_area

    try:
        geometry, notes = parse_area(body, epsg)
    except ApiError as exc:
        return "error", (type(exc).__name__, exc.detail, exc.valid, exc.extra)
    return "ok", (shapely.to_wkb(geometry), notes)


class DeadlinePassed(Exception):
    """A drawn area took longer than :data:`AREA_DEADLINE_SECONDS`."""


class AreaPool:
    """``slots`` worker processes aggregating drawn areas against the served store file."""

    def __init__(self, store: Path, checksum: str, slots: int) -> None:
        self._args = (str(store), checksum)
        self._slots = slots
        self._pool: Pool | None = None

    def start(self) -> None:
        """Start the worker processes now (they boot in the background, a few seconds),
        so the first drawn area does not wait for them."""
        self._ready()

    def _ready(self) -> Pool:
        if self._pool is None:
            context = multiprocessing.get_context("spawn")
            self._pool = context.Pool(self._slots, _start_worker, self._args)
        return self._pool

    def parse(self, body: bytes, epsg: int | None) -> tuple[shapely.Geometry, list[str]]:
        """:func:`geo_api.geoinput.parse_area` of ``body``, run in a worker."""
        from geo_api import geoinput

        kind, value = self._run(_parse, (body, epsg))
        if kind == "error":
            name, detail, valid, extra = value
            error = getattr(geoinput, name, geoinput.InvalidGeometry)
            if name == "TooComplex":
                raise geoinput.TooComplex(detail)
            raise error(detail, valid=valid, **extra)
        wkb, notes = value
        return shapely.from_wkb(wkb), notes

    def aggregate(
        self, geometry: shapely.Geometry, name: str, notes: tuple[str, ...]
    ) -> tuple[str, Any]:
        """The worker's outcome for ``geometry`` (see :func:`_aggregate`)."""
        return self._run(_aggregate, (shapely.to_wkb(geometry), name, tuple(notes)))

    def _run(self, task: Any, args: tuple[Any, ...]) -> tuple[str, Any]:
        """``task(*args)`` in a worker; raises :class:`DeadlinePassed` (after stopping the
        pool) when it runs past the deadline."""
        pending = self._ready().apply_async(task, args)
        try:
            outcome: tuple[str, Any] = pending.get(timeout=AREA_DEADLINE_SECONDS)
        except multiprocessing.TimeoutError:
            self.close()
            raise DeadlinePassed(
                f"the area took longer than {AREA_DEADLINE_SECONDS:g} s to compute; "
                "simplify it or split it"
            ) from None
        return outcome

    def close(self) -> None:
        """Stop the worker processes (their work is abandoned)."""
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
            self._pool = None


def unwrap(outcome: tuple[str, Any]) -> AreaResult:
    """The result of a worker's outcome, or the exception the in-process path raises."""
    kind, value = outcome
    if kind == "ok":
        return value
    if kind == "outside":
        raise OutsideCounty(value[1])
    if kind == "complex":
        raise AreaTooComplex(value)
    if kind == "unavailable":
        raise StoreError(value)
    raise ValueError(value)
