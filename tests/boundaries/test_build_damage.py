"""A build on a damaged mirror fails, names the source, and leaves the last good store alone.

The mirror is the hand-made one of tests/fixture_mirror.py, damaged one way per test.
"""

from __future__ import annotations

import csv
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
import shapely.affinity

SVI = "svi/la_county_tracts_svi2022_selected_columns.csv"
S1701 = "acs/la_county_tracts_S1701_poverty_acs2022_5yr.csv"
B19013 = "acs/la_county_tracts_B19013_median_hh_income_2010_2023.csv"
POPULATION = "population/la_county_blockgroup_centers_of_population_2020.csv"
SUPPLEMENT = "tracts/la_county_tracts_2020_supplement.geojson"


def _cli_build(mirror: Path, store: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "geo_api.cli", "build", "--mirror", str(mirror), "--store",
         str(store), *extra],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "GEO_API_CACHE_DIR": str(store.parent / "cache")},
    )  # fmt: skip


def _damaged(good: tuple[Path, Path], tmp_path: Path, damage) -> tuple[Path, Path, bytes]:
    mirror, store = good
    copy = tmp_path / "mirror"
    shutil.copytree(mirror, copy)
    damage(copy)
    target = tmp_path / "store.gpkg"
    shutil.copy(store, target)
    return copy, target, target.read_bytes()


def _rename_column(root: Path) -> None:
    path = root / S1701
    text = path.read_text(encoding="utf-8-sig")
    path.write_text(text.replace("S1701_C01_001E", "S1701_C01_001X", 1), encoding="utf-8-sig")


def _truncate_rows(root: Path) -> None:
    path = root / SVI
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join(lines[:3]))  # header + 2 of 4 tracts, cut at a row boundary


def _remove_file(root: Path) -> None:
    (root / SVI).unlink()


def _garbage(root: Path) -> None:
    (root / "tracts/la_county_tracts_2020_tiger.geojson").write_bytes(os.urandom(4096))


def _scale_column(relpath: str, column: str, factor: float, year: str | None = None):
    """A damage that multiplies one numeric column of a CSV by ``factor`` (in the rows of
    one ``YEAR`` when ``year`` is given)."""

    def damage(root: Path) -> None:
        path = root / relpath
        lines = path.read_text(encoding="utf-8-sig").splitlines()
        at = lines[0].split(",").index(column)
        out = [lines[0]]
        for line in lines[1:]:
            cells = line.split(",")
            if year is None or cells[0] == year:
                cells[at] = str(int(float(cells[at]) * factor))
            out.append(",".join(cells))
        path.write_text("\n".join(out) + "\n")

    return damage


def _shift_a_centre(root: Path) -> None:
    """The first block-group centre 0.05° (about 4.6 km) east: off its tract, on land."""
    path = root / POPULATION
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    cells = lines[1].split(",")
    cells[-1] = f"{float(cells[-1]) + 0.05:.6f}"
    lines[1] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n")


def _cut_inside_the_last_field(root: Path) -> None:
    path = root / POPULATION
    text = path.read_text(encoding="utf-8-sig").rstrip("\n")
    path.write_text(text[: text.rindex(".") + 1])  # -118.291000 → -118.


def _without(relpath: str):
    return lambda root: (root / relpath).unlink()


TRACT_FILE = "tracts/la_county_tracts_2020_tiger.geojson"
FRPM_LATEST = "schools/cde_frpm2223_la_county.csv"


def _double_the_pupils(root: Path) -> None:
    """Every count of the latest FRPM file doubled: each percent still agrees with its
    count, so only the comparison with the year before can tell."""
    path = root / FRPM_LATEST
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    names = [" ".join(name.split()) for name in rows[0]]
    counted = [
        names.index(c) for c in ("Enrollment (K-12)", "FRPM Count (K-12)", "Free Meal Count (K-12)")
    ]
    for row in rows[1:]:
        for i in counted:
            row[i] = str(2 * int(row[i]))
    with open(path, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, lineterminator="\r\n").writerows(rows)


def _move_a_tract(root: Path) -> None:
    frame = gpd.read_file(root / TRACT_FILE)
    frame.loc[0, "geometry"] = shapely.affinity.translate(frame.geometry.iloc[0], xoff=1.0)
    (root / TRACT_FILE).unlink()
    frame.to_file(root / TRACT_FILE, driver="GeoJSON")


def _drop_a_tract(root: Path) -> None:
    frame = gpd.read_file(root / TRACT_FILE)
    (root / TRACT_FILE).unlink()
    frame.iloc[1:].to_file(root / TRACT_FILE, driver="GeoJSON")


