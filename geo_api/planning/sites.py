"""The places a plan may choose (candidates) or already has (existing sites)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, lru_cache

import numpy as np
from pyproj import Transformer

from boundaries.layers import is_water_tract
from geo_api.catalog import Catalog, LayerData
from loaders.geometry import AREA_CRS, SERVE_CRS

#: layers whose features can be candidate sites
CANDIDATE_LAYERS = ("access-points", "schools", "tracts")
#: what may already be in place
EXISTING = ("access-points", "community-schools", "none")


@lru_cache(maxsize=1)
def _to_metres() -> Transformer:
    return Transformer.from_crs(SERVE_CRS, AREA_CRS, always_xy=True)


@dataclass(frozen=True)
class Sites:
    """Sites with ``ids`` (``layer:id``), their ``layers``, ``names``, lon/lat, ``xy`` in
    EPSG:3310 metres, ``pupils`` (a school's FRPM-eligible pupils, else NaN) and
    ``details`` (a line about each)."""

    ids: list[str]
    layers: list[str]
    names: list[str]
    lon: np.ndarray
    lat: np.ndarray
    pupils: list[float]
    details: list[str]

    @cached_property
    def xy(self) -> np.ndarray:
        """Positions in EPSG:3310 metres (n × 2)."""
        if not self.ids:
            return np.empty((0, 2))
        x, y = _to_metres().transform(self.lon, self.lat)
        return np.column_stack([x, y])

    @cached_property
    def index(self) -> dict[str, int]:
        """Position of each id."""
        return {sid: i for i, sid in enumerate(self.ids)}

    def __add__(self, other: Sites) -> Sites:
        return Sites(
            self.ids + other.ids,
            self.layers + other.layers,
            self.names + other.names,
            np.concatenate([self.lon, other.lon]),
            np.concatenate([self.lat, other.lat]),
            self.pupils + other.pupils,
            self.details + other.details,
        )


NO_SITES = Sites([], [], [], np.array([]), np.array([]), [], [])


def layer_sites(layer: LayerData, rows: list[int] | None = None) -> Sites:
    """The features ``rows`` (all by default) of a point layer, or the points on the land
    of a polygon layer's features (tracts: water-only tracts left out)."""
    lid = layer.layer.id
    if rows is None:
        rows = list(range(len(layer.records)))
    if lid == "tracts":
        rows = [i for i in rows if not is_water_tract(str(layer.records[i]["id"]))]
    geoms = layer.frame.geometry.iloc[rows]
    if layer.layer.kind != "point":
        geoms = geoms.representative_point()
    records = [layer.records[i] for i in rows]
    details = []
    for rec in records:
        parts = (rec.get("district"), rec.get("school_type"), rec.get("organization"))
        details.append(" · ".join(str(p) for p in parts if p))
    return Sites(
        ids=[f"{lid}:{rec['id']}" for rec in records],
        layers=[lid] * len(records),
        names=[str(rec.get("name") or rec["id"]) for rec in records],
        lon=geoms.x.to_numpy(),
        lat=geoms.y.to_numpy(),
        pupils=[
            float(rec["frpm_count"]) if rec.get("frpm_count") is not None else np.nan
            for rec in records
        ],
        details=details,
    )


def candidate_sites(catalog: Catalog, layers: tuple[str, ...], district: str | None) -> Sites:
    """The candidates of ``layers``; schools only of ``district`` when given."""
    out = NO_SITES
    for lid in layers:
        layer = catalog.layers[lid]
        rows = None
        if lid == "schools" and district:
            rows = [i for i, r in enumerate(layer.records) if r.get("district") == district]
        out = out + layer_sites(layer, rows)
    return out


def existing_sites(catalog: Catalog, existing: str) -> Sites:
    """The sites already in place: every access point, the known Community Schools, or
    none."""
    if existing == "access-points":
        return layer_sites(catalog.layers["access-points"])
    if existing == "community-schools":
        schools = catalog.layers["schools"]
        rows = [
            i for i, r in enumerate(schools.records) if r.get("community_school_cohort") is not None
        ]
        return layer_sites(schools, rows)
    return NO_SITES
