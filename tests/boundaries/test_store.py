"""Store round trip and atomic replacement."""

import pyogrio
import pytest

from boundaries import store as store_mod
from boundaries.store import StoreError, read_store, write_store
from tests import shapes


def test_round_trip_keeps_ids_as_strings_and_values(tmp_path, fixture_build):
    original = read_store(fixture_build[1])
    path = tmp_path / "s.gpkg"
    write_store(original, path)
    back = read_store(path)
    assert set(back.layers) == set(original.layers) and "schools" in back.layers
    assert list(back.layers["tracts"]["id"]) == [
        "06037000100",
        "06037000200",
        "06037000300",
        "06037000400",
    ]
    assert back.layers["tracts"].crs.to_epsg() == 4326
    assert back.checksum == original.checksum
    assert (
        back.layers["neighborhoods"].set_index("id")["no_subscription_pct"]["west"]
        == (original.layers["neighborhoods"].set_index("id")["no_subscription_pct"]["west"])
    )
    assert {"acs_values", "crosswalk", "indicator_status", "coverage", "manifest"} <= {
        str(r[0]) for r in pyogrio.list_layers(path)
    }


def test_failed_write_leaves_previous_store_byte_identical(tmp_path, monkeypatch, fixture_build):
    path = tmp_path / "s.gpkg"
    write_store(read_store(fixture_build[1]), path)
    before = path.read_bytes()
    real = pyogrio.write_dataframe
    calls = {"n": 0}

    def failing(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError("disk full")
        return real(*args, **kwargs)

    monkeypatch.setattr(store_mod.pyogrio, "write_dataframe", failing)
    with pytest.raises(OSError, match="disk full"):
        write_store(read_store(fixture_build[1]), path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["s.gpkg"]  # no temporary left behind


def test_missing_or_foreign_store_is_a_clear_error(tmp_path):
    with pytest.raises(StoreError, match="geo-api build"):
        read_store(tmp_path / "nope.gpkg")
    foreign = tmp_path / "foreign.gpkg"
    pyogrio.write_dataframe(shapes.tract_frame(), foreign, layer="x", driver="GPKG")
    with pytest.raises(StoreError):
        read_store(foreign)


def test_stale_temporaries_of_killed_builds_are_removed(tmp_path):
    import os
    import subprocess

    from boundaries.store import remove_stale_temporaries

    target = tmp_path / "geo-api.gpkg"
    dead = subprocess.Popen(["true"])
    dead.wait()
    stale = [
        tmp_path / f".geo-api.tmp-{dead.pid}-x1y2.gpkg",
        tmp_path / f".geo-api.tmp-{dead.pid}-x1y2.gpkg-journal",
        tmp_path / ".geo-api.tmp-abc123.gpkg",  # an older build's name, without a pid
    ]
    running = tmp_path / f".geo-api.tmp-{os.getppid()}-live.gpkg"  # a build still running
    unrelated = [tmp_path / "other.gpkg", tmp_path / ".other.tmp-1-x.gpkg", target]
    for path in [*stale, running, *unrelated]:
        path.write_bytes(b"x")
    removed = remove_stale_temporaries(target)
    assert sorted(removed) == sorted(stale)
    assert running.exists() and all(p.exists() for p in unrelated)
