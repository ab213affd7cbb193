"""The store built from the real LA County mirror (skipped when the mirror is absent)."""

import csv
import math
import subprocess
import sys

import numpy as np
import pytest

from boundaries.moe import moe_proportion

pytestmark = pytest.mark.integration

EXPECTED = {
    # 2,492 in the TIGER file + 06037920200 from the supplement + 5 rebuilt from the gaps
    "tracts": 2498,
    "cities": 88,
    "communities": 348,
    "school-districts": 83,
    "neighborhoods": 270,
    "spas": 8,
    "supervisorial-districts": 5,
    "council-districts": 15,
}
MISSING_TRACTS = [
    "06037602512",
    "06037609900",
    "06037910212",
    "06037920303",
    "06037980003",
]


def test_layer_counts(mirror_store):
    for layer, count in EXPECTED.items():
        assert len(mirror_store.layers[layer]) == count, layer
        assert mirror_store.layers[layer]["id"].is_unique


def test_every_public_school_with_coordinates_is_kept_or_explained(mirror_store, mirror):
    with open(mirror / "schools/cde_school_directory_export_la_county.tsv", encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh, delimiter="\t") if r["Public Yes/No"] == "Y"]
    with_coords = [r for r in rows if r["Latitude"] and r["Longitude"]]
    report = mirror_store.manifest["layers"]["schools"]["left_out"]
    kept = len(mirror_store.layers["schools"])
    assert kept + report.get("coordinates outside the LA County box", 0) == len(with_coords)
    assert kept > 2000
    assert mirror_store.layers["schools"]["id"].str.fullmatch(r"19\d{12}").all()


def test_repairs_are_counted(mirror_store):
    layers = mirror_store.manifest["layers"]
    assert layers["communities"]["repaired_geometries"] >= 1
    assert layers["neighborhoods"]["repaired_geometries"] >= 1
    for frame in mirror_store.layers.values():
        assert frame.geometry.is_valid.all()


def test_tracts_carry_mirror_values_with_moes(mirror_store):
    tracts = mirror_store.layers["tracts"].set_index("id")
    assert tracts["population"].notna().sum() >= 2480
    assert tracts["population_moe"].notna().sum() >= 2480
    assert tracts["poverty_pct"].notna().sum() > 2400
    assert tracts["no_subscription_pct_moe"].notna().sum() > 2400
    # Social Explorer attainment has no published MOE: value shown, MOE null, flagged
    assert tracts["ba_plus_pct"].notna().sum() > 2400
    assert tracts["ba_plus_pct_moe"].isna().all()
    assert tracts["ba_plus_pct_reliability"].isna().all()
    assert tracts["median_household_income"].notna().sum() > 2400
    assert set(tracts["poverty_pct_reliability"].dropna()) <= {"high", "medium", "low"}
    assert (tracts["poverty_pct"].dropna().between(0, 100)).all()


def test_unavailable_indicators_are_listed_not_zero(mirror_store):
    status = mirror_store.indicator_status
    tr = status[status.layer == "tracts"].set_index("indicator")
    assert tr.loc["no_computer_pct", "status"] == "unavailable"
    assert "no_computer_pct" not in mirror_store.layers["tracts"].columns
    hood = status[status.layer == "neighborhoods"].set_index("indicator")
    assert hood.loc["median_household_income", "status"] == "not aggregable"


def test_county_totals_over_every_tiling_layer_are_within_two_hundredths_of_a_percent(
    mirror_store,
):
    check = mirror_store.manifest["county_check"]
    assert "population" in check
    for indicator, entry in check.items():
        for layer in ("spas", "supervisorial-districts", "communities", "neighborhoods"):
            assert abs(entry[f"{layer}_diff_pct"]) < 0.02, (indicator, layer, entry)


def test_the_tracts_without_a_polygon_are_rebuilt_and_tile_the_county(mirror_store):
    assert mirror_store.manifest["tracts_with_values_but_no_geometry"] == []
    report = mirror_store.manifest["derived_tracts"]["tracts"]
    assert [r["id"] for r in report if r["rebuilt"]] == MISSING_TRACTS
    tracts = mirror_store.layers["tracts"].set_index("id")
    assert sorted(tracts.index[tracts["derived_outline"]]) == MISSING_TRACTS
    for tract in MISSING_TRACTS:
        row = tracts.loc[tract]
        assert row["geometry"].is_valid and row["population"] >= 0
        assert row["population_moe"] > 0  # the ACS figures, with their margins
        assert "derived_outline:" in row["data_notes"]
    assert tracts.loc["06037910212", "population"] > 2000  # Northwest Palmdale's tract
    # the layer now covers every feature's land (coverage gaps under 0.1 km² remain)
    coverage = mirror_store.manifest["coverage"]
    for layer in ("spas", "neighborhoods", "communities", "supervisorial-districts"):
        assert coverage[layer]["incomplete"] == {}, layer
        assert coverage[layer]["area_share"] > 0.9999, layer


