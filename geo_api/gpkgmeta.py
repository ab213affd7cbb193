"""Self-describing GeoPackage downloads: what a layer is and what every column means.

A GeoPackage from ``f=gpkg`` carries its description in ``gpkg_contents`` (title,
vintage, source) and a title and description for every column in ``gpkg_data_columns``
(the GeoPackage "schema" extension, registered in ``gpkg_extensions``), including each
indicator's ``_moe``, ``_cv`` and ``_reliability`` columns, so QGIS and ArcGIS users see
units and meanings without this API at hand.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from boundaries.indicators import INDICATORS

SCHEMA_EXTENSION = "http://www.geopackage.org/spec/#extension_schema"
GENERAL = {
    "id": ("Feature id", "the OGC feature id (see the collection's idScheme)"),
    "name": ("Name", "the area's name"),
    "data_notes": ("Data notes", "why any value of this feature is null, capped or partial"),
    "allocated_share": (
        "Allocated share (percent)",
        "percent of the feature's population from census tracts its boundary splits; above 50% "
        "reliability is at most medium",
    ),
    "tract_coverage": ("Tract coverage (0-1)", "share of the feature's land covered by tracts"),
    "population_coverage": (
        "Population coverage (0-1)",
        "share of the feature's 2020 population living in tracts with a polygon",
    ),
    "county_share": (
        "County share (0-1)",
        "share of a custom area's surface on LA County's land (the part with figures)",
    ),
    "population_2020": (
        "2020 Census population",
        "people counted in 2020 at the block-group centres inside the custom area",
    ),
}


def describe_column(column: str) -> tuple[str, str]:
    """(title, description) of a served column: indicators and their MOE, CV, reliability."""
    if column in GENERAL:
        return GENERAL[column]
    for suffix, title, text in (
        ("_moe", "margin of error", "90% margin of error, in the estimate's unit"),
        ("_cv", "coefficient of variation", "standard error / estimate, in percent"),
        (
            "_reliability",
            "reliability",
            "high (CV ≤ 15%), medium (≤ 30%) or low; capped where mostly allocated",
        ),
    ):
        base = column.removesuffix(suffix)
        if column.endswith(suffix) and base in INDICATORS:
            return f"{INDICATORS[base].label}: {title}", text
    if column in INDICATORS:
        ind = INDICATORS[column]
        unit = "percent (0-100)" if ind.is_percent else ind.unit
        return ind.label, f"{ind.label}; universe: {ind.universe}; unit: {unit}"
    return column, ""


def annotate(path: Path, table: str, description: str, columns: list[str]) -> None:
    """Write ``description`` and a title/description per column into the GeoPackage."""
    with sqlite3.connect(path) as db:
        db.execute(
            "UPDATE gpkg_contents SET description = ? WHERE table_name = ?", (description, table)
        )
        db.execute(
            "CREATE TABLE IF NOT EXISTS gpkg_data_columns (table_name TEXT NOT NULL, "
            "column_name TEXT NOT NULL, name TEXT, title TEXT, description TEXT, "
            "mime_type TEXT, constraint_name TEXT, "
            "CONSTRAINT pk_gdc PRIMARY KEY (table_name, column_name), "
            "CONSTRAINT gdc_tn UNIQUE (table_name, name))"
        )
        db.execute(
            "CREATE TABLE IF NOT EXISTS gpkg_extensions (table_name TEXT, column_name TEXT, "
            "extension_name TEXT NOT NULL, definition TEXT NOT NULL, scope TEXT NOT NULL, "
            "CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name))"
        )
        for name in ("gpkg_data_columns", "gpkg_data_column_constraints"):
            db.execute(
                "INSERT OR IGNORE INTO gpkg_extensions VALUES (?, NULL, 'gpkg_schema', ?, "
                "'read-write')",
                (name, SCHEMA_EXTENSION),
            )
        db.executemany(
            "INSERT OR REPLACE INTO gpkg_data_columns VALUES (?, ?, ?, ?, ?, NULL, NULL)",
            [(table, c, c, *describe_column(c)) for c in columns],
        )
