"""Load the geo-api store's layers into PostGIS for the tipg anchor (benchmark only).

Run with the benchmark's tipg venv: ``python load_postgis.py STORE DSN LAYER...``. Each
layer becomes table ``public.<layer>`` (hyphens as underscores) with the same columns,
``id`` as primary key (tipg's feature id) and a GiST index on the geometry, EPSG:4326.
"""

from __future__ import annotations

import sys

import geopandas as gpd
from sqlalchemy import create_engine, text


def main() -> None:
    """Copy each named layer; replace tables that exist."""
    store, dsn, *layers = sys.argv[1:]
    engine = create_engine(dsn.replace("postgresql://", "postgresql+psycopg2://", 1))
    with engine.begin() as conn:
        conn.execute(text("CREATE EXTENSION IF NOT EXISTS postgis"))
    for layer in layers:
        table = layer.replace("-", "_")
        frame = gpd.read_file(store, layer=table).rename_geometry("geom")
        frame.to_postgis(table, engine, if_exists="replace", index=False)
        with engine.begin() as conn:
            conn.execute(text(f'ALTER TABLE "{table}" ADD PRIMARY KEY (id)'))
            conn.execute(
                text(f'CREATE INDEX IF NOT EXISTS "{table}_geom" ON "{table}" USING gist (geom)')
            )
            conn.execute(text(f'ANALYZE "{table}"'))
        print(f"loaded {table}: {len(frame)} features")


if __name__ == "__main__":
    main()
