"""Coordinate reference systems offered by the API (OGC API - Features Part 2).

Features are stored in CRS84 (lon/lat). ``crs=`` asks for the geometry of an items page or
a feature in another CRS and ``bbox-crs=`` says which CRS a ``bbox`` is in. Offered:

* ``http://www.opengis.net/def/crs/OGC/1.3/CRS84`` (default; lon/lat),
* ``http://www.opengis.net/def/crs/EPSG/0/4326`` (WGS 84 with its official axis order,
  **latitude first**, as Part 2 requires),
* ``…/EPSG/0/3857`` (Web Mercator, metres), ``…/EPSG/0/3310`` (California Albers,
  metres), ``…/EPSG/0/2229`` (California State Plane zone 5, US survey feet: the
  County's own).

``EPSG:<code>`` and ``urn:ogc:def:crs:EPSG::<code>`` are accepted as spellings of the URIs.
Transformations use pyproj (PROJ) with each CRS's own axis order.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import shapely
from pyproj import CRS, Transformer
from pyproj.enums import TransformDirection

from geo_api.errors import InvalidParameter

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
EPSG_URI = "http://www.opengis.net/def/crs/EPSG/0/"
#: EPSG code → (name, coordinate decimals: ~0.1 m in every CRS)
OFFERED: dict[int, tuple[str, int]] = {
    4326: ("WGS 84 (latitude, longitude)", 6),
    3857: ("Web Mercator (metres)", 1),
    3310: ("California Albers (metres)", 1),
    2229: ("California State Plane zone 5 (US survey feet)", 1),
}


@dataclass(frozen=True)
class Crs:
    """One offered CRS: its URI, EPSG code (``None`` for CRS84) and coordinate decimals."""

    uri: str
    epsg: int | None
    decimals: int

    @property
    def is_default(self) -> bool:
        """True for CRS84, the stored and default CRS (no transformation)."""
        return self.epsg is None


DEFAULT = Crs(CRS84, None, 6)


def crs_list() -> list[str]:
    """Every offered CRS URI, CRS84 first (the ``crs`` list of a collection)."""
    return [CRS84, *(f"{EPSG_URI}{code}" for code in OFFERED)]


def parse_crs_param(value: str | None, name: str = "crs") -> Crs:
    """The :class:`Crs` a ``crs``/``bbox-crs`` value names; a 400 listing the offered."""
    if value is None or value.strip() in ("", CRS84, "OGC:CRS84", "CRS84"):
        return DEFAULT
    text = value.strip()
    for prefix in (EPSG_URI, "EPSG:", "urn:ogc:def:crs:EPSG::"):
        if text.upper().startswith(prefix.upper()):
            tail = text[len(prefix) :]
            if tail.isdigit() and int(tail) in OFFERED:
                code = int(tail)
                return Crs(f"{EPSG_URI}{code}", code, OFFERED[code][1])
    raise InvalidParameter(f"{name}={value[:80]!r} is not offered", valid=crs_list())


@lru_cache(maxsize=8)
def _transformer(epsg: int) -> Transformer:
    """CRS84 → ``epsg`` in that CRS's official axis order (lat/lon for EPSG:4326)."""
    return Transformer.from_crs(CRS.from_user_input("OGC:CRS84"), CRS.from_epsg(epsg))


def _moved(
    geoms: np.ndarray, crs: Crs, direction: TransformDirection, decimals: int | None
) -> np.ndarray:
    """Geometries moved between CRS84 and ``crs`` (its axis order), rounded when asked."""
    if crs.is_default:
        return geoms
    assert crs.epsg is not None
    transformer = _transformer(crs.epsg)

    def move(coords: np.ndarray) -> np.ndarray:
        x, y = transformer.transform(coords[:, 0], coords[:, 1], direction=direction)
        xy = np.column_stack([x, y])
        return xy if decimals is None else np.round(xy, decimals)

    return shapely.transform(geoms, move)


def to_crs(geoms: np.ndarray, crs: Crs) -> np.ndarray:
    """Shapely geometries (CRS84) in ``crs``, coordinates rounded to its decimals."""
    return _moved(geoms, crs, TransformDirection.FORWARD, crs.decimals)


def from_crs(geoms: np.ndarray, crs: Crs) -> np.ndarray:
    """Shapely geometries given in ``crs`` (its axis order) as CRS84 lon/lat, unrounded."""
    return _moved(geoms, crs, TransformDirection.INVERSE, None)


def bbox_to_crs84(bbox: tuple[float, float, float, float], crs: Crs) -> tuple[float, ...]:
    """A ``bbox`` given in ``crs`` (its axis order) as lon/lat bounds, densified edges."""
    if crs.is_default:
        return bbox
    assert crs.epsg is not None
    minx, miny, maxx, maxy = _transformer(crs.epsg).transform_bounds(
        *bbox, direction=TransformDirection.INVERSE
    )
    return (minx, miny, maxx, maxy)
