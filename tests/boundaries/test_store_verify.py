"""Start-up trusts no store: a bad manifest, no layers, another format or changed content
each give one clear line and exit 1; /healthz says when the file on disk was replaced."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from boundaries.store import StoreError, read_store
from geo_api.app import create_app
from tests.routes.conftest import make_settings


def _copy(fixture_build, tmp_path) -> Path:
    target = tmp_path / "store.gpkg"
    shutil.copy(fixture_build[1], target)
    return target


def _set_manifest(path: Path, text: str) -> None:
    with sqlite3.connect(path) as db:
        db.execute("UPDATE manifest SET json = ?", (text,))


def _manifest(path: Path) -> dict:
    with sqlite3.connect(path) as db:
        return json.loads(db.execute("SELECT json FROM manifest").fetchone()[0])


def _serve(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "geo_api.cli", "serve", "--store", str(path), "--port", "1"],
        capture_output=True,
        text=True,
        timeout=120,
    )


def _with_manifest(change):
    def damage(path: Path) -> None:
        manifest = _manifest(path)
        change(manifest)
        _set_manifest(path, json.dumps(manifest))

    return damage


def _change_a_value(path: Path) -> None:
    with sqlite3.connect(path) as db:
        db.execute("UPDATE coverage SET covered_share = covered_share / 2")


def _sql(*statements: str):
    def damage(path: Path) -> None:
        with sqlite3.connect(path) as db:
            for statement in statements:
                db.execute(statement)

    return damage


# What only POST /aggregate reads: verified at start-up all the same
AREA_DAMAGES = [
    (_sql("UPDATE acs_values SET estimate = estimate * 10"), "custom-area tables do not match"),
    (_sql("DELETE FROM area_tract_land WHERE fid > 1"), "custom-area tables do not match"),
    (_sql("ALTER TABLE acs_values DROP COLUMN note"), "custom-area tables do not match"),
    (_sql("DROP TABLE area_centres"), "lacks its area_centres table"),
]


@pytest.mark.parametrize(
    ("damage", "says"),
    [
        (lambda p: _set_manifest(p, "{not json"), "manifest is empty or not JSON"),
        (lambda p: _set_manifest(p, ""), "manifest is empty or not JSON"),
        (_with_manifest(lambda m: m.update(layers={})), "lists no layers"),
        (_with_manifest(lambda m: m.update(format=1)), "store format 1"),
        (_with_manifest(lambda m: m.pop("served_sha256")), "malformed at served_sha256"),
        (_change_a_value, "does not match its checksum"),
        # GDAL warns (through pyogrio) about the dangling gpkg_contents row: not shown
        (_sql("DROP TABLE indicator_status"), "'indicator_status' could not be opened"),
        (
            _sql("UPDATE gpkg_geometry_columns SET srs_id = 3857 WHERE table_name = 'cities'"),
            "table cities is in no known CRS, not EPSG:4326",
        ),
        *AREA_DAMAGES,
    ],
)
def test_a_bad_store_is_one_line_and_exit_1(fixture_build, tmp_path, damage, says):
    path = _copy(fixture_build, tmp_path)
    read_store(path)  # the copy is good …
    damage(path)
    with pytest.raises(StoreError, match=says):  # … and the damage is caught
        read_store(path)
    result = _serve(path)
    assert result.returncode == 1
    assert says in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


@pytest.mark.parametrize(("damage", "says"), AREA_DAMAGES)
def test_area_tables_damaged_after_start_up_are_a_503_without_paths(
    fixture_build, tmp_path, damage, says
):
    path = _copy(fixture_build, tmp_path)
    settings = make_settings(tmp_path).model_copy(update={"store": path})
    with TestClient(create_app(settings)) as client:
        damage(path)  # after the start-up check, before the first drawn area
        answer = client.get("/aggregate", params={"layer": "tracts", "ids": "06037000100"})
        assert answer.status_code == 503
        problem = answer.json()
        assert problem["code"] == "unavailable"
        assert says in problem["detail"]
        assert str(tmp_path) not in answer.text and ".gpkg" not in answer.text


def test_garbage_bytes_are_not_a_store(tmp_path):
    path = tmp_path / "store.gpkg"
    path.write_bytes(b"\x00garbage" * 1000)
    result = _serve(path)
    assert result.returncode == 1 and "Traceback" not in result.stderr


def test_healthz_says_when_the_store_on_disk_was_replaced(fixture_build, tmp_path):
    path = _copy(fixture_build, tmp_path)
    settings = make_settings(tmp_path).model_copy(update={"store": path})
    with TestClient(create_app(settings)) as client:
        assert client.get("/healthz").json()["store"]["on_disk"] == "loaded"
        replacement = tmp_path / "new.gpkg"
        shutil.copy(fixture_build[1], replacement)
        replacement.replace(path)  # what a new build does: a rename over the old file
        assert client.get("/healthz").json()["store"]["on_disk"] == "replaced"
        path.unlink()
        assert client.get("/healthz").json()["store"]["on_disk"] == "missing"


def test_a_manifest_missing_a_typed_member_is_refused(fixture_build, tmp_path):
    path = _copy(fixture_build, tmp_path)
    _with_manifest(lambda m: m.pop("built_at"))(path)
    with pytest.raises(StoreError, match="malformed at built_at"):
        read_store(path)
    path = _copy(fixture_build, tmp_path)
    _with_manifest(lambda m: m["layers"]["tracts"].update(count="many"))(path)
    with pytest.raises(StoreError, match=r"malformed at layers\.tracts\.count"):
        read_store(path)
