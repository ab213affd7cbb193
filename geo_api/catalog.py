"""The in-memory catalogue the API serves: layers loaded from the store, pre-serialized.

Built once at start-up from a :class:`boundaries.store.Store`. For each layer it keeps
the GeoDataFrame, every feature's GeoJSON bytes (so pages are assembled from stored bytes
rather than re-serialized), an id index and an STRtree for bbox queries.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely import STRtree

from boundaries.indicators import COUNT_DATASETS, INDICATORS, source_words, untranslated
from boundaries.layers import LAYERS, Layer
from boundaries.store import Store
from boundaries.webgeom import simplify_for_zoom
from geo_api.geojson import feature, feature_head, feature_tail
from geo_api.gzipjoin import Fragments
from geo_api.lru import BoundedLRU
from geo_api.precision import round_indicators

COORD_DECIMALS = 6  # ~0.1 m at LA's latitude
#: above this web zoom a pixel (under 1 m) is finer than the boundaries' own vertex
#: spacing: the full-detail geometry is served, and nothing more is cached per zoom
DETAIL_ZOOM = 16
#: what every layer's per-zoom geometry (shapes, GeoJSON bytes, features, gzip fragments)
#: may hold in one worker, in bytes; least recently used zooms go first
ZOOM_CACHE_BYTES = 256 * 2**20


def zoom_value_bytes(value: Any) -> int:
    """Approximate memory of a per-zoom cache value (geometry arrays count their
    coordinates, byte lists their lengths, gzip fragments their compressed pieces)."""
    if isinstance(value, np.ndarray):
        return int(shapely.get_num_coordinates(value).sum()) * 16 + 200 * len(value)
    if isinstance(value, Fragments):
        return sum(len(p.deflated) + 80 for p in (*value.first, *value.rest))
    return sum(len(b) + 40 for b in value)


def zoom_cache() -> BoundedLRU[tuple[str, str, int], Any]:
    """A per-zoom geometry cache of :data:`ZOOM_CACHE_BYTES` (one per catalogue, shared
    by its layers)."""
    return BoundedLRU(10_000, ZOOM_CACHE_BYTES, zoom_value_bytes)


def _clean(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, float | np.floating):
        return None if np.isnan(value) else float(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    if value is pd.NA:
        return None
    return value


def geometry_json(geoms: gpd.GeoSeries, decimals: int = COORD_DECIMALS) -> list[bytes]:
    """GeoJSON geometry bytes for each geometry, coordinates rounded to ``decimals``."""
    rounded = shapely.transform(geoms.to_numpy(), lambda c: np.round(c, decimals))
    return [s.encode() for s in shapely.to_geojson(rounded)]


@dataclass
class LayerData:
    """One served layer: frame, property names and types, pre-serialized features."""

    layer: Layer
    frame: gpd.GeoDataFrame
    properties: list[str]
    numeric: set[str]
    records: list[dict[str, Any]]
    geometry_bytes: list[bytes]
    feature_bytes: list[bytes]
    by_id: dict[str, int]
    tree: STRtree
    extent: list[float]
    status: list[dict[str, Any]] = field(default_factory=list)
    heads: list[bytes] = field(default_factory=list)
    tails: list[bytes] = field(default_factory=list)
    #: per-zoom geometry, bounded in bytes (:func:`zoom_cache`, shared by a catalogue)
    zoom_cache: BoundedLRU[tuple[str, str, int], Any] = field(
        default_factory=zoom_cache, repr=False
    )
    _full_fragments: Fragments | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    #: lower-case name → ids of the features so named (built with the layer)
    by_name: dict[str, list[str]] = field(default_factory=dict, repr=False)

    @property
    def indicators(self) -> list[str]:
        """Indicator ids carried by this layer (with values or, for points, by area)."""
        return [i for i in INDICATORS if i in self.properties]

    def values(self, prop: str) -> np.ndarray:
        """Column values as a NumPy array (for filters and sorting)."""
        return self.frame[prop].to_numpy()

    def status_of(self, indicator: str) -> dict[str, Any]:
        """This layer's indicator-status row for ``indicator`` (empty when none)."""
        return next((s for s in self.status if s["indicator"] == indicator), {})

    def source_of(self, indicator: str, t: Callable[[str], str] = untranslated) -> str:
        """Where ``indicator`` comes from on this layer, in plain words (in the language of
        ``t``): e.g. "ACS 5-year 2018-2022, table S1701"."""
        status = self.status_of(indicator)
        tables = [name.strip() for name in str(status.get("tables") or "").split(",")]
        return source_words(
            status.get("dataset"), self.vintage_of(indicator), [n for n in tables if n], t
        )

    def vintage_of(self, indicator: str) -> int | None:
        """ACS end year of ``indicator`` on this layer, ``None`` when unknown."""
        value = self.status_of(indicator).get("vintage")
        return value if isinstance(value, int) else None

    @property
    def vintages(self) -> list[int]:
        """Every ACS end year behind this layer's indicators, ascending (complete counts,
        :data:`boundaries.indicators.COUNT_DATASETS`, are not survey years)."""
        return sorted(
            {
                s["vintage"]
                for s in self.status
                if s.get("vintage") is not None and s.get("dataset") not in COUNT_DATASETS
            }
        )

    def _zoomed(self, kind: str, zoom: int, make: Callable[[], Any]) -> Any:
        key = (self.layer.id, kind, zoom)
        found = self.zoom_cache.get(key)
        if found is None:
            found = make()
            self.zoom_cache.put(key, found)
        return found

    def zoom_shapes(self, zoom: int) -> np.ndarray:
        """Shapely geometries simplified for web ``zoom`` (full detail above
        :data:`DETAIL_ZOOM`); kept in the layer's bounded zoom cache."""
        if zoom > DETAIL_ZOOM:
            return self.frame.geometry.to_numpy()
        with self._lock:  # one simplification per zoom, however many ask at once
            return self._zoomed(
                "shapes", zoom, lambda: simplify_for_zoom(self.frame.geometry.to_numpy(), zoom)
            )

    def zoom_geometry(self, zoom: int | None) -> list[bytes]:
        """GeoJSON geometry bytes simplified for web ``zoom`` (``None`` or above
        :data:`DETAIL_ZOOM`: full detail)."""
        if zoom is None or zoom > DETAIL_ZOOM:
            return self.geometry_bytes
        return self._zoomed(
            "geometry",
            zoom,
            lambda: [s.encode() for s in shapely.to_geojson(self.zoom_shapes(zoom))],
        )

    def zoom_features(self, zoom: int | None) -> list[bytes]:
        """Whole GeoJSON Feature bytes with geometry for ``zoom`` (``None`` or above
        :data:`DETAIL_ZOOM`: full detail)."""
        if zoom is None or zoom > DETAIL_ZOOM:
            return self.feature_bytes

        def make() -> list[bytes]:
            geoms = self.zoom_geometry(zoom)
            return [feature(h, g, t) for h, g, t in zip(self.heads, geoms, self.tails, strict=True)]

        return self._zoomed("features", zoom, make)

    def gzip_fragments(self, zoom: int | None) -> Fragments:
        """Every feature (at ``zoom``) compressed alone, for gzip pages built without
        compressing (:mod:`geo_api.gzipjoin`); full detail is kept for the process, each
        zoom in the bounded zoom cache."""
        if zoom is None or zoom > DETAIL_ZOOM:
            if self._full_fragments is None:
                self._full_fragments = Fragments.of(self.feature_bytes)
            return self._full_fragments
        return self._zoomed("fragments", zoom, lambda: Fragments.of(self.zoom_features(zoom)))


