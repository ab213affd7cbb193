"""LA County's LMS export of public internet access points: one test per quirk, on the
hand-written LMS layout of tests/fixture_mirror.py."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import pytest

from loaders.access_points import MAX_COPY_DISAGREEMENT_M, load_access_points
from loaders.errors import SourceFormatError
from tests.fixture_mirror import write_access_points

RELPATH = "access_points/la_county_public_internet_access_lms.csv"


def _file(tmp_path: Path) -> Path:
    write_access_points(tmp_path)
    return tmp_path / RELPATH


def _edit(path: Path, row: int, **cells: str) -> None:
    with open(path, newline="", encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    rows[row].update(cells)
    with open(path, "w", newline="", encoding="utf-8-sig") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def test_the_bom_and_a_closed_site(tmp_path):
    path = _file(tmp_path)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    points, report = load_access_points(path)
    assert list(points["id"]) == ["9000"]  # the other is Not Active
    assert report == {"not active": 1}
    assert points.crs.to_epsg() == 4326 and points.loc[0, "updated"] == "2019-07-01"


def test_a_position_moved_in_one_copy_only_is_left_out(tmp_path):
    path = _file(tmp_path)
    with open(path, encoding="utf-8-sig") as fh:
        first = next(csv.DictReader(fh))
    x = float(first["X"])
    # Web Mercator metres are stretched by 1 / cos(latitude) against ground metres
    stretch = 1 / math.cos(math.radians(float(first["latitude"])))
    # within the tolerance the copies agree; beyond it the row cannot be placed
    _edit(path, 0, X=f"{x + 0.9 * MAX_COPY_DISAGREEMENT_M * stretch:.4f}")
    assert len(load_access_points(path)[0]) == 1
    _edit(path, 0, X=f"{x + 1.1 * MAX_COPY_DISAGREEMENT_M * stretch:.4f}")
    points, report = load_access_points(path)
    assert len(points) == 0
    assert report["positions disagree between copies (moved in one)"] == 1


def test_outside_the_county_and_repeated_ids(tmp_path):
    path = _file(tmp_path)
    _edit(path, 0, latitude="37.7749", longitude="-122.4194")
    assert load_access_points(path)[1]["coordinates outside the LA County box"] == 1
    path = _file(tmp_path)
    _edit(path, 1, dis_status="", post_id="9000")
    with pytest.raises(SourceFormatError, match="post_id must name each site once"):
        load_access_points(path)


def test_missing_columns_are_refused(tmp_path):
    path = _file(tmp_path)
    text = path.read_text(encoding="utf-8-sig").replace("latitude", "lat", 1)
    path.write_text(text, encoding="utf-8-sig")
    with pytest.raises(SourceFormatError, match="latitude"):
        load_access_points(path)
