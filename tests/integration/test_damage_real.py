"""Damaged copies of the real mirror fail the build, naming the source and the check, and
leave the last good store byte-identical (the hand-made fixture mirror's versions of these
damages are in tests/boundaries/test_build_damage.py).

Each copy links every mirror file but the damaged one, so a case costs the build up to its
refusal, not a copy of the mirror.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely.affinity

from boundaries.build import build_store
from loaders.errors import SourceError
from loaders.sources import Fetcher

SVI = "svi/la_county_tracts_svi2022_selected_columns.csv"
B19013 = "acs/la_county_tracts_B19013_median_hh_income_2010_2023.csv"
POPULATION = "population/la_county_blockgroup_centers_of_population_2020.csv"
TRACTS = "tracts/la_county_tracts_2020_tiger.geojson"


def _linked_copy(mirror: Path, root: Path, damaged: str) -> Path:
    """``root`` holding a symbolic link to each mirror file except ``damaged`` (copied)."""
    for source in mirror.rglob("*"):
        if source.is_file():
            target = root / source.relative_to(mirror)
            target.parent.mkdir(parents=True, exist_ok=True)
            if source.relative_to(mirror).as_posix() == damaged:
                shutil.copyfile(source, target)
            else:
                target.symlink_to(source)
    return root / damaged


def _scale(column: str, factor: float, year: str | None = None) -> Callable[[Path], None]:
    def damage(path: Path) -> None:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        rows = frame["YEAR"] == year if year else frame.index == frame.index
        values = pd.to_numeric(frame.loc[rows, column], errors="coerce")
        scaled = (values * factor).where(values >= 0, values)  # -999 codes stay codes
        frame.loc[rows, column] = scaled.map(lambda v: "" if pd.isna(v) else f"{v:.1f}")
        frame.to_csv(path, index=False)

    return damage


def _tracts(change: Callable[[gpd.GeoDataFrame], gpd.GeoDataFrame]) -> Callable[[Path], None]:
    def damage(path: Path) -> None:
        frame = change(gpd.read_file(path))
        path.unlink()
        frame.to_file(path, driver="GeoJSON")

    return damage


def _move_first(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    frame.loc[0, "geometry"] = shapely.affinity.translate(frame.geometry.iloc[0], xoff=1.0)
    return frame


def _drop_tenth(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return frame.drop(index=frame.index[::10])


@pytest.mark.parametrize(
    ("relpath", "damage", "source", "says"),
    [
        (SVI, _scale("E_NOINT", 10), "cdc-svi", "no_subscription_pct of"),
        (B19013, _scale("B19013_001E", 10), "acs5", "median_household_income of"),
        (
            B19013,
            _scale("B19013_001E", 1.5, year="2022"),
            "acs-b19013",
            "B19013_001 moved from the year before by a median ratio of 1.6",
        ),
        (TRACTS, _tracts(_move_first), "tracts", "away from LA County's land"),
        (TRACTS, _tracts(_drop_tenth), "tracts", "the tract file has lost polygons"),
        (POPULATION, Path.unlink, "population", "--allow-missing population"),
    ],
    ids=["svi-x10", "b19013-x10", "b19013-2022-x1.5", "tract-moved", "tenth-dropped", "no-pop"],
)
def test_a_damaged_real_mirror_fails_and_keeps_the_store(
    mirror, tmp_path, relpath, damage, source, says
):
    damage(_linked_copy(mirror, tmp_path / "mirror", relpath))
    store = tmp_path / "store.gpkg"
    store.write_bytes(b"the last good store")  # any bytes: they must survive unchanged
    before = hashlib.sha256(store.read_bytes()).hexdigest()
    fetcher = Fetcher(mirror=tmp_path / "mirror", cache_dir=tmp_path / "cache")
    with pytest.raises(SourceError) as caught:
        build_store(fetcher, store, progress=lambda s: None)
    assert caught.value.source == source
    assert says in str(caught.value)
    assert hashlib.sha256(store.read_bytes()).hexdigest() == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".store")] == []