def _status_row(row: dict[Any, Any]) -> dict[str, Any]:
    """One indicator-status row as served; the vintage is an integer year (a status table
    read back from the store holds it as a float, 2022.0, beside nulls)."""
    out = {str(k): _clean(v) for k, v in row.items()}
    if out.get("vintage") is not None:
        out["vintage"] = int(out["vintage"])
    return out


def build_layer(layer_id: str, frame: gpd.GeoDataFrame, status: pd.DataFrame) -> LayerData:
    """Prepare one layer for serving (indicator values rounded: :mod:`geo_api.precision`)."""
    frame = round_indicators(frame.reset_index(drop=True))
    props = [c for c in frame.columns if c != frame.geometry.name]
    numeric = {c for c in props if pd.api.types.is_numeric_dtype(frame[c])}
    records = [
        {k: _clean(v) for k, v in row.items()} for row in frame[props].to_dict(orient="records")
    ]
    geoms = geometry_json(frame.geometry)
    heads = [feature_head(rec["id"]) for rec in records]
    tails = [feature_tail(rec) for rec in records]
    feature_bytes = [feature(h, g, t) for h, g, t in zip(heads, geoms, tails, strict=True)]
    rows = status[status["layer"] == layer_id] if len(status) else status
    by_name: dict[str, list[str]] = {}
    for rec in records:
        if rec.get("name"):
            by_name.setdefault(str(rec["name"]).casefold(), []).append(rec["id"])
    return LayerData(
        layer=LAYERS[layer_id],
        frame=frame,
        properties=props,
        numeric=numeric,
        records=records,
        geometry_bytes=geoms,
        feature_bytes=feature_bytes,
        by_id={rec["id"]: i for i, rec in enumerate(records)},
        tree=STRtree(frame.geometry.to_numpy()),
        extent=[float(v) for v in frame.total_bounds],
        status=[_status_row(r) for r in rows.to_dict(orient="records")],
        heads=heads,
        tails=tails,
        by_name=by_name,
    )


@dataclass
class Catalog:
    """Everything served: layers in registry order, the manifest and the store checksum."""

    layers: dict[str, LayerData]
    manifest: dict[str, Any]
    checksum: str

    @classmethod
    def from_store(cls, store: Store) -> Catalog:
        """Build every layer of ``store``."""
        layers = {
            lid: build_layer(lid, store.layers[lid], store.indicator_status)
            for lid in LAYERS
            if lid in store.layers
        }
        shared = zoom_cache()  # one budget for every layer's zooms
        for layer in layers.values():
            layer.zoom_cache = shared
        return cls(layers=layers, manifest=store.manifest, checksum=store.checksum)
