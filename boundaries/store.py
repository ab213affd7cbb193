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
* the inputs of custom-area aggregation (``POST /aggregate``): ``area_tract_land`` (tract
  ``id`` and its polygon clipped to the county's land, EPSG:3310), ``area_land`` (the
  county land outline, EPSG:4326) and ``area_centres`` (2020 block-group centres of
  population: ``tract``, ``population``, points in EPSG:4326; absent in a store built
  with ``--allow-missing population``);
* ``manifest``: a single row holding the manifest as JSON, with ``served_sha256`` over
  what the layers' routes read and ``areas_sha256`` over what custom areas read (the
  tables in ``area_tables`` and the catalogue's rows of ``acs_values``).

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
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pyogrio
from pydantic import BaseModel, ConfigDict, ValidationError

from boundaries.layers import LAYERS

#: tables holding what custom-area aggregation needs at serve time
AREA_TABLES = ("area_tract_land", "area_land", "area_centres")
#: version of the store layout; read_store refuses any other (3: the manifest lists the
#: custom-area tables written and their checksum, ``area_tables`` and ``areas_sha256``)
STORE_FORMAT = 3
#: CRS of each table as written (served layers are all EPSG:4326)
TABLE_EPSG = {"area_tract_land": 3310, "area_land": 4326, "area_centres": 4326}


class LayerEntry(BaseModel):
    """A layer as the manifest lists it."""

    model_config = ConfigDict(extra="allow")
    count: int
    title: str | None = None


class Manifest(BaseModel):
    """The typed core of a store's manifest (``format`` :data:`STORE_FORMAT`).

    Every store written by :func:`write_store` has these members; the build adds more
    (sources, coverage, county and source checks, indicators), kept as they are.
    """

    model_config = ConfigDict(extra="allow")
    format: int
    built_at: str
    layers: dict[str, LayerEntry]
    content_sha256: str
    served_sha256: str
    area_tables: list[str]
    areas_sha256: str
    indicators: dict[str, dict[str, Any]] = {}


class StoreError(Exception):
    """The store file is missing, unreadable or not a geo-api store."""


