"""Output formats: negotiation (``f=`` first, then the Accept header) and encoders."""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import pyogrio
from starlette.requests import Request

from geo_api.errors import NotAcceptable
from geo_api.gpkgmeta import annotate
from geo_api.headers import quality_list
from geo_api.precision import rounded

MEDIA = {
    "json": "application/geo+json",
    "html": "text/html; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "gpkg": "application/geopackage+sqlite3",
}
ACCEPT_ALIASES = {
    "application/geo+json": "json",
    "application/json": "json",
    "text/html": "html",
    "application/xhtml+xml": "html",
    "text/csv": "csv",
    "application/geopackage+sqlite3": "gpkg",
}


def negotiate(request: Request, allowed: Sequence[str], default: str = "json") -> str:
    """Pick the output format: ``?f=`` wins; otherwise the best Accept match; else default."""
    f = request.query_params.get("f")
    if f is not None:
        if f not in allowed:
            raise NotAcceptable(f"format f={f!r} is not offered here", valid=list(allowed))
        return f
    accept = request.headers.get("accept", "")
    if not accept.strip():
        return default
    ranked = [(-q, position, media) for position, (media, q) in enumerate(quality_list(accept))]
    for neg_q, _, media in sorted(ranked):
        if neg_q == 0:
            continue
        if media in ("*/*", "application/*"):
            return default
        fmt = ACCEPT_ALIASES.get(media)
        if fmt is not None and fmt in allowed:
            return fmt
    raise NotAcceptable(
        f"cannot produce any of {accept[:100]!r}" + ("…" if len(accept) > 100 else ""),
        valid=[m for m, f in ACCEPT_ALIASES.items() if f in allowed],
    )


def to_csv(
    records: Sequence[dict[str, Any]],
    columns: Sequence[str] | None = None,
    points: Sequence[Any] | None = None,
    extra: dict[str, Any] | None = None,
) -> bytes:
    """The one CSV writer: ``columns`` of each record (default: the first record's keys),
    ``lon``/``lat`` for ``points``, and the same ``extra`` columns on every row (a
    ranking's reproducibility: seed, weights, store checksum). Numbers are rounded as
    people read them (:mod:`geo_api.precision`)."""
    columns = list(columns if columns is not None else (records[0].keys() if records else []))
    extra = extra or {}
    header = [*columns, *(["lon", "lat"] if points is not None else []), *extra]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    for i, record in enumerate(records):
        row = {c: record.get(c) for c in columns}
        if points is not None:
            row["lon"], row["lat"] = points[i].x, points[i].y
        writer.writerow({k: rounded(k, v) for k, v in {**row, **extra}.items()})
    return out.getvalue().encode("utf-8")


def to_gpkg(frame: gpd.GeoDataFrame, layer_name: str, description: str = "") -> bytes:
    """A GeoPackage file (bytes) holding ``frame`` as one layer, described in
    ``gpkg_contents`` and, column by column, in ``gpkg_data_columns``
    (:mod:`geo_api.gpkgmeta`)."""
    fd, name = tempfile.mkstemp(suffix=".gpkg")
    os.close(fd)
    path = Path(name)
    path.unlink()
    try:
        # GeoPackage 1.2, which every GDAL since 2.2 reads without a word: GDAL 3.12
        # writes 1.4 by default, and GDAL 3.6 (QGIS LTRs) warns it "may only be partially
        # supported"; nothing in these files needs 1.3 or 1.4
        pyogrio.write_dataframe(
            frame, path, layer=layer_name, driver="GPKG", dataset_options={"VERSION": "1.2"}
        )
        columns = [c for c in frame.columns if c != frame.geometry.name]
        annotate(path, layer_name, description, columns)
        return path.read_bytes()
    finally:
        path.unlink(missing_ok=True)
