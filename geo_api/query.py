"""Parsing and running ``/collections/{layer}/items`` queries against an in-memory layer.

Supported parameters (OGC API - Features Part 1 plus documented extensions):

* ``limit`` (1-10000, default 100; larger values are clamped to 10000 as Part 1 requires),
  ``offset`` (≥ 0);
* ``bbox=minx,miny,maxx,maxy`` in lon/lat, or in the CRS named by ``bbox-crs`` (its axis
  order: latitude first for ``…/EPSG/0/4326``);
* ``crs=`` the CRS of the answer's geometry (OGC API - Features Part 2, :mod:`geo_api.crs`);
* ``zoom=0..22``: geometry simplified (topology kept) and rounded for that web-map zoom
  (see :mod:`boundaries.webgeom`); without it, full detail;
* ``properties=a,b`` to select properties (``id`` and ``name`` always kept);
* ``sortby=prop`` or ``sortby=-prop`` (comma-separated; nulls always last);
* equality filters on any property, text ignoring case: ``?city=Los Angeles``,
  ``?name=watts``, ``?sd_type=unified``;
* ``filter=`` CQL2 (``filter-lang=cql2-text|cql2-json``; ``cql-text`` accepted), its
  geometry literals in lon/lat or in the CRS named by ``filter-crs``, see
  :mod:`geo_api.cql2`;
* range filters on numeric properties: ``?no_subscription_pct>=20``,
  ``?poverty_pct<10``, ``?population>5000`` (operators ``>=``, ``<=``, ``>``, ``<``).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely

from boundaries.webgeom import MAX_ZOOM, MIN_ZOOM
from geo_api.catalog import LayerData
from geo_api.cql2 import filter_mask, literals_to_crs84, parse_filter
from geo_api.crs import DEFAULT as DEFAULT_CRS
from geo_api.crs import Crs, bbox_to_crs84, parse_crs_param
from geo_api.errors import InvalidParameter, UnknownParameter

DEFAULT_LIMIT = 100
MAX_LIMIT = 10_000
RESERVED = {
    "f",
    "limit",
    "offset",
    "bbox",
    "bbox-crs",
    "properties",
    "sortby",
    "datetime",
    "zoom",
    "filter",
    "filter-lang",
    "filter-crs",
    "crs",
    "lang",
}
RANGE_KEY = re.compile(r"^([A-Za-z0-9_]+)\s*(>=|<=|>|<)\s*(.*)$")


@dataclass
class Query:
    """A parsed items query."""

    limit: int = DEFAULT_LIMIT
    offset: int = 0
    bbox: tuple[float, float, float, float] | None = None
    properties: list[str] | None = None
    sortby: list[tuple[str, bool]] = field(default_factory=list)
    equals: dict[str, str] = field(default_factory=dict)
    ranges: list[tuple[str, str, float]] = field(default_factory=list)
    zoom: int | None = None
    #: a parsed CQL2 filter (``filter=``, :mod:`geo_api.cql2`)
    cql: Any = None
    #: CRS of the answer's geometry (``crs=``)
    crs: Crs = DEFAULT_CRS


def _int(name: str, raw: str, minimum: int) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise InvalidParameter(f"{name} must be an integer, got {raw!r}") from None
    if value < minimum:
        raise InvalidParameter(f"{name} must be ≥ {minimum}, got {value}")
    return value


def int_param(raw: str | None, name: str, default: int, low: int, high: int) -> int:
    """An integer query parameter in ``low..high`` (``default`` when absent), else a 400."""
    if raw is None:
        return default
    value = _int(name, raw, low)
    if value > high:
        raise InvalidParameter(f"{name} must be {low}-{high}, got {value}")
    return value


def unknown_params(given: set[str], allowed: set[str]) -> None:
    """A 400 naming the parameters of ``given`` not in ``allowed`` (and listing those)."""
    unknown = sorted(given - allowed)
    if unknown:
        raise InvalidParameter(f"unknown parameters {unknown}", valid=sorted(allowed))


def parse_zoom(raw: str) -> int:
    """Parse a web-map zoom level (integer 0-22)."""
    zoom = _int("zoom", raw, MIN_ZOOM)
    if zoom > MAX_ZOOM:
        raise InvalidParameter(
            f"zoom must be {MIN_ZOOM}-{MAX_ZOOM}, got {zoom}",
            valid=[str(z) for z in range(MIN_ZOOM, MAX_ZOOM + 1)],
        )
    return zoom


def parse_bbox(raw: str) -> tuple[float, float, float, float]:
    """Parse ``minx,miny,maxx,maxy`` (lon/lat), rejecting malformed or inverted boxes."""
    parts = raw.split(",")
    if len(parts) not in (4, 6):
        raise InvalidParameter(f"bbox needs 4 numbers minx,miny,maxx,maxy, got {raw!r}")
    try:
        nums = [float(p) for p in parts]
    except ValueError:
        raise InvalidParameter(f"bbox values must be numbers, got {raw!r}") from None
    if len(nums) == 6:  # 3-D box: drop the heights
        nums = [nums[0], nums[1], nums[3], nums[4]]
    minx, miny, maxx, maxy = nums
    if not all(math.isfinite(n) for n in nums):
        raise InvalidParameter("bbox values must be finite")
    if not (-180 <= minx <= 180 and -180 <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise InvalidParameter(f"bbox is outside lon/lat range or inverted: {raw!r}")
    if minx > maxx:
        raise InvalidParameter("bbox crossing the antimeridian is not supported")
    return minx, miny, maxx, maxy


def parse_projected_bbox(raw: str, crs: Crs) -> tuple[float, ...]:
    """A ``bbox`` in ``crs`` (4 finite numbers, minimum before maximum) as lon/lat."""
    parts = raw.split(",")
    try:
        nums = [float(p) for p in parts]
    except ValueError:
        raise InvalidParameter(f"bbox values must be numbers, got {raw[:80]!r}") from None
    if len(nums) != 4 or not all(math.isfinite(n) for n in nums):
        raise InvalidParameter(f"bbox needs 4 finite numbers, got {raw[:80]!r}")
    if nums[0] > nums[2] or nums[1] > nums[3]:
        raise InvalidParameter(f"bbox is inverted: {raw[:80]!r}")
    try:
        return bbox_to_crs84((nums[0], nums[1], nums[2], nums[3]), crs)
    except Exception:  # PROJ refuses bounds outside the CRS's area
        raise InvalidParameter(f"bbox {raw[:80]!r} cannot be read in {crs.uri}") from None


def parse_query(params: list[tuple[str, str]], layer: LayerData) -> Query:
    """Parse raw query parameters for ``layer``; unknown properties raise a 400."""
    q = Query()
    known = set(layer.properties)
    given = dict(params)
    bbox_crs = parse_crs_param(given.get("bbox-crs"), "bbox-crs")
    q.crs = parse_crs_param(given.get("crs"), "crs")
    filter_crs = parse_crs_param(given.get("filter-crs"), "filter-crs")
    for key, value in params:
        if key == "limit":
            q.limit = min(_int("limit", value, 1), MAX_LIMIT)
        elif key == "offset":
            q.offset = _int("offset", value, 0)
        elif key == "zoom":
            q.zoom = parse_zoom(value)
        elif key == "bbox":
            if bbox_crs.is_default:
                q.bbox = parse_bbox(value)
            else:
                minx, miny, maxx, maxy = parse_projected_bbox(value, bbox_crs)
                q.bbox = (minx, miny, maxx, maxy)
        elif key == "properties":
            wanted = [p.strip() for p in value.split(",") if p.strip()]
            unknown = [p for p in wanted if p not in known]
            if unknown:
                raise UnknownParameter(f"unknown properties {unknown}", valid=sorted(known))
            q.properties = wanted
        elif key == "sortby":
            for item in (s.strip() for s in value.split(",") if s.strip()):
                desc = item.startswith("-")
                name = item.lstrip("+-")
                if name not in known:
                    raise UnknownParameter(
                        f"cannot sort by unknown property {name!r}", valid=sorted(known)
                    )
                q.sortby.append((name, desc))
        elif key == "filter":
            q.cql = parse_filter(value, given.get("filter-lang"))
            literals_to_crs84(q.cql, filter_crs)
        elif key in ("filter-lang", "filter-crs"):
            continue  # read with filter (filter-crs was checked above)
        elif key in RESERVED:
            continue  # f and datetime are handled elsewhere / not applicable
        else:
            _parse_filter(q, key, value, layer)
    return q


def _parse_filter(q: Query, key: str, value: str, layer: LayerData) -> None:
    """Equality (``name=value``) or range filter.

    A query string ``a>=20`` arrives as key ``a>`` with value ``20``; ``a>20`` arrives as
    key ``a>20`` with an empty value. Both spellings are accepted.
    """
    if key.endswith((">", "<")):
        name, op, raw = key[:-1].strip(), key[-1] + "=", value
    elif value == "" and (match := RANGE_KEY.match(key)):
        name, op, raw = match.group(1), match.group(2), match.group(3)
    else:
        if key not in layer.properties:
            raise UnknownParameter(
                f"unknown query parameter or property {key!r}",
                valid=sorted(RESERVED | set(layer.properties)),
            )
        q.equals[key] = value
        return
    if name not in layer.properties:
        raise UnknownParameter(
            f"unknown property {name!r} in filter", valid=sorted(layer.properties)
        )
    if name not in layer.numeric:
        raise InvalidParameter(f"range filters need a numeric property; {name!r} is text")
    try:
        number = float(raw)
    except ValueError:
        raise InvalidParameter(f"filter {name}{op} needs a number, got {raw!r}") from None
    if not math.isfinite(number):
        raise InvalidParameter(f"filter {name}{op} needs a finite number")
    q.ranges.append((name, op, number))


def run_query(layer: LayerData, q: Query) -> np.ndarray:
    """Indices of matching features, sorted as asked (all of them, before paging)."""
    n = len(layer.records)
    mask = np.ones(n, dtype=bool)
    if q.bbox is not None:
        hits = layer.tree.query(shapely.box(*q.bbox), predicate="intersects")
        box_mask = np.zeros(n, dtype=bool)
        box_mask[hits] = True
        mask &= box_mask
    if q.cql is not None:
        mask &= filter_mask(layer, q.cql)
    for name, value in q.equals.items():
        col = layer.values(name)
        if name in layer.numeric:
            try:
                mask &= col.astype(float) == float(value)
            except ValueError:
                raise InvalidParameter(f"{name} is numeric; {value!r} is not a number") from None
        else:  # text matches ignore case: ?name=watts finds Watts
            wanted = value.casefold()
            mask &= np.array([v is not None and str(v).casefold() == wanted for v in col])
    ops = {">=": np.greater_equal, "<=": np.less_equal, ">": np.greater, "<": np.less}
    for name, op, number in q.ranges:
        col = layer.values(name).astype(float)
        with np.errstate(invalid="ignore"):
            mask &= ops[op](col, number)  # NaN compares False: no data never matches
    idx = np.flatnonzero(mask)
    for name, desc in reversed(q.sortby):
        idx = idx[_order(layer.values(name)[idx], desc, name in layer.numeric)]
    return idx


def _order(values: np.ndarray, desc: bool, numeric: bool) -> np.ndarray:
    """Stable order of ``values``, nulls last in both directions."""
    if numeric:
        vals = values.astype(float)
        null = np.isnan(vals)
        key = np.where(null, 0.0, -vals if desc else vals)
    else:
        null = np.array([v is None or v != v for v in values], dtype=bool)
        strings = np.array(["" if n else str(v) for v, n in zip(values, null, strict=True)])
        ranks = np.unique(strings, return_inverse=True)[1]
        key = -ranks if desc else ranks
    return np.lexsort((key, null))
