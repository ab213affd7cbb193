"""Custom areas at serve time: inputs loaded once, results computed in bounded slots.

:class:`AreaService` holds the aggregation inputs of the served store
(:class:`boundaries.custom.AreaInputs`), read from the store file on first use (tract land
polygons, block-group centres and the ACS values the catalogue reads: ~1 s, tens of MB),
and caches answers by the area's geometry. Computations run through the app's
:class:`geo_api.limits.WorkLimiter`, so a burst of drawn areas cannot take every core,
and, when the store is served from its file, in worker processes
(:class:`geo_api.areapool.AreaPool`) with a deadline, so they never hold the server's GIL.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable

import shapely
from shapely.geometry.base import BaseGeometry

from boundaries.custom import (
    AreaInputs,
    AreaResult,
    AreaTooComplex,
    OutsideCounty,
    aggregate_area,
)
from boundaries.store import StoreError
from geo_api import areapool
from geo_api.areapool import AreaPool, DeadlinePassed, unwrap
from geo_api.errors import Unavailable, Unprocessable
from geo_api.geoinput import InvalidGeometry, TooComplex, parse_area
from geo_api.limits import SingleFlight, WorkLimiter
from geo_api.lru import BoundedLRU


class OutsideCountyError(Unprocessable):
    """Too little of a posted area lies on the county's land."""

    code = "outside-county"
    title = "Area outside LA County"


class DeadlineError(Unavailable):
    """A computation ran past its deadline and was stopped."""

    code = "deadline"
    title = "Computation deadline passed"


def deadline_error(exc: DeadlinePassed) -> DeadlineError:
    """The 503 of a task stopped at its deadline, naming the limit."""
    return DeadlineError(str(exc), deadline_seconds=areapool.AREA_DEADLINE_SECONDS)


class AreaService:
    """Aggregates areas against one served store (in worker processes when ``pool``)."""

    def __init__(
        self, load: Callable[[], AreaInputs], limiter: WorkLimiter, pool: AreaPool | None = None
    ) -> None:
        self._pool = pool
        self._load = load
        self._inputs: AreaInputs | None = None
        self._lock = threading.Lock()
        self._limiter = limiter
        self._flight = SingleFlight()
        self._cache: BoundedLRU[tuple[str, str], AreaResult] = BoundedLRU(256)

    def inputs(self) -> AreaInputs:
        """The aggregation inputs (read on first use; a 503 when the store lacks them)."""
        if self._inputs is None:
            with self._lock:
                if self._inputs is None:
                    try:
                        self._inputs = self._load()
                    except StoreError as exc:
                        raise Unavailable(f"custom areas are unavailable: {exc}") from None
        return self._inputs

    def aggregate(
        self, geometry: BaseGeometry, name: str, notes: tuple[str, ...] = ()
    ) -> AreaResult:
        """Figures for ``geometry`` (EPSG:4326), cached by geometry, name and notes."""
        digest = hashlib.sha256(shapely.to_wkb(geometry, hex=False)).hexdigest()
        key = (digest, repr((name, notes)))
        found = self._cache.get(key)
        if found is not None:
            return found

        def run(inputs: AreaInputs) -> AreaResult:
            if self._pool is None:
                return aggregate_area(inputs, geometry, name, notes)
            try:
                return unwrap(self._pool.aggregate(geometry, name, notes))
            except StoreError as exc:
                raise Unavailable(f"custom areas are unavailable: {exc}") from None
            except DeadlinePassed as exc:
                raise deadline_error(exc) from None

        def compute() -> AreaResult:
            inputs = self.inputs()  # checks the store in this process, before any worker
            try:
                result = self._limiter.run(lambda: run(inputs))
            except OutsideCounty as exc:
                raise OutsideCountyError(
                    str(exc), county_share=round(exc.county_share, 6)
                ) from None
            except AreaTooComplex as exc:
                raise TooComplex(str(exc)) from None
            except ValueError as exc:  # an area with no extent once projected
                raise InvalidGeometry(str(exc)) from None
            self._cache.put(key, result)
            return result

        return self._flight.do(key, compute)

    def parse(self, body: bytes, epsg: int | None) -> tuple[BaseGeometry, list[str]]:
        """A posted area parsed, bounded and repaired (:func:`geo_api.geoinput.parse_area`),
        in a worker process when there is a pool."""
        if self._pool is None:
            return parse_area(body, epsg)
        pool = self._pool
        try:  # a slot each: the pool never queues more than it has processes
            return self._limiter.run(lambda: pool.parse(body, epsg))
        except DeadlinePassed as exc:
            raise deadline_error(exc) from None

    def close(self) -> None:
        """Stop the worker processes, if any."""
        if self._pool is not None:
            self._pool.close()
