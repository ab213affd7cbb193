"""The precision figures are served with, the same in JSON, CSV, GeoPackage and tiles.

Survey estimates carry no more information than their margins of error, and fractional
people (from tracts split between areas) read as false precision. So: counts, dollars
and their MOEs are whole numbers; rates (``_pct``, 0-100) and their MOEs keep two decimals
(0.01 percentage points); CVs one decimal (percent). Other numbers in CSV files keep four
decimals, coordinates six. Values are rounded when the store is loaded for serving. CVs,
reliability classes and the sums of custom areas are computed from the full precision of
the store, before this rounding. Priority rankings are computed after it, from the
figures as served, and compare scores at their served two decimals
(:data:`boundaries.priorities.SCORE_DECIMALS`), so a ranking can be reproduced from a
download and equal served scores share a rank.
"""

from __future__ import annotations

import math
from typing import Any

import geopandas as gpd
import pandas as pd

from boundaries.indicators import INDICATORS

DECIMALS = {"percent": 2, "count": 0, "cv": 1, "other": 4, "coordinate": 6}
COUNTS = ("population", "population_2020")


#: prefixes of the area figures point layers carry (``tract_poverty_pct``)
AREA_PREFIXES = ("tract_", "neighborhood_")


def indicator_decimals(column: str) -> int | None:
    """Decimals of an indicator column (``<id>``, ``_moe``, ``_cv``, also with an
    :data:`AREA_PREFIXES` prefix, as schools carry them); ``None`` otherwise."""
    for prefix in AREA_PREFIXES:
        if column.startswith(prefix):
            return indicator_decimals(column.removeprefix(prefix))
    if column.endswith("_cv") and column.removesuffix("_cv") in INDICATORS:
        return DECIMALS["cv"]
    ind = INDICATORS.get(column.removesuffix("_moe"))
    if ind is None:
        return None
    return DECIMALS["percent"] if ind.is_percent else DECIMALS["count"]


def decimals(column: str) -> int:
    """Decimals of any column in a download (indicators as above, then counts, else 4)."""
    if column in ("lon", "lat"):
        return DECIMALS["coordinate"]
    found = indicator_decimals(column)
    if found is not None:
        return found
    return DECIMALS["count"] if column in COUNTS else DECIMALS["other"]


def rounded(column: str, value: Any) -> Any:
    """``value`` rounded for ``column`` (non-numbers and non-finite numbers unchanged)."""
    if isinstance(value, float) and math.isfinite(value):
        digits = decimals(column)
        return round(value) if digits == 0 else round(value, digits)
    return value


def round_indicators(frame: gpd.GeoDataFrame | pd.DataFrame) -> Any:
    """A copy of ``frame`` with every indicator column rounded to its precision."""
    out = frame.copy()
    for column in out.columns:
        digits = indicator_decimals(str(column))
        if digits is not None and pd.api.types.is_float_dtype(out[column]):
            out[column] = out[column].round(digits)
    return out


def round_properties(properties: dict[str, Any]) -> dict[str, Any]:
    """Indicator values of one feature's properties, rounded (others unchanged)."""
    return {
        k: rounded(k, v) if indicator_decimals(k) is not None else v for k, v in properties.items()
    }