@contextmanager
def quiet_gdal() -> Iterator[None]:
    """Silence GDAL's warnings (RuntimeWarnings raised through pyogrio, with site-packages
    paths) while a store is read: a damaged store is reported in one :class:`StoreError`
    line, not after a screenful of library warnings."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        yield


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
    #: :data:`AREA_TABLES` present in the store (empty when skipped or in an old store)
    areas: dict[str, gpd.GeoDataFrame] = field(default_factory=dict)

    @property
    def checksum(self) -> str:
        """Content checksum recorded by the build (basis of HTTP ETags)."""
        return str(self.manifest.get("content_sha256", ""))


def content_checksum(layers: dict[str, gpd.GeoDataFrame], tables: dict[str, pd.DataFrame]) -> str:
    """SHA-256 over every layer's (and area table's) attributes and WKB geometry and every
    table."""
    digest = hashlib.sha256()
    for name in sorted(layers):
        frame = layers[name]
        digest.update(name.encode())
        attrs = frame.drop(columns=frame.geometry.name)
        digest.update(
            pd.util.hash_pandas_object(attrs.astype(str), index=False).to_numpy().tobytes()
        )
        for wkb in frame.geometry.to_wkb():
            digest.update(wkb)
    for name in sorted(tables):
        digest.update(name.encode())
        table = tables[name].astype(str)
        digest.update(pd.util.hash_pandas_object(table, index=False).to_numpy().tobytes())
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
    removed: list[Path] = []
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
        }
        for name, table in {**tables, **store.areas}.items():
            pyogrio.write_dataframe(table, tmp, layer=name, driver="GPKG")
        # The served parts' checksum is taken from what was written, read back the way
        # `geo-api serve` reads it, so start-up can verify the file it is given.
        served = _read_served(tmp, list(store.layers))
        store.manifest["format"] = STORE_FORMAT
        store.manifest["served_sha256"] = served_checksum(*served)
        store.manifest["area_tables"] = sorted(store.areas)
        store.manifest["areas_sha256"] = areas_checksum(
            *_read_area_tables(tmp, sorted(store.areas), area_variables())
        )
        manifest = pd.DataFrame({"json": [json.dumps(store.manifest, sort_keys=True)]})
        pyogrio.write_dataframe(manifest, tmp, layer="manifest", driver="GPKG")
        check = read_store(tmp)
        if set(check.layers) != set(store.layers):
            raise StoreError(f"written store lacks layers {set(store.layers) - set(check.layers)}")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


SERVING_SKIPS = ("acs_values", "crosswalk", *AREA_TABLES)


def file_identity(path: Path) -> tuple[int, int, int] | None:
    """(inode, size, modification time in ns) of the store file, ``None`` if it is gone."""
    try:
        st = Path(path).stat()
    except OSError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns)


def read_manifest(path: Path) -> dict[str, Any] | None:
    """The manifest of the store at ``path``, or ``None`` when there is no readable one."""
    path = Path(path)
    if not path.exists():
        return None
    try:
        with quiet_gdal():
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


def served_checksum(
    layers: dict[str, gpd.GeoDataFrame], status: pd.DataFrame, coverage: pd.DataFrame
) -> str:
    """SHA-256 of what ``geo-api serve`` reads: every layer, indicator status, coverage."""
    return content_checksum(layers, {"indicator_status": status, "coverage": coverage})


def areas_checksum(areas: dict[str, gpd.GeoDataFrame], tidy: pd.DataFrame) -> str:
    """SHA-256 of what custom-area aggregation reads: the :data:`AREA_TABLES` written and
    the ACS values of :func:`area_variables`."""
    return content_checksum(areas, {"acs_values": tidy})


def area_variables() -> list[str]:
    """The ACS variables custom-area aggregation reads (every catalogue variable)."""
    from boundaries.sourcecheck import catalogue_variables

    return catalogue_variables()


def _check_crs(name: str, frame: gpd.GeoDataFrame) -> None:
    """A table must come back in the CRS it was written in: a GeoPackage whose
    ``gpkg_contents`` points at another or an unknown SRS would be served misplaced (the
    checksum covers coordinates, not the CRS they are read in)."""
    expected = TABLE_EPSG.get(name, 4326)
    found = frame.crs.to_epsg() if frame.crs is not None else None
    if found != expected:
        raise StoreError(f"table {name} is in {found or 'no known CRS'}, not EPSG:{expected}")


def _read_served(
    path: Path, layer_ids: list[str]
) -> tuple[dict[str, gpd.GeoDataFrame], pd.DataFrame, pd.DataFrame]:
    layers = {lid: pyogrio.read_dataframe(path, layer=table_name(lid)) for lid in layer_ids}
    for lid, frame in layers.items():
        _check_crs(table_name(lid), frame)
    status = pyogrio.read_dataframe(path, layer="indicator_status")
    coverage = pyogrio.read_dataframe(path, layer="coverage")
    return layers, status, coverage


def _read_area_tables(
    path: Path, names: list[str], variables: list[str]
) -> tuple[dict[str, gpd.GeoDataFrame], pd.DataFrame]:
    areas = {n: pyogrio.read_dataframe(path, layer=n) for n in names}
    for name, frame in areas.items():
        _check_crs(name, frame)
    quoted = ", ".join("'" + v.replace("'", "''") + "'" for v in variables)
    tidy = pyogrio.read_dataframe(path, layer="acs_values", where=f"variable IN ({quoted})")
    return areas, pd.DataFrame(tidy)


def _parse_manifest(path: Path) -> dict[str, Any]:
    try:
        table = pyogrio.read_dataframe(path, layer="manifest")
        manifest = json.loads(table["json"].iloc[0])
    except (KeyError, IndexError, TypeError, ValueError) as exc:
        raise StoreError(f"the store manifest is empty or not JSON ({exc})") from None
    if not isinstance(manifest, dict):
        raise StoreError("the store manifest is not a JSON object")
    found = manifest.get("format")
    if found != STORE_FORMAT:
        raise StoreError(
            f"store format {found!r}, this geo-api reads format {STORE_FORMAT}: "
            "rebuild it with `geo-api build`"
        )
    if not manifest.get("layers"):
        raise StoreError("the store lists no layers")
    try:
        Manifest.model_validate(manifest)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise StoreError(f"the store manifest is malformed at {where}: {first['msg']}") from None
    return manifest


def read_area_tables(
    path: Path, variables: list[str]
) -> tuple[dict[str, gpd.GeoDataFrame], pd.DataFrame]:
    """The :data:`AREA_TABLES` of the store at ``path`` and its ACS values for
    ``variables`` (what custom-area aggregation needs; the full tidy table is not read),
    verified against the manifest's ``areas_sha256``.

    Raises :class:`StoreError` when a table the manifest lists is missing, unreadable,
    in another CRS or changed since the build. Its message names no file path: it may
    reach an HTTP answer (a 503).
    """
    path = Path(path)
    try:
        with quiet_gdal():
            manifest = _parse_manifest(path)
            names = {str(row[0]) for row in pyogrio.list_layers(path)}
            listed = list(manifest["area_tables"])
            missing = [n for n in listed if n not in names]
            if missing:
                raise StoreError(f"the store lacks its {', '.join(missing)} table")
            areas, tidy = _read_area_tables(path, listed, variables)
    except StoreError:
        raise
    except Exception as exc:  # a damaged or replaced file: one line, no traceback
        raise StoreError(
            f"the store's custom-area tables are unreadable ({type(exc).__name__})"
        ) from exc
    if areas_checksum(areas, tidy) != manifest["areas_sha256"]:
        raise StoreError(
            "the store's custom-area tables do not match their checksum (changed after the "
            "build, or damaged): rebuild it with `geo-api build`"
        )
    return areas, tidy


def read_store(path: Path, skip: tuple[str, ...] = (), verify: bool = True) -> Store:
    """Read a store written by :func:`write_store`; raises :class:`StoreError` if unusable.

    Tables named in ``skip`` (e.g. :data:`SERVING_SKIPS`: the API serves layers and the
    indicator status, never the 600k-row tidy ACS table) are returned empty, unread.
    The manifest must be valid JSON of this :data:`STORE_FORMAT` and list layers, and
    with ``verify`` the served parts must match the manifest's ``served_sha256``.
    """
    path = Path(path)
    if not path.exists():
        raise StoreError(f"no store at {path}; run `geo-api build` first")
    try:
        with quiet_gdal():
            store = _read_store(path, skip)
            if verify:
                served = served_checksum(store.layers, store.indicator_status, store.coverage)
                if served != store.manifest["served_sha256"]:
                    raise StoreError(
                        "content does not match its checksum (the file was changed after "
                        "the build, or is damaged): rebuild it with `geo-api build`"
                    )
                # what POST /aggregate reads later is verified now, at start-up
                read_area_tables(path, area_variables())
    except StoreError as exc:
        message = str(exc)
        raise StoreError(message if str(path) in message else f"{path}: {message}") from None
    except Exception as exc:  # sqlite, GDAL or pandas errors on a damaged file: one line
        raise StoreError(f"{path} is not a readable geo-api store: {exc}") from exc
    return store


def _read_store(path: Path, skip: tuple[str, ...]) -> Store:
    names = {str(row[0]) for row in pyogrio.list_layers(path)}
    if "manifest" not in names:
        raise StoreError("not a geo-api store: no manifest table")
    manifest = _parse_manifest(path)
    missing = [lid for lid in manifest["layers"] if table_name(lid) not in names]
    if missing:
        raise StoreError(f"the store lacks layers {missing}")
    unknown = set(manifest["layers"]) - set(LAYERS)
    if unknown:
        raise StoreError(f"the store has unknown layers {sorted(unknown)}")
    layers, status, coverage = _read_served(path, list(manifest["layers"]))
    tables = {
        name: pd.DataFrame() if name in skip else pyogrio.read_dataframe(path, layer=name)
        for name in ("acs_values", "crosswalk")
    }
    areas = {
        name: pyogrio.read_dataframe(path, layer=name)
        for name in manifest["area_tables"]
        if name in names and name not in skip
    }
    return Store(
        layers=layers,
        manifest=manifest,
        indicator_status=status,
        coverage=coverage,
        areas=areas,
        **tables,
    )
