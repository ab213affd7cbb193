"""LA County's own figures, the yardstick every area profile is read against.

They are the aggregate of the county's land (every census tract, whole) through the same
crosswalk, sums and MOE formulas as any drawn area (:mod:`boundaries.custom`), computed
once per served store on first use and kept.
"""

from __future__ import annotations

import threading
from typing import Any

import geopandas as gpd

from geo_api.areas import AreaService
from geo_api.errors import Busy, Unavailable
from geo_api.precision import round_properties
from loaders.geometry import AREA_CRS, SERVE_CRS

COUNTY_NAME = "Los Angeles County"


class CountyFigures:
    """The county's properties for one served store (``None`` when the store has no
    custom-area tables to sum them from)."""

    def __init__(self, areas: AreaService) -> None:
        self._areas = areas
        self._lock = threading.Lock()
        self._done = False
        self._record: dict[str, Any] | None = None

    def get(self) -> dict[str, Any] | None:
        """The county's rounded properties (computed on the first call, ~2-5 s)."""
        if self._done:
            return self._record
        with self._lock:
            if not self._done:
                try:
                    inputs = self._areas.inputs()
                    land = gpd.GeoSeries([inputs.land], crs=AREA_CRS).to_crs(SERVE_CRS).iloc[0]
                    result = self._areas.aggregate(land, COUNTY_NAME)
                    self._record = round_properties(result.properties)
                except Busy:
                    raise  # a passing load: try again on the next request
                except Unavailable:
                    self._record = None  # a store without the custom-area tables
                self._done = True
        return self._record