def _recompute(store, layer, feature, num_var, den_var, dataset):
    cw = store.crosswalk[(store.crosswalk.layer == layer) & (store.crosswalk.feature == feature)]
    vals = store.acs_values[store.acs_values.dataset == dataset]

    def summed(var):
        v = vals[vals.variable == var].set_index("GEOID")
        est = moe_sq = 0.0
        zero_moes = [0.0]
        for t, w in zip(cw.tract, cw.weight, strict=True):
            if t not in v.index or np.isnan(v.loc[t, "estimate"]):
                continue
            e, m = v.loc[t, "estimate"], v.loc[t, "moe"]
            est += w * e
            if e == 0:
                zero_moes.append(w * m)
            else:
                moe_sq += (w * m) ** 2
        return est, math.sqrt(moe_sq + max(zero_moes) ** 2)

    x, mx = summed(num_var)
    y, my = summed(den_var)
    return 100 * x / y, 100 * float(moe_proportion(x, y, mx, my)), x


@pytest.mark.parametrize(
    ("layer", "feature"),
    [("neighborhoods", "boyle-heights"), ("cities", "0644000"), ("school-districts", "0622710")],
)
def test_served_aggregate_equals_hand_recomputation(mirror_store, layer, feature):
    row = mirror_store.layers[layer].set_index("id").loc[feature]
    pct, moe, _ = _recompute(
        mirror_store, layer, feature, "S1701_C02_001", "S1701_C01_001", "acs5/subject"
    )
    assert row["poverty_pct"] == pytest.approx(pct, rel=1e-9)
    assert row["poverty_pct_moe"] == pytest.approx(moe, rel=1e-9)
    pct, moe, _ = _recompute(mirror_store, layer, feature, "SVI_NOINT", "SVI_HH", "cdc-svi")
    assert row["no_subscription_pct"] == pytest.approx(pct, rel=1e-9)
    assert row["no_subscription_pct_moe"] == pytest.approx(moe, rel=1e-9)


S1701_FILE = "la_county_tracts_S1701_poverty_acs2022_5yr.csv"


def _damaged_copy(mirror, tmp_path, damage):
    """A copy of the mirror (symlinks) whose S1701 file is ``damage(bytes)``."""
    broken = tmp_path / "mirror"
    for src in mirror.rglob("*"):
        if src.is_file():
            dest = broken / src.relative_to(mirror)
            dest.parent.mkdir(parents=True, exist_ok=True)
            if src.name == S1701_FILE:
                dest.write_bytes(damage(src.read_bytes()))
            else:
                dest.symlink_to(src)
    return broken


def test_failed_build_names_the_source_and_keeps_the_old_store(mirror, mirror_store_path, tmp_path):
    broken = _damaged_copy(mirror, tmp_path, lambda data: data[:50_000])  # a cut download
    store = tmp_path / "store.gpkg"
    store.write_bytes(mirror_store_path.read_bytes())
    before = store.read_bytes()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "geo_api.cli",
            "build",
            "--mirror",
            str(broken),
            "--store",
            str(store),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 1
    assert "acs-s1701" in result.stderr
    assert store.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mirror", "store.gpkg"]


def test_renamed_column_in_the_real_mirror_fails_the_build(mirror, mirror_store_path, tmp_path):
    broken = _damaged_copy(
        mirror, tmp_path, lambda data: data.replace(b"S1701_C01_001E", b"S1701_C01_001X", 1)
    )
    store = tmp_path / "store.gpkg"
    store.write_bytes(mirror_store_path.read_bytes())
    before = store.read_bytes()
    result = subprocess.run(
        [sys.executable, "-m", "geo_api.cli", "build", "--mirror", str(broken), "--store",
         str(store)],
        capture_output=True,
        text=True,
        timeout=600,
    )  # fmt: skip
    assert result.returncode == 1
    assert "acs-s1701" in result.stderr and "S1701_C01_001E" in result.stderr
    assert store.read_bytes() == before