@pytest.mark.parametrize(
    ("damage", "source", "says"),
    [
        (_rename_column, "acs-s1701", "S1701_C01_001E"),
        (_truncate_rows, "svi", "2 of the county's 4 tracts"),
        (_remove_file, "svi", "mirror file missing"),
        (_garbage, "tracts", ""),
        # plausibility: a count scaled by ten makes a rate over 100%, a median over the
        # published top code
        (_scale_column(SVI, "E_NOINT", 10), "cdc-svi", "no_subscription_pct of"),
        (_scale_column(B19013, "B19013_001E", 10), "acs5", "median_household_income of"),
        # a multi-year source: the served year scaled by 1.5 stays within the top codes
        (
            _scale_column(B19013, "B19013_001E", 1.5, year="2022"),
            "acs-b19013",
            "B19013_001 moved from the year before by a median ratio of 1.5",
        ),
        # rows that end well, centres where they belong
        (_cut_inside_the_last_field, "population", "ends inside its last field: LONGITUDE"),
        (_shift_a_centre, "population", "1 block-group centres lie more than 1,000 m outside"),
        # required inputs are required
        (_without(POPULATION), "population", "--allow-missing population"),
        (_without(SUPPLEMENT), "tracts-supplement", "--allow-missing tracts-supplement"),
        (_without(FRPM_LATEST), "frpm-2223", "--allow-missing frpm-2223"),
        # school counts against the year before
        (_double_the_pupils, "frpm-2223", "LA County enrollment 2022-23 is 2.08× 2020-21's"),
        # complete geometry
        (_move_a_tract, "tracts", "away from LA County's land, e.g. 06037000100"),
        (_drop_a_tract, "tracts", "the tract file has lost polygons"),
    ],
)
def test_damaged_source_fails_and_keeps_the_store(fixture_build, tmp_path, damage, source, says):
    mirror, store, before = _damaged(fixture_build, tmp_path, damage)
    result = _cli_build(mirror, store)
    assert result.returncode == 1, result.stderr
    assert f"geo-api build failed in source '{source}'" in result.stderr
    assert says in result.stderr
    assert store.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "cache") == [
        "mirror",
        "store.gpkg",
    ]


def test_cross_source_totals_must_agree(fixture_build, tmp_path):
    def halve_population(root: Path) -> None:
        path = root / "acs/la_county_tracts_acs2021_5yr_socialexplorer.csv"
        lines = path.read_text().splitlines()
        rows = [lines[0]]
        for line in lines[1:]:
            cells = line.split(",")
            cells[1] = str(int(cells[1]) // 2)
            rows.append(",".join(cells))
        path.write_text("\n".join(rows) + "\n")

    mirror, store, before = _damaged(fixture_build, tmp_path, halve_population)
    result = _cli_build(mirror, store)
    assert result.returncode == 1
    assert "'cross-source'" in result.stderr and "Social Explorer" in result.stderr
    assert store.read_bytes() == before


def test_an_indicator_lost_fails_unless_allowed(fixture_build, tmp_path):
    mirror, store, before = _damaged(fixture_build, tmp_path, lambda root: None)
    # make the previous store claim an indicator this mirror cannot give
    from boundaries.store import read_store, write_store

    previous = read_store(store)
    previous.manifest["indicators"]["no_computer_pct"] = {"available": True}
    write_store(previous, store)
    before = store.read_bytes()
    result = _cli_build(mirror, store)
    assert result.returncode == 1
    assert "no_computer_pct would become unavailable" in result.stderr
    assert store.read_bytes() == before
    assert _cli_build(mirror, store, "--allow-fewer-indicators").returncode == 0
    assert store.read_bytes() != before


def _size(path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


def test_a_killed_build_leaves_nothing_behind_after_the_next_one(fixture_build, tmp_path):
    mirror, _ = fixture_build
    store = tmp_path / "store.gpkg"
    proc = subprocess.Popen(
        [sys.executable, "-m", "geo_api.cli", "build", "--mirror", str(mirror), "--store",
         str(store)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    # a temporary GDAL has written to (mkstemp's empty file is removed at once for GDAL)
    while not any(_size(p) > 0 for p in tmp_path.iterdir() if p.name.startswith(".store.tmp-")):
        assert proc.poll() is None, "the build ended before it wrote a temporary store"
        assert time.monotonic() < deadline
        time.sleep(0.005)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert any(p.name.startswith(".store.tmp-") for p in tmp_path.iterdir())
    assert _cli_build(mirror, store).returncode == 0
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "cache") == ["store.gpkg"]


def test_a_required_source_may_be_left_out_only_on_purpose(fixture_build, tmp_path):
    mirror, store, _ = _damaged(fixture_build, tmp_path, _without(POPULATION))
    done = _cli_build(mirror, store, "--allow-missing", "population")
    assert done.returncode == 0, done.stderr
    from boundaries.store import read_manifest

    manifest = read_manifest(store)
    assert manifest["allowed_missing"] == ["population"]
    assert manifest["allocation"]["method"] == "area"
