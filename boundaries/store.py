"""The embedded store: one GeoPackage file holding every layer, the tract values, the
crosswalks, the indicator status per layer, the coverage report and a manifest.

Tables (GeoPackage layer names):

* one spatial table per served layer (``tracts``, ``school_districts`` … : the layer id
  with ``-`` replaced by ``_``), EPSG:4326, columns ``id``, ``name``, layer attributes,
  indicator columns (``<id>``, ``<id>_moe``, ``<id>_cv``, ``<id>_reliability``),
  ``data_notes``;
* ``acs_values``: the tidy tract frame (GEOID, variable, estimate, moe, table, dataset,
  vintage, note);
* ``crosswalk``: layer, tract, feature, weight, method;
* ``indicator_status``: layer, indicator, status, method, dataset, tables, variables,
  vintage, reason;
* ``coverage``: layer, feature, covered_share;
* ``manifest``: a single row holding the manifest as JSON.

:func:`write_store` writes a temporary file beside the target and renames it into place
only after it has been re-opened and checked, so a failed build never damages the last
good store.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pyogrio

from boundaries.layers import LAYERS

TABLES = ("acs_values", "crosswalk", "indicator_status", "coverage")


class StoreError(Exception):
    """The store file is missing, unreadable or not a geo-api store."""


def table_name(layer_id: str) -> str:
    """GeoPackage table name of a layer id (``school-districts`` → ``school_districts``)."""
    return layer_id.replace("-", "_")


@dataclass
class Store:
    """Everything a build produces; what the API loads at start-up."""

    layers: dict[str, gpd.GeoDataFrame]
    acs_values: pd.DataFrame
    crosswalk: pd.DataFrame
    indicator_status: pd.DataFrame
    coverage: pd.DataFrame
    manifest: dict[str, Any] = field(default_factory=dict)

    @property
    def checksum(self) -> str:
        """Content checksum recorded by the build (basis of HTTP ETags)."""
        return str(self.manifest.get("content_sha256", ""))


def content_checksum(layers: dict[str, gpd.GeoDataFrame], tables: dict[str, pd.DataFrame]) -> str:
    """SHA-256 over every layer's attributes and WKB geometry and every table."""
    digest = hashlib.sha256()
    for name in sorted(layers):
        frame = layers[name]
        digest.update(name.encode())
        attrs = frame.drop(columns=frame.geometry.name)
        digest.update(pd.util.hash_pandas_object(attrs.astype(str), index=False).values.tobytes())
        for wkb in frame.geometry.to_wkb():
            digest.update(wkb)
    for name in sorted(tables):
        digest.update(name.encode())
        table = tables[name].astype(str)
        digest.update(pd.util.hash_pandas_object(table, index=False).values.tobytes())
    return digest.hexdigest()


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's live process
        return True
    return True


def remove_stale_temporaries(path: Path) -> list[Path]:
    """Delete temporary stores (and their SQLite journals) that killed builds left beside
    ``path``. Only geo-api's own names match (``.<stem>.tmp-<pid>-….gpkg*``); a temporary
    whose build process is still running is kept. Returns the files removed."""
    path = Path(path).resolve()
    pattern = re.compile(rf"^\.{re.escape(path.stem)}\.tmp-(?:(\d+)-)?[^/]*\.gpkg(?:-\w+)?$")
    removed = []
    if not path.parent.is_dir():
        return removed
    for candidate in path.parent.iterdir():
        match = pattern.match(candidate.name)
        if not match or not candidate.is_file():
            continue
        pid = int(match.group(1)) if match.group(1) else None
        if pid is not None and (pid == os.getpid() or _pid_alive(pid)):
            continue
        candidate.unlink(missing_ok=True)
        removed.append(candidate)
    return removed


def write_store(store: Store, path: Path) -> None:
    """Write ``store`` to ``path`` atomically (temporary file + rename)."""
    path = Path(path).resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(path)
    fd, tmp_name = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.stem}.tmp-{os.getpid()}-", suffix=".gpkg"
    )
    os.close(fd)
    tmp = Path(tmp_name)
    tmp.unlink()  # GDAL creates the file itself
    try:
        for layer_id, frame in store.layers.items():
            pyogrio.write_dataframe(frame, tmp, layer=table_name(layer_id), driver="GPKG")
        tables = {
            "acs_values": store.acs_values,
            "crosswalk": store.crosswalk,
            "indicator_status": store.indicator_status,
            "coverage": store.coverage,
            "manifest": pd.DataFrame({"json": [json.dumps(store.manifest, sort_keys=True)]}),
        }
        for name, table in tables.items():
            pyogrio.write_dataframe(table, tmp, layer=name, driver="GPKG")
        check = read_store(tmp)
        if set(check.layers) != set(store.layers):
            raise StoreError(f"written store lacks layers {set(store.layers) - set(check.layers)}")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


SERVING_SKIPS = ("acs_values", "crosswalk")


def read_manifest(path: Path) -> dict[str, Any] | None:
    """The manifest of the store at ``path``, or ``None`` when there is no readable one."""
    path = Path(path)
    if not path.exists():
        return None
    try:
        table = pyogrio.read_dataframe(path, layer="manifest")
        manifest = json.loads(table["json"].iloc[0])
    except (
        pyogrio.errors.DataSourceError,
        pyogrio.errors.DataLayerError,
        KeyError,
        IndexError,
        ValueError,
    ):
        return None
    return manifest if isinstance(manifest, dict) else None


def read_store(path: Path, skip: tuple[str, ...] = ()) -> Store:
    """Read a store written by :func:`write_store`; raises :class:`StoreError` if unusable.

    Tables named in ``skip`` (e.g. :data:`SERVING_SKIPS`: the API serves layers and the
    indicator status, never the 600k-row tidy ACS table) are returned empty, unread.
    """
    path = Path(path)
    if not path.exists():
        raise StoreError(f"no store at {path}; run `geo-api build` first")
    try:
        names = {str(row[0]) for row in pyogrio.list_layers(path)}
        tables = {
            name: pd.DataFrame() if name in skip else pyogrio.read_dataframe(path, layer=name)
            for name in (*TABLES, "manifest")
        }
        manifest = json.loads(tables.pop("manifest")["json"].iloc[0])
        layers = {}
        for layer_id in manifest.get("layers", {}):
            if table_name(layer_id) not in names:
                raise StoreError(f"store {path} lacks layer {layer_id}")
            layers[layer_id] = pyogrio.read_dataframe(path, layer=table_name(layer_id))
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, KeyError) as exc:
        raise StoreError(f"{path} is not a readable geo-api store: {exc}") from exc
    unknown = set(layers) - set(LAYERS)
    if unknown:
        raise StoreError(f"store {path} has unknown layers {sorted(unknown)}")
    return Store(layers=layers, manifest=manifest, **tables)
